"""A wedding's gallery: 2,000 proofs on one page cost the same SQL queries as 5."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.gallery import fill_gallery
from booker import services
from booker.models import SelectionItem
from tests.booker.factories_studio import proofing_session


def render(client, session) -> tuple[int, float, int]:
    url = reverse("portal:session", args=[session.pk])
    client.get(url)  # warm the site chrome's caches
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    photos = response.content.decode().count('class="photo"')
    return len(captured), elapsed, photos


@pytest.mark.slow
@pytest.mark.django_db
def test_the_gallery_of_2000_proofs_costs_the_same_queries_as_5(client):
    small = proofing_session(5, quota=5)
    big = proofing_session(2, quota=800)
    fill_gallery(big, 2000)
    client.force_login(small.client)
    small_queries, _, small_photos = render(client, small)
    client.force_login(big.client)
    big_queries, seconds, big_photos = render(client, big)
    assert (small_photos, big_photos) == (5, 2000)
    assert big_queries == small_queries
    print(f"\n2,000-proof gallery: {big_queries} queries, {seconds * 1000:.0f} ms server time")


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
