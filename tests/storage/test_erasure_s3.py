"""A person's erasure (issue 21, GDPR) on S3 (moto's server over HTTP): every object of their
sessions' photos goes from the originals/, proofs/ and archive/ prefixes, the archived ones in
their cold storage class included, and nobody else's."""

from __future__ import annotations

import pytest

from booker import privacy
from booker.archive import services as archive
from booker.models import FinalPhoto
from tests.booker.factories_studio import delivered_session
from tests.factories import user_with_role


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
