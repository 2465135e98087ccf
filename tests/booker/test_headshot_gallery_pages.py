"""A headshot day's gallery as its leads read it (40 people × 30 photos): person by person, a
page of cards at a time like any gallery, every person's status above it leading to the page
where their photos start; the same SQL queries for 1,200 photos as for 6."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booker.models import Membership, PhotoSession, Rush, User
from booker.proofing.selectors import PAGE_SIZE, sitter_statuses
from tests.booker.factories_studio import proofing_session
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

CARD = re.compile(r'<li class="photo" id="photo-(\d+)"')
PERSON = re.compile(r'<h3 id="sitter-(\w+)">')
NEXT = re.compile(r'data-next="([^"]+)"')
JSON = {"HTTP_ACCEPT": "application/json"}


def headshot_day(people: int, photos: int) -> tuple[PhotoSession, User, list[User]]:
    """A company session whose `photos` proofs per person sit `people` members (rows only, as
    the page needs), plus two photos without a sitter; its admin."""
    company = CompanyFactory(name="Acme")
    lead = UserFactory(first_name="Inès", last_name="Admin")
    Membership.objects.create(company=company, user=lead, role=Membership.Role.ADMIN)
    members = [UserFactory(first_name=f"Personne{n:02}", last_name="Test")
               for n in range(people)]
    Membership.objects.bulk_create(Membership(company=company, user=m,
                                              role=Membership.Role.MEMBER) for m in members)
    session = proofing_session(2, company=company, quota=2)
    rows = [Rush(session=session, original=f"x/{m.pk}-{i}.CR2",
                 original_filename=f"P{n:02}_{i:03}.CR2", sha256=f"{m.pk:032x}{i:032x}",
                 size=1, width=2048, height=1365, proof=f"p/{m.pk}-{i}.jpg",
                 thumbnail=f"t/{m.pk}-{i}.jpg", ingest_status=Rush.Ingest.READY, sitter=m)
            for n, m in enumerate(members) for i in range(photos)]
    Rush.objects.bulk_create(rows)
    return session, lead, members


def rendered(client, session, **query) -> tuple[int, str]:
    url = reverse("portal:session", args=[session.pk])
    client.get(url, query)  # warm the site chrome's caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def every_card(client, session) -> tuple[list[int], list[str]]:
    """The cards' ids and the persons titled, over the page and each page its pager leads to."""
    page = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    page = page[page.index("data-grid"):]
    cards, people = CARD.findall(page), PERSON.findall(page)
    while (following := NEXT.search(page)) is not None:
        page = client.get(html.unescape(following.group(1))).content.decode()
        cards += CARD.findall(page)
        people += PERSON.findall(page)
    return [int(pk) for pk in cards], people


@pytest.mark.slow
def test_a_40_person_headshot_day_is_paged_for_its_leads_with_the_same_queries_as_3(client):
    small, small_lead, _ = headshot_day(3, 2)
    big, big_lead, members = headshot_day(40, 30)
    client.force_login(small_lead)
    small_queries, _ = rendered(client, small)
    client.force_login(big_lead)
    big_queries, page = rendered(client, big)

    assert big_queries == small_queries
    assert len(CARD.findall(page)) == PAGE_SIZE
    assert len(page.encode()) < 150_000
    # Every person is listed with their status, though only the first two have cards here.
    for member in members:
        assert f'data-group-status="{member.pk}">0 / 2 choisie(s)' in page
    grid = page[page.index("data-grid"):]
    assert PERSON.findall(grid) == [str(members[0].pk), str(members[1].pk)]


@pytest.mark.slow
def test_the_leads_pages_cover_every_photo_once_person_by_person(client):
    session, lead, members = headshot_day(7, 13)
    client.force_login(lead)
    cards, people = every_card(client, session)
    # Person by person (by name), the two photos without a sitter last; each person titled
    # once, though their photos run over two pages.
    expected = [r.pk for m in members for r in
                session.rushes.filter(sitter=m).order_by("original_filename")]
    expected += list(session.rushes.filter(sitter__isnull=True).order_by("original_filename")
                     .values_list("pk", flat=True))
    assert cards == expected
    assert people == [str(m.pk) for m in members] + ["none"]


def test_a_persons_link_leads_to_the_page_where_their_photos_start(client):
    session, lead, members = headshot_day(5, PAGE_SIZE // 2 + 1)
    client.force_login(lead)
    statuses = {s.key: s for s in sitter_statuses(session)}
    # Each person has 31 photos: the third starts on page 2, the fifth on page 3.
    assert [statuses[str(m.pk)].first_page("all") for m in members] == [1, 1, 2, 2, 3]
    _queries, page = rendered(client, session)
    assert f'href="?page=3#sitter-{members[4].pk}"' in page
    _queries, third = rendered(client, session, page=3)
    assert f'<h3 id="sitter-{members[4].pk}">' in third


def test_a_leads_pick_answers_every_persons_status_without_loading_every_photo(client):
    session, lead, members = headshot_day(4, 3)
    rush = session.rushes.filter(sitter=members[2]).order_by("pk").first()
    client.force_login(lead)
    answer = client.post(reverse("portal:pick", args=[session.pk]),
                         {"rush": rush.pk, "picked": "1", "summary": "1"}, **JSON).json()
    groups = answer["selection"]["groups"]
    assert groups[str(members[2].pk)] == "1 / 2 choisie(s)"
    assert groups[str(members[0].pk)] == "0 / 2 choisie(s)"
    assert set(groups) == {str(m.pk) for m in members} | {"none"}
