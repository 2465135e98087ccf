"""django-taggit's "merge tags" view in /admin/ checked nothing but the staff flag."""

import pytest
from taggit.models import Tag

from booker import roles
from tests.factories import user_with_role

MERGE = "/admin/taggit/tag/merge-tags/"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [roles.RETOUCHER, roles.PHOTOGRAPHER, roles.SHOP_MANAGER])
def test_a_staff_role_without_tag_permissions_cannot_merge_the_journals_tags(client, role):
    mariage, noces = Tag.objects.create(name="Mariage"), Tag.objects.create(name="Noces")
    client.force_login(user_with_role(role))
    session = client.session
    session["selected_tag_ids"] = f"{mariage.pk},{noces.pk}"
    session.save()

    assert client.get(MERGE).status_code == 403
    assert client.post(MERGE, {"new_tag_name": "Piraté"}).status_code == 403
    assert not Tag.objects.filter(name="Piraté").exists()


def test_a_superuser_still_merges_tags(client):
    mariage, noces = Tag.objects.create(name="Mariage"), Tag.objects.create(name="Noces")
    client.force_login(user_with_role("superuser"))
    session = client.session
    session["selected_tag_ids"] = f"{mariage.pk},{noces.pk}"
    session.save()

    assert client.post(MERGE, {"new_tag_name": "Union"}).status_code == 302
    assert Tag.objects.filter(name="Union").exists()
