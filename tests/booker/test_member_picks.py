"""A company's headshot day, from the rushes to the selection (issue 18): each photo's sitter
comes from the member's slot; each member sees and picks only their own photos, the package's
quota being each person's; the admins and approvers see everyone's, grouped by person, and
only they send the selection to the studio."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import time, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from booker import roles, selectors, services
from booker.booking.availability import PARIS
from booker.booking.selectors import slots
from booker.models import Membership, PhotoSession, RetouchJob, Rush, WeeklyHours
from tests.booker.factories_studio import jpeg
from tests.factories import CompanyFactory, SessionTypeFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

Status = PhotoSession.Status
JSON = {"HTTP_ACCEPT": "application/json"}


class Day:
    """Acme's headshot day: Inès (admin), Chloé (approver), Noé and Lou (members); Noé sat in
    the first slot, Lou in the second (10 minutes each)."""

    def __init__(self) -> None:
        self.photographer = user_with_role(roles.PHOTOGRAPHER)
        for weekday in range(7):
            WeeklyHours.objects.create(photographer=self.photographer, weekday=weekday,
                                       start=time(9), end=time(18))
        corporate = SessionTypeFactory(duration_minutes=60, price=Decimal("600"))
        corporate.photographers.add(self.photographer)
        self.company = CompanyFactory(name="Acme")
        self.admin = UserFactory(first_name="Inès", last_name="Admin")
        self.approver = UserFactory(first_name="Chloé", last_name="Valide")
        self.noe = UserFactory(first_name="Noé", last_name="Martin")
        self.lou = UserFactory(first_name="Lou", last_name="Bernard")
        for user, role in ((self.admin, Membership.Role.ADMIN),
                           (self.approver, Membership.Role.APPROVER),
                           (self.noe, Membership.Role.MEMBER),
                           (self.lou, Membership.Role.MEMBER)):
            Membership.objects.create(company=self.company, user=user, role=role)
        date = (timezone.now() + timedelta(days=10)).astimezone(PARIS).date()
        booking = services.hold_slot(corporate, slots(corporate, date, date)[0].start,
                                     user=self.admin)
        services.claim_booking(booking, user=self.admin, company=self.company)
        services.sign_contract(booking, name="Inès Admin", ip=None)
        services.submit_booking(booking, actor=self.admin)
        booking.refresh_from_db()
        self.day = services.open_headshot_day(booking, slot_minutes=10)
        self.start = booking.starts_at
        services.pick_headshot_slot(self.day, self.noe, self.at(0))
        services.pick_headshot_slot(self.day, self.lou, self.at(10))
        self.session = booking.session

    def at(self, minutes: float):
        """The instant `minutes` after the day starts, in Paris time (as the slots are)."""
        return (self.start + timedelta(minutes=minutes)).astimezone(PARIS)

    def shoot(self, captured: dict[str, float | None], *, quota: int = 1,
              price: Decimal | None = None) -> dict[str, int]:
        """Rushes taken at `captured` (minutes into the day; None: no time), attributed by
        slot, proofs published. Returns the rush ids by name."""
        PhotoSession.objects.filter(pk=self.session.pk).update(quota=quota,
                                                               extra_photo_price=price)
        self.session.refresh_from_db()
        ids = {}
        for i, (name, minutes) in enumerate(captured.items()):
            added = services.add_rush(self.session, io.BytesIO(jpeg(i)), name, enqueue=False)
            services.ingest_rush(added.rush.pk)
            when = None if minutes is None else self.at(minutes)
            Rush.objects.filter(pk=added.rush.pk).update(captured_at=when)
            ids[name] = added.rush.pk
        services.attribute_by_slot(self.session)
        services.publish_proofs(self.session, actor=self.photographer)
        self.session.refresh_from_db()
        return ids


@pytest.fixture
def acme():
    return Day()


def sitters(session: PhotoSession) -> dict[str, int | None]:
    return dict(session.rushes.values_list("original_filename", "sitter_id"))


def exif_jpeg(index: int, local_time: str) -> bytes:
    """A small JPEG whose EXIF says it was taken at `local_time` (the camera's wall clock)."""
    img = Image.open(io.BytesIO(jpeg(index)))
    exif = Image.Exif()
    exif[0x0132] = local_time  # DateTime, "YYYY:MM:DD HH:MM:SS"
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


# --- Who is in each photo ---------------------------------------------------------------------


def test_the_ingest_gives_each_rush_the_member_whose_slot_holds_its_exif_time(acme):
    # The camera's clock is Paris time, written without a zone.
    shots = {"NOE.JPG": acme.at(3), "LOU.JPG": acme.at(12), "GROUPE.JPG": acme.at(45)}
    for i, (name, when) in enumerate(shots.items()):
        data = exif_jpeg(i, when.strftime("%Y:%m:%d %H:%M:%S"))
        added = services.add_rush(acme.session, io.BytesIO(data), name, enqueue=False)
        services.ingest_rush(added.rush.pk)

    assert sitters(acme.session) == {"NOE.JPG": acme.noe.pk, "LOU.JPG": acme.lou.pk,
                                     "GROUPE.JPG": None}


def test_a_slot_holds_its_start_and_not_the_next_slots_start(acme):
    acme.shoot({"first.jpg": 0, "last-second.jpg": 9.99, "next.jpg": 10, "none.jpg": None,
                "after.jpg": 20})

    assert sitters(acme.session) == {
        "first.jpg": acme.noe.pk, "last-second.jpg": acme.noe.pk, "next.jpg": acme.lou.pk,
        "none.jpg": None, "after.jpg": None,
    }


def test_attributing_by_slot_again_overwrites_a_sitter_set_by_hand(acme):
    ids = acme.shoot({"a.jpg": 2, "b.jpg": 30})
    Rush.objects.filter(pk=ids["a.jpg"]).update(sitter=acme.lou)
    Rush.objects.filter(pk=ids["b.jpg"]).update(sitter=acme.noe)

    assert services.attribute_by_slot(acme.session) == (1, 1)
    assert sitters(acme.session) == {"a.jpg": acme.noe.pk, "b.jpg": None}


def test_a_sitter_set_by_hand_survives_a_second_ingest_of_the_rush(acme):
    added = services.add_rush(acme.session, io.BytesIO(
        exif_jpeg(1, acme.at(3).strftime("%Y:%m:%d %H:%M:%S"))), "x.jpg", enqueue=False)
    Rush.objects.filter(pk=added.rush.pk).update(sitter=acme.lou)
    services.ingest_rush(added.rush.pk)

    assert sitters(acme.session) == {"x.jpg": acme.lou.pk}


def test_a_session_that_is_no_headshot_day_gets_no_sitter():
    session = services.create_session(title="Séminaire", company=CompanyFactory())
    added = services.add_rush(session, io.BytesIO(exif_jpeg(1, "2026:01:05 10:00:00")),
                              "x.jpg", enqueue=False)
    services.ingest_rush(added.rush.pk)

    assert Rush.objects.get(pk=added.rush.pk).sitter_id is None
    assert services.attribute_by_slot(session) == (0, 1)


# --- Each member picks their own --------------------------------------------------------------


def test_a_member_sees_only_their_own_photos(acme, client):
    acme.shoot({"NOE_1.jpg": 1, "NOE_2.jpg": 2, "LOU_1.jpg": 11, "GROUPE.jpg": 40})
    client.force_login(acme.noe)

    page = client.get(reverse("portal:session", args=[acme.session.pk])).content.decode()

    assert "NOE_1.jpg" in page and "NOE_2.jpg" in page
    assert "LOU_1.jpg" not in page
    # A photo outside every slot is for the leads to place.
    assert "GROUPE.jpg" not in page


def test_a_member_cannot_pick_or_comment_a_colleagues_photo(acme, client):
    ids = acme.shoot({"NOE_1.jpg": 1, "LOU_1.jpg": 11, "GROUPE.jpg": 40})
    client.force_login(acme.noe)

    for rush in (ids["LOU_1.jpg"], ids["GROUPE.jpg"]):
        response = client.post(reverse("portal:pick", args=[acme.session.pk]),
                                {"rush": rush, "picked": "1"}, **JSON)
        assert response.status_code == 400
        assert response.json()["error"] == "Cette photo ne fait pas partie de la séance."
        response = client.post(reverse("portal:comment", args=[acme.session.pk]),
                               {"rush": rush, "comment": "moi ?"}, **JSON)
        assert response.status_code == 400
    assert selectors.pick_count(acme.session) == 0

    response = client.post(reverse("portal:pick", args=[acme.session.pk]),
                           {"rush": ids["NOE_1.jpg"], "picked": "1", "summary": "1"}, **JSON)
    assert response.json()["selection"]["counter_text"] == "1 sur 1 incluses"


def test_a_members_proof_files_are_theirs_and_their_leads(acme, client):
    ids = acme.shoot({"NOE_1.jpg": 1, "LOU_1.jpg": 11, "GROUPE.jpg": 40})

    def thumb(user, name: str) -> int:
        client.force_login(user)
        response = client.get(reverse("portal:rush-thumb", args=[ids[name]]))
        if response.streaming:
            b"".join(response.streaming_content)
        return response.status_code

    assert thumb(acme.noe, "NOE_1.jpg") == 200
    # A colleague's photo, or one without a sitter, does not exist for a plain member.
    assert thumb(acme.noe, "LOU_1.jpg") == 404
    assert thumb(acme.noe, "GROUPE.jpg") == 404
    for lead in (acme.approver, acme.admin, acme.photographer):
        assert thumb(lead, "LOU_1.jpg") == 200


def test_each_member_is_delivered_their_own_finals_and_the_leads_everyones(acme, client):
    ids = acme.shoot({"NOE_1.jpg": 1, "LOU_1.jpg": 11})
    for rush in ids.values():
        services.set_pick(acme.session, rush, True, user=acme.approver)
    services.submit_selection(acme.session, user=acme.approver)
    jobs = services.start_retouching(acme.session, actor=acme.photographer)
    services.upload_finals(
        [(f"{job.rush.stem}-edit.jpg", io.BytesIO(jpeg(500 + job.rush_id))) for job in jobs],
        jobs=jobs, actor=acme.photographer)
    for job in jobs:
        services.move_job(job, RetouchJob.Status.DONE, actor=acme.photographer)
    services.deliver(acme.session, actor=acme.photographer, message="Merci !")
    final = {job.rush.original_filename: job.final.pk for job in jobs}

    def zip_names(user) -> list[str]:
        client.force_login(user)
        response = client.get(reverse("portal:delivery-zip", args=[acme.session.pk]))
        data = b"".join(response.streaming_content)
        return sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())

    def download(user, name: str) -> int:
        client.force_login(user)
        response = client.get(reverse("portal:final-download", args=[final[name]]))
        if response.streaming:
            b"".join(response.streaming_content)
        return response.status_code

    assert zip_names(acme.noe) == ["NOE_1.jpg"]
    assert zip_names(acme.approver) == ["LOU_1.jpg", "NOE_1.jpg"]
    assert download(acme.noe, "NOE_1.jpg") == 200
    assert download(acme.noe, "LOU_1.jpg") == 404
    assert download(acme.admin, "LOU_1.jpg") == 200
    client.force_login(acme.noe)
    page = client.get(reverse("portal:session", args=[acme.session.pk])).content.decode()
    assert "NOE_1" in page and "LOU_1" not in page


