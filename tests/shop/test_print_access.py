"""The print chooser of a client's photo follows the Booker's rule of the files
(booker.selectors.may_see_session_files): who may download a final may print it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booker import roles, services
from booker.delivery import library
from booker.models import FinalPhoto, Membership, RetouchJob
from tests.booker.factories_studio import delivered_session, retouching_session
from tests.factories import CompanyFactory, MembershipFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "status"),
    [("client", 200), ("retoucher without a job here", 404), ("retoucher with a job here", 200),
     ("editor", 404), ("shop manager", 404)],
)
def test_the_print_chooser_opens_for_those_who_may_download_the_final(
    client, catalogue, who, status
):
    session, _ = delivered_session(1)
    final = FinalPhoto.objects.get(job__session=session)
    if who == "client":
        person = session.client
    elif who.startswith("retoucher"):
        person = user_with_role(roles.RETOUCHER)
        if who == "retoucher with a job here":
            # They retouched it before it was approved (assign_jobs skips approved jobs).
            RetouchJob.objects.filter(pk=final.job_id).update(assignee=person)
        else:
            _, elsewhere = retouching_session()
            services.assign_jobs(elsewhere, person, actor=None)
    else:
        person = user_with_role(roles.EDITOR if who == "editor" else roles.SHOP_MANAGER)
    client.force_login(person)
    assert client.get(reverse("personal:final", args=[final.pk])).status_code == status


def test_a_photo_its_company_admins_hid_cannot_be_printed_by_a_member(client, catalogue):
    """Hidden photos are gone for a company's members by every door, the print chooser too;
    the admin who hid it still prints it."""
    company = CompanyFactory()
    admin, member = (MembershipFactory(company=company, role=role)
                     for role in (Membership.Role.ADMIN, Membership.Role.MEMBER))
    session, _ = delivered_session(2, company=company, client=None)
    hidden, kept = FinalPhoto.objects.filter(job__session=session).order_by("pk")
    library.set_hidden(admin, hidden, True)

    client.force_login(member.user)
    assert client.get(reverse("personal:final", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("personal:final", args=[kept.pk])).status_code == 200
    client.force_login(admin.user)
    assert client.get(reverse("personal:final", args=[hidden.pk])).status_code == 200
