from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import views
from .models import CampaignContent


class CampaignContentViewSet(SnippetViewSet):
    model = CampaignContent
    icon = "mail"
    menu_label = _("Email campaigns")
    menu_name = "email-campaigns"
    add_to_admin_menu = True
    menu_order = 260
    list_display = ["title", "subject", "updated_at"]
    search_fields = ["title", "subject"]
    copy_view_enabled = True

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(),
                path("send/<str:pk>/", views.send, name="send")]


register_snippet(CampaignContentViewSet)


@hooks.register("register_snippet_listing_buttons")
def send_button(snippet, user, next_url=None):
    if isinstance(snippet, CampaignContent) and user.has_perm(views.SEND_PERMISSION):
        yield Button(_("Send"), reverse(CampaignContent.snippet_viewset.get_url_name("send"),
                                        args=[snippet.pk]), priority=5)