def test_each_pick_records_who_made_it_for_the_teams_activity_log(acme):
    ids = acme.shoot({"NOE_1.jpg": 1, "LOU_1.jpg": 11, "LOU_2.jpg": 12}, quota=2)
    other = services.create_session(title="Ailleurs", company=CompanyFactory())

    services.set_pick(acme.session, ids["NOE_1.jpg"], True, user=acme.noe)
    services.set_pick(acme.session, ids["LOU_1.jpg"], True, user=acme.approver)
    services.set_pick(acme.session, ids["LOU_2.jpg"], True, user=acme.lou)
    services.set_pick(acme.session, ids["LOU_2.jpg"], False, user=acme.lou)

    log = [(item.rush.original_filename, item.picked_by)
           for item in selectors.company_picks(acme.company.pk)]
    assert sorted(log) == [("LOU_1.jpg", acme.approver), ("NOE_1.jpg", acme.noe)]
    assert not selectors.company_picks(other.company_id).exists()


def test_the_quota_is_each_persons_on_a_headshot_day(acme):
    ids = acme.shoot({"NOE_1.jpg": 1, "NOE_2.jpg": 2, "LOU_1.jpg": 11, "LOU_2.jpg": 12},
                     quota=1)

    services.set_pick(acme.session, ids["NOE_1.jpg"], True, user=acme.noe)
    with pytest.raises(services.StudioError, match="Votre formule inclut 1 photo"):
        services.set_pick(acme.session, ids["NOE_2.jpg"], True, user=acme.noe)
    # Noé's pick does not use Lou's.
    services.set_pick(acme.session, ids["LOU_1.jpg"], True, user=acme.lou)
    # An approver picking for Noé meets Noé's quota, and is told whose.
    with pytest.raises(services.StudioError, match="par personne.*Noé Martin"):
        services.set_pick(acme.session, ids["NOE_2.jpg"], True, user=acme.approver)

    assert selectors.pick_count(acme.session) == 2


