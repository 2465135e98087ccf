from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .admin import MODERATION_ACTIONS, CommentViewSet, row_buttons

register_snippet(CommentViewSet)

for action in MODERATION_ACTIONS:
    hooks.register("register_bulk_action", action)

hooks.register("register_snippet_listing_buttons", row_buttons)
