"""The company's brand library (/portal/entreprise/<slug>/photos/): who sees which photos,
hidden photos, the search, the two sizes and their download log, usage rights, and a page
whose number of queries does not grow with the photos."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageCms

from booker import roles
from booker.delivery import library
from booker.models import (
    Delivery,
    DownloadLog,
    FinalPhoto,
    HiddenPhoto,
    Membership,
    Package,
    PhotoSession,
    PhotoTag,
    RetouchJob,
    Rush,
)
from booker.sessions.models import DEFAULT_USAGE_RIGHTS
from tests.booker.factories_studio import delivered_session, proofing_session
from tests.factories import CompanyFactory, MembershipFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

Role = Membership.Role


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def team(name: str = "Acme"):
    """A company with an admin, an approver and a member."""
    company = CompanyFactory(name=name)
    people = {
        role: MembershipFactory(company=company, role=role).user
        for role in (Role.ADMIN, Role.APPROVER, Role.MEMBER)
    }
    return company, people


def delivered_to(company, picks: int = 2, **kwargs) -> PhotoSession:
    kwargs.setdefault("title", "Séminaire 2026")
    session, _files = delivered_session(picks, company=company, client=None, **kwargs)
    return session


def finals_of(session: PhotoSession) -> list[FinalPhoto]:
    return list(FinalPhoto.objects.filter(job__session=session).order_by("original_filename"))


def more_finals(session: PhotoSession, n: int) -> None:
    """`n` more approved finals in a delivered session, written straight to the database (the
    grid reads rows; their thumbnails are fetched by the browser, one request each)."""
    model = finals_of(session)[0]
    for i in range(n):
        rush = Rush.objects.create(
            session=session, original=model.job.rush.original.name,
            original_filename=f"EXTRA_{i:04}.CR2", sha256=f"{i:064x}", size=10,
            ingest_status=Rush.Ingest.READY, thumbnail=model.job.rush.thumbnail.name,
            width=60, height=40, sitter=UserFactory(),
        )
        job = RetouchJob.objects.create(session=session, rush=rush, status=RetouchJob.Status.DONE)
        final = FinalPhoto.objects.create(
            job=job, file=model.file.name, original_filename=f"EXTRA_{i:04}-edit.jpg", size=10,
            sha256=f"{i:064x}",
        )
        tag, _ = PhotoTag.objects.get_or_create(company=session.company, name=f"tag {i % 4}")
        tag.finals.add(final)


def page_url(company, **query) -> str:
    url = reverse("portal:library:library", kwargs={"slug": company.slug})
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def download_url(company, final, size="impression") -> str:
    return reverse("portal:library:download",
                   kwargs={"slug": company.slug, "final_id": final.pk, "size": size})


def thumb_url(company, final) -> str:
    return reverse("portal:library:thumb", kwargs={"slug": company.slug, "final_id": final.pk})


def shown_ids(response) -> list[int]:
    return [card.final.pk for card in response.context["cards"]]


# --- Who sees what ---------------------------------------------------------------------------


def test_every_member_sees_the_photos_delivered_to_their_company_and_none_of_another(client):
    acme, acme_people = team("Acme")
    globex, globex_people = team("Globex")
    ours, theirs = delivered_to(acme), delivered_to(globex, title="Globex day")
    for role, person in acme_people.items():
        client.force_login(person)
        response = client.get(page_url(acme))
        assert response.status_code == 200, role
        assert sorted(shown_ids(response)) == sorted(f.pk for f in finals_of(ours))
        assert "Globex day" not in response.content.decode()
    # Globex's ids through Acme's address, and Globex's address itself: not found for Acme.
    client.force_login(acme_people[Role.MEMBER])
    their_final = finals_of(theirs)[0]
    assert client.get(download_url(acme, their_final)).status_code == 404
    assert client.get(download_url(acme, their_final, "web")).status_code == 404
    assert client.get(thumb_url(acme, their_final)).status_code == 404
    assert client.get(page_url(globex)).status_code == 404
    assert client.get(download_url(globex, their_final)).status_code == 404
    # A search never reaches another company's photos either.
    assert shown_ids(client.get(page_url(acme, event="Globex"))) == []
    assert not DownloadLog.objects.exists()


def test_people_outside_the_company_get_nothing(client):
    acme, _people = team()
    final = finals_of(delivered_to(acme))[0]
    assert client.get(page_url(acme)).status_code == 302  # to the login page
    for stranger in (UserFactory(), UserFactory(is_staff=True, is_superuser=True)):
        client.force_login(stranger)
        assert client.get(page_url(acme)).status_code == 404
        assert client.get(download_url(acme, final)).status_code == 404


def test_photos_of_sessions_not_delivered_yet_are_not_in_the_library(client):
    acme, people = team()
    proofing_session(3, company=acme, title="Pas encore livrée")
    client.force_login(people[Role.ADMIN])
    response = client.get(page_url(acme))
    assert shown_ids(response) == []
    assert "Aucune photo n’a encore été livrée" in response.content.decode()


def test_a_removed_member_is_refused_at_their_next_request(client):
    acme, people = team()
    final = finals_of(delivered_to(acme))[0]
    client.force_login(people[Role.MEMBER])
    assert client.get(page_url(acme)).status_code == 200
    Membership.objects.filter(user=people[Role.MEMBER]).delete()
    assert client.get(page_url(acme)).status_code == 404
    assert client.get(download_url(acme, final)).status_code == 404
    assert client.get(thumb_url(acme, final)).status_code == 404


def test_a_member_removed_while_the_web_copy_is_made_gets_no_file(client, monkeypatch):
    acme, people = team()
    final = finals_of(delivered_to(acme))[0]
    member = people[Role.MEMBER]
    made = library.web_copy

    def removed_meanwhile(final):
        copy = made(final)
        Membership.objects.filter(user=member).delete()
        return copy

    monkeypatch.setattr(library, "web_copy", removed_meanwhile)
    client.force_login(member)
    assert client.get(download_url(acme, final, "web")).status_code == 404
    assert not DownloadLog.objects.exists()


# --- Hidden photos ---------------------------------------------------------------------------


def test_a_hidden_photo_is_gone_for_members_and_marked_for_admins(client):
    acme, people = team()
    hidden, kept = finals_of(delivered_to(acme))
    client.force_login(people[Role.ADMIN])
    response = client.post(
        reverse("portal:library:hide", kwargs={"slug": acme.slug, "final_id": hidden.pk}),
        {"hidden": "1", "query": "event=S%C3%A9minaire&evil=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(acme, event="Séminaire") + f"#photo-{hidden.pk}"
    assert HiddenPhoto.objects.filter(final=hidden, hidden_by=people[Role.ADMIN]).exists()

    for role in (Role.MEMBER, Role.APPROVER):
        client.force_login(people[role])
        assert shown_ids(client.get(page_url(acme))) == [kept.pk], role
        assert client.get(download_url(acme, hidden)).status_code == 404
        assert client.get(download_url(acme, hidden, "web")).status_code == 404
        assert client.get(thumb_url(acme, hidden)).status_code == 404
        assert client.get(download_url(acme, kept)).status_code == 200

    client.force_login(people[Role.ADMIN])
    response = client.get(page_url(acme))
    assert sorted(shown_ids(response)) == sorted([hidden.pk, kept.pk])
    html = response.content.decode()
    assert html.count("data-hidden-badge") == 1 and "masquée" in html
    assert "Montrer aux membres" in html
    assert client.get(download_url(acme, hidden)).status_code == 200

    # Shown again: back for everyone.
    client.post(reverse("portal:library:hide", kwargs={"slug": acme.slug, "final_id": hidden.pk}),
                {"hidden": "0"})
    client.force_login(people[Role.MEMBER])
    assert sorted(shown_ids(client.get(page_url(acme)))) == sorted([hidden.pk, kept.pk])


def test_only_the_company_admins_hide_and_tag(client):
    acme, people = team()
    final = finals_of(delivered_to(acme))[0]
    hide = reverse("portal:library:hide", kwargs={"slug": acme.slug, "final_id": final.pk})
    tag = reverse("portal:library:tags", kwargs={"slug": acme.slug, "final_id": final.pk})
    for role in (Role.MEMBER, Role.APPROVER):
        client.force_login(people[role])
        assert client.post(hide, {"hidden": "1"}).status_code == 403
        assert client.post(tag, {"tags": "équipe"}).status_code == 403
        assert "Masquer pour les membres" not in client.get(page_url(acme)).content.decode()
    assert not HiddenPhoto.objects.exists() and not PhotoTag.objects.exists()
    # An admin of another company cannot reach this one's photos by id.
    globex, globex_people = team("Globex")
    client.force_login(globex_people[Role.ADMIN])
    other_hide = reverse("portal:library:hide", kwargs={"slug": globex.slug, "final_id": final.pk})
    assert client.post(other_hide, {"hidden": "1"}).status_code == 404
    assert not HiddenPhoto.objects.exists()


# --- Tags and search -------------------------------------------------------------------------


def test_tags_are_the_companys_own_and_typed_as_a_comma_list(client):
    acme, people = team()
    globex, _ = team("Globex")
    first, second = finals_of(delivered_to(acme))
    PhotoTag.objects.create(company=globex, name="Équipe")
    client.force_login(people[Role.ADMIN])
    url = reverse("portal:library:tags", kwargs={"slug": acme.slug, "final_id": first.pk})
    client.post(url, {"tags": " équipe ,Salon  2026, Équipe,, "})
    assert sorted(first.tags.values_list("name", flat=True)) == ["Salon 2026", "équipe"]
    assert set(first.tags.values_list("company", flat=True)) == {acme.pk}
    # Typed again with another case: the same tag, not a second one.
    client.post(reverse("portal:library:tags", kwargs={"slug": acme.slug, "final_id": second.pk}),
                {"tags": "ÉQUIPE"})
    assert PhotoTag.objects.filter(company=acme).count() == 2
    assert sorted(shown_ids(client.get(page_url(acme, tag="équipe")))) == sorted(
        [first.pk, second.pk])
    assert shown_ids(client.get(page_url(acme, tag="salon 2026"))) == [first.pk]
    # Emptied: no tag left on it.
    client.post(url, {"tags": ""})
    assert not first.tags.exists()


def test_the_library_is_searched_by_person_event_date_and_tag(client):
    acme, people = team()
    day = delivered_to(acme, title="Journée portraits")
    gala = delivered_to(acme, title="Gala de printemps")
    PhotoSession.objects.filter(pk=day.pk).update(scheduled_at=timezone.now() - timedelta(days=40))
    PhotoSession.objects.filter(pk=gala.pk).update(scheduled_at=timezone.now() - timedelta(days=5))
    léa_final, other_day_final = finals_of(day)
    léa = UserFactory(first_name="Léa", last_name="Martin")
    Rush.objects.filter(pk=léa_final.job.rush_id).update(sitter=léa)
    Rush.objects.filter(pk=other_day_final.job.rush_id).update(
        sitter=UserFactory(first_name="Hugo", last_name="Bernard"))
    gala_finals = finals_of(gala)
    library.set_tags(acme.pk, gala_finals[0], ["scène"])
    client.force_login(people[Role.APPROVER])

    assert shown_ids(client.get(page_url(acme, person="martin"))) == [léa_final.pk]
    assert shown_ids(client.get(page_url(acme, person="Léa Mar"))) == [léa_final.pk]
    assert sorted(shown_ids(client.get(page_url(acme, event="gala")))) == sorted(
        f.pk for f in gala_finals)
    recent = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert sorted(shown_ids(client.get(page_url(acme, date_from=recent)))) == sorted(
        f.pk for f in gala_finals)
    assert sorted(shown_ids(client.get(page_url(acme, date_to=recent)))) == sorted(
        [léa_final.pk, other_day_final.pk])
    assert shown_ids(client.get(page_url(acme, tag="scène"))) == [gala_finals[0].pk]
    assert shown_ids(client.get(page_url(acme, event="gala", person="martin"))) == []
    # A mistyped date searches on the rest rather than failing.
    response = client.get(page_url(acme, date_from="pas une date", event="gala"))
    assert response.status_code == 200
    assert sorted(shown_ids(response)) == sorted(f.pk for f in gala_finals)
    # Newest session first.
    assert shown_ids(client.get(page_url(acme)))[:2] == [f.pk for f in gala_finals]


def test_the_grid_is_paginated(client):
    acme, people = team()
    session = delivered_to(acme)
    more_finals(session, library.PAGE_SIZE)
    client.force_login(people[Role.ADMIN])
    first = client.get(page_url(acme))
    second = client.get(page_url(acme, page=2))
    assert len(first.context["cards"]) == library.PAGE_SIZE
    assert len(second.context["cards"]) == 2
    assert not set(shown_ids(first)) & set(shown_ids(second))
    assert 'rel="next"' in first.content.decode()


def test_the_page_makes_as_many_queries_for_30_photos_as_for_3(client):
    def queries(n: int) -> int:
        acme, people = team(f"Acme {n}")
        session = delivered_to(acme)
        more_finals(session, n - 2)
        library.set_hidden(Membership.objects.get(user=people[Role.ADMIN]),
                           finals_of(session)[0], True)
        client.force_login(people[Role.ADMIN])
        client.get(page_url(acme))  # what a process reads once (site settings…) is read
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page_url(acme))
        assert len(response.context["cards"]) == min(n, library.PAGE_SIZE)
        return len(ctx.captured_queries)

    assert queries(3) == queries(30)


# --- Sizes, log, rights ----------------------------------------------------------------------


def _replace_final_file(final: FinalPhoto, data: bytes) -> None:
    name = final.file.storage.save(f"test/{final.pk}-big.jpg", ContentFile(data))
    FinalPhoto.objects.filter(pk=final.pk).update(file=name, sha256=f"{final.pk:064x}",
                                                   size=len(data))


def _picture(size, **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "JPEG", **save)
    return out.getvalue()


def test_the_web_size_is_a_jpeg_of_2048_px_on_its_long_side_in_srgb(client):
    acme, people = team()
    final = finals_of(delivered_to(acme))[0]
    _replace_final_file(final, _picture((3000, 2000)))
    client.force_login(people[Role.MEMBER])
    response = client.get(download_url(acme, final, "web"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="IMG_0000-web.jpg"' in response["Content-Disposition"]
    img = Image.open(io.BytesIO(body(response)))
    assert img.format == "JPEG" and img.size == (2048, 1365)
    profile = ImageCms.ImageCmsProfile(io.BytesIO(img.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)
    # Kept beside the proofs: the second download reads the copy, it does not make it again.
    final.refresh_from_db()
    assert Rush._meta.get_field("proof").storage.exists(library.web_key(final))
    log = DownloadLog.objects.get()
    assert (log.final, log.user, log.size) == (final, people[Role.MEMBER], DownloadLog.Size.WEB)


def test_the_web_copy_is_never_enlarged_and_turned_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the camera was held upright
    data = _picture((1200, 800), exif=exif.tobytes())
    img = Image.open(io.BytesIO(library.render_web(io.BytesIO(data))))
    assert img.size == (800, 1200)


def test_the_print_size_is_the_final_as_delivered_and_logged(client):
    acme, people = team()
    final = finals_of(delivered_to(acme))[0]
    client.force_login(people[Role.APPROVER])
    response = client.get(download_url(acme, final, "impression"))
    assert response.status_code == 200
    with final.file.storage.open(final.file.name, "rb") as fh:
        assert body(response) == fh.read()
    assert 'filename="IMG_0000.jpg"' in response["Content-Disposition"]
    assert DownloadLog.objects.get().size == DownloadLog.Size.PRINT
    assert client.get(download_url(acme, final, "poster")).status_code == 404


def test_downloads_close_with_the_delivery(client):
    acme, people = team()
    session = delivered_to(acme)
    Delivery.objects.filter(session=session).update(expires_at=timezone.now() - timedelta(days=1))
    client.force_login(people[Role.MEMBER])
    assert client.get(download_url(acme, finals_of(session)[0])).status_code == 410
    assert not DownloadLog.objects.exists()


def test_the_usage_rights_of_the_package_are_shown_beside_the_downloads(client):
    acme, people = team()
    package = Package.objects.create(name="Portraits corporate",
                                     usage_rights="Usage interne et LinkedIn, 3 ans.")
    sold = delivered_to(acme, title="Avec forfait")
    PhotoSession.objects.filter(pk=sold.pk).update(package=package)
    delivered_to(acme, title="Sans forfait")
    client.force_login(people[Role.MEMBER])
    html = client.get(page_url(acme)).content.decode()
    assert html.count("Usage interne et LinkedIn, 3 ans.") == 2
    assert html.count(DEFAULT_USAGE_RIGHTS.replace("'", "&#x27;")) == 2
    assert "Droits d’utilisation" in html
    assert Package.objects.create(name="Neuf").usage_rights == DEFAULT_USAGE_RIGHTS


def test_tags_typed_are_trimmed_deduplicated_and_bounded():
    assert library.parse_tags(" a , B,b ,, c  d ") == ["a", "B", "c d"]
    assert len(library.parse_tags(",".join(str(i) for i in range(50)))) == library.MAX_TAGS
    assert library.parse_tags("x" * 100) == ["x" * library.TAG_LENGTH]


# --- The studio's tags (/admin/) -------------------------------------------------------------


def test_the_studio_tags_a_companys_photos_among_that_companys_only(client):
    acme, people = team()
    globex, _ = team("Globex")
    ours, theirs = finals_of(delivered_to(acme)), finals_of(delivered_to(globex))
    client.force_login(user_with_role(roles.PHOTOGRAPHER))
    response = client.post(reverse("admin:booker_phototag_add"),
                           {"company": acme.pk, "name": "Équipe"})
    assert response.status_code == 302
    tag = PhotoTag.objects.get()
    change = reverse("admin:booker_phototag_change", args=[tag.pk])
    field = client.get(change).context["adminform"].form.fields["finals"]
    choices = set(field.queryset.values_list("pk", flat=True))
    assert choices == {f.pk for f in ours}
    response = client.post(change, {"name": "Équipe", "finals": [theirs[0].pk]})
    assert response.status_code == 200 and not tag.finals.exists()  # refused: not Acme's
    client.post(change, {"name": "Équipe", "finals": [ours[0].pk]})
    assert list(tag.finals.all()) == [ours[0]]
    client.force_login(people[Role.MEMBER])
    assert shown_ids(client.get(page_url(acme, tag="équipe"))) == [ours[0].pk]


def test_the_other_doors_can_ask_which_finals_are_hidden_from_a_person():
    """What the session page, a final's download and the ZIP need to leave hidden photos out
    for members, as the library does (hidden_from)."""
    acme, people = team()
    session = delivered_to(acme)
    hidden, _kept = finals_of(session)
    admin = Membership.objects.get(user=people[Role.ADMIN])
    library.set_hidden(admin, hidden, True)
    ids = lambda user: set(library.hidden_from(user, session).values_list("final_id", flat=True))  # noqa: E731
    assert ids(people[Role.MEMBER]) == ids(people[Role.APPROVER]) == {hidden.pk}
    assert ids(people[Role.ADMIN]) == set()
    assert ids(user_with_role(roles.PHOTOGRAPHER)) == set()


def test_the_studio_writes_a_packages_usage_rights_in_its_admin_form(client):
    client.force_login(user_with_role(roles.PHOTOGRAPHER))
    response = client.post(reverse("admin:booker_package_add"), {
        "name": "Portraits LinkedIn", "photos_included": 1, "delivery_formats": "JPEG",
        "delivery_sizes": "both",
        "price": "90", "is_active": "on", "usage_rights": "Profil LinkedIn et site carrière.",
    })
    assert response.status_code == 302
    assert Package.objects.get(name="Portraits LinkedIn").usage_rights == (
        "Profil LinkedIn et site carrière.")


def test_a_hidden_photo_is_gone_for_members_from_the_download_and_the_zip_too(client):
    import zipfile

    acme, people = team()
    session = delivered_to(acme)
    hidden, kept = finals_of(session)
    library.set_hidden(Membership.objects.get(user=people[Role.ADMIN]), hidden, True)

    client.force_login(people[Role.MEMBER])
    assert client.get(reverse("portal:final-download", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("portal:final-download", args=[kept.pk])).status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(body(client.get(
        reverse("portal:delivery-zip", args=[session.pk])))))
    assert len(archive.namelist()) == 1

    client.force_login(people[Role.ADMIN])
    assert client.get(reverse("portal:final-download", args=[hidden.pk])).status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(body(client.get(
        reverse("portal:delivery-zip", args=[session.pk])))))
    assert len(archive.namelist()) == 2


def test_on_a_headshot_day_a_member_finds_only_their_own_portraits_in_the_library(client):
    acme, people = team()
    session = delivered_to(acme)
    mine, colleague_s = finals_of(session)
    member, approver = people[Role.MEMBER], people[Role.APPROVER]
    Rush.objects.filter(pk=mine.job.rush_id).update(sitter=member)
    Rush.objects.filter(pk=colleague_s.job.rush_id).update(sitter=approver)

    ids = lambda who: {f.pk for f in library.library_finals(  # noqa: E731
        Membership.objects.get(user=people[who]))}
    assert ids(Role.MEMBER) == {mine.pk}
    assert ids(Role.APPROVER) == ids(Role.ADMIN) == {mine.pk, colleague_s.pk}
    client.force_login(member)
    assert client.get(reverse("portal:library:download", kwargs={
        "slug": acme.slug, "final_id": colleague_s.pk, "size": "print"})).status_code == 404



def test_a_hidden_photo_is_gone_for_members_from_the_session_page(client):
    """The door left after the library, the download and the ZIP: the portal's session page
    lists no hidden final to a member (the shop's print chooser: tests/shop/test_print_access)."""
    acme, people = team()
    session = delivered_to(acme)
    hidden, kept = finals_of(session)
    library.set_hidden(Membership.objects.get(user=people[Role.ADMIN]), hidden, True)
    session_page = reverse("portal:session", args=[session.pk])

    for role in (Role.MEMBER, Role.APPROVER):
        client.force_login(people[role])
        shown = {tile.final.pk for tile in client.get(session_page).context["finals"]}
        assert shown == {kept.pk}

    client.force_login(people[Role.ADMIN])
    shown = {tile.final.pk for tile in client.get(session_page).context["finals"]}
    assert shown == {hidden.pk, kept.pk}
