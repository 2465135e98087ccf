"""The Editor role, set up by editorial's migration: one editor group, with the whole tree."""

import pytest
from django.contrib.auth.models import Group
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupPagePermission, Page
from wagtail.permissions import policy_registry

from booker import roles
from editorial.models import HomePage
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_editor_group_has_access_admin_and_page_permissions_on_the_root():
    editor = Group.objects.get(name=roles.EDITOR)
    assert editor.permissions.filter(codename="access_admin").exists()
    granted = set(
        GroupPagePermission.objects.filter(group=editor, page__depth=1).values_list(
            "permission__codename", flat=True
        )
    )
    assert granted >= {"add_page", "change_page", "publish_page", "lock_page", "unlock_page"}


def test_wagtails_editors_group_is_folded_into_ours():
    assert not Group.objects.filter(name="Editors").exists()
    assert Group.objects.filter(name=roles.EDITOR).count() == 1


@pytest.mark.slow
def test_an_editor_can_add_edit_publish_and_lock_anywhere_in_the_tree(seeded):
    user = user_with_role(roles.EDITOR)
    assert HomePage.objects.get().permissions_for_user(user).can_add_subpage()
    for page in Page.objects.filter(depth__gt=1):
        permissions = page.permissions_for_user(user)
        assert permissions.can_edit() and permissions.can_publish(), page
        assert permissions.can_lock() and permissions.can_unlock(), page


def test_an_editor_can_add_change_and_choose_images_and_documents_in_every_collection():
    user = user_with_role(roles.EDITOR)
    root = Collection.get_first_root_node()
    for model in (get_image_model(), get_document_model()):
        policy = policy_registry.get_by_type(model)
        for action in ("add", "change", "choose"):
            assert root in policy.collections_user_has_permission_for(user, action), (model, action)


@pytest.mark.slow
def test_an_editor_reaches_the_cms_and_its_page_editor(seeded, client):
    client.force_login(user_with_role(roles.EDITOR))
    assert client.get("/cms/").status_code == 200
    # Every page type's editing form builds: panels, StreamField blocks, the photos InlinePanel.
    for page in Page.objects.filter(depth__gt=1).specific():
        assert client.get(f"/cms/pages/{page.pk}/edit/").status_code == 200, type(page)
