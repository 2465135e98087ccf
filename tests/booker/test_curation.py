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


def _history(studio, session) -> str:
    page = studio.get(reverse("admin:booker_photosession_studio", args=[session.pk]))
    html = page.content.decode()
    return html[html.index('id="history"'):]


def test_each_curation_change_is_in_the_sessions_history_in_french_with_who_did_it(
        studio, photographer):
    session = proofing_session(3, quota=3)
    a, b, c = rush_ids(session)
    name = {r.pk: r.original_filename for r in session.rushes.all()}
    url = reverse("admin:booker_photosession_curation", args=[session.pk])
    studio.post(url, {"action": "hide", "rushes": [a, b]})
    studio.post(url, {"action": "show", "rushes": [b]})
    studio.post(url, {"action": "set", "rushes": [c], "set_name": "Cérémonie"})
    studio.post(url, {"down": a})
    studio.post(url, {"cover": c})
    studio.post(url, {"action": "no-cover"})

    curated = list(session.events.filter(created_at__gte=session.status_changed_at)
                   .exclude(name="session.proofing").order_by("pk")
                   .values_list("name", "actor_id"))
    assert [n for n, _actor in curated] == [
        "session.proofs_hidden", "session.proofs_shown", "session.proofs_set",
        "session.proof_moved", "session.cover_chosen", "session.cover_chosen"]
    assert {actor for _n, actor in curated} == {photographer.pk}
    history = _history(studio, session)
    assert "Épreuves masquées au client" in history
    assert f"{name[a]}, {name[b]}" in history
    assert "Épreuves à nouveau montrées au client" in history
    assert "Épreuves rangées dans une série" in history
    assert f"« Cérémonie » : {name[c]}" in history
    assert "Épreuve déplacée dans la galerie" in history
    assert "Couverture de la galerie choisie" in history
    assert "pas de photo de couverture" in history


def test_a_curation_change_that_changes_nothing_records_nothing():
    session = proofing_session(2)
    a, b = rush_ids(session)
    before = session.events.count()
    curation.set_hidden(session, [a], False)  # already shown
    curation.move(session, a, -1)  # already first
    curation.choose_cover(session, None)  # already no cover
    assert session.events.count() == before


def test_a_large_curation_change_names_a_few_photos_and_counts_the_rest(studio):
    session = proofing_session(8, quota=8)
    ids = rush_ids(session)
    curation.set_hidden(session, ids, True)
    event = session.events.get(name="session.proofs_hidden")
    assert event.payload["count"] == 8 and len(event.payload["names"]) == curation.CURATION_NAMES
    assert event.payload["rushes"] == ids
    assert "et 3 de plus" in _history(studio, session)


def _home(client) -> str:
    return client.get(reverse("portal:home")).content.decode()


def test_the_portal_home_shows_each_sessions_cover_as_its_watermarked_proof(client):
    session = proofing_session(2)
    a, _b = rush_ids(session)
    other = proofing_session(2, client=session.client, title="Portrait sans couverture")
    curation.choose_cover(session, a)
    client.force_login(session.client)
    home = _home(client)
    proof = reverse("portal:rush-proof", args=[a])
    assert home.count('class="session-cover"') == 1
    assert f'<img class="session-cover" src="{proof}"' in home
    # The proof (watermarked at ingest), never the unwatermarked thumbnail or the original.
    assert reverse("portal:rush-thumb", args=[a]) not in home
    assert "original" not in home[home.index('class="session-cover"') - 200:][:400]
    assert client.get(proof).status_code == 200
    assert other.title in home


def test_the_home_shows_no_cover_before_publication_or_once_hidden(client):
    session = proofing_session(2)
    a, b = rush_ids(session)
    curation.choose_cover(session, a)
    client.force_login(session.client)
    PhotoSession.objects.filter(pk=session.pk).update(status=PhotoSession.Status.SHOT)
    assert 'class="session-cover"' not in _home(client)
    PhotoSession.objects.filter(pk=session.pk).update(status=PhotoSession.Status.PROOFING)
    assert 'class="session-cover"' in _home(client)
    # A cover hidden behind the service's back (the row alone) is still never shown.
    session.rushes.filter(pk=a).update(hidden_from_client=True)
    assert 'class="session-cover"' not in _home(client)


