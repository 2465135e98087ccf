"""The team portal's permission matrix (issue 18): every URL under `portal:company` and
`portal:library`, walked from the URL resolver (a new page is a new row, automatically) × the
seven kinds of person the issue names → the declared answer. And company B's ids never reach
company A's pages; a removed member's next request is refused, their open session's included.

The answers: ANSWERS below for this package's pages; any other page of the company's space
(the brand library's…) answers as tests/access_policy.py declares it for company A's admin
(its `client`) and plain member, the approver like the member unless LEAD_PAGES names it.
Nobody outside the company ever gets in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from booker import services as booker_services
from booker.models import Membership, PhotoSession
from booker.teams import services
from tests import access_policy as policy
from tests.booke.policy_world import CLIENT, MEMBER
from tests.booke.test_access_policy import ALLOWED, METHOD, REFUSED, Route, outcome, walk
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role

ANONYMOUS = "anonymous"
ADMIN = "admin"
APPROVER = "approver"
PLAIN_MEMBER = "member"
OTHER_COMPANY = "member of another company"
PRIVATE_CLIENT = "private client"
REMOVED = "removed member"
PEOPLE = (ANONYMOUS, PLAIN_MEMBER, APPROVER, ADMIN, OTHER_COMPANY, PRIVATE_CLIENT, REMOVED)
TEAM = frozenset({ADMIN, APPROVER, PLAIN_MEMBER})
ADMINS = frozenset({ADMIN})

PREFIX = "portal/entreprise/"

# This package's pages (booker/urls/company.py).
ANSWERS: dict[str, frozenset[str]] = {
    f"{PREFIX}<slug:slug>/": TEAM,
    f"{PREFIX}<slug:slug>/equipe/": TEAM,
    f"{PREFIX}<slug:slug>/equipe/membres/<id:pk>/": ADMINS,
    f"{PREFIX}<slug:slug>/equipe/invitations/<id:pk>/": ADMINS,
    f"{PREFIX}<slug:slug>/activite/": ADMINS,
}
# Pages of the space (declared in tests/access_policy.py) that approvers open as leads do,
# though plain members may not (an order's approval…).
LEAD_PAGES: set[str] = set()


def expected(route: str) -> frozenset[str]:
    if route in ANSWERS:
        return ANSWERS[route]
    declared = policy.who_may_open(route)
    allowed = set()
    if CLIENT in declared:
        allowed.add(ADMIN)
    if MEMBER in declared:
        allowed.add(PLAIN_MEMBER)
    if MEMBER in declared or (route in LEAD_PAGES and CLIENT in declared):
        allowed.add(APPROVER)
    return frozenset(allowed)


def company_routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for route in walk():
        if route.route.startswith(PREFIX):
            seen.setdefault(route.route, route)
    return list(seen.values())


class World:
    """Company A (admin, approver, member, a removed member, a waiting invitation, a session)
    and company B (its admin, a member, a session, an invitation), and a private client."""

    def __init__(self) -> None:
        self.a = CompanyFactory(name="Acme")
        self.b = CompanyFactory(name="Globex Zeta")
        admin = MembershipFactory(company=self.a, role=Role.ADMIN).user
        self.people = {
            ANONYMOUS: None,
            ADMIN: admin,
            APPROVER: MembershipFactory(company=self.a, role=Role.APPROVER).user,
            PLAIN_MEMBER: MembershipFactory(company=self.a, role=Role.MEMBER).user,
            OTHER_COMPANY: MembershipFactory(company=self.b, role=Role.ADMIN).user,
            PRIVATE_CLIENT: UserFactory(),
        }
        removed = MembershipFactory(company=self.a, role=Role.MEMBER)
        self.people[REMOVED] = removed.user
        self.a_member = Membership.objects.get(company=self.a, role=Role.MEMBER,
                                               user=self.people[PLAIN_MEMBER])
        self.a_invitation = services.invite_member(self.a, "new@acme.test", Role.MEMBER,
                                                   actor=admin)
        self.b_member = MembershipFactory(company=self.b, role=Role.MEMBER,
                                          user=UserFactory(email="zeta-person@globex.test"))
        self.b_invitation = services.invite_member(
            self.b, "zeta-invite@globex.test", Role.MEMBER, actor=self.people[OTHER_COMPANY])
        self.a_session = booker_services.create_session(title="Portraits Acme", company=self.a)
        self.b_session = booker_services.create_session(title="Zeta offsite", company=self.b)
        booker_services.create_session(title="Portrait privé", client=self.people[PRIVATE_CLIENT])
        # A photo delivered to each company (the brand library's pages).
        self.a_final = _delivered_final(self.a)
        self.b_final = _delivered_final(self.b)
        services.remove_member(removed, actor=admin)
        self.clients: dict[str, Client] = {}
        for who, user in self.people.items():
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            self.clients[who] = client

    # Company B's own words: none may appear on company A's pages.
    def b_markers(self) -> list[str]:
        return [self.b.name, self.b_session.title, self.b_member.user.email,
                self.b_invitation.email]


# A URL kwarg's value, by name: company A's objects (ids of B: `B_KWARGS`). A page of the space
# with a kwarg named in neither fails here: add it.
def _delivered_final(company):
    from booker.models import FinalPhoto
    from tests.booker.factories_studio import delivered_session

    session, _files = delivered_session(1)
    PhotoSession.objects.filter(pk=session.pk).update(client=None, company=company)
    return FinalPhoto.objects.filter(job__session=session).first()


A_KWARGS: dict[tuple[str, str], Callable[[World], object]] = {
    (f"{PREFIX}<slug:slug>/photos/", "final_id"): lambda w: w.a_final.pk,
    (f"{PREFIX}<slug:slug>/photos/", "size"): lambda w: "web",
    (f"{PREFIX}<slug:slug>/equipe/membres/", "pk"): lambda w: w.a_member.pk,
    (f"{PREFIX}<slug:slug>/equipe/invitations/", "pk"): lambda w: w.a_invitation.pk,
}
B_KWARGS: dict[tuple[str, str], Callable[[World], object]] = {
    (f"{PREFIX}<slug:slug>/photos/", "final_id"): lambda w: w.b_final.pk,
    (f"{PREFIX}<slug:slug>/photos/", "size"): lambda w: "web",
    (f"{PREFIX}<slug:slug>/equipe/membres/", "pk"): lambda w: w.b_member.pk,
    (f"{PREFIX}<slug:slug>/equipe/invitations/", "pk"): lambda w: w.b_invitation.pk,
}


def path_of(route: Route, world: World, kwargs_table) -> str:
    values = {}
    for name in route.params:
        if name == "slug":
            values[name] = world.a.slug
            continue
        for (prefix, kwarg), value in sorted(kwargs_table.items(), key=lambda kv: -len(kv[0][0])):
            if kwarg == name and route.route.startswith(prefix):
                values[name] = value(world)
                break
        else:
            pytest.fail(f"{route}: no value for {name!r}: add it to A_KWARGS and B_KWARGS in "
                        "tests/booker/test_team_matrix.py")
    return "/" + route.path_format % {k: str(v) for k, v in values.items()}


def answer(client: Client, path: str) -> tuple[str, str]:
    response = client.get(path)
    got = outcome(path, response)
    said = f"GET {response.status_code}"
    if got == METHOD:
        # A POST-only page: an empty POST tells who may use it.
        response = client.post(path)
        got = outcome(path, response)
        said += f", POST {response.status_code}"
        if response.status_code in (301, 302, 303) and "/accounts/login/" not in response.get(
                "Location", ""):
            got = ALLOWED
    return got, said


def test_every_company_url_answers_each_kind_of_person_as_declared():
    world = World()
    routes = company_routes()
    assert len(routes) >= len(ANSWERS), "the walk found the company's pages"
    wrong, cells = [], 0
    for route in routes:
        path = path_of(route, world, A_KWARGS)
        allowed = expected(route.route)
        for who in PEOPLE:
            got, said = answer(world.clients[who], path)
            cells += 1
            want = ALLOWED if who in allowed else REFUSED
            if got != want:
                wrong.append(f"{path} as {who}: expected {want}, got {said}")
    print(f"team permission matrix: {len(routes)} URLs × {len(PEOPLE)} people = {cells} cells")
    assert cells == len(routes) * len(PEOPLE) >= 5 * 7
    assert not wrong, "\n".join(wrong)


def test_company_bs_ids_and_words_never_reach_company_as_pages():
    world = World()
    admin = world.clients[ADMIN]
    for route in company_routes():
        if len(route.params) > 1:
            # An object of B through A's address: the same 404 as for no object at all.
            path = path_of(route, world, B_KWARGS)
            assert admin.get(path).status_code in (404, 405), path
            # (a GET-only page refuses the method before any lookup: nothing said either)
            assert admin.post(path).status_code in (404, 405), path
            continue
        page = admin.get(path_of(route, world, A_KWARGS))
        if page.status_code == 200 and "html" in page.get("Content-Type", ""):
            text = page.content.decode()
            leaked = [m for m in world.b_markers() if m in text]
            assert not leaked, f"{route}: {leaked}"
    assert Membership.objects.filter(pk=world.b_member.pk).exists()
    world.b_invitation.refresh_from_db()
    assert world.b_invitation.revoked_at is None


def test_a_removed_members_next_request_is_refused_their_open_session_included(client):
    company = CompanyFactory()
    admin = MembershipFactory(company=company, role=Role.ADMIN).user
    leaving = MembershipFactory(company=company, role=Role.MEMBER)
    session = booker_services.create_session(title="Headshots", company=company)
    PhotoSession.objects.filter(pk=session.pk).update(status=PhotoSession.Status.PROOFING)
    client.force_login(leaving.user)
    dashboard = reverse("portal:company:dashboard", kwargs={"slug": company.slug})
    session_page = reverse("portal:session", args=[session.pk])
    assert client.get(dashboard).status_code == 200
    assert client.get(session_page).status_code == 200
    services.remove_member(leaving, actor=admin)
    assert client.get(dashboard).status_code == 404
    assert client.get(session_page).status_code == 404
    assert client.post(reverse("portal:pick", args=[session.pk]),
                       {"rush": "1", "picked": "1"}).status_code == 404
