"""The photographer's curation of the proofs (booker.proofing.curation): hidden proofs are gone
for the client by every door, sets are sections of the gallery in the photographer's order,
the cover opens the gallery."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from booker import services
from booker.errors import StudioError
from booker.models import PhotoSession
from booker.proofing import curation
from booker.proofing.selectors import gallery
from tests.booker.factories_studio import proofing_session, rush_ids

pytestmark = pytest.mark.django_db

CARD = re.compile(r'<li class="photo" id="photo-(\d+)"')
JSON = {"HTTP_ACCEPT": "application/json"}


def cards(client, session, **query) -> list[int]:
    page = client.get(reverse("portal:session", args=[session.pk]), query)
    return [int(pk) for pk in CARD.findall(page.content.decode())]


def test_a_hidden_proof_is_gone_for_the_client_by_every_door(client):
    session = proofing_session(3, quota=3)
    a, b, c = rush_ids(session)
    curation.set_hidden(session, [b], True)
    client.force_login(session.client)

    assert cards(client, session) == [a, c]
    fragment = client.get(reverse("portal:session-photos", args=[session.pk]), {"page": 1})
    assert f'id="photo-{b}"' not in fragment.content.decode()
    page = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    assert '<span class="n" data-count="all">2</span>' in page
    assert client.get(reverse("portal:rush-proof", args=[b])).status_code == 404
    assert client.get(reverse("portal:rush-thumb", args=[b])).status_code == 404
    assert client.get(reverse("portal:rush-thumb", args=[a])).status_code == 200
    refused = client.post(reverse("portal:pick", args=[session.pk]), {"rush": b, "picked": "1"},
                          **JSON)
    assert refused.status_code == 400
    with pytest.raises(StudioError):
        services.set_comment(session, b, "et celle-ci ?", user=session.client)


def test_the_photographer_still_sees_a_hidden_proof(client, photographer):
    session = proofing_session(2)
    a, _b = rush_ids(session)
    curation.set_hidden(session, [a], True)
    client.force_login(photographer)
    assert client.get(reverse("portal:rush-thumb", args=[a])).status_code == 200


def test_a_proof_shown_again_is_back_in_the_gallery(client):
    session = proofing_session(2)
    a, b = rush_ids(session)
    curation.set_hidden(session, [a], True)
    curation.set_hidden(session, [a], False)
    client.force_login(session.client)
    assert cards(client, session) == [a, b]


def test_a_photo_the_client_picked_cannot_be_hidden():
    session = proofing_session(2)
    a, _b = rush_ids(session)
    services.set_pick(session, a, True, user=session.client)
    with translation.override("fr"), pytest.raises(StudioError) as refused:
        curation.set_hidden(session, [a], True)
    assert "choisie par le client" in str(refused.value)
    assert not session.rushes.get(pk=a).hidden_from_client


def test_sets_are_sections_of_the_gallery_in_the_photographers_order(client):
    session = proofing_session(5, quota=5)
    a, b, c, d, e = rush_ids(session)
    curation.assign_set(session, [a, c], "Cérémonie")
    curation.assign_set(session, [d, e], "Soirée")
    # Each set where its first photo was, its photos together; b (no set) between them.
    assert [p.id for p in gallery(session)] == [a, c, b, d, e]
    client.force_login(session.client)
    page = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    titles = re.findall(r'<li class="set-title"><h3>([^<]+)</h3>', page)
    assert titles == ["Cérémonie", "Autres photos", "Soirée"]
    assert page.index("Cérémonie") < page.index(f'id="photo-{c}"') < page.index("Soirée")
    assert page.index("Soirée") < page.index(f'id="photo-{d}"')


def test_moving_a_proof_up_or_down_reorders_its_set_then_the_sets():
    session = proofing_session(4, quota=4)
    a, b, c, d = rush_ids(session)
    curation.move(session, c, -1)
    assert [p.id for p in gallery(session)] == [a, c, b, d]
    curation.assign_set(session, [b, d], "Soirée")  # [a, c] then Soirée [b, d]
    curation.move(session, b, -1)  # the first of its set: the whole set moves up
    assert [p.id for p in gallery(session)] == [b, d, a, c]
    curation.move(session, a, 1)
    assert [p.id for p in gallery(session)] == [b, d, c, a]


def test_the_cover_opens_the_gallery_and_is_never_hidden(client):
    session = proofing_session(2)
    a, b = rush_ids(session)
    curation.choose_cover(session, a)
    client.force_login(session.client)
    page = client.get(reverse("portal:session", args=[session.pk])).content.decode()
    cover = reverse("portal:rush-proof", args=[a])
    assert f'<figure class="gallery-cover"><img src="{cover}"' in page
    curation.set_hidden(session, [a], True)
    session.refresh_from_db()
    assert session.cover_id is None
    with pytest.raises(StudioError):
        curation.choose_cover(session, a)


def test_the_proofs_cannot_be_arranged_once_delivered_or_before_the_shoot():
    session = services.create_session(title="Pas encore", client=proofing_session(1).client)
    assert session.status == PhotoSession.Status.BOOKED
    with pytest.raises(StudioError):
        curation.choose_cover(session, None)


def test_the_photographer_curates_from_the_studio_page(studio):
    session = proofing_session(3, quota=3)
    a, b, c = rush_ids(session)
    url = reverse("admin:booker_photosession_curation", args=[session.pk])
    studio_page = studio.get(reverse("admin:booker_photosession_studio", args=[session.pk]))
    assert url in studio_page.content.decode()
    page = studio.get(url)
    assert page.status_code == 200
    assert all(f'value="{pk}"' in page.content.decode() for pk in (a, b, c))
    studio.post(url, {"action": "hide", "rushes": [a, b]})
    studio.post(url, {"action": "set", "rushes": [c], "set_name": "  Cérémonie "})
    studio.post(url, {"cover": c})
    assert list(session.rushes.filter(hidden_from_client=True).order_by("pk")
                .values_list("pk", flat=True)) == [a, b]
    assert session.rushes.get(pk=c).set_name == "Cérémonie"
    session.refresh_from_db()
    assert session.cover_id == c
    shown = studio.get(url).content.decode()
    assert "Cérémonie" in shown


def test_a_client_may_not_open_the_curation_page(client):
    session = proofing_session(1)
    client.force_login(session.client)
    response = client.get(reverse("admin:booker_photosession_curation", args=[session.pk]))
    assert response.status_code in (302, 403, 404)
