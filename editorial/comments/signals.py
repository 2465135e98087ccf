"""`thread_changed`: what a post shows under it has changed (a comment approved, taken down,
edited or deleted while published). Sent with `post`, inside the transaction that made the
change. Whoever caches public pages listens to it: a new pending comment sends nothing, since
nothing public changed."""

from __future__ import annotations

from django.dispatch import Signal

thread_changed = Signal()


def on_comment_saved(sender, instance, update_fields=None, **kwargs) -> None:
    from .models import Comment

    moved = update_fields is not None and "status" in update_fields
    if moved or instance.status == Comment.Status.APPROVED:
        thread_changed.send(sender=sender, post=instance.post)


def on_comment_deleted(sender, instance, **kwargs) -> None:
    from .models import Comment

    if instance.status == Comment.Status.APPROVED:
        thread_changed.send(sender=sender, post=instance.post)