def test_leads_see_every_persons_photos_grouped_with_their_status(acme, client):
    acme.shoot({"NOE_1.jpg": 1, "NOE_2.jpg": 2, "LOU_1.jpg": 11, "GROUPE.jpg": 40}, quota=2)
    services.set_pick(acme.session, rush_of(acme, "NOE_1.jpg"), True, user=acme.noe)
    client.force_login(acme.approver)

    page = client.get(reverse("portal:session", args=[acme.session.pk])).content.decode()

    for name in ("NOE_1.jpg", "NOE_2.jpg", "LOU_1.jpg", "GROUPE.jpg"):
        assert name in page
    # The statuses' list above the grid, then the grid person by person.
    grid = page[page.index("data-grid"):]
    noe, lou, nobody = (grid.index("Noé Martin"), grid.index("Lou Bernard"),
                        grid.index("Photos sans personne attribuée"))
    assert lou < grid.index("LOU_1.jpg") < noe < grid.index("NOE_1.jpg") < nobody
    assert grid.index("GROUPE.jpg") > nobody
    for where in (page[:page.index("data-grid")], grid):
        assert f'data-group-status="{acme.noe.pk}">1 / 2 choisie(s)' in where
        assert f'data-group-status="{acme.lou.pk}">0 / 2 choisie(s)' in where
    assert "Envoyer ma sélection" in page


