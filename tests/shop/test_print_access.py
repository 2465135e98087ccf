"""The print chooser of a client's photo follows the Booker's rule of the files
(booker.selectors.may_see_session_files): who may download a final may print it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booker import roles, services
from booker.models import FinalPhoto, RetouchJob
from tests.booker.factories_studio import delivered_session, retouching_session
from tests.factories import user_with_role

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
