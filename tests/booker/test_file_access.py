"""Who may see a session's files: one rule (booker.selectors.may_see_session_files), by
relationship, never by model permission. The table below is the rule, person by person and
status by status; every file view, the rule's list form and the download log must agree."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.urls import reverse

from booker import roles, selectors, services
from booker.models import DownloadLog, FinalPhoto, PhotoSession, RetouchJob, User
from booker.selectors import SessionFiles
from tests.booker.factories_studio import (
    company_lead,
    jpeg,
    proofing_session,
    rush_ids,
    shot_session,
)
from tests.factories import CompanyFactory, MembershipFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

Status = PhotoSession.Status
JobStatus = RetouchJob.Status

STATUSES = ("shot", "proofing", "retouching", "delivered")
NONE = ("", "", "", "")
EVERYTHING = ("thumb proof", "thumb proof", "thumb proof final zip", "thumb proof final zip")
AS_CLIENT = ("", "thumb proof", "thumb proof", "thumb proof final zip")

# Who → (whose session they ask about, the photographers' setting, what they get at each
# status of STATUSES). "private": a private client's session; "company": a company's.
# Finals exist from "retouching" on: before, only thumbnails and proofs are asked for.
EXPECTED: dict[str, tuple[str, bool, tuple[str, str, str, str]]] = {
    "client": ("private", True, AS_CLIENT),
    "other client": ("private", True, NONE),
    "company member": ("company", True, AS_CLIENT),
    "member of another company": ("company", True, NONE),
    "retoucher with a job in the session": ("private", True, EVERYTHING),
    "retoucher with a job elsewhere": ("private", True, NONE),
    "photographer of the session, all see all": ("private", True, EVERYTHING),
    "photographer of the session, each their own": ("private", False, EVERYTHING),
    "other photographer, all see all": ("private", True, EVERYTHING),
    "other photographer, each their own": ("private", False, NONE),
    "editor": ("private", True, NONE),
    "shop manager": ("private", True, NONE),
    "superuser": ("private", False, EVERYTHING),
}
KINDS = {"thumb": SessionFiles.PROOFS, "proof": SessionFiles.PROOFS,
         "final": SessionFiles.FINALS, "zip": SessionFiles.FINALS}


@dataclass
class Cast:
    client: User
    member: User
    shooter: User
    other_photographer: User
    retoucher: User
    busy_elsewhere: User

    def person(self, who: str) -> User:
        people = {
            "client": self.client,
            "company member": self.member,
            "retoucher with a job in the session": self.retoucher,
            "retoucher with a job elsewhere": self.busy_elsewhere,
            "photographer of the session, all see all": self.shooter,
            "photographer of the session, each their own": self.shooter,
            "other photographer, all see all": self.other_photographer,
            "other photographer, each their own": self.other_photographer,
        }
        if who in people:
            return people[who]
        if who == "member of another company":
            return MembershipFactory(company=CompanyFactory()).user
        role = {"editor": roles.EDITOR, "shop manager": roles.SHOP_MANAGER,
                "superuser": "superuser", "other client": None}[who]
        return user_with_role(role)


def cast() -> Cast:
    member = UserFactory()
    elsewhere = shot_session(names=("IMG_9999.CR2",), title="Ailleurs")
    busy = user_with_role(roles.RETOUCHER)
    RetouchJob.objects.create(session=elsewhere, rush=elsewhere.rushes.get(), assignee=busy)
    return Cast(
        client=UserFactory(),
        member=member,
        shooter=user_with_role(roles.PHOTOGRAPHER),
        other_photographer=user_with_role(roles.PHOTOGRAPHER),
        retoucher=user_with_role(roles.RETOUCHER),
        busy_elsewhere=busy,
    )


def session_at(status: str, people: Cast, *, client=None, company=None) -> PhotoSession:
    """A session at `status`, shot by `people.shooter`, whose first photo is
    `people.retoucher`'s job (made by hand before retouching: the rule holds at any status)."""
    if status == "shot":
        session = shot_session(names=("IMG_0000.CR2", "IMG_0001.CR2"), client=client,
                               company=company)
    else:
        session = proofing_session(2, quota=2, client=client, company=company)
    PhotoSession.objects.filter(pk=session.pk).update(photographer=people.shooter)
    first = rush_ids(session)[0]
    if status in ("shot", "proofing"):
        RetouchJob.objects.create(session=session, rush_id=first, assignee=people.retoucher)
    else:
        actor = client or people.member
        services.set_pick(session, first, True, user=actor)
        # A company's selection is submitted by an approver or an admin.
        services.submit_selection(session, user=client or company_lead(company))
        jobs = services.start_retouching(session, actor=people.shooter)
        services.assign_jobs(jobs, people.retoucher, actor=people.shooter)
        services.upload_finals([(f"{job.rush.stem}.jpg", io_jpeg(job.rush_id)) for job in jobs],
                               jobs=jobs, actor=people.retoucher)
        for job in RetouchJob.objects.filter(session=session):
            services.move_job(job, JobStatus.DONE, actor=people.shooter)
        if status == "delivered":
            services.deliver(session, actor=people.shooter)
    session.refresh_from_db()
    assert session.status == status
    return session