# --- Who submits ------------------------------------------------------------------------------


def test_a_members_submit_is_refused_with_a_clear_message(acme, client):
    ids = acme.shoot({"NOE_1.jpg": 1})
    services.set_pick(acme.session, ids["NOE_1.jpg"], True, user=acme.noe)
    with pytest.raises(services.StudioError, match="valideur ou un administrateur de Acme"):
        services.submit_selection(acme.session, user=acme.noe)

    client.force_login(acme.noe)
    gallery = client.get(reverse("portal:session", args=[acme.session.pk])).content.decode()
    assert "Envoyer ma sélection" not in gallery
    assert "Votre choix est enregistré ; un valideur de Acme l'envoie au studio." in gallery

    response = client.post(reverse("portal:submit", args=[acme.session.pk]), follow=True)
    assert "valideur ou un administrateur de Acme" in response.content.decode()
    acme.session.refresh_from_db()
    assert acme.session.status == Status.PROOFING


def test_the_approver_submits_and_members_see_who_sent_it_and_when(acme, client):
    ids = acme.shoot({"NOE_1.jpg": 1, "LOU_1.jpg": 11})
    services.set_pick(acme.session, ids["NOE_1.jpg"], True, user=acme.noe)
    services.set_pick(acme.session, ids["LOU_1.jpg"], True, user=acme.lou)
    client.force_login(acme.approver)

    client.post(reverse("portal:submit", args=[acme.session.pk]))

    acme.session.refresh_from_db()
    assert acme.session.status == Status.SELECTION_SUBMITTED
    assert acme.session.selection.submitted_by == acme.approver
    client.force_login(acme.noe)
    page = client.get(reverse("portal:session", args=[acme.session.pk])).content.decode()
    assert "Envoyée au studio par Chloé Valide le" in page
    assert "NOE_1.jpg" in page and "LOU_1.jpg" not in page


