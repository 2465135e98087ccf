"""The site's chrome (header, menu, footer) as one small value per site, read from the settings
and the page tree once and then kept in the cache until an editor changes something.

A page normally costs no query for its chrome: the cached value is read once per request.
`purge_site_chrome` runs when a setting is saved or a page is published, unpublished, moved or
deleted (see signals.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from wagtail.models import Page, Site

from .models import SOCIAL_NETWORKS, FooterLink, LegalLink, MenuItem, StudioSettings

CACHE_KEY = "editorial.site.chrome:{site_id}"
CACHE_SECONDS = 24 * 3600  # purged on every change; the timeout only bounds a missed purge
LOGO_RENDITION = "height-96"  # shown 48 px high: sharp on high-density screens
REQUEST_ATTR = "_editorial_site_chrome"


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    page_path: str = ""  # the tree path of a page link, to mark the visitor's current section

    def is_here(self, page: object, path: str) -> bool:
        if self.page_path:
            return isinstance(page, Page) and page.path.startswith(self.page_path)
        return bool(path) and self.url not in ("", "/") and path.startswith(self.url)


@dataclass(frozen=True)
class SiteChrome:
    name: str = "Booké"
    tagline: str = ""
    logo_url: str = ""
    logo_width: int = 0
    logo_height: int = 0
    address: str = ""
    phone: str = ""
    email: str = ""
    siret: str = ""
    opening_hours: str = ""
    social: tuple[tuple[str, str], ...] = ()  # (network, URL), filled-in ones only
    menu: tuple[NavLink, ...] = ()
    footer_columns: tuple[tuple[str, tuple[NavLink, ...]], ...] = ()
    legal: tuple[NavLink, ...] = ()


def site_for(request: HttpRequest | None) -> Site | None:
    """The request's site; outside a request (mails, tests), the default site."""
    site = Site.find_for_request(request) if request is not None else None
    return site or Site.objects.filter(is_default_site=True).select_related("root_page").first()


def site_chrome(request: HttpRequest | None) -> SiteChrome:
    """What the header and footer show on this request's site."""
    if request is not None and hasattr(request, REQUEST_ATTR):
        return getattr(request, REQUEST_ATTR)
    site = site_for(request)
    if site is None:
        chrome = SiteChrome()
    else:
        key = CACHE_KEY.format(site_id=site.pk)
        chrome = cache.get(key)
        if chrome is None:
            chrome = build_site_chrome(site)
            cache.set(key, chrome, CACHE_SECONDS)
    if request is not None:
        setattr(request, REQUEST_ATTR, chrome)
    return chrome


def purge_site_chrome() -> None:
    sites = Site.objects.values_list("pk", flat=True)
    cache.delete_many([CACHE_KEY.format(site_id=pk) for pk in sites])


def build_site_chrome(site: Site) -> SiteChrome:
    studio = StudioSettings.objects.filter(site=site).select_related("logo").first()
    studio = studio or StudioSettings(site=site)
    logo = studio.logo.get_rendition(LOGO_RENDITION) if studio.logo else None
    return SiteChrome(
        name=studio.name,
        tagline=studio.tagline,
        logo_url=logo.url if logo else "",
        logo_width=logo.width // 2 if logo else 0,
        logo_height=logo.height // 2 if logo else 0,
        address=studio.address,
        phone=studio.phone,
        email=studio.email,
        siret=studio.siret,
        opening_hours=studio.opening_hours,
        social=tuple(
            (label, getattr(studio, name)) for name, label in SOCIAL_NETWORKS
            if getattr(studio, name)
        ),
        menu=_menu(site),
        footer_columns=_footer_columns(site),
        legal=tuple(_link(row, site) for row in _rows(LegalLink, site)),
    )


def _menu(site: Site) -> tuple[NavLink, ...]:
    """The editors' menu items if they set any, else the home page's live children marked
    "show in menus", in tree order."""
    if MenuItem.objects.filter(setting__site=site).exists():
        return tuple(_link(row, site) for row in _rows(MenuItem, site))
    return tuple(
        NavLink(label=child.title, url=child.get_url(current_site=site) or "", page_path=child.path)
        for child in site.root_page.get_children().live().public().in_menu()
    )


def _footer_columns(site: Site) -> tuple[tuple[str, tuple[NavLink, ...]], ...]:
    columns: dict[str, list[NavLink]] = {}
    for row in _rows(FooterLink, site):
        columns.setdefault(row.column, []).append(_link(row, site))
    return tuple((heading, tuple(links)) for heading, links in columns.items())


def _rows(model: type[MenuItem | FooterLink | LegalLink], site: Site) -> list:
    rows = model.objects.filter(setting__site=site).select_related("link_page")
    return [row for row in rows.order_by("sort_order", "pk") if _shown(row)]


def _shown(row: MenuItem | FooterLink | LegalLink) -> bool:
    # A link to a page visitors cannot see (draft, private) is left out rather than broken.
    page = row.link_page
    return page is None or (page.live and not page.get_view_restrictions().exists())


def _link(row: MenuItem | FooterLink | LegalLink, site: Site) -> NavLink:
    page = row.link_page
    if page is None:
        return NavLink(label=row.label, url=row.link_url)
    return NavLink(
        label=row.label or page.title,
        url=page.get_url(current_site=site) or "",
        page_path=page.path,
    )


def studio_details() -> dict[str, str]:
    """The default site's studio details as its editors set them, for booker.branding (emails
    speak for the studio, not for a site): nothing until they have saved them once, since the
    model's defaults are not the studio's."""
    if not StudioSettings.objects.filter(site__is_default_site=True).exists():
        return {}
    chrome = site_chrome(None)
    return {
        "name": chrome.name,
        "email": chrome.email,
        "phone": chrome.phone,
        "address": chrome.address,
        "siret": chrome.siret,
        "logo_url": chrome.logo_url,
    }
