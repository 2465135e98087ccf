"""The clients' family share links in /admin/ (booker/delivery/admin.py): the studio reads who
shared what, until when and how often it was opened, and revokes a link; nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from booker.delivery import services as delivery
from booker.delivery.selectors import share_is_open
from booker.errors import StudioError
from booker.events import Event
from booker.models import ShareLink
from tests.booker.factories_studio import delivered_session

pytestmark = pytest.mark.django_db

LIST = reverse("admin:booker_sharelink_changelist")


@pytest.fixture
def link() -> ShareLink:
    session, _files = delivered_session(2)
    made = delivery.create_share_link(session, user=session.client)
    delivery.count_share_view(made)
    return made


def test_the_studio_lists_the_share_links_with_session_client_dates_and_visits(studio, link):
    page = studio.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert escape(link.session.title) in html
    assert reverse("admin:booker_photosession_studio", args=[link.session_id]) in html
    assert str(link.session.client) in html
    assert 'class="field-view_count">1<' in html
    assert "ouvert" in html
    # Its column and its filter read French, as every label of the list.
    assert "Par créé le" in html and "created at" not in html.lower()
    # The token is the credential: the studio's list never shows it.
    assert link.token not in html
    assert link.token not in studio.get(
        reverse("admin:booker_sharelink_change", args=[link.pk])).content.decode()


def test_the_studio_revokes_a_link_from_the_list_and_the_history_says_so(
        studio, photographer, link):
    response = studio.post(LIST, {"action": "revoke", "_selected_action": [link.pk]},
                           follow=True)
    assert "1 lien révoqué" in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is not None and not share_is_open(link)
    event = link.session.events.get(name=Event.SHARE_REVOKED)
    assert event.actor == photographer and event.payload["by_studio"] is True
    assert "révoqué" in studio.get(LIST, {"etat": "revoked"}).content.decode()


def test_a_share_link_cannot_be_added_edited_or_deleted_in_the_admin(studio, link):
    assert studio.get(reverse("admin:booker_sharelink_add")).status_code == 403
    assert studio.get(reverse("admin:booker_sharelink_delete", args=[link.pk])).status_code == 403
    later = timezone.now() + timedelta(days=365)
    studio.post(reverse("admin:booker_sharelink_change", args=[link.pk]),
                {"expires_at_0": later.date().isoformat(), "expires_at_1": "12:00:00"})
    assert ShareLink.objects.get(pk=link.pk).expires_at == link.expires_at
    assert "delete_selected" not in studio.get(LIST).content.decode()


def test_the_list_says_expired_once_the_delivery_closes_first(studio, link):
    delivery_row = link.session.delivery
    delivery_row.expires_at = timezone.now() - timedelta(minutes=1)
    delivery_row.save(update_fields=["expires_at"])
    assert "expiré" in studio.get(LIST, {"etat": "closed"}).content.decode()
    assert escape(link.session.title) not in studio.get(LIST, {"etat": "open"}).content.decode()


def test_a_retoucher_or_a_client_cannot_open_or_revoke_share_links(client, retoucher, link):
    client.force_login(retoucher)
    assert client.get(LIST).status_code == 403
    with pytest.raises(StudioError):
        delivery.revoke_share_links_as_studio([link.pk], actor=retoucher)
    with pytest.raises(StudioError):
        delivery.revoke_share_links_as_studio([link.pk], actor=link.created_by)
    link.refresh_from_db()
    assert link.revoked_at is None
