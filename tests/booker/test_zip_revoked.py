"""A company member removed while their ZIP of the delivery is being sent gets no further
photo (issue 18: "a removed member's next request is refused, even mid-download")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booker.models import Membership, PhotoSession
from booker.views.files import DownloadRevoked
from tests.booker.factories_studio import delivered_session
from tests.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _company_delivery(picks: int = 3):
    session, files = delivered_session(picks)
    company = CompanyFactory()
    PhotoSession.objects.filter(pk=session.pk).update(client=None, company=company)
    member = MembershipFactory(company=company, role=Membership.Role.MEMBER).user
    return session, company, member


def test_a_member_removed_mid_zip_gets_no_further_photo(client):
    session, company, member = _company_delivery()
    client.force_login(member)
    response = client.get(reverse("portal:delivery-zip", args=[session.pk]))
    assert response.status_code == 200
    stream = iter(response.streaming_content)
    first = next(stream)
    assert first.startswith(b"PK")

    Membership.objects.filter(company=company, user=member).delete()

    with pytest.raises(DownloadRevoked):
        for _chunk in stream:
            pass


def test_a_member_who_stays_gets_the_whole_zip(client):
    session, _company, member = _company_delivery()
    client.force_login(member)
    response = client.get(reverse("portal:delivery-zip", args=[session.pk]))
    body = b"".join(response.streaming_content)
    assert len(body) == int(response["Content-Length"])


def test_a_removed_member_s_next_zip_request_is_refused(client):
    session, company, member = _company_delivery()
    Membership.objects.filter(company=company, user=member).delete()
    client.force_login(member)
    assert client.get(reverse("portal:delivery-zip", args=[session.pk])).status_code == 404
