"""The company's space on the portal (issue 18): its dashboard, its team page (admins write,
everyone reads), the invitation's link (a newcomer opens their login, a signed-in person joins
in one click, a dead link says why), the activity log, and the "acting for" bar."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from booker import services as booker_services
from booker.models import DownloadLog, Membership, TeamInvitation, User
from booker.teams import panels, services
from booker.teams.panels import CompanyPanel, PanelRow
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
PASSWORD = "Un-Mot-De-Passe-Solide-42"


@pytest.fixture
def company():
    return CompanyFactory(name="Acme", annual_budget=Decimal("1000"))


@pytest.fixture
def admin(company):
    return MembershipFactory(company=company, role=Role.ADMIN,
                             user=UserFactory(email="office@acme.test")).user


def url(name, company, **kw):
    return reverse(f"portal:company:{name}", kwargs={"slug": company.slug, **kw})


def accept_path(message) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/equipe/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_the_dashboard_shows_the_companys_sessions_panels_and_spend_against_the_budget(
        client, company, admin):
    booker_services.create_session(title="Portraits Acme", company=company,
                                   scheduled_at=timezone.now() + timezone.timedelta(days=3))
    other = CompanyFactory(name="Globex")
    booker_services.create_session(title="Séminaire Globex", company=other)

    def orders(c, user):
        return CompanyPanel(key="orders", title="Commandes", spent_this_year=Decimal("250"),
                            rows=[PanelRow(label="Commande 42", status="Payée")])

    panels.register_company_panel(orders)
    try:
        client.force_login(admin)
        page = client.get(url("dashboard", company)).content.decode()
    finally:
        panels._sources.remove(orders)
    assert "Portraits Acme" in page and "Séminaire Globex" not in page
    assert "Commande 42" in page and "Payée" in page
    # Sums as a French reader writes them: thin space between thousands, no-break before €.
    assert "250,00\u00a0€" in page and "1\u202f000,00\u00a0€" in page
    assert "750,00\u00a0€ restants" in page
    assert "Vous agissez pour :" in page and "<strong>Acme</strong>" in page
    titles = ["Sélections en attente", "Séances à venir", "Livraisons", "Séances passées"]
    assert all(title in page for title in titles)
    assert [page.index(t) for t in titles] == sorted(page.index(t) for t in titles)


def test_a_plain_member_sees_the_team_but_no_admin_form_and_cannot_post(client, company,
                                                                        admin):
    member = MembershipFactory(company=company, role=Role.MEMBER).user
    client.force_login(member)
    page = client.get(url("team", company)).content.decode()
    assert admin.email in page and "Inviter" not in page and "Retirer" not in page
    assert client.post(url("team", company), {"email": "x@acme.test",
                                              "role": "member"}).status_code == 404
    target = Membership.objects.get(user=admin)
    assert client.post(url("member", company, pk=target.pk),
                       {"action": "remove"}).status_code == 404
    assert client.get(url("activity", company)).status_code == 404
    assert not TeamInvitation.objects.exists()


def test_an_admin_invites_and_the_newcomer_opens_their_login_and_lands_in_the_space(
        client, company, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("team", company),
                               {"email": "nina@acme.test", "role": "approver"})
    assert response.status_code == 302
    page = client.get(url("team", company)).content.decode()
    assert "nina@acme.test" in page and "en attente de réponse" in page
    path = accept_path(mail.outbox[-1])
    client.logout()
    form = client.get(path).content.decode()
    assert "Rejoindre l’équipe de Acme" in form and "valideur" in form
    response = client.post(path, {"first_name": "Nina", "last_name": "Roux",
                                  "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == url("dashboard", company)
    nina = User.objects.get(email="nina@acme.test")
    assert Membership.objects.get(user=nina, company=company).role == Role.APPROVER
    assert client.get(url("dashboard", company)).status_code == 200
    client.logout()
    dead = client.get(path).content.decode()
    assert "Cette invitation a déjà été utilisée." in dead


def test_a_signed_in_person_joins_with_one_click_and_another_account_is_told_to_sign_out(
        client, company, admin):
    claire = UserFactory(email="claire@acme.test")
    invitation = services.invite_member(company, "claire@acme.test", Role.MEMBER, actor=admin)
    path = reverse("team_invitation_accept", args=[services.invitation_token(invitation)])
    client.force_login(UserFactory())
    assert "vous êtes connecté·e avec un autre compte" in client.get(path).content.decode()
    client.logout()
    assert "connectez-vous pour rejoindre" in client.get(path).content.decode()
    client.force_login(claire)
    assert client.post(path).status_code == 302
    assert Membership.objects.filter(company=company, user=claire).exists()


def test_a_revoked_invitation_says_so(client, company, admin):
    invitation = services.invite_member(company, "z@acme.test", Role.MEMBER, actor=admin)
    client.force_login(admin)
    client.post(url("invitation", company, pk=invitation.pk), {"action": "revoke"})
    client.logout()
    path = reverse("team_invitation_accept", args=[services.invitation_token(invitation)])
    assert "L’entreprise a annulé cette invitation." in client.get(path).content.decode()
    assert "n'est pas valide" in client.get(
        reverse("team_invitation_accept", args=["nope"])).content.decode()


def test_another_companys_member_and_invitation_cannot_be_reached_through_our_space(
        client, company, admin):
    other = CompanyFactory(name="Globex")
    theirs = MembershipFactory(company=other, role=Role.MEMBER)
    other_admin = MembershipFactory(company=other, role=Role.ADMIN).user
    their_invitation = services.invite_member(other, "q@globex.test", Role.MEMBER,
                                              actor=other_admin)
    client.force_login(admin)
    assert client.post(url("member", company, pk=theirs.pk),
                       {"action": "remove"}).status_code == 404
    assert client.post(url("invitation", company, pk=their_invitation.pk),
                       {"action": "revoke"}).status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()
    assert TeamInvitation.objects.get(pk=their_invitation.pk).revoked_at is None


def test_the_admin_changes_a_role_and_removes_from_the_team_page(client, company, admin):
    someone = MembershipFactory(company=company, role=Role.MEMBER)
    client.force_login(admin)
    client.post(url("member", company, pk=someone.pk), {"action": "role", "role": "approver"})
    assert Membership.objects.get(pk=someone.pk).role == Role.APPROVER
    client.post(url("member", company, pk=someone.pk), {"action": "remove"})
    assert not Membership.objects.filter(pk=someone.pk).exists()
    mine = Membership.objects.get(user=admin)
    response = client.post(url("member", company, pk=mine.pk), {"action": "remove"},
                           follow=True)
    assert "au moins un administrateur" in response.content.decode()


def test_the_activity_log_shows_downloads_and_team_changes_paginated(client, company, admin):
    from tests.booke.policy_world import _delivered_company_session
    from tests.factories import user_with_role

    session, _job = _delivered_company_session(
        company, user_with_role("Retoucher"), user_with_role("Photographer"))
    DownloadLog.objects.create(delivery=session.delivery, user=admin)
    services.invite_member(company, "new@acme.test", Role.MEMBER, actor=admin)
    client.force_login(admin)
    page = client.get(url("activity", company)).content.decode()
    assert "a téléchargé toutes les photos (ZIP)" in page
    assert "a invité new@acme.test comme membre" in page
    assert "Séminaire Acme" in page
    for _i in range(60):
        DownloadLog.objects.create(delivery=session.delivery, user=admin)
    second = client.get(url("activity", company) + "?page=2").content.decode()
    assert "Page 2 sur" in second


def test_the_portal_home_lists_the_companies_and_says_one_acts_on_ones_own_behalf(
        client, company, admin):
    client.force_login(admin)
    page = client.get(reverse("portal:home")).content.decode()
    assert url("dashboard", company) in page
    assert "à titre personnel" in page


def test_a_private_client_sees_no_acting_bar(client):
    client.force_login(UserFactory())
    assert "Vous agissez" not in client.get(reverse("portal:home")).content.decode()


def test_the_studios_session_page_shows_who_downloaded_the_delivery(studio, company, admin):
    from tests.booke.policy_world import _delivered_company_session
    from tests.factories import user_with_role

    session, _job = _delivered_company_session(
        company, user_with_role("Retoucher"), user_with_role("Photographer"))
    page = studio.get(reverse("admin:booker_photosession_studio", args=[session.pk]))
    assert "Personne n’a encore téléchargé les photos." in page.content.decode()
    DownloadLog.objects.create(delivery=session.delivery, user=admin)
    page = studio.get(reverse("admin:booker_photosession_studio", args=[session.pk]))
    assert "toutes les photos (ZIP)" in page.content.decode()
    assert str(admin) in page.content.decode()


def test_the_studio_reads_the_companys_invitations_in_the_admin(client, company, admin):
    from tests.factories import user_with_role

    services.invite_member(company, "inv@acme.test", Role.APPROVER, actor=admin)
    client.force_login(user_with_role("superuser"))
    page = client.get(reverse("admin:booker_company_change", args=[company.pk]))
    assert page.status_code == 200 and "inv@acme.test" in page.content.decode()


def test_a_link_to_a_domain_the_company_no_longer_accepts_is_refused(client, company, admin):
    invitation = services.invite_member(company, "ext@partner.test", Role.MEMBER, actor=admin)
    company.email_domains = "acme.test"
    company.save()
    path = reverse("team_invitation_accept", args=[services.invitation_token(invitation)])
    page = client.get(path).content.decode()
    assert "L’entreprise n’accepte plus cette adresse" in page
    response = client.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 200
    assert not User.objects.filter(email="ext@partner.test").exists()


def test_on_a_company_session_one_acts_for_the_company_and_on_ones_own_for_oneself(
        client, company, admin):
    theirs = booker_services.create_session(title="Séance Acme", company=company)
    mine = booker_services.create_session(title="Mon portrait", client=admin)
    client.force_login(admin)
    page = client.get(reverse("portal:session", args=[theirs.pk])).content.decode()
    assert "Vous agissez pour :" in page and "<strong>Acme</strong>" in page
    page = client.get(reverse("portal:session", args=[mine.pk])).content.decode()
    assert "à titre personnel" in page
    assert url("dashboard", company) in page


def test_the_invite_form_says_why_an_outside_address_is_refused_and_resend_mails_a_new_link(
        client, company, admin, django_capture_on_commit_callbacks):
    company.email_domains = "acme.test"
    company.save()
    client.force_login(admin)
    page = client.post(url("team", company), {"email": "x@gmail.test", "role": "member"})
    assert "n’invite que des adresses en acme.test" in page.content.decode()
    assert not TeamInvitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("team", company), {"email": "y@acme.test", "role": "member"})
    invitation = TeamInvitation.objects.get()
    first = accept_path(mail.outbox[-1])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("invitation", company, pk=invitation.pk), {"action": "resend"})
    second = accept_path(mail.outbox[-1])
    assert len(mail.outbox) == 2 and first != second
    client.logout()
    assert "Une invitation plus récente" in client.get(first).content.decode()