def test_a_private_clients_submit_is_unchanged(client):
    from tests.booker.factories_studio import proofing_session, rush_ids

    session = proofing_session(2, quota=2)
    services.set_pick(session, rush_ids(session)[0], True, user=session.client)
    services.submit_selection(session, user=session.client)

    session.refresh_from_db()
    assert session.status == Status.SELECTION_SUBMITTED


# --- Money: what is paid is what is unlocked --------------------------------------------------


def test_the_extras_are_each_persons_picks_beyond_their_quota(acme):
    ids = acme.shoot({"NOE_1.jpg": 1, "NOE_2.jpg": 2, "NOE_3.jpg": 3, "LOU_1.jpg": 11},
                     quota=2, price=Decimal("15.00"))
    for name in ("NOE_1.jpg", "NOE_2.jpg", "NOE_3.jpg", "LOU_1.jpg"):
        services.set_pick(acme.session, ids[name], True, user=acme.admin)

    rule = selectors.selection_rule(acme.session)
    # Four picks against 2 per person: Lou's one is included, Noé's third is the extra (not
    # "4 picks for a quota of 2", nor "4 for 2 × 2").
    assert (rule.picked, rule.included, rule.count, rule.total) == (4, 3, 1, Decimal("15.00"))
    assert selectors.extra_picks(acme.session) == [ids["NOE_3.jpg"]]

    services.submit_selection(acme.session, user=acme.admin)
    acme.session.refresh_from_db()
    assert acme.session.status == Status.AWAITING_PAYMENT
    services.extras_paid(acme.session, [ids["NOE_3.jpg"]], actor=acme.admin, reference="o-1")
    acme.session.refresh_from_db()
    assert acme.session.status == Status.SELECTION_SUBMITTED


def test_the_company_pays_its_extras_through_its_leads_not_its_members(acme, client):
    ids = acme.shoot({"NOE_1.jpg": 1, "NOE_2.jpg": 2}, quota=1, price=Decimal("15.00"))
    for rush in ids.values():
        services.set_pick(acme.session, rush, True, user=acme.noe)
    services.submit_selection(acme.session, user=acme.approver)
    url = reverse("portal:session", args=[acme.session.pk])

    client.force_login(acme.noe)
    assert "Payer mes photos supplémentaires" not in client.get(url).content.decode()
    client.force_login(acme.approver)
    assert "Payer mes photos supplémentaires" in client.get(url).content.decode()


def test_the_photos_without_a_sitter_count_as_one_more_person_in_the_extras_rule():
    session = PhotoSession(quota=1, extra_photo_price=Decimal("5.00"))
    picks = [(1, 10), (None, 11), (1, 12), (2, 13), (None, 14), (None, 15)]

    rule = selectors.extras_per_sitter(session, picks)

    assert rule.rush_ids == (12, 14, 15)
    assert (rule.picked, rule.included, rule.beyond, rule.total) == (6, 3, 3, Decimal("15.00"))


