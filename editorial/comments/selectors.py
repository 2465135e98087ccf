"""Reading comments: the threads shown under a post, the moderation queue's size."""

from __future__ import annotations

from .models import Comment


def approved_thread(post) -> list[Comment]:
    """The post's approved top-level comments, oldest first, each with `.thread_replies` (its
    approved replies, oldest first). One query. A reply whose parent is not approved stays
    hidden with it."""
    comments = list(
        Comment.objects.filter(post=post, status=Comment.Status.APPROVED).order_by(
            "created_at", "pk"
        )
    )
    top_level: dict[int, Comment] = {}
    for comment in comments:
        if comment.parent_id is None:
            comment.thread_replies = []
            top_level[comment.pk] = comment
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in top_level:
            top_level[comment.parent_id].thread_replies.append(comment)
    return list(top_level.values())


def shown_count(thread: list[Comment]) -> int:
    return sum(1 + len(comment.thread_replies) for comment in thread)


def pending_count() -> int:
    return Comment.objects.filter(status=Comment.Status.PENDING).count()
