"""Moderation in the Wagtail admin (/cms/): the "Comments" menu entry with the number waiting,
the list (pending first, filterable by status and post), approve / reject / spam on one comment
or on a selection, and an editor's reply, published at once. Registered in wagtail_hooks.py."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.sidebar import LinkMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import Button
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from . import selectors, services
from .models import Comment

Status = Comment.Status


class StatusColumn(Column):
    def get_value(self, instance):
        return instance.get_status_display()


class ReplyCreateView(CreateView):
    """The add view writes an editor's reply: to the comment given by ?parent=, or a new
    comment on a post. Through the service: published at once, the parent's author told."""

    def get_initial_form_instance(self):
        parent = (
            Comment.objects.filter(pk=self.request.GET.get("parent") or 0)
            .select_related("post")
            .first()
        )
        if parent is not None:
            return Comment(parent=parent, post=parent.post)
        return super().get_initial_form_instance()

    def save_instance(self):
        data = self.form.cleaned_data
        parent = data.get("parent")
        if parent is not None:
            return services.reply_as_editor(parent, user=self.request.user, body=data["body"])
        posted = services.post_comment(
            data["post"], body=data["body"], user=self.request.user, notify_replies=False
        )
        return posted.comment


class CommentViewSet(SnippetViewSet):
    model = Comment
    icon = "comment"
    menu_label = _("Comments")
    menu_name = "comments"
    add_to_admin_menu = True
    menu_order = 250
    list_display = [
        "__str__",
        "post",
        "name",
        "email",
        StatusColumn("status", label=_("Status"), sort_key="status"),
        "created_at",
    ]
    list_filter = ["status", "post"]
    list_per_page = 50
    search_fields = ["body", "name", "email"]
    ordering = ["pending_first", "-created_at", "-pk"]
    inspect_view_enabled = True
    copy_view_enabled = False
    add_view_class = ReplyCreateView
    panels = [FieldPanel("post"), FieldPanel("parent"), FieldPanel("body")]

    def get_queryset(self, request) -> QuerySet[Comment]:
        return Comment.objects.select_related("post", "parent").annotate(
            pending_first=Case(
                When(status=Status.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )

    @cached_property
    def menu_item_class(self):
        base = super().menu_item_class

        def render_component(item, request):
            # The number waiting, read when the menu is drawn.
            count = selectors.pending_count()
            label = f"{item.label} ({count})" if count else item.label
            return LinkMenuItem(
                item.name, label, item.url, icon_name=item.icon_name, attrs=item.attrs
            )

        return type(base.__name__, (base,), {"render_component": render_component})


# --- Moderation actions: on a selection in the list, or on one comment from its row --------


class ModerationAction(SnippetBulkAction):
    """Made by moderation_action() below, one per status a moderator moves comments to."""

    status: str = ""
    done: str  # "%(count)d comments approved.", as moderation_action() is given it
    template_name = "editorial/comments/admin/confirm_moderation.html"
    models = [Comment]

    def check_perm(self, comment):
        return self.request.user.has_perm(services.MODERATE_PERMISSION)

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        moved = 0
        for comment in objects:
            if comment.status == cls.status:
                continue
            if cls.status in services.MOVES.get(comment.status, ()):
                services.moderate(comment, cls.status, by=user)
                moved += 1
        return moved, 0

    def get_execution_context(self):
        return {**super().get_execution_context(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "action": self}

    def get_success_message(self, num_parent_objects, num_child_objects):
        return self.done % {"count": num_parent_objects}


def moderation_action(
    action_type: str, status: str, priority: int, label: str, aria_label: str, done
) -> type[ModerationAction]:
    """The bulk action moving comments to `status`; `done` is an ngettext_lazy keyed on "count"
    (the number moved), so that each action's message stays whole for translators."""
    attributes = {
        "action_type": action_type,
        "status": status,
        "action_priority": priority,
        "display_name": label,
        "aria_label": aria_label,
        "done": done,
        "__module__": __name__,
    }
    return type(f"{action_type.title()}Action", (ModerationAction,), attributes)


ApproveAction = moderation_action(
    "approve", Status.APPROVED, 10, _("Approve"), _("Approve the selected comments"),
    ngettext_lazy("%(count)d comment approved.", "%(count)d comments approved.", "count"),
)
RejectAction = moderation_action(
    "reject", Status.REJECTED, 20, _("Reject"), _("Reject the selected comments"),
    ngettext_lazy("%(count)d comment rejected.", "%(count)d comments rejected.", "count"),
)
SpamAction = moderation_action(
    "spam", Status.SPAM, 25, _("Spam"), _("Mark the selected comments as spam"),
    ngettext_lazy(
        "%(count)d comment marked as spam.", "%(count)d comments marked as spam.", "count"
    ),
)

MODERATION_ACTIONS = (ApproveAction, RejectAction, SpamAction)


def action_url(action: type[ModerationAction], comment: Comment, next_url: str) -> str:
    meta = Comment._meta
    url = reverse("wagtail_bulk_action", args=(meta.app_label, meta.model_name, action.action_type))
    return f"{url}?{urlencode({'id': comment.pk, 'next': next_url})}"


def row_buttons(comment: Comment, user, next_url: str) -> list[Button]:
    if not isinstance(comment, Comment) or not user.has_perm(services.MODERATE_PERMISSION):
        return []
    buttons = [
        Button(action.display_name, action_url(action, comment, next_url), priority=i)
        for i, action in enumerate(MODERATION_ACTIONS, start=1)
        if action.status in services.MOVES.get(comment.status, ())
    ]
    if comment.status == Status.APPROVED and services.can_moderate(user):
        add = reverse(Comment.snippet_viewset.get_url_name("add"))
        buttons.append(Button(_("Reply"), f"{add}?{urlencode({'parent': comment.pk})}", priority=5))
    return buttons
