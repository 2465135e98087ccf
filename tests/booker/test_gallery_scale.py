"""A wedding's gallery of 2,000 proofs: the page holds the first cards only and costs the same
SQL queries as 5; the rest comes in pages (portal:session-photos) that cover every proof once,
in order, with the counters and filters computed by the server over every photo."""

import html
import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.gallery import fill_gallery
from booker import services
from booker.models import SelectionItem
from booker.proofing.selectors import PAGE_SIZE, gallery
from tests.booker.factories_studio import proofing_session

CARD = re.compile(r'<li class="photo" id="photo-(\d+)"')
NEXT = re.compile(r'data-next="([^"]+)"')


def render(client, session) -> tuple[int, float, str]:
    url = reverse("portal:session", args=[session.pk])
    client.get(url)  # warm the site chrome's caches
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return len(captured), elapsed, response.content.decode()


def every_page(client, session, show: str = "all") -> list[list[int]]:
    """The cards' ids of the session page, then of each fragment its pager leads to."""
    query = f"?show={show}" if show != "all" else ""
    page = client.get(reverse("portal:session", args=[session.pk]) + query).content.decode()
    pages = [[int(pk) for pk in CARD.findall(page)]]
    while (following := NEXT.search(page)) is not None:
        response = client.get(html.unescape(following.group(1)))
        assert response.status_code == 200
        page = response.content.decode()
        pages.append([int(pk) for pk in CARD.findall(page)])
    return pages


@pytest.mark.slow
@pytest.mark.django_db
def test_the_gallery_of_2000_proofs_costs_the_same_queries_as_5_and_stays_light(client):
    small = proofing_session(5, quota=5)
    big = proofing_session(2, quota=800)
    fill_gallery(big, 2000)
    client.force_login(small.client)
    small_queries, _, small_page = render(client, small)
    client.force_login(big.client)
    big_queries, seconds, big_page = render(client, big)
    assert (len(CARD.findall(small_page)), len(CARD.findall(big_page))) == (5, PAGE_SIZE)
    assert big_queries == small_queries
    size = len(big_page.encode())
    assert size < 150_000
    # The counters are the server's, over the 2,000 (fill_gallery: a third picked, a tenth
    # commented), not the loaded cards'.
    assert '<span class="n" data-count="all">2000</span>' in big_page
    assert '<span class="n" data-count="picked">667</span>' in big_page
    assert '<span class="n" data-count="commented">200</span>' in big_page
    print(f"\n2,000-proof gallery: {big_queries} queries, {seconds * 1000:.0f} ms server time, "
          f"{size / 1000:.0f} KB")


@pytest.mark.django_db
def test_the_pages_cover_every_proof_exactly_once_in_gallery_order(client):
    session = proofing_session(2, quota=200)
    fill_gallery(session, 150)
    client.force_login(session.client)
    pages = every_page(client, session)
    assert [len(p) for p in pages] == [60, 60, 30]
    assert [pk for p in pages for pk in p] == [c.id for c in gallery(session)]


@pytest.mark.django_db
def test_without_javascript_the_pager_links_lead_to_the_next_cards(client):
    session = proofing_session(2, quota=200)
    fill_gallery(session, 130)
    client.force_login(session.client)
    url = reverse("portal:session", args=[session.pk])
    second = client.get(url + "?page=2").content.decode()
    ids = [c.id for c in gallery(session)]
    assert [int(pk) for pk in CARD.findall(second)] == ids[60:120]
    assert f'href="{url}?page=3"' in second
    assert f'href="{url}?page=1"' in second
    last = client.get(url + "?page=3").content.decode()
    assert [int(pk) for pk in CARD.findall(last)] == ids[120:]
    assert "data-next" not in last


@pytest.mark.django_db
def test_a_pick_on_page_3_is_counted_in_the_gallery_total(client):
    session = proofing_session(2, quota=1000)
    fill_gallery(session, 150)
    client.force_login(session.client)
    third = every_page(client, session)[2]
    unpicked = next(pk for pk in third
                    if not SelectionItem.objects.filter(rush_id=pk, picked=True).exists())
    before = SelectionItem.objects.filter(selection__session=session, picked=True).count()
    answer = client.post(reverse("portal:pick", args=[session.pk]),
                         {"rush": unpicked, "picked": "1", "summary": "1"},
                         HTTP_ACCEPT="application/json").json()
    assert answer["selection"]["picked"] == before + 1
    page = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    assert f'<span class="n" data-count="picked">{before + 1}</span>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("show", ["picked", "commented"])
def test_a_filter_applies_to_every_page_not_only_the_loaded_cards(client, show):
    session = proofing_session(2, quota=1000)
    fill_gallery(session, 700)  # a third picked (234), a tenth commented (70)
    client.force_login(session.client)
    shown = [pk for p in every_page(client, session, show) for pk in p]
    items = SelectionItem.objects.filter(selection__session=session)
    wanted = (items.filter(picked=True) if show == "picked" else items.exclude(comment=""))
    assert sorted(shown) == sorted(wanted.values_list("rush_id", flat=True))
    assert len(shown) == wanted.count() > PAGE_SIZE


@pytest.mark.django_db
def test_picking_in_a_2000_proof_gallery_stays_correct(client):
    session = proofing_session(2, quota=800)
    fill_gallery(session, 2000)
    last = session.rushes.order_by("-pk").first()
    before = SelectionItem.objects.filter(selection__session=session, picked=True).count()
    services.set_pick(
        session, last.pk, not SelectionItem.objects.get(rush=last).picked, user=session.client
    )
    after = SelectionItem.objects.filter(selection__session=session, picked=True).count()
    assert abs(after - before) == 1
