"""What can happen now is read from the SESSION table, once: `session_actions` (the studio's
buttons), `client_view` (what the client sees) and the road of the step indicator. The portal's
views and templates ask them and compare no status of their own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from booker import roles, selectors, services
from booker.models import PhotoSession
from booker.sessions.machine import SESSION
from tests.booker.factories_studio import (
    proofing_session,
    retouching_session,
    shot_session,
    submitted_session,
)
from tests.factories import UserFactory, user_with_role

Status = PhotoSession.Status
Action = selectors.Action
ROOT = Path(__file__).resolve().parents[2]


# --- The table decides -------------------------------------------------------------------------


def test_every_action_that_moves_the_session_is_a_move_of_the_table():
    for action, move in selectors.ACTION_MOVES.items():
        # (an action open where it `stays_at` moves nothing: more rushes while proofing)
        sources = [s for s in Status.values
                   if move.open_from(s) and s != move.target and s not in move.stays_at]
        assert sources, action
        assert all(SESSION.allows(s, move.target) for s in sources), action


@pytest.mark.parametrize("status, actions", [
    (Status.BOOKED, {Action.ADD_RUSHES, Action.CANCEL}),
    (Status.SHOT, {Action.ADD_RUSHES, Action.PUBLISH, Action.CANCEL}),
    (Status.PROOFING, {Action.ADD_RUSHES, Action.CANCEL}),
    (Status.AWAITING_PAYMENT, {Action.REOPEN, Action.CANCEL}),
    (Status.SELECTION_SUBMITTED, {Action.REOPEN, Action.START_RETOUCHING, Action.CANCEL}),
    # Sending for the client's approval or delivering: the package decides (the preconditions).
    (Status.RETOUCHING, {Action.UPLOAD_FINALS, Action.SEND_FOR_APPROVAL, Action.DELIVER}),
    (Status.DELIVERED, {Action.ARCHIVE}),
    (Status.ARCHIVED, {Action.RESTORE}),
    (Status.RESTORING, set()),
    (Status.CANCELLED, set()),
])
def test_the_moves_open_at_each_status(status, actions):
    assert {a for a, move in selectors.ACTION_MOVES.items() if move.open_from(status)} == actions


def test_the_road_is_the_table_s_shortest_way_to_delivery():
    assert selectors.session_road() == (
        Status.BOOKED, Status.SHOT, Status.PROOFING, Status.SELECTION_SUBMITTED,
        Status.RETOUCHING, Status.DELIVERED,
    )


@pytest.mark.parametrize("status, states", [
    (Status.BOOKED, "ctttt t"),
    (Status.PROOFING, "ddcttt"),
    (Status.AWAITING_PAYMENT, "dddctt"),  # submitted, extras not paid yet
    (Status.DELIVERED, "dddddc"),
    (Status.ARCHIVED, "dddddd"),
    (Status.RESTORING, "dddddd"),
    (Status.CANCELLED, "tttttt"),
])
def test_the_step_indicator_places_every_status_on_the_road(status, states):
    assert "".join(step[2][0] for step in selectors.road_steps(status)) == states.replace(" ", "")


# --- Who may, and when the domain agrees --------------------------------------------------------


@pytest.mark.django_db
def test_the_photographer_of_a_shot_session_may_publish_add_rushes_or_cancel():
    photographer = user_with_role(roles.PHOTOGRAPHER)
    session = shot_session(photographer=photographer)
    assert selectors.session_actions(session, photographer) == {
        Action.ADD_RUSHES, Action.PUBLISH, Action.CANCEL,
    }


@pytest.mark.django_db
def test_clients_and_retouchers_get_no_studio_action():
    session, jobs = retouching_session()
    retoucher = user_with_role(roles.RETOUCHER)
    services.assign_jobs(jobs, retoucher, actor=None)
    assert selectors.session_actions(session, retoucher) == frozenset()
    assert selectors.session_actions(session, session.client) == frozenset()
    assert selectors.session_actions(session, UserFactory()) == frozenset()


@pytest.mark.django_db
def test_retouching_starts_only_from_a_submitted_selection_with_picks():
    boss = user_with_role("superuser")
    session = submitted_session(picks={0: ""})
    assert Action.START_RETOUCHING in selectors.session_actions(session, boss)
    session.selection.items.update(picked=False)  # a selection emptied behind the page's back
    assert Action.START_RETOUCHING not in selectors.session_actions(session, boss)


@pytest.mark.django_db
def test_finals_and_delivery_need_retouch_jobs():
    boss = user_with_role("superuser")
    session, jobs = retouching_session()
    assert {Action.UPLOAD_FINALS, Action.DELIVER} <= selectors.session_actions(session, boss)
    session.retouch_jobs.all().delete()
    assert not {Action.UPLOAD_FINALS, Action.DELIVER} & selectors.session_actions(session, boss)


# --- What the client sees -----------------------------------------------------------------------


@pytest.mark.parametrize("status, seen", [
    # (proofs, picking, picks read-only, pay extras, finals)
    (Status.BOOKED, (False, False, False, False, False)),
    (Status.SHOT, (False, False, False, False, False)),
    (Status.PROOFING, (True, True, False, False, False)),
    (Status.AWAITING_PAYMENT, (True, False, True, True, False)),
    (Status.SELECTION_SUBMITTED, (True, False, True, False, False)),
    (Status.RETOUCHING, (True, False, True, False, False)),
    (Status.DELIVERED, (True, False, False, False, True)),
    (Status.ARCHIVED, (True, False, False, False, True)),
    (Status.RESTORING, (True, False, False, False, True)),
    (Status.CANCELLED, (False, False, False, False, False)),
])
def test_what_the_client_sees_at_each_status(status, seen):
    view = selectors.client_view(PhotoSession(status=status))
    assert (view.proofs_visible, view.can_pick, view.shows_picks, view.pays_extras,
            view.finals_visible) == seen
    assert view.status_text == str(selectors.CLIENT_STATUS_TEXT[status])


@pytest.mark.django_db
def test_the_client_view_follows_the_session_through_its_moves():
    session = proofing_session(2, quota=1)
    assert selectors.client_view(session).can_pick
    services.set_pick(session, session.rushes.first().pk, True, user=session.client)
    services.submit_selection(session, user=session.client)
    view = selectors.client_view(session)
    assert not view.can_pick and view.shows_picks
    assert view.status_text == "Merci ! Votre sélection est entre les mains du studio."


def test_the_portal_compares_no_status_of_its_own():
    sources = [ROOT / "booker/views/portal.py", *(ROOT / "templates/booker/portal").glob("*.html")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"status\s*(==|!=|in\b)|Status\.|_VISIBLE_TO_CLIENT", text), path


# --- The studio page shows them -----------------------------------------------------------------


def test_the_studio_page_keeps_no_road_or_status_rule_of_its_own():
    text = (ROOT / "booker/views/studio.py").read_text(encoding="utf-8")
    assert not re.search(r"\bROAD\b|status\s*(==|!=|in\b)\s*\(?Status\.", text)


@pytest.mark.django_db
def test_the_studio_page_offers_what_session_actions_allows(studio, photographer):
    from django.urls import reverse

    session = submitted_session()
    page = studio.get(reverse("admin:booker_photosession_studio", args=[session.pk]))
    html = page.content.decode()
    assert "Rouvrir la sélection" in html and "Lancer la retouche" in html
    assert page.context["steps"] == selectors.road_steps(session.status)
    step = reverse("admin:booker_photosession_step", args=[session.pk, "deliver"])
    assert step not in html  # retouching has not started: nothing to deliver
