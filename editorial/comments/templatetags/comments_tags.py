"""The comments under a post. The same HTML for every anonymous visitor (the page is cached):
what differs is only for logged-in people (CSRF token, name and email from the account) or
carried by the address (the thank-you notice, the comment being answered)."""

from __future__ import annotations

from django import template

from ..forms import CommentForm
from ..selectors import approved_thread, shown_count
from ..views import SENT_QUERY

register = template.Library()

SENT_KEY, SENT_VALUE = SENT_QUERY.split("=")
REPLY_KEY = "repondre"


@register.inclusion_tag("editorial/comments/comments.html", takes_context=True)
def post_comments(context, post) -> dict:
    request = context["request"]
    if post.pk is None:
        # The admin's preview of a post not saved yet: nothing to comment on.
        return {"post": None}
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    thread = approved_thread(post)
    form = context.get("comment_form")
    replying_to = None
    reply_id = form["parent"].value() if form is not None else request.GET.get(REPLY_KEY)
    if reply_id:
        replying_to = next((c for c in thread if str(c.pk) == str(reply_id)), None)
        if replying_to is None:
            replying_to = next(
                (r for c in thread for r in c.thread_replies if str(r.pk) == str(reply_id)), None
            )
    if form is None:
        form = CommentForm(user=user, initial={"parent": replying_to.pk if replying_to else None})
    return {
        "request": request,
        "post": post,
        "thread": thread,
        "count": shown_count(thread),
        "form": form,
        "authenticated": authenticated,
        "user": user,
        "replying_to": replying_to,
        "sent": request.GET.get(SENT_KEY) == SENT_VALUE and form.is_bound is False,
        "csrf_token": context.get("csrf_token"),
    }
