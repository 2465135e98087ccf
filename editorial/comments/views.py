"""The public comment form's receiving end.

Anonymous visitors' post pages are cached and carry no CSRF token, so this view is exempt from
the middleware's check and runs it for logged-in people only (shop/csrf.py);
unlike the other such views it answers a refusal with the form and what was typed.

The page that stops the reply emails is reached from a link in an email, by people without an
account: the signed token in its address is the credential, so it takes no CSRF token at all,
like the newsletter's unsubscribe (editorial/contact/views.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from booker.http import client_ip
from editorial.models import BlogPostPage
from shop.csrf import csrf_refusal

from . import services
from .forms import HONEYPOT_FIELD, CommentForm

SENT_QUERY = "commentaire=envoye"
ANCHOR = "commentaires"
REPLIES_OFF_TEMPLATE = "editorial/comments/replies_off.html"


@csrf_exempt
@require_POST
def post_comment(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_object_or_404(BlogPostPage.objects.live().public(), pk=post_id)
    form = CommentForm(request.POST, user=request.user)
    if csrf_refusal(request) is not None:
        # Typically a page loaded before logging in (it had no token): nothing is saved, the
        # text comes back with a fresh token to send it again.
        form.is_valid()
        form.add_error(None, _("For your security, please check your comment and send it again."))
        return _render_post(request, post, form, status=403)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            posted = services.post_comment(
                post,
                body=data["body"],
                name=data.get("name", ""),
                email=data.get("email", ""),
                parent_id=data.get("parent"),
                notify_replies=data["notify_replies"],
                user=request.user,
                ip=client_ip(request) or "",
                honeypot=data.get(HONEYPOT_FIELD, ""),
            )
        except services.RateLimited as error:
            form.add_error(None, error)
            status = 429
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if posted.published:
                return HttpResponseRedirect(f"{post.url}#commentaire-{posted.comment.pk}")
            return HttpResponseRedirect(f"{post.url}?{SENT_QUERY}#{ANCHOR}")
    return _render_post(request, post, form, status=status)


def _render_post(request: HttpRequest, post: BlogPostPage, form: CommentForm, status: int):
    """Back on the post with what was typed and what went wrong; never cached."""
    context = post.get_context(request)
    context["comment_form"] = form
    response = TemplateResponse(request, post.get_template(request), context, status=status)
    add_never_cache_headers(response)
    return response


# The token is the credential, not a session: a CSRF check would only refuse the one-click POST
# of mail clients (RFC 8058, no cookie, no token). never_cache keeps the page cache and browsers
# from keeping this personal page (pagecache refuses no-cache/no-store answers).
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def replies_off(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mailbox link scanners open links: they must stop nothing), POST stops, from
    the page's button or straight from a mail client."""
    try:
        if request.method == "POST":
            comment = services.stop_reply_notifications(token)
            state = "stopped"
        else:
            comment = services.comment_for_replies_off(token)
            state = "ask"
    except services.InvalidToken:
        return render(request, REPLIES_OFF_TEMPLATE, {"state": "invalid"}, status=404)
    context = {"state": state, "comment": comment, "post": comment.post}
    return render(request, REPLIES_OFF_TEMPLATE, context)
