"""The back office follows the rule of the files (booker.selectors.studio_sessions): with
`BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS` off, a photographer's lists, studio pages and jobs are
those of the sessions they shoot; on (the default), every session."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booker import roles, selectors, services
from booker.models import PhotoSession, RetouchJob
from tests.booker.factories_studio import retouching_session, shot_session
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"admin:booker_{name}", args=args)


@pytest.fixture
def two_photographers_sessions(photographer):
    other = user_with_role(roles.PHOTOGRAPHER)
    mine, my_jobs = retouching_session(title="Mariage à moi")
    theirs, their_jobs = retouching_session(title="Mariage de l'autre")
    PhotoSession.objects.filter(pk=mine.pk).update(photographer=photographer)
    PhotoSession.objects.filter(pk=theirs.pk).update(photographer=other)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    return mine, theirs, my_jobs, their_jobs


def listed_sessions(client) -> set[int]:
    page = client.get(url("photosession_changelist"))
    assert page.status_code == 200
    return {s.pk for s in page.context["cl"].result_list}


def listed_jobs(client) -> set[int]:
    page = client.get(url("retouchjob_changelist"))
    assert page.status_code == 200
    return {j.pk for j in page.context["cl"].result_list}


def test_each_their_own_a_photographer_sees_and_runs_only_the_sessions_they_shoot(
    studio, settings, two_photographers_sessions
):
    settings.BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS = False
    mine, theirs, my_jobs, their_jobs = two_photographers_sessions

    assert listed_sessions(studio) == {mine.pk}
    assert listed_jobs(studio) == {j.pk for j in my_jobs}
    assert studio.get(url("photosession_studio", mine.pk)).status_code == 200
    assert studio.get(url("photosession_studio", theirs.pk)).status_code == 404
    assert studio.get(url("photosession_export", theirs.pk, "csv")).status_code == 404
    # An action posted with another photographer's session changes only one's own.
    mine_shot = shot_session(photographer=mine.photographer)
    theirs_shot = shot_session(photographer=theirs.photographer)
    studio.post(url("photosession_changelist"),
                {"action": "cancel_sessions", "_selected_action": [mine_shot.pk, theirs_shot.pk],
                 "apply": "yes", "reason": "Annulée par le client"})
    statuses = dict(PhotoSession.objects.values_list("pk", "status"))
    assert statuses[mine_shot.pk] == PhotoSession.Status.CANCELLED
    assert statuses[theirs_shot.pk] == PhotoSession.Status.SHOT
    thumb = reverse("portal:rush-thumb", args=[their_jobs[0].rush_id])
    assert studio.get(thumb).status_code == 404


def test_all_see_all_every_photographer_sees_every_session(
    studio, settings, two_photographers_sessions
):
    settings.BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS = True
    mine, theirs, my_jobs, their_jobs = two_photographers_sessions

    assert listed_sessions(studio) == {mine.pk, theirs.pk}
    assert listed_jobs(studio) == {j.pk for j in my_jobs + their_jobs}
    assert studio.get(url("photosession_studio", theirs.pk)).status_code == 200


def test_each_their_own_a_photographer_books_their_own_sessions_by_default(
    studio, settings, photographer
):
    settings.BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS = False
    form = studio.get(url("photosession_add")).context["adminform"].form
    assert form.initial["photographer"] == photographer.pk
    settings.BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS = True
    form = studio.get(url("photosession_add")).context["adminform"].form
    assert "photographer" not in form.initial


@pytest.mark.parametrize("role", [roles.EDITOR, roles.SHOP_MANAGER])
def test_editors_and_shop_managers_see_no_session_in_the_back_office(client, role):
    session = shot_session()
    RetouchJob.objects.create(session=session, rush=session.rushes.first())
    person = user_with_role(role)
    client.force_login(person)
    # Refused by the admin's own permissions, and the rule's lists are empty anyway.
    assert client.get(url("photosession_studio", session.pk)).status_code in (302, 403, 404)
    assert not selectors.back_office_sessions(person).exists()
    assert not selectors.back_office_jobs(person).exists()
    assert not selectors.runs_the_studio(person)
    services.assign_role(person, roles.RETOUCHER)
    person = type(person).objects.get(pk=person.pk)
    RetouchJob.objects.filter(session=session).update(assignee=person)
    assert list(selectors.back_office_sessions(person)) == [session]
