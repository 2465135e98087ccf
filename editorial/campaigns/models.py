"""A campaign's content: what an editor writes once and may send to several segments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock

# An email's rich text: what every mail client renders (no embeds, no tables).
RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]


class EmailImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(required=False, max_length=200, label=_("Alternative text"),
                           help_text=_("Read by mail clients that hide images."))

    class Meta:
        icon = "image"
        label = _("Image")


class EmailButtonBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=40, label=_("Button label"))
    url = blocks.URLBlock(label=_("Address"))

    class Meta:
        icon = "link"
        label = _("Button")


class CampaignContent(models.Model):
    title = models.CharField(_("title"), max_length=200,
                             help_text=_("For the studio: the name the campaign is listed by."))
    subject = models.CharField(_("subject"), max_length=200)
    body = StreamField([
        ("text", blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))),
        ("image", EmailImageBlock()),
        ("button", EmailButtonBlock()),
    ], verbose_name=_("content"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [FieldPanel("title"), FieldPanel("subject"), FieldPanel("body")]

    class Meta:
        verbose_name = _("email campaign")
        verbose_name_plural = _("email campaigns")
        ordering = ["-updated_at", "-pk"]
        permissions = [("send_campaigncontent", _("Can send an email campaign"))]

    def __str__(self) -> str:
        return self.title
