from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .choosers import category_chooser_viewset, package_chooser_viewset, product_chooser_viewset
from .models import BlogCategory


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