def io_jpeg(index: int) -> io.BytesIO:
    return io.BytesIO(jpeg(2000 + index, size=(80, 60)))


def urls(session: PhotoSession) -> dict[str, str]:
    rush = rush_ids(session)[0]
    found = {
        "thumb": reverse("portal:rush-thumb", args=[rush]),
        "proof": reverse("portal:rush-proof", args=[rush]),
    }
    final = FinalPhoto.objects.filter(job__session=session).first()
    if final is not None:
        found["final"] = reverse("portal:final-download", args=[final.pk])
        found["zip"] = reverse("portal:delivery-zip", args=[session.pk])
    return found


def fetch(http, url: str) -> int:
    response = http.get(url)
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end: the response closes the file
    return response.status_code


@pytest.mark.parametrize("status", STATUSES)
def test_who_gets_which_file_of_a_session_at_each_status(client, settings, status):
    people = cast()
    company = CompanyFactory()
    MembershipFactory(company=company, user=people.member)
    sessions = {
        "private": session_at(status, people, client=people.client),
        "company": session_at(status, people, company=company),
    }
    wrong, downloaders = [], set()
    for who, (whose, all_see_all, by_status) in EXPECTED.items():
        settings.BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS = all_see_all
        session = sessions[whose]
        expected = set(by_status[STATUSES.index(status)].split())
        user = people.person(who)
        client.force_login(user)
        for name, url in urls(session).items():
            got = fetch(client, url)
            if got != (200 if name in expected else 404):
                wrong.append(f"{who} got {got} for the {name} of a {status} session")
            # The list form of the rule says the same as the views.
            listed = selectors.sessions_with_files_for(
                User.objects.get(pk=user.pk), KINDS[name]
            ).filter(pk=session.pk).exists()
            if listed != (name in expected):
                wrong.append(f"{who}: the list form says {listed} for the {name}")
        if expected & {"final", "zip"} and status == "delivered":
            downloaders.add(user.pk)
    assert not wrong, "\n".join(wrong)
    # The download log names only people the rule let download (none before delivery).
    assert set(DownloadLog.objects.values_list("user", flat=True)) == downloaders


def test_the_originals_are_the_studio_s_only():
    """Ready for the retoucher's originals (a later issue): the rule already answers."""
    people = cast()
    session = session_at("shot", people, client=people.client)
    PhotoSession.objects.filter(pk=session.pk).update(status=Status.DELIVERED)
    session.refresh_from_db()
    assert selectors.may_see_session_files(people.retoucher, session, SessionFiles.ORIGINALS)
    assert selectors.may_see_session_files(people.shooter, session, SessionFiles.ORIGINALS)
    assert not selectors.may_see_session_files(people.client, session, SessionFiles.ORIGINALS)
    assert not selectors.may_see_session_files(
        people.busy_elsewhere, session, SessionFiles.ORIGINALS
    )


def test_a_cancelled_session_s_files_are_the_studio_s_only(client):
    people = cast()
    session = proofing_session(1, client=people.client)
    services.transition(session, Status.CANCELLED, actor=None)
    thumb = reverse("portal:rush-thumb", args=[rush_ids(session)[0]])
    client.force_login(people.client)
    assert client.get(thumb).status_code == 404
    client.force_login(people.shooter)
    assert fetch(client, thumb) == 200


def test_a_former_retoucher_loses_the_files_of_their_old_jobs(client):
    """The job is the relationship, the role says they still work here."""
    people = cast()
    session = session_at("proofing", people, client=people.client)
    thumb = reverse("portal:rush-thumb", args=[rush_ids(session)[0]])
    client.force_login(people.retoucher)
    assert fetch(client, thumb) == 200
    people.retoucher.groups.clear()
    assert client.get(thumb).status_code == 404
