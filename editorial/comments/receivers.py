"""The comments' signal wiring, connected by the app's ready(): a saved or deleted comment may
change what a published post shows (signals.py sends `thread_changed` then)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from . import signals
from .models import Comment

post_save.connect(signals.on_comment_saved, sender=Comment, dispatch_uid="comments-saved")
post_delete.connect(signals.on_comment_deleted, sender=Comment, dispatch_uid="comments-deleted")
