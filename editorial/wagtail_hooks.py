from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, QuerySet
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from booker import roles

from .choosers import category_chooser_viewset, package_chooser_viewset, product_chooser_viewset
from .models import BlogCategory


class RightsPermissionPolicy(ModelPermissionPolicy):
    """Wagtail's users and groups (/cms/users/, /cms/groups/, their bulk actions): their forms
    grant superuser, groups, permissions and set passwords, so only those who grant rights
    (`booker.roles.grants_rights`: superusers) may use them, whatever permission a role
    carries. Clients' profiles are edited in /admin/, where a role sees profile fields only."""

    def user_has_permission(self, user, action: str) -> bool:
        return roles.grants_rights(user) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions) -> bool:
        return roles.grants_rights(user) and super().user_has_any_permission(user, actions)

    def users_with_any_permission(self, actions) -> QuerySet:
        return super().users_with_any_permission(actions).filter(is_superuser=True)


# Registered when this module loads, after wagtail.users registered its own (in ready()) and
# before any viewset reads the registry (admin URLs are built after every hooks module).
register_permission_policy(get_user_model(), RightsPermissionPolicy(get_user_model()))
register_permission_policy(Group, RightsPermissionPolicy(Group))


@hooks.register("insert_global_admin_js")
def publish_after_autosave() -> str:
    """Publishing waits for a running autosave (static/editorial/publish-after-autosave.js):
    without it, "Publier" clicked within a second of a change on a new page answers 500."""
    return format_html('<script src="{}"></script>', static("editorial/publish-after-autosave.js"))


@hooks.register("register_admin_viewset")
def register_shop_choosers():
    return [product_chooser_viewset, category_chooser_viewset, package_chooser_viewset]


class BlogCategoryViewSet(SnippetViewSet):
    """The journal's categories, in their own menu entry next to the pages: editors add one
    here, then tick it on the posts."""

    model = BlogCategory
    icon = "folder-open-inverse"
    menu_label = _("Blog categories")
    menu_name = "blog-categories"
    add_to_admin_menu = True
    menu_order = 240
    list_display = [
        "name",
        "slug",
        # Every post counts here, drafts included: what deleting the category would touch.
        Column("post_count", label=_("Posts"), sort_key="post_count"),
    ]
    search_fields = ["name", "slug", "description"]
    ordering = ["name"]
    copy_view_enabled = False

    def get_queryset(self, request) -> QuerySet[BlogCategory]:
        return BlogCategory.objects.annotate(post_count=Count("posts"))


register_snippet(BlogCategoryViewSet)
