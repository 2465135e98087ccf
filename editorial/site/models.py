"""What editors change about the whole site without touching a page: the studio's details
(header, footer, schema.org) and the menus (main menu, footer columns, legal links); and the
plain legal pages those links lead to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from editorial.public_url import PublicUrlMixin

LEGAL_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]
# The networks the footer knows, in the order it shows them: (field, label).
SOCIAL_NETWORKS = (
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("linkedin", "LinkedIn"),
    ("pinterest", "Pinterest"),
    ("youtube", "YouTube"),
    ("tiktok", "TikTok"),
)


@register_setting(icon="home")
class StudioSettings(BaseSiteSetting):
    name = models.CharField(_("studio name"), max_length=120, default="Booké")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.TextField(_("postal address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    siret = models.CharField(_("SIRET"), max_length=20, blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    instagram = models.URLField(_("Instagram"), blank=True)
    facebook = models.URLField(_("Facebook"), blank=True)
    linkedin = models.URLField(_("LinkedIn"), blank=True)
    pinterest = models.URLField(_("Pinterest"), blank=True)
    youtube = models.URLField(_("YouTube"), blank=True)
    tiktok = models.URLField(_("TikTok"), blank=True)

    select_related = ["logo"]

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("tagline"), FieldPanel("logo")], heading=_("Studio")
        ),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("opening_hours"),
                FieldPanel("siret"),
            ],
            heading=_("Contact details"),
        ),
        MultiFieldPanel(
            [FieldPanel(field) for field, _label in SOCIAL_NETWORKS],
            heading=_("Social networks (shown only when filled in)"),
        ),
    ]

    class Meta:
        verbose_name = _("studio details")
        verbose_name_plural = _("studio details")

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        from .selectors import purge_site_chrome

        purge_site_chrome()


@register_setting(icon="list-ul")
class NavigationSettings(ClusterableModel, BaseSiteSetting):
    """The main menu, the footer's link columns and its legal links. An empty main menu means
    "the home page's children marked show in menus", as before this setting existed."""

    panels = [
        InlinePanel(
            "menu_items",
            heading=_("Main menu"),
            label=_("Menu item"),
            help_text=_("Empty: the pages marked “show in menus” under the home page."),
        ),
        InlinePanel("footer_links", heading=_("Footer columns"), label=_("Footer link")),
        InlinePanel("legal_links", heading=_("Legal links"), label=_("Legal link")),
    ]

    class Meta:
        verbose_name = _("menus")
        verbose_name_plural = _("menus")

    def save(self, *args, **kwargs) -> None:
        # ClusterableModel saves the items after the setting itself: purge after all of it.
        super().save(*args, **kwargs)
        from .selectors import purge_site_chrome

        purge_site_chrome()


class Link(Orderable):
    """A link to a page of the site (follows it when it moves) or to any URL."""

    label = models.CharField(
        _("label"), max_length=80, blank=True, help_text=_("Empty: the page's title.")
    )
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    link_url = models.CharField(
        _("or URL"), max_length=500, blank=True, help_text=_("e.g. /shop/ or https://…")
    )

    panels = [FieldPanel("label"), PageChooserPanel("link_page"), FieldPanel("link_url")]

    class Meta(Orderable.Meta):
        abstract = True

    def clean(self) -> None:
        super().clean()
        if bool(self.link_page_id) == bool(self.link_url):
            raise ValidationError(_("Choose a page or give a URL (one of the two)."))
        if self.link_url and not self.label:
            raise ValidationError({"label": _("A link to a URL needs a label.")})


class MenuItem(Link):
    setting = ParentalKey(NavigationSettings, on_delete=models.CASCADE, related_name="menu_items")

    class Meta(Link.Meta):
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")


class FooterLink(Link):
    setting = ParentalKey(
        NavigationSettings, on_delete=models.CASCADE, related_name="footer_links"
    )
    column = models.CharField(
        _("column"), max_length=60, help_text=_("Links with the same column heading go together.")
    )

    panels = [FieldPanel("column"), *Link.panels]

    class Meta(Link.Meta):
        verbose_name = _("footer link")
        verbose_name_plural = _("footer links")


class LegalLink(Link):
    setting = ParentalKey(NavigationSettings, on_delete=models.CASCADE, related_name="legal_links")

    class Meta(Link.Meta):
        verbose_name = _("legal link")
        verbose_name_plural = _("legal links")


class LegalPage(PublicUrlMixin, Page):
    """Legal notice, privacy policy, terms: plain text pages the footer's legal links point to,
    kept out of the main menu."""

    body = RichTextField(_("text"), features=LEGAL_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]

    parent_page_types = ["editorial.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")
