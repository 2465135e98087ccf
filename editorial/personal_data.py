"""The site's sections of a person's data export and erasure (booker.people.personal_data,
issue 21, GDPR), registered by EditorialConfig.ready since the Booker may not import the site:
what they sent through the contact page (Wagtail keeps each submission beside the CRM's lead)
and their comments on the journal.

Which are theirs: a submission whose data holds their email; a comment by their account or
signed with their email. Erased: submissions deleted; a comment deleted, or, when others
replied to it, kept in the thread without its author and words."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.models import FormSubmission

from booker.people import personal_data
from booker.people.models import User
from editorial.comments.models import Comment

ERASED_NAME = "Anonyme"  # stored values, shown in French on the site
ERASED_BODY = "Commentaire effacé à la demande de son auteur."


def _submissions(user: User) -> QuerySet[FormSubmission]:
    # The email sits in the submission's JSON under the field's name; the addresses of two
    # people never contain one another whole, so the text of the JSON is enough to find it.
    return FormSubmission.objects.filter(form_data__icontains=user.email)


def contact_messages(user: User) -> list[dict[str, Any]]:
    found = _submissions(user).select_related("page").order_by("submit_time", "pk")
    return [
        {"page": submission.page.title, "data": submission.form_data,
         "sent_at": submission.submit_time}
        for submission in found
    ]


def erase_contact_messages(user: User) -> int:
    deleted, _by_model = _submissions(user).delete()
    return deleted


def _comments(user: User) -> QuerySet[Comment]:
    return Comment.objects.filter(Q(author=user) | Q(email__iexact=user.email))


def comments(user: User) -> list[dict[str, Any]]:
    found = _comments(user).select_related("post").order_by("created_at", "pk")
    return [
        {"post": comment.post.title, "name": comment.name, "email": comment.email,
         "comment": comment.body, "status": comment.status,
         "replies_wanted": comment.notify_replies, "written_at": comment.created_at}
        for comment in found
    ]


def erase_comments(user: User) -> int:
    count = 0
    # One by one, through save and delete: the page cache hears a published thread change.
    for comment in _comments(user).select_related("post").annotate(reply_count=Count("replies")):
        if comment.reply_count:
            comment.author, comment.name, comment.email = None, ERASED_NAME, ""
            comment.body, comment.ip_hash, comment.notify_replies = ERASED_BODY, "", False
            comment.save()
        else:
            comment.delete()
        count += 1
    return count


SECTIONS = {
    "site_contact_messages": (contact_messages, erase_contact_messages,
                              _("Messages sent through the contact page")),
    "site_comments": (comments, erase_comments, _("Comments on the journal")),
}


def register() -> None:
    for name, (fn, erase, label) in SECTIONS.items():
        personal_data.register(name, fn, erase, label)
