"""A person's erasure (issue 21, GDPR) on S3 (moto's server over HTTP): every object of their
sessions' photos goes from the originals/, proofs/ and archive/ prefixes, the archived ones in
their cold storage class included, and nobody else's; a company's likewise, through the
worker."""

from __future__ import annotations

import pytest
from django.test import TestCase

from booker import erasure, privacy
from booker.archive import services as archive
from booker.models import FinalPhoto
from tests.booker.factories_studio import delivered_session
from tests.factories import CompanyFactory, user_with_role


@pytest.mark.django_db
@pytest.mark.slow
def test_erasure_deletes_the_persons_objects_from_every_prefix_and_keeps_anothers(s3):
    session, _files = delivered_session(2, title="Mariage")
    person = session.client
    archived, _files = delivered_session(2, title="Fiançailles", client=person)
    archive.archive_session(archived, actor=None)
    other, _files = delivered_session(2, title="Baptême")
    theirs = set(s3.keys())
    others = {key for key in theirs if f"sessions/{other.pk}/" in key}
    mine = theirs - others
    assert {key.split("/")[0] for key in mine} == {"originals", "proofs", "archive"}
    assert FinalPhoto.objects.filter(job__session=session).count() == 2

    record = privacy.erase_person(person, actor=user_with_role("superuser"),
                                  files_confirmed=True)

    assert set(s3.keys()) == others
    assert sum(record.counts["files"].values()) == len(mine)


@pytest.mark.django_db
@pytest.mark.slow
def test_a_company_erasure_queued_for_the_worker_deletes_its_objects_and_keeps_anothers(s3):
    company = CompanyFactory()
    session, _files = delivered_session(2, company=company, client=None, title="Portraits")
    archived, _files = delivered_session(2, company=company, client=None, title="Séminaire")
    archive.archive_session(archived, actor=None)
    other, _files = delivered_session(2, title="Baptême")
    keys = set(s3.keys())
    others = {key for key in keys if f"sessions/{other.pk}/" in key}
    assert {key.split("/")[0] for key in keys - others} == {"originals", "proofs", "archive"}

    # The admin's request queues the job; django-q2 runs it (synchronous in the test settings)
    # once the transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = erasure.request_company(company, actor=user_with_role("superuser"),
                                         files_confirmed=True)

    record.refresh_from_db()
    assert record.status == "done"
    assert set(s3.keys()) == others
    assert sum(record.counts["files"].values()) == len(keys - others)
