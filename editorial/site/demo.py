"""The demo studio's details, logo and menus, the legal notice page and the contact page.

Safe to run again: each thing is found (by slug, title or site) and changed only when it
differs from the demo."""

from __future__ import annotations

import io
import math
from collections.abc import Callable

from PIL import Image as Picture
from PIL import ImageDraw
from wagtail.images.models import Image
from wagtail.models import Site

from editorial import demo as editorial_demo
from editorial.contact import demo as contact_demo
from editorial.models import BlogIndexPage, GalleryIndexPage, HistoryPage, HomePage

from .models import FooterLink, LegalLink, LegalPage, NavigationSettings, StudioSettings

Log = Callable[[str], None]

LOGO_TITLE = "Logo Booké"
STUDIO = {
    "name": "Booké",
    "tagline": "studio photo",
    "address": "12 rue des Tables-Claudiennes\n69001 Lyon",
    "phone": "04 78 00 12 34",
    "email": "bonjour@booke.localhost",
    "siret": "812 345 678 00021",
    "opening_hours": "Du mardi au samedi, 10 h – 19 h\nSur rendez-vous le lundi",
    "instagram": "https://www.instagram.com/studio.booke/",
    "facebook": "https://www.facebook.com/studiobooke",
    "linkedin": "",
    "pinterest": "https://www.pinterest.fr/studiobooke/",
    "youtube": "",
    "tiktok": "",
}
LEGAL_BODY = (
    "<h2>Éditeur du site</h2><p>Studio Booké, SARL au capital de 10 000 €, 12 rue des "
    "Tables-Claudiennes, 69001 Lyon — SIRET 812 345 678 00021 — bonjour@booke.localhost. "
    "Directeur de la publication : Gérald Martin.</p>"
    "<h2>Données personnelles</h2><p>Les messages envoyés par le formulaire de contact servent "
    "uniquement à vous répondre et sont conservés trois ans. La lettre d'information n'est "
    "envoyée qu'après confirmation de votre adresse ; chaque envoi contient un lien de "
    "désinscription. Vous pouvez demander l'accès, la rectification ou l'effacement de vos "
    "données en écrivant au studio.</p>"
)


def seed(home: HomePage, log: Log) -> None:
    contact = contact_demo.seed(home, log)
    legal = editorial_demo._sync_page(
        home,
        LegalPage,
        "informations-legales",
        log,
        title="Mentions légales et confidentialité",
        show_in_menus=False,
        body=LEGAL_BODY,
    )
    site = Site.objects.get(is_default_site=True)
    _studio(site, _logo(log), log)
    journal = BlogIndexPage.objects.child_of(home).first()
    galleries = GalleryIndexPage.objects.child_of(home).first()
    history = HistoryPage.objects.child_of(home).filter(slug="notre-histoire").first()
    _menus(
        site,
        footer=[
            ("Le studio", "", history),
            ("Le studio", "", galleries),
            ("Le studio", "", journal),
            ("Le studio", "Nous écrire", contact),
            ("Boutique", "Tirages d'art et albums", "/shop/"),
            ("Boutique", "Mon espace client", "/portal/"),
        ],
        legal=[("Mentions légales", legal), ("Confidentialité", legal)],
        log=log,
    )


def _paint_logo() -> bytes:
    """The studio's mark: a camera's aperture, drawn (no font, no file to ship)."""
    size = 384
    picture = Picture.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    centre = size / 2
    draw.ellipse((8, 8, size - 8, size - 8), fill=(164, 70, 47, 255))
    radius, inner = size / 2 - 40, size / 6
    for blade in range(6):
        angle = math.radians(blade * 60)
        nxt = math.radians(blade * 60 + 60)
        draw.polygon(
            [
                (centre + radius * math.cos(angle), centre + radius * math.sin(angle)),
                (centre + radius * math.cos(nxt), centre + radius * math.sin(nxt)),
                (centre + inner * math.cos(angle + 0.9), centre + inner * math.sin(angle + 0.9)),
            ],
            fill=(250, 248, 245, 255) if blade % 2 else (232, 222, 210, 255),
        )
    draw.ellipse((centre - inner, centre - inner, centre + inner, centre + inner),
                 fill=(29, 27, 25, 255))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _logo(log: Log) -> Image:
    image = Image.objects.filter(title=LOGO_TITLE).order_by("pk").first()
    if image is None:
        image = editorial_demo._save_picture(
            LOGO_TITLE, "Logo du studio Booké", _paint_logo(), "demo-logo-booke.png"
        )
        log(f"image « {LOGO_TITLE} »")
    return image


def _studio(site: Site, logo: Image, log: Log) -> None:
    studio = StudioSettings.objects.filter(site=site).first() or StudioSettings(site=site)
    wanted = {**STUDIO, "logo_id": logo.pk}
    changed = [name for name, value in wanted.items() if getattr(studio, name) != value]
    if studio.pk is None or changed:
        for name in changed:
            setattr(studio, name, wanted[name])
        studio.save()
        log("studio details: " + (", ".join(changed) or "created"))


def _menus(site: Site, footer: list, legal: list, log: Log) -> None:
    """Footer columns and legal links; the main menu stays empty, so it follows the pages
    marked "show in menus" (editors may set it explicitly in Settings → Menus)."""
    nav = NavigationSettings.objects.filter(site=site).first() or NavigationSettings(site=site)

    def link(model, position, label, target, **extra):
        page = None if isinstance(target, str) else target
        return model(label=label, link_page=page, link_url=target if page is None else "",
                     sort_order=position, **extra)

    def key(row, extra=""):
        return (getattr(row, extra, ""), row.label, row.link_page_id, row.link_url)

    footer_rows = [link(FooterLink, i, label, target, column=column)
                   for i, (column, label, target) in enumerate(footer) if target is not None]
    legal_rows = [link(LegalLink, i, label, target) for i, (label, target) in enumerate(legal)]
    have = ([key(r, "column") for r in nav.footer_links.all()],
            [key(r) for r in nav.legal_links.all()])
    wanted = ([key(r, "column") for r in footer_rows], [key(r) for r in legal_rows])
    same = nav.pk is not None and have == wanted
    if not same:
        nav.footer_links = footer_rows
        nav.legal_links = legal_rows
        nav.save()
        log("menus: footer columns and legal links")
