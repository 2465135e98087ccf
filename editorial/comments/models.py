"""Readers' comments on the journal's posts, held for moderation before anyone sees them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

BODY_MAX_LENGTH = 3000


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    post = models.ForeignKey(
        "editorial.BlogPostPage",
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("post"),
    )
    # One level of replies: a reply to a reply hangs from the same top-level comment.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    # Visitors comment without an account; the name and email are then all we know.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="blog_comments",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=80)
    email = models.EmailField(_("email"))
    body = models.TextField(_("comment"), max_length=BODY_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    notify_replies = models.BooleanField(_("Email me replies"), default=True)
    # Salted hash: enough to see that two comments came from one address, not to find who.
    ip_hash = models.CharField(_("IP (hashed)"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("written on"), default=timezone.now, editable=False)
    approved_at = models.DateTimeField(_("approved on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["post", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name} : {Truncator(self.body).chars(60)}"

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None
