"""Writing comments: a reader posts, an editor replies or moderates, people are told by email.

Nothing is shown before an editor approves it. Spam is kept out by a honeypot field and a rate
limit per IP and per email address (booker.throttle, limit "comments"), so that the public form
needs no CSRF token for anonymous visitors and their pages stay cacheable."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from booker import roles, throttle
from booker.mail import absolute_url, templated_email
from booker.services import InvalidToken, one_click_unsubscribe_headers

from .models import Comment

logger = logging.getLogger(__name__)

# Comments per IP and per email in a window: settings.BOOKE_RATE_LIMITS["comments"].
RATE_LIMIT_NAME = "comments"
MODERATE_PERMISSION = "editorial_comments.change_comment"
# Signs the "stop the reply emails" links; the newsletter's links use a salt of their own, so
# neither link opens the other's door.
REPLIES_OFF_SALT = "editorial.comments.replies-off"

Status = Comment.Status
# Where a comment may go from each status. An approved comment can be taken down; a comment
# wrongly refused or wrongly taken for spam can be approved after all.
MOVES: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.APPROVED, Status.REJECTED, Status.SPAM}),
    Status.APPROVED: frozenset({Status.REJECTED, Status.SPAM}),
    Status.REJECTED: frozenset({Status.APPROVED, Status.SPAM}),
    Status.SPAM: frozenset({Status.APPROVED, Status.REJECTED}),
}


class RateLimited(ValidationError):
    pass


@dataclass(frozen=True)
class Posted:
    """What a reader's post became. `comment` is None when the honeypot caught a bot: the bot
    is thanked all the same and nothing is stored."""

    comment: Comment | None

    @property
    def published(self) -> bool:
        return self.comment is not None and self.comment.status == Status.APPROVED


def hash_ip(ip: str) -> str:
    return salted_hmac("editorial.comments.ip", ip or "").hexdigest()[:64] if ip else ""


def _check_rate(ip: str, email: str) -> None:
    """Counts this post per IP and per email; refuses it past either limit (a refused post is
    not counted, so the window ends when it would have)."""
    if throttle.attempt(RATE_LIMIT_NAME, ip=ip, account=email):
        raise RateLimited(
            _(
                "You have sent several comments in a short time. Please wait a few minutes "
                "before sending another one."
            ),
            code="rate_limited",
        )


def _parent_for(post, parent_id: int | None) -> Comment | None:
    if not parent_id:
        return None
    parent = (
        Comment.objects.filter(pk=parent_id, post=post, status=Status.APPROVED)
        .select_related("parent")
        .first()
    )
    if parent is None:
        raise ValidationError(
            _("The comment you are replying to is no longer available."), code="parent"
        )
    # One level of replies: answering a reply answers its thread.
    return parent.parent or parent


def can_moderate(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MODERATE_PERMISSION))


def post_comment(
    post,
    *,
    body: str,
    name: str = "",
    email: str = "",
    parent_id: int | None = None,
    notify_replies: bool = True,
    user=None,
    ip: str = "",
    honeypot: str = "",
) -> Posted:
    """A reader's comment on `post`, held for moderation (a moderator's own goes out at once).
    Raises ValidationError (French message) when it cannot be taken, RateLimited when the
    same IP or email posts too often."""
    if honeypot:
        logger.info("Comment on post %s: honeypot filled, dropped", post.pk)
        return Posted(comment=None)
    if user is not None and user.is_authenticated:
        name = user.get_full_name() or user.email
        email = user.email
    else:
        user = None
    ip_hash = hash_ip(ip)
    parent = _parent_for(post, parent_id)
    moderator = can_moderate(user)
    if not moderator:
        _check_rate(ip, email)
    comment = Comment(
        post=post,
        parent=parent,
        author=user,
        name=name.strip(),
        email=email.strip(),
        body=body.strip(),
        notify_replies=notify_replies,
        ip_hash=ip_hash,
        status=Status.APPROVED if moderator else Status.PENDING,
    )
    if moderator:
        comment.approved_at = timezone.now()
    comment.full_clean()
    comment.save()
    if moderator:
        _notify_on_commit(comment, notify_reply_received)
    else:
        _notify_on_commit(comment, notify_editors_of_pending)
    return Posted(comment=comment)


def reply_as_editor(parent: Comment, *, user, body: str) -> Comment:
    """An editor's reply from the admin: published at once, the parent's author told."""
    posted = post_comment(
        parent.post, body=body, parent_id=parent.pk, user=user, notify_replies=False
    )
    if not posted.published:
        # Someone without the moderation permission got here: theirs waits like anyone's.
        logger.warning("Reply by user %s to comment %s held for moderation", user.pk, parent.pk)
    return posted.comment


def moderate(comment: Comment, status: str, *, by=None) -> Comment:
    """Moves `comment` to `status` if that move is allowed; a first approval tells the author of
    the comment it replies to."""
    if status not in MOVES.get(comment.status, frozenset()):
        raise ValidationError(
            _("A comment cannot go from “%(old)s” to “%(new)s”.")
            % {"old": Status(comment.status).label, "new": Status(status).label},
            code="status",
        )
    first_approval = status == Status.APPROVED and comment.approved_at is None
    comment.status = status
    fields = ["status"]
    if first_approval:
        comment.approved_at = timezone.now()
        fields.append("approved_at")
    comment.save(update_fields=fields)
    logger.info("Comment %s moved to %s by %s", comment.pk, status, getattr(by, "pk", None))
    if first_approval:
        _notify_on_commit(comment, notify_reply_received)
    return comment


def approve(comment: Comment, *, by=None) -> Comment:
    return moderate(comment, Status.APPROVED, by=by)


def reject(comment: Comment, *, by=None) -> Comment:
    return moderate(comment, Status.REJECTED, by=by)


def mark_spam(comment: Comment, *, by=None) -> Comment:
    return moderate(comment, Status.SPAM, by=by)


# --- Emails ----------------------------------------------------------------------------------


def _post_link(post, anchor: str = "") -> str:
    # Like the shop's mails: the site's address from settings, the page's path from Wagtail.
    parts = post.get_url_parts()
    return absolute_url(parts[2] + anchor) if parts else ""


def _send(template: str, context: dict, to: list[str], headers: dict | None = None) -> int:
    return templated_email(
        f"editorial/comments/email/{template}", context, to, headers=headers
    ).send()


def _notify_on_commit(comment: Comment, notify) -> None:
    """Mails go once the comment is saved for good, read afresh."""
    pk = comment.pk

    def send() -> None:
        try:
            notify(Comment.objects.select_related("post", "parent").get(pk=pk))
        except Exception:  # a mail server down must not lose the comment
            logger.exception("Comment %s: notification failed", pk)

    transaction.on_commit(send)


def _same_person(a: Comment, b: Comment) -> bool:
    if a.author_id and a.author_id == b.author_id:
        return True
    return a.email.strip().lower() == b.email.strip().lower()


def notify_reply_received(reply: Comment) -> int:
    """Tells the author of the comment `reply` answers, if they asked to be told and are not
    answering themselves. Returns the number of mails sent."""
    parent = reply.parent
    if (
        parent is None
        or reply.status != Status.APPROVED
        or parent.status != Status.APPROVED
        or not parent.notify_replies
        or _same_person(parent, reply)
    ):
        return 0
    post = reply.post
    stop_link = replies_off_link(parent)
    context = {
        "reply": reply,
        "parent": parent,
        "post": post,
        "link": _post_link(post, f"#commentaire-{reply.pk}"),
        "stop_link": stop_link,
    }
    return _send("reply", context, [parent.email], one_click_unsubscribe_headers(stop_link))


# --- Stopping the reply emails ---------------------------------------------------------------
#
# Every reply email carries a link that stops them, for people who have no account: the link's
# signed token is the credential. Like the newsletter's unsubscribe link it never expires (a
# stop link must keep working in an old email) and GET only asks, POST stops.


def replies_off_token(comment: Comment) -> str:
    return signing.dumps(comment.pk, salt=REPLIES_OFF_SALT)


def replies_off_link(comment: Comment) -> str:
    return absolute_url(reverse("comments:replies-off", args=[replies_off_token(comment)]))


def comment_for_replies_off(token: str) -> Comment:
    """The comment a stop link was made for. Raises InvalidToken when the token was tampered
    with or the comment no longer exists. Changes nothing."""
    try:
        pk = signing.loads(token or "", salt=REPLIES_OFF_SALT)
    except signing.BadSignature as exc:
        raise InvalidToken from exc
    comment = Comment.objects.select_related("post").filter(pk=pk).first()
    if comment is None:
        raise InvalidToken
    return comment


def stop_reply_notifications(token: str) -> Comment:
    """No more reply emails for the comment of this stop link, nor for the same person's other
    comments on the same post (again is harmless). Raises InvalidToken like
    comment_for_replies_off.

    The whole post, not this comment alone: whoever clicks means "stop writing to me about this
    conversation", and a second email about their other comment under the same post would read
    as the link not working. Their comments on other posts keep their own choice, and a comment
    they write later on this post opts in afresh."""
    comment = comment_for_replies_off(token)
    same_person = Q(email__iexact=comment.email.strip())
    if comment.author_id:
        same_person |= Q(author_id=comment.author_id)
    stopped = (
        Comment.objects.filter(same_person, post_id=comment.post_id, notify_replies=True)
        .update(notify_replies=False)
    )
    logger.info("Comment %s: reply emails stopped (%d comments)", comment.pk, stopped)
    comment.notify_replies = False
    return comment


def editor_emails() -> list[str]:
    User = get_user_model()
    return list(
        User.objects.filter(groups__name=roles.EDITOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def moderation_url() -> str:
    return absolute_url(reverse("wagtailsnippets_editorial_comments_comment:list"))


def notify_editors_of_pending(comment: Comment) -> int:
    if comment.status != Status.PENDING:
        return 0
    to = editor_emails()
    if not to:
        return 0
    context = {
        "comment": comment,
        "post": comment.post,
        "post_link": _post_link(comment.post),
        "link": moderation_url(),
    }
    return _send("pending", context, to)