def test_another_client_never_gets_the_cover_of_a_session_not_theirs(client):
    session = proofing_session(1)
    (a,) = rush_ids(session)
    curation.choose_cover(session, a)
    stranger = proofing_session(1).client
    client.force_login(stranger)
    assert reverse("portal:rush-proof", args=[a]) not in _home(client)
    assert client.get(reverse("portal:rush-proof", args=[a])).status_code == 404


def test_a_headshot_members_home_shows_the_cover_only_when_they_sit_in_it(client):
    from booker.models import Membership
    from tests.factories import CompanyFactory, UserFactory

    company = CompanyFactory(name="Acme")
    lead, noe, lou = UserFactory(), UserFactory(), UserFactory()
    Membership.objects.create(company=company, user=lead, role=Membership.Role.ADMIN)
    for member in (noe, lou):
        Membership.objects.create(company=company, user=member, role=Membership.Role.MEMBER)
    session = proofing_session(2, company=company)
    a, b = rush_ids(session)
    session.rushes.filter(pk=a).update(sitter=noe)
    session.rushes.filter(pk=b).update(sitter=lou)
    curation.choose_cover(session, a)
    proof = reverse("portal:rush-proof", args=[a])
    for person, sees in ((lead, True), (noe, True), (lou, False)):
        client.force_login(person)
        assert (proof in _home(client)) is sees, person
        assert (client.get(proof).status_code == 200) is sees


def test_the_homes_covers_take_the_same_queries_for_one_session_or_many(
        django_assert_max_num_queries):
    from booker.selectors import home_covers, sessions_visible_to
    from tests.factories import UserFactory

    person = UserFactory()
    for i in range(6):
        session = proofing_session(1, client=person, title=f"Séance {i}")
        curation.choose_cover(session, rush_ids(session)[0])
    sessions = list(sessions_visible_to(person))
    with django_assert_max_num_queries(3):
        covers = home_covers(person, sessions)
    assert len(covers) == 6


def test_placing_a_proof_puts_it_at_that_place_in_its_set_the_others_keeping_their_order():
    session = proofing_session(5, quota=5)
    a, b, c, d, e = rush_ids(session)
    curation.assign_set(session, [d, e], "Soirée")  # [a, b, c] then Soirée [d, e]
    curation.place(session, a, 2)
    assert [p.id for p in gallery(session)] == [b, c, a, d, e]
    curation.place(session, e, 0)
    assert [p.id for p in gallery(session)] == [b, c, a, e, d]
    curation.place(session, b, 99)  # past the end of its set: last of its set, not of all
    assert [p.id for p in gallery(session)] == [c, a, b, e, d]
    event = session.events.filter(name="session.proof_moved").latest("pk")
    assert (event.payload["position"], event.payload["delta"]) == (3, 2)


def test_a_proof_dropped_by_the_page_is_placed_and_answered_in_json(studio):
    session = proofing_session(3, quota=3)
    a, b, c = rush_ids(session)
    url = reverse("admin:booker_photosession_curation", args=[session.pk])
    answer = studio.post(url, {"place": c, "index": 0}, **JSON)
    assert answer.status_code == 200 and answer.json() == {"message": "Épreuve déplacée."}
    assert [p.id for p in gallery(session)] == [c, a, b]
    history = _history(studio, session)
    assert "maintenant photo 1 de sa série" in history
    PhotoSession.objects.filter(pk=session.pk).update(status=PhotoSession.Status.DELIVERED)
    refused = studio.post(url, {"place": a, "index": 0}, **JSON)
    assert refused.status_code == 400 and "ne peuvent plus être arrangées" in refused.json()[
        "error"]
    assert [p.id for p in gallery(session)] == [c, a, b]