def test_a_payment_for_fewer_photos_than_the_persons_extras_unlocks_nothing(acme):
    ids = acme.shoot({"NOE_1.jpg": 1, "NOE_2.jpg": 2, "LOU_1.jpg": 11, "LOU_2.jpg": 12},
                     quota=1, price=Decimal("15.00"))
    for rush in ids.values():
        services.set_pick(acme.session, rush, True, user=acme.approver)
    services.submit_selection(acme.session, user=acme.approver)
    assert sorted(selectors.extra_picks(acme.session)) == sorted(
        [ids["NOE_2.jpg"], ids["LOU_2.jpg"]])

    services.extras_paid(acme.session, [ids["NOE_2.jpg"]], actor=None, reference="o-2")

    acme.session.refresh_from_db()
    assert acme.session.status == Status.AWAITING_PAYMENT


def rush_of(acme: Day, name: str) -> int:
    return acme.session.rushes.get(original_filename=name).pk


# --- The photographer corrects the sitters ------------------------------------------------------


def test_the_session_form_lets_the_photographer_choose_each_photos_sitter_among_the_members(
        acme, studio):
    ids = acme.shoot({"NOE_1.jpg": 1, "NOE_2.jpg": 2, "LOU_1.jpg": 11, "GROUPE.jpg": 40})
    outsider = UserFactory(first_name="Zoé", last_name="Ailleurs")

    url = reverse("admin:booker_photosession_change", args=[acme.session.pk])
    with CaptureQueriesContext(connection) as queries:
        page = studio.get(url)
    # The members are read once, not once per photo's <select>.
    members = [q for q in queries.captured_queries if '"booker_membership"."company_id"' in q["sql"]
               and '"booker_user"' in q["sql"]]
    assert len(members) <= 2  # (a count, then the rows)

    html = page.content.decode()
    assert "Qui est sur chaque photo" in html and "GROUPE.jpg" in html
    choices = re.search(r'<select name="rushes-0-sitter".*?</select>', html, re.S).group(0)
    assert "Noé Martin" in choices and "Lou Bernard" in choices
    assert str(outsider) not in choices
    assert Rush.objects.get(pk=ids["NOE_1.jpg"]).sitter == acme.noe


def test_attributing_by_slot_again_is_an_action_on_the_sessions(acme, studio):
    ids = acme.shoot({"NOE_1.jpg": 1, "GROUPE.jpg": 40})
    Rush.objects.filter(pk=ids["NOE_1.jpg"]).update(sitter=acme.lou)

    response = studio.post(reverse("admin:booker_photosession_changelist"), {
        "action": "attribute_by_slot", "_selected_action": [acme.session.pk],
    }, follow=True)

    assert "1 photo(s) attribuée(s) selon les créneaux, 1 hors de tout créneau" in (
        response.content.decode())
    assert sitters(acme.session) == {"NOE_1.jpg": acme.noe.pk, "GROUPE.jpg": None}


class _FormFields(HTMLParser):
    """The fields of the admin's change form as a browser would post them."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox", "file"):
            self.data[name] = a.get("value") or ""
        elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
            self.data[name] = a.get("value") or "on"
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def test_the_photographer_corrects_a_photos_sitter_on_the_session_form(acme, studio):
    ids = acme.shoot({"GROUPE.jpg": 40})
    url = reverse("admin:booker_photosession_change", args=[acme.session.pk])
    form = _FormFields()
    form.feed(studio.get(url).content.decode())
    data = {k: v for k, v in form.data.items() if k != "csrfmiddlewaretoken"}
    assert data["rushes-0-id"] == str(ids["GROUPE.jpg"])

    data["rushes-0-sitter"] = str(acme.lou.pk)
    response = studio.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert sitters(acme.session) == {"GROUPE.jpg": acme.lou.pk}
