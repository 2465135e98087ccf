"""A company's team (issue 18): who may do what by role, invitations by email (single use,
expiring, revocable, limited to the company's domains), role changes and removals that never
leave a company without an admin, each recorded for the activity log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.http import Http404
from django.utils import timezone

from booker.errors import StudioError
from booker.models import Membership, SessionEvent, TeamInvitation, User
from booker.teams import selectors, services
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
PASSWORD = "Un-Mot-De-Passe-Solide-42"


@pytest.fixture
def company():
    return CompanyFactory(name="Acme")


@pytest.fixture
def admin(company):
    return MembershipFactory(company=company, role=Role.ADMIN).user


def member_of(company, role=Role.MEMBER, **user):
    return MembershipFactory(company=company, role=role, user=UserFactory(**user))


def token_in(message) -> str:
    found = re.search(r"/accounts/equipe/([^/\s]+)/", message.body)
    assert found, message.body
    return found.group(1)


def invite(company, email, role, actor, capture):
    with capture(execute=True):
        return services.invite_member(company, email, role, actor=actor)


# --- Roles ---------------------------------------------------------------------------------------


def test_each_role_may_do_what_the_issue_says(company):
    admin = member_of(company, Role.ADMIN)
    approver = member_of(company, Role.APPROVER)
    member = member_of(company, Role.MEMBER)
    for check in (selectors.may_invite, selectors.may_change_roles,
                  selectors.may_remove_members, selectors.may_see_activity):
        assert [check(m) for m in (admin, approver, member, None)] == [True, False, False, False]
    assert [selectors.may_approve(m) for m in (admin, approver, member, None)] == [
        True, True, False, False]
    assert [selectors.may_submit_selection(m) for m in (admin, approver, member)] == [
        True, True, False]
    assert [selectors.may_pick(m) for m in (admin, approver, member, None)] == [
        True, True, True, False]


def test_company_for_is_a_404_for_a_stranger_and_for_a_removed_member(company, admin):
    stranger = UserFactory()
    with pytest.raises(Http404):
        selectors.company_for(stranger, company.slug)
    gone = member_of(company)
    assert selectors.company_for(gone.user, company.slug)[0] == company
    services.remove_member(gone, actor=admin)
    with pytest.raises(Http404):
        selectors.company_for(gone.user, company.slug)
    with pytest.raises(Http404):
        selectors.company_for(admin, "no-such-company")


def test_companies_of_lists_each_of_a_persons_companies_once(company, admin):
    other = CompanyFactory(name="Globex")
    MembershipFactory(company=other, user=admin, role=Role.MEMBER)
    assert list(selectors.companies_of(admin)) == [company, other]


# --- Invitations ---------------------------------------------------------------------------------


def test_an_admin_invites_by_email_with_a_french_email_and_a_link(
        company, admin, django_capture_on_commit_callbacks):
    invitation = invite(company, "Nina@Acme.test", Role.APPROVER, admin,
                        django_capture_on_commit_callbacks)
    assert invitation.email == "nina@acme.test"
    assert invitation.expires_at - timezone.now() > timedelta(days=6)
    [message] = mail.outbox
    assert message.to == ["nina@acme.test"]
    assert "Acme" in message.subject and "Rejoignez" in message.subject
    assert "valideur" in message.body
    assert services.read_invitation(token_in(message)).state == "pending"
    event = SessionEvent.objects.get(name="team.invited")
    assert event.payload == {"company": company.pk, "email": "nina@acme.test",
                             "role": "approver"}
    assert event.actor == admin


@pytest.mark.parametrize("role", [Role.APPROVER, Role.MEMBER])
def test_only_an_admin_invites(company, role):
    someone = member_of(company, role).user
    with pytest.raises(StudioError):
        services.invite_member(company, "x@acme.test", Role.MEMBER, actor=someone)
    assert not TeamInvitation.objects.exists()


def test_an_address_outside_the_companys_domains_is_refused_with_a_clear_message(
        company, admin):
    company.email_domains = "acme.test, acme.fr"
    company.save()
    with pytest.raises(StudioError, match=r"acme\.test, acme\.fr.*x@gmail\.test"):
        services.invite_member(company, "x@gmail.test", Role.MEMBER, actor=admin)
    assert services.invite_member(company, "y@ACME.fr", Role.MEMBER, actor=admin)


def test_inviting_a_member_again_is_refused(company, admin):
    existing = member_of(company, email="deja@acme.test")
    with pytest.raises(StudioError, match="déjà membre"):
        services.invite_member(company, existing.user.email, Role.MEMBER, actor=admin)


def test_a_newcomer_accepts_once_and_gets_one_login_and_the_role(
        company, admin, django_capture_on_commit_callbacks):
    invite(company, "nina@acme.test", Role.APPROVER, admin, django_capture_on_commit_callbacks)
    token = token_in(mail.outbox[-1])
    user = services.accept_new(token, PASSWORD, first_name="Nina", last_name="Roux")
    assert user.check_password(PASSWORD) and user.first_name == "Nina"
    assert Membership.objects.get(company=company, user=user).role == Role.APPROVER
    assert services.read_invitation(token).state == "used"
    with pytest.raises(services.InvitationRefused) as refused:
        services.accept_new(token, PASSWORD)
    assert refused.value.reason == "used"
    assert SessionEvent.objects.filter(name="team.joined", actor=user).count() == 1


def test_a_person_with_an_account_joins_signed_in_and_the_link_never_sets_their_password(
        company, admin, django_capture_on_commit_callbacks):
    client = UserFactory(email="claire@acme.test")
    invite(company, "claire@acme.test", Role.MEMBER, admin, django_capture_on_commit_callbacks)
    token = token_in(mail.outbox[-1])
    with pytest.raises(services.InvitationRefused) as refused:
        services.accept_new(token, "Autre-Mot-De-Passe-99")
    assert refused.value.reason == "sign_in"
    stranger = UserFactory()
    with pytest.raises(services.InvitationRefused) as refused:
        services.accept_as(token, stranger)
    assert refused.value.reason == "other_account"
    services.accept_as(token, client)
    assert User.objects.filter(email__iexact="claire@acme.test").count() == 1
    assert selectors.membership_in(client, company).role == Role.MEMBER


def test_expired_revoked_and_replaced_links_say_why(
        company, admin, django_capture_on_commit_callbacks):
    invitation = invite(company, "a@acme.test", Role.MEMBER, admin,
                        django_capture_on_commit_callbacks)
    first = token_in(mail.outbox[-1])
    services.resend_invitation(invitation, actor=admin)
    assert services.read_invitation(first).state == "replaced"
    second = services.invitation_token(TeamInvitation.objects.get())
    services.revoke_invitation(invitation, actor=admin)
    assert services.read_invitation(second).state == "revoked"
    assert SessionEvent.objects.filter(name="team.invitation_revoked").count() == 1
    invitation = services.resend_invitation(invitation, actor=admin)
    TeamInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.read_invitation(services.invitation_token(invitation)).state == "expired"
    assert services.read_invitation("garbage").state == "invalid"


# --- Roles and removals --------------------------------------------------------------------------


def test_an_admin_changes_a_role_and_it_is_recorded(company, admin):
    someone = member_of(company)
    services.change_role(someone, Role.APPROVER, actor=admin)
    someone.refresh_from_db()
    assert someone.role == Role.APPROVER
    event = SessionEvent.objects.get(name="team.role_changed")
    assert event.payload["previous"] == "member" and event.payload["role"] == "approver"


def test_the_last_admin_can_neither_step_down_nor_leave(company, admin):
    mine = Membership.objects.get(company=company, user=admin)
    with pytest.raises(StudioError, match="au moins un administrateur"):
        services.change_role(mine, Role.MEMBER, actor=admin)
    with pytest.raises(StudioError, match="au moins un administrateur"):
        services.remove_member(mine, actor=admin)
    second = member_of(company, Role.ADMIN)
    services.change_role(mine, Role.MEMBER, actor=admin)
    assert Membership.objects.get(pk=mine.pk).role == Role.MEMBER
    # No longer an admin: they cannot change it back themselves.
    with pytest.raises(StudioError):
        services.change_role(mine, Role.ADMIN, actor=admin)
    services.remove_member(mine, actor=second.user)
    assert not Membership.objects.filter(pk=mine.pk).exists()


def test_an_approver_cannot_change_roles_or_remove(company, admin):
    approver = member_of(company, Role.APPROVER).user
    someone = member_of(company)
    with pytest.raises(StudioError):
        services.change_role(someone, Role.ADMIN, actor=approver)
    with pytest.raises(StudioError):
        services.remove_member(someone, actor=approver)


def test_the_activity_log_reads_the_team_events_newest_first(company, admin):
    someone = member_of(company, email="bob@acme.test")
    services.change_role(someone, Role.APPROVER, actor=admin)
    services.remove_member(someone, actor=admin)
    rows = selectors.activity(company)
    assert [r.what for r in rows] == [
        "a retiré bob@acme.test de l’équipe",
        "a changé le rôle de bob@acme.test en valideur",
    ]
    other = CompanyFactory()
    assert selectors.activity(other) == []


def test_a_staff_account_is_never_put_in_a_company_by_an_invitation(company, admin):
    from booker import roles
    from tests.factories import user_with_role

    photographer = user_with_role(roles.PHOTOGRAPHER, email="photo@acme.test")
    with pytest.raises(StudioError, match="personnel du studio"):
        services.invite_member(company, photographer.email, Role.MEMBER, actor=admin)
    # Made a photographer after the invitation went out: the link refuses them.
    colleague = UserFactory(email="later@acme.test")
    invitation = services.invite_member(company, colleague.email, Role.MEMBER, actor=admin)
    colleague.groups.add(*photographer.groups.all())
    with pytest.raises(services.InvitationRefused) as refused:
        services.accept_as(services.invitation_token(invitation), colleague)
    assert refused.value.reason == "staff"
    assert not Membership.objects.filter(user=colleague).exists()


def test_the_activity_log_leaves_the_studio_s_own_workings_out(company, admin):
    from booker.events import Event, emit
    from booker.models import PhotoSession

    session = PhotoSession.objects.create(title="Portraits", company=company)
    emit(Event.JOB_ASSIGNED, session=session, assignee=1)
    emit(Event.RUSH_FAILED, session=session)
    emit(Event.SESSION_DELIVERED, session=session)
    names = [r.what for r in selectors.activity(company)]
    assert len(names) == 1 and "livr" in names[0].lower()


def test_the_activity_log_says_who_picked_which_photo(company, admin):
    from booker import services as booker_services
    from tests.booker.factories_studio import proofing_session, rush_ids

    colleague = member_of(company, email="noe@acme.test").user
    session = proofing_session(3, company=company)
    booker_services.set_pick(session, rush_ids(session)[1], True, user=colleague)
    rows = [r for r in selectors.activity(company) if "IMG_0001" in r.what]
    assert len(rows) == 1 and rows[0].what == "a choisi IMG_0001"
    assert rows[0].who == colleague.get_full_name()
