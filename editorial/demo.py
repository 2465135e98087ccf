"""The demo site: a home page, a journal of three posts, the studio's history and a portrait
gallery, in French, with pictures.

`seed` is safe to run again: pages are found by their slug, pictures by their title, and a page
only gets a new revision when its demo content differs from what is there. The sample RAW
files become pictures when the samples folder is there; painted pictures (deterministic) fill
in the rest, and stand in for the RAW files when it is not."""

from __future__ import annotations

import functools
import io
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import models
from oscar.core.loading import get_model
from PIL import Image as Picture
from PIL import ImageDraw, ImageEnhance, ImageFilter, ImageOps
from wagtail.fields import StreamField
from wagtail.images.models import Image
from wagtail.models import Page, Site

from booker.intake.imaging import UnreadableImage, fit, open_picture
from shop.demo import ALBUMS, PRINT_PARENT_UPC

from . import journal_demo
from .comments import demo as comments_demo
from .models import (
    BlogIndexPage,
    BlogPostPage,
    GalleryIndexPage,
    GalleryPage,
    GalleryPhoto,
    HistoryPage,
    HomeFeaturedGallery,
    HomePage,
    LandingPage,
)
from .public_url import site_address
from .site import demo as site_demo

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")

Log = Callable[[str], None]
P = TypeVar("P", bound=Page)
RGB = tuple[int, int, int]

LONG_EDGE = 1600
LANDSCAPE = (1600, 1067)
PORTRAIT = (1067, 1600)
WELCOME_TITLE = "Welcome to your new Wagtail site!"
SITE_NAME = "Booké"


def seed(log: Log) -> None:
    pictures = _pictures(log)
    home = _home(pictures, log)
    landings = _landing_pages(home, pictures, log)
    _journal(home, pictures, log, landings)
    journal_demo.seed(log)  # the journal's categories, ticked on its posts
    _history(home, pictures, log)
    _galleries(home, pictures, log)
    site_demo.seed(home, log)  # studio details, menus, legal notice, contact page
    _home_sections(home, pictures, landings, log)
    comments_demo.seed(log)


# --- Pictures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Painting:
    title: str
    alt: str
    paint: Callable[[], Picture.Image]
    # What crops must keep, as fractions of the picture: centre x, centre y, width, height.
    focus: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class RawSample:
    title: str
    alt: str


# The samples README says what is in these files; the titles say it to editors.
RAW_SAMPLES = {
    "canon_eos_6d": RawSample(
        "Échantillon RAW · poste de retouche",
        "Un écran de retouche dans la pénombre, éclairé de bleu par en dessous",
    ),
    "kodak_dc50": RawSample(
        "Échantillon RAW · quartier d'affaires",
        "Des immeubles de bureaux dans la lumière dorée de fin d'après-midi",
    ),
}


def _hex(value: str) -> RGB:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _gradient(size: tuple[int, int], start: str, end: str, angle: float = 0) -> Picture.Image:
    """`start` at the top blending into `end` at the bottom, turned by `angle` degrees."""
    w, h = size
    side = math.ceil(math.hypot(w, h))
    mask = Picture.linear_gradient("L").resize((side, side), Picture.Resampling.BICUBIC)
    mask = mask.rotate(angle, resample=Picture.Resampling.BICUBIC)
    left, top = (side - w) // 2, (side - h) // 2
    mask = mask.crop((left, top, left + w, top + h))
    return Picture.composite(
        Picture.new("RGB", size, _hex(end)), Picture.new("RGB", size, _hex(start)), mask
    )


def _glow(
    img: Picture.Image, centre: tuple[float, float], radius: float, colour: str, strength: int
) -> Picture.Image:
    mask = Picture.new("L", img.size, 0)
    x, y = centre
    ImageDraw.Draw(mask).ellipse((x - radius, y - radius, x + radius, y + radius), fill=strength)
    mask = mask.filter(ImageFilter.GaussianBlur(radius * 0.45))
    return Picture.composite(Picture.new("RGB", img.size, _hex(colour)), img, mask)


def _paint_portrait(
    backdrop: tuple[str, str], light: str, subject: tuple[str, str], rim: str, seed: int
) -> Callable[[], Picture.Image]:
    """A head-and-shoulders silhouette against painted studio paper, rim-lit from one side."""

    def paint() -> Picture.Image:
        rng = random.Random(seed)
        w, h = PORTRAIT
        img = _gradient(PORTRAIT, backdrop[0], backdrop[1], angle=rng.uniform(-12, 12))
        cx = w * rng.uniform(0.44, 0.56)
        img = _glow(img, (cx, h * 0.38), w * 0.5, light, 170)

        mask = Picture.new("L", PORTRAIT, 0)
        draw = ImageDraw.Draw(mask)
        head_w = w * rng.uniform(0.27, 0.3)
        head_h = head_w * 1.28
        hy = h * rng.uniform(0.31, 0.34)
        draw.ellipse((cx - head_w / 2, hy - head_h / 2, cx + head_w / 2, hy + head_h / 2), fill=255)
        draw.rectangle((cx - head_w * 0.22, hy, cx + head_w * 0.22, hy + head_h * 0.8), fill=255)
        # Shoulders: nearly level from the neck, rounding down over the arms, then off the
        # bottom of the frame.
        half = w * rng.uniform(0.42, 0.48)
        neck = head_w * 0.3
        top = hy + head_h * 0.62
        drop = h * rng.uniform(0.16, 0.2)
        curve = [
            (neck + (half - neck) * t, top + drop * t**2.6) for t in (i / 24 for i in range(25))
        ]
        draw.polygon(
            [(cx - x, y) for x, y in reversed(curve)]
            + [(cx + x, y) for x, y in curve]
            + [(cx + half * 1.04, h), (cx - half * 1.04, h)],
            fill=255,
        )
        mask = mask.filter(ImageFilter.GaussianBlur(2))

        side = rng.choice((-1, 1))
        rim_mask = mask.filter(ImageFilter.GaussianBlur(w * 0.01))
        img = Picture.composite(Picture.new("RGB", PORTRAIT, _hex(rim)), img, rim_mask)
        shifted = mask.transform(
            PORTRAIT, Picture.Transform.AFFINE, (1, 0, side * w * 0.012, 0, 1, -h * 0.004)
        )
        body = _gradient(PORTRAIT, subject[0], subject[1], angle=side * 20)
        return Picture.composite(body, img, shifted)

    return paint


def _paint_bokeh(
    sky: tuple[str, str], lights: Sequence[str], seed: int, count: int = 34
) -> Callable[[], Picture.Image]:
    """Out-of-focus lights, as behind a couple at the end of a wedding dinner."""

    def paint() -> Picture.Image:
        rng = random.Random(seed)
        w, h = LANDSCAPE
        img = _gradient(LANDSCAPE, sky[0], sky[1], angle=rng.uniform(-30, 30)).convert("RGBA")
        for _ in range(count):
            r = int(w * rng.uniform(0.02, 0.085))
            pad = r // 2
            disc = Picture.new("RGBA", (2 * (r + pad),) * 2, (0, 0, 0, 0))
            colour = _hex(rng.choice(lights))
            ImageDraw.Draw(disc).ellipse(
                (pad, pad, pad + 2 * r, pad + 2 * r), fill=(*colour, rng.randint(50, 140))
            )
            disc = disc.filter(ImageFilter.GaussianBlur(r * rng.uniform(0.05, 0.35)))
            x = int(rng.uniform(-0.05, 1.0) * w)
            y = int(h * rng.triangular(0.0, 1.0, 0.45))
            img.alpha_composite(disc, dest=(max(0, x - pad), max(0, y - pad)))
        return img.convert("RGB")

    return paint


def _paint_hills(
    sky: tuple[str, str], sun: str, layers: Sequence[str], seed: int
) -> Callable[[], Picture.Image]:
    """Layered hills in haze, the landscape behind a wedding venue or an old postcard."""

    def paint() -> Picture.Image:
        rng = random.Random(seed)
        w, h = LANDSCAPE
        img = _gradient(LANDSCAPE, sky[0], sky[1])
        sun_at = (w * rng.uniform(0.25, 0.75), h * rng.uniform(0.28, 0.4))
        img = _glow(img, sun_at, w * 0.28, sun, 140)
        r = w * 0.05
        ImageDraw.Draw(img).ellipse(
            (sun_at[0] - r, sun_at[1] - r, sun_at[0] + r, sun_at[1] + r), fill=_hex(sun)
        )
        for i, colour in enumerate(layers):
            base = h * (0.5 + 0.13 * i)
            amplitude = h * (0.09 - 0.012 * i)
            f1, f2 = rng.uniform(0.6, 1.6), rng.uniform(2.0, 4.5)
            p1, p2 = rng.uniform(0, math.tau), rng.uniform(0, math.tau)
            ridge = [
                (
                    x,
                    base
                    - amplitude
                    * (
                        0.65 * math.sin(f1 * math.tau * x / w + p1)
                        + 0.35 * math.sin(f2 * math.tau * x / w + p2)
                    ),
                )
                for x in range(0, w + 16, 16)
            ]
            layer = Picture.new("L", LANDSCAPE, 0)
            ImageDraw.Draw(layer).polygon([*ridge, (w, h), (0, h)], fill=255)
            # Far hills are softer: the haze of distance.
            layer = layer.filter(ImageFilter.GaussianBlur(max(1, 6 - 2 * i)))
            img = Picture.composite(Picture.new("RGB", LANDSCAPE, _hex(colour)), img, layer)
        return img

    return paint


def _paint_city(
    sky: tuple[str, str], towers: Sequence[str], window: str, seed: int
) -> Callable[[], Picture.Image]:
    """Office towers at dusk: the corporate post's cover when the RAW sample is not there."""

    def paint() -> Picture.Image:
        rng = random.Random(seed)
        w, h = LANDSCAPE
        img = _gradient(LANDSCAPE, sky[0], sky[1])
        draw = ImageDraw.Draw(img)
        x = -rng.randint(0, 60)
        while x < w:
            tower_w = rng.randint(110, 220)
            top = int(h * rng.uniform(0.18, 0.55))
            draw.rectangle((x, top, x + tower_w, h), fill=_hex(rng.choice(towers)))
            for wy in range(top + 24, h - 20, 34):
                for wx in range(x + 16, x + tower_w - 20, 28):
                    if rng.random() < 0.35:
                        draw.rectangle((wx, wy, wx + 12, wy + 16), fill=_hex(window))
            x += tower_w + rng.randint(6, 30)
        return img

    return paint


def _paint_before_after(portrait: Callable[[], Picture.Image]) -> Callable[[], Picture.Image]:
    """The same portrait twice: flat and cold as it leaves the camera, then as delivered."""

    def paint() -> Picture.Image:
        w, h = LANDSCAPE
        canvas = Picture.new("RGB", LANDSCAPE, _hex("#f1ede7"))
        after = portrait()
        tile_h = h - 80
        after = after.resize(
            (round(after.width * tile_h / after.height), tile_h), Picture.Resampling.LANCZOS
        )
        before = ImageEnhance.Contrast(ImageEnhance.Color(after).enhance(0.45)).enhance(0.7)
        before = Picture.blend(before, Picture.new("RGB", before.size, _hex("#8fa3b8")), 0.18)
        gap = 40
        left = (w - 2 * after.width - gap) // 2
        canvas.paste(before, (left, 40))
        canvas.paste(after, (left + after.width + gap, 40))
        return canvas

    return paint


def _paint_contact_sheet(
    portraits: Sequence[Callable[[], Picture.Image]],
) -> Callable[[], Picture.Image]:
    """Several portraits side by side: the same backdrop and light, a consistent series."""

    def paint() -> Picture.Image:
        w = LANDSCAPE[0]
        gap = 24
        tile_w = (w - gap * (len(portraits) + 1)) // len(portraits)
        tile_h = tile_w * 4 // 3
        canvas = Picture.new("RGB", (w, tile_h + 2 * gap), _hex("#f1ede7"))
        for i, portrait in enumerate(portraits):
            tile = ImageOps.fit(portrait(), (tile_w, tile_h), Picture.Resampling.LANCZOS)
            canvas.paste(tile, (gap + i * (tile_w + gap), gap))
        return canvas

    return paint


_GREY_BACKDROP = (("#9aa0a6", "#5f656c"), "#c5cad0")
_TEAM = [
    _paint_portrait(*_GREY_BACKDROP, (subject, "#0b0b0c"), "#f5f6f8", seed=200 + i)
    for i, subject in enumerate(("#22252b", "#2b2220", "#1f2624", "#27232b"))
]
_CLAIRE = _paint_portrait(
    ("#c98b4f", "#7c4a2a"), "#f3c58f", ("#2b1d17", "#120c0a"), "#ffe3b8", seed=101
)

PAINTINGS = {
    "before_after": Painting(
        "Démo · avant, après retouche",
        "Le même portrait deux fois : terne et froid à gauche, retouché et chaleureux à droite",
        _paint_before_after(_CLAIRE),
    ),
    "team": Painting(
        "Démo · planche de portraits d'équipe",
        "Quatre portraits d'équipe côte à côte, même fond gris et même lumière",
        _paint_contact_sheet(_TEAM),
    ),
    "hero": Painting(
        "Démo · lumière d'atelier",
        "Des halos de lumière chaude sur un fond brun, comme dans l'atelier en fin de journée",
        _paint_bokeh(("#3b2a22", "#a4462f"), ("#f6d7a7", "#f2b880", "#fff1d6", "#e98a5f"), seed=11),
    ),
    "wedding": Painting(
        "Démo · dîner de mariage",
        "Guirlandes lumineuses floues au-dessus d'une table de mariage, le soir",
        _paint_bokeh(("#1f2438", "#6b4a5e"), ("#ffd98a", "#ffe9c2", "#f7a86b"), seed=23),
    ),
    "venue": Painting(
        "Démo · collines du domaine",
        "Collines dans la brume au coucher du soleil, vues depuis un domaine de mariage",
        _paint_hills(
            ("#f3c99b", "#f7e7d2"), "#fff4e0", ("#b79a8c", "#8d6e66", "#5f4a4b", "#3a2e33"), seed=5
        ),
    ),
    "first_studio": Painting(
        "Démo · carte postale 2009",
        "Des collines bleues sous un ciel pâle, comme une vieille carte postale",
        _paint_hills(
            ("#c9d6df", "#eef1ea"), "#fffbe8", ("#9fb1bc", "#6f8796", "#4b5f6c"), seed=2009
        ),
    ),
}

# Painted stand-ins for the RAW samples, for when the samples folder is not there.
RAW_STAND_INS = {
    "kodak_dc50": Painting(
        "Démo · tours de bureaux",
        "Des tours de bureaux au crépuscule, quelques fenêtres encore éclairées",
        _paint_city(("#243447", "#e8a87c"), ("#1b2431", "#222d3b", "#2b3648"), "#ffd98a", seed=7),
    ),
    "canon_eos_6d": Painting(
        "Démo · écran dans la pénombre",
        "Des reflets bleus et violets flous dans une pièce sombre",
        _paint_bokeh(("#0d0f1e", "#1d1640"), ("#3b5bff", "#7a4dff", "#99b5ff"), seed=42),
    ),
}

# Head and shoulders: where the painted portraits put them.
PORTRAIT_FOCUS = (0.5, 0.4, 0.6, 0.42)
PORTRAITS = [
    (
        "claire",
        Painting(
            "Démo · portrait de Claire",
            "Silhouette d'une femme de trois-quarts sur fond ocre, éclairée par la gauche",
            _CLAIRE,
            focus=PORTRAIT_FOCUS,
        ),
        "Claire, céramiste — fond papier ocre, une seule boîte à lumière",
    ),
    (
        "antoine",
        Painting(
            "Démo · portrait d'Antoine",
            "Silhouette d'un homme sur fond bleu canard, lumière de contour froide",
            _paint_portrait(
                ("#2f6f73", "#163436"), "#5fa3a5", ("#13191b", "#050708"), "#c9f1ef", seed=102
            ),
            focus=PORTRAIT_FOCUS,
        ),
        "Antoine, violoncelliste — lumière de contour au bol beauté",
    ),
    (
        "nadia",
        Painting(
            "Démo · portrait de Nadia",
            "Silhouette d'une femme sur fond rose poudré, lumière douce",
            _paint_portrait(
                ("#e3b3ad", "#a86b6b"), "#f7d9d3", ("#3a2326", "#1a0f11"), "#fff0ea", seed=103
            ),
            focus=PORTRAIT_FOCUS,
        ),
        "Nadia, avocate — portrait pour son cabinet, lumière papillon",
    ),
    (
        "louis",
        Painting(
            "Démo · portrait de Louis",
            "Silhouette d'un enfant sur fond vert olive, lumière de fenêtre",
            _paint_portrait(
                ("#8c8f4e", "#4a4c25"), "#c7c98a", ("#241f14", "#0e0c08"), "#f4f1cf", seed=104
            ),
            focus=PORTRAIT_FOCUS,
        ),
        "Louis, sept ans — lumière de fenêtre, un après-midi de novembre",
    ),
    (
        "margaux",
        Painting(
            "Démo · portrait de Margaux",
            "Silhouette d'une femme sur fond gris ardoise, contre-jour marqué",
            _paint_portrait(
                ("#6b7280", "#2d3139"), "#a9b0bb", ("#15161a", "#060607"), "#f1f3f7", seed=105
            ),
            focus=PORTRAIT_FOCUS,
        ),
        "Margaux, danseuse — fond gris ardoise et contre-jour",
    ),
]


def _jpeg(picture: Picture.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=86, optimize=True, progressive=True)
    return buffer.getvalue()


# Paintings are deterministic: paint each once per process, however many times seed runs
# (the test suite seeds a fresh database per test).
@functools.cache
def _painting_jpeg(painting: Painting) -> bytes:
    return _jpeg(painting.paint())


@functools.cache
def _raw_jpeg(path: Path) -> bytes:
    return _jpeg(fit(open_picture(path, long_edge=LONG_EDGE), LONG_EDGE))


def _save_picture(
    title: str,
    alt: str,
    jpeg: bytes,
    filename: str,
    focus: tuple[float, float, float, float] | None = None,
) -> Image:
    image = Image(title=title, description=alt, file=ImageFile(io.BytesIO(jpeg), name=filename))
    if focus is not None:
        w, h = Picture.open(io.BytesIO(jpeg)).size
        image.focal_point_x, image.focal_point_y = round(focus[0] * w), round(focus[1] * h)
        image.focal_point_width, image.focal_point_height = round(focus[2] * w), round(focus[3] * h)
    image._set_image_file_metadata()
    image.save()
    return image


def _painted(key: str, painting: Painting, log: Log) -> Image:
    image = Image.objects.filter(title=painting.title).order_by("pk").first()
    if image is None:
        jpeg = _painting_jpeg(painting)
        image = _save_picture(painting.title, painting.alt, jpeg, f"demo-{key}.jpg", painting.focus)
        log(f"image « {painting.title} »")
    return image


def _raw_samples(log: Log) -> dict[str, Image]:
    folder = Path(settings.STUDIO_SAMPLES_DIR) / "raw"
    if not folder.is_dir():
        return {}
    images = {}
    for path in sorted([*folder.glob("*.dng"), *folder.glob("*.kdc")]):
        sample = RAW_SAMPLES.get(path.stem, RawSample(f"Échantillon RAW · {path.stem}", path.stem))
        image = Image.objects.filter(title=sample.title).order_by("pk").first()
        if image is None:
            try:
                jpeg = _raw_jpeg(path)
            except UnreadableImage as exc:
                log(f"skipped {path.name}: {exc}")
                continue
            image = _save_picture(sample.title, sample.alt, jpeg, f"{path.stem}.jpg")
            log(f"image « {sample.title} » from {path.name}")
        images[path.stem] = image
    return images


def _pictures(log: Log) -> dict[str, Image]:
    pictures = {key: _painted(key, painting, log) for key, painting in PAINTINGS.items()}
    for key, painting, _caption in PORTRAITS:
        pictures[f"portrait_{key}"] = _painted(f"portrait-{key}", painting, log)
    raw = _raw_samples(log)
    for stem, painting in RAW_STAND_INS.items():
        if stem not in raw:
            raw[stem] = _painted(stem, painting, log)
    pictures["business"] = raw["kodak_dc50"]
    pictures["retouch"] = raw["canon_eos_6d"]
    return pictures


# --- Page content ---------------------------------------------------------------------------


def _heading(text: str) -> dict:
    return {"type": "heading", "value": text}


def _paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def _image(image: Image, caption: str = "") -> dict:
    return {"type": "image", "value": {"image": image.pk, "caption": caption}}


def _gallery(title: str, photos: Sequence[tuple[Image, str]]) -> dict:
    images = [{"image": image.pk, "caption": caption} for image, caption in photos]
    return {"type": "gallery", "value": {"title": title, "images": images}}


def _call_to_action(title: str, text: str, label: str, page: Page) -> dict:
    value = {"title": title, "text": text, "button_label": label, "page": page.pk, "url": ""}
    return {"type": "call_to_action", "value": value}


def _quote(text: str, attribution: str = "") -> dict:
    return {"type": "quote", "value": {"text": text, "attribution": attribution}}


# The shop's blocks come as lists, empty when the shop's demo catalogue is not there (the
# editorial seed alone, as its tests run it); seeding again once it is adds them.
def _shop_product(upc: str) -> list[dict]:
    product = Product.objects.filter(upc=upc).first()
    return [{"type": "product", "value": product.pk}] if product else []


def _shop_category(name: str, heading: str = "", limit: int = 4) -> list[dict]:
    category = Category.objects.filter(depth=1, name=name).first()
    if category is None:
        return []
    value = {"category": category.pk, "heading": heading, "limit": limit}
    return [{"type": "category", "value": value}]


def _event(
    year: int, title: str, text: str, image: Image | None = None, day: date | None = None
) -> dict:
    return {
        "type": "event",
        "value": {
            "year": year,
            "date": day.isoformat() if day else None,
            "title": title,
            "text": text,
            "image": image.pk if image else None,
        },
    }


def _home(pictures: dict[str, Image], log: Log) -> HomePage:
    root = Page.get_first_root_node()
    home = _sync_page(
        root,
        HomePage,
        "accueil",
        log,
        existing=HomePage.objects.first(),
        title="Accueil",
        seo_title="Studio photo à Lyon — portraits, mariages, entreprises",
        search_description=(
            "Booké, studio photo lyonnais : portraits, reportages de mariage et photos "
            "d'entreprise, tirages d'art et albums."
        ),
        hero_title="La lumière juste, au bon moment",
        hero_image=pictures["hero"],
        intro=(
            "<p>Depuis 2009, le studio Booké photographie les visages et les grands jours : "
            "portraits en atelier, mariages de l'aube au dernier slow, équipes d'entreprise "
            "photographiées là où elles travaillent.</p>"
        ),
        body=[
            _heading("Un studio, trois métiers"),
            _paragraph(
                "<p>Au studio, nous prenons le temps : un portrait commence par un café et une "
                "conversation, jamais par un flash. En reportage, nous nous faisons discrets pour "
                "que vous n'ayez à penser qu'à votre journée. Et chaque image livrée passe entre "
                "les mains d'Inès, notre retoucheuse, avant d'arriver dans votre espace client.</p>"
            ),
            _quote(
                "Nous ne cherchons pas la photo parfaite, mais celle dans laquelle vous vous "
                "reconnaissez.",
                "Gérald Martin, fondateur",
            ),
            _paragraph(
                "<p>Vos images restent disponibles dans votre <b>espace client</b>, et les plus "
                "belles peuvent devenir des tirages d'art ou des albums dans notre boutique.</p>"
            ),
            *_shop_category(ALBUMS, "Nos albums"),
        ],
    )
    _point_default_site_at(home, log)
    _remove_welcome_page(home, log)
    return home


def _point_default_site_at(home: HomePage, log: Log) -> None:
    hostname, port = site_address()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(hostname=hostname, port=port, is_default_site=True)
    # The site's address in the admin says SITE_URL too (Wagtail's own is localhost:80), unless
    # another site already answers there.
    moved = (site.hostname, site.port) != (hostname, port) and not (
        Site.objects.filter(hostname=hostname, port=port).exclude(pk=site.pk).exists()
    )
    if moved:
        site.hostname, site.port = hostname, port
    if moved or site.pk is None or site.root_page_id != home.pk or site.site_name != SITE_NAME:
        site.root_page = home
        site.site_name = SITE_NAME
        site.save()
        log(f"site {site.hostname}:{site.port} → « {home.title} »")


def _remove_welcome_page(home: HomePage, log: Log) -> None:
    plain_page = ContentType.objects.get_for_model(Page)
    welcome = (
        Page.objects.filter(depth=2, content_type=plain_page, title=WELCOME_TITLE)
        .exclude(pk=home.pk)
        .exclude(sites_rooted_here__isnull=False)
    )
    for page in welcome:
        # Wagtail's placeholder has no children; anything under it is someone's work.
        if not page.get_children().exists():
            page.delete()
            log(f"removed Wagtail's « {WELCOME_TITLE} » page")


def _journal(
    home: HomePage, pictures: dict[str, Image], log: Log, landings: dict[str, LandingPage]
) -> None:
    journal = _sync_page(
        home,
        BlogIndexPage,
        "journal",
        log,
        title="Journal",
        show_in_menus=True,
        search_description="Le journal du studio Booké : reportages, coulisses et conseils.",
        intro=(
            "<p>Les coulisses du studio, nos derniers reportages et ce que nous avons appris "
            "en chemin.</p>"
        ),
    )
    _sync_page(
        journal,
        BlogPostPage,
        "mariage-automne-domaine-des-tilleuls",
        log,
        title="Un mariage d'automne au domaine des Tilleuls",
        date=date(2026, 10, 12),
        author_name="Gérald Martin",
        intro=(
            "Camille et Julien se sont dit oui sous les platanes, un samedi d'octobre. Retour "
            "sur une journée de lumière rasante et de fous rires."
        ),
        cover_image=pictures["wedding"],
        tags=["mariage", "reportage"],
        body=[
            _paragraph(
                "<p>Nous avions rencontré Camille et Julien au printemps, autour d'un café au "
                "studio. Ils voulaient des images <i>vraies</i>, sans poses interminables, et "
                "un album qu'ils auraient envie d'ouvrir dans vingt ans.</p>"
            ),
            _heading("Préparer la journée"),
            _paragraph(
                "<p>Trois semaines avant, nous sommes allés repérer le domaine à l'heure de la "
                "cérémonie. En octobre, le soleil passe derrière les platanes vers 16 h : nous "
                "avons proposé d'avancer l'échange des vœux d'une demi-heure pour garder une "
                "lumière douce sur les visages.</p>"
            ),
            _image(
                pictures["venue"],
                "Les collines derrière le domaine, vingt minutes avant la cérémonie.",
            ),
            _paragraph(
                "<p>Le jour J, deux photographes : l'un auprès de Camille pendant les "
                "préparatifs, l'autre avec Julien et ses témoins. Nous nous sommes retrouvés "
                "pour la découverte, dans l'allée des tilleuls.</p>"
            ),
            _quote(
                "On avait oublié qu'il y avait des photographes. Et pourtant, tout y est.",
                "Camille, la mariée",
            ),
            _heading("La lumière du soir"),
            _paragraph(
                "<p>Le dîner s'est tenu sous une guirlande d'ampoules. Pas de flash direct : "
                "nous avons monté la sensibilité et ouvert en grand pour garder l'ambiance "
                "dorée. Les portraits de couple, eux, ont été faits en dix minutes, entre le "
                "dessert et la première danse.</p>"
            ),
            _gallery(
                "La journée en trois images",
                [
                    (pictures["wedding"], "La découverte, dans l'allée des tilleuls."),
                    (pictures["venue"], "Le domaine, une heure avant la cérémonie."),
                    (pictures["hero"], "Le soir, sous la guirlande d'ampoules."),
                ],
            ),
            _paragraph(
                "<p>Les 420 images retouchées ont été livrées dans leur espace client trois "
                "semaines plus tard, et l'album de 40 pages est parti à l'impression.</p>"
            ),
            *_shop_product("BK-ALBUM-LIN-30"),
            _call_to_action(
                "Vous vous mariez bientôt\u202f?",
                "Parlons de votre journée : repérage, déroulé, album, nous vous disons tout.",
                "Notre formule mariage",
                landings["mariage"],
            ),
        ],
    )
    _sync_page(
        journal,
        BlogPostPage,
        "portraits-entreprise-une-matinee",
        log,
        title="Portraits d'entreprise : vingt-quatre collaborateurs en une matinée",
        date=date(2026, 9, 18),
        author_name="Gérald Martin",
        intro=(
            "Un studio mobile monté dans une salle de réunion, quatre minutes par personne et "
            "des portraits homogènes pour tout un site internet : notre méthode."
        ),
        cover_image=pictures["business"],
        tags=["entreprise", "portrait"],
        body=[
            _paragraph(
                "<p>L'équipe d'Acme voulait renouveler les photos de son site et de ses profils "
                "professionnels. Contrainte : tout le monde sur place un seul matin, sans "
                "bloquer l'activité.</p>"
            ),
            _heading("Un studio dans une salle de réunion"),
            _paragraph(
                "<p>Nous arrivons une heure avant le premier rendez-vous avec un fond gris "
                "moyen, deux boîtes à lumière et un réflecteur. Les réglages sont notés et ne "
                "bougent plus de la matinée : c'est ce qui rend les portraits homogènes d'une "
                "page à l'autre.</p>"
            ),
            _image(
                pictures["team"], "Quatre des vingt-quatre portraits : même fond, même lumière."
            ),
            _heading("Quatre minutes par personne"),
            _paragraph(
                "<ul><li>une minute pour se présenter et se détendre ;</li>"
                "<li>deux minutes de prise de vue, une quinzaine d'images ;</li>"
                "<li>une minute pour choisir ensemble sur l'écran.</li></ul>"
            ),
            _quote(
                "Je déteste être photographiée. J'ai choisi ma photo en trente secondes.",
                "Sophie, office manager",
            ),
            _paragraph(
                "<p>Chaque collaborateur retrouve ses images dans l'espace entreprise du "
                "portail ; l'office manager peut tout télécharger en une fois, aux formats du "
                "site et de LinkedIn.</p>"
            ),
            _call_to_action(
                "Les portraits de votre équipe",
                "Une matinée chez vous, des portraits homogènes livrés en une semaine.",
                "Voir la formule",
                landings["portraits-corporate"],
            ),
        ],
    )
    _sync_page(
        journal,
        BlogPostPage,
        "coulisses-de-la-retouche",
        log,
        title="Dans les coulisses de la retouche",
        date=date(2026, 11, 4),
        author_name="Inès Roux",
        intro=(
            "Entre la prise de vue et la livraison, chaque image passe par le poste de "
            "retouche. Ce que nous corrigeons, et surtout ce que nous ne touchons pas."
        ),
        cover_image=pictures["retouch"],
        tags=["retouche", "coulisses"],
        body=[
            _paragraph(
                "<p>On imagine souvent la retouche comme l'art de transformer un visage. Au "
                "studio, c'est presque l'inverse : rendre à la photo ce que l'appareil n'a pas "
                "vu comme nos yeux.</p>"
            ),
            _heading("Partir du fichier RAW"),
            _paragraph(
                "<p>Nous photographions toujours en RAW. Ces fichiers gardent toute "
                "l'information du capteur : on peut rattraper une balance des blancs, déboucher "
                "une ombre ou retenir un ciel sans dégrader l'image.</p>"
            ),
            _image(
                pictures["before_after"],
                "Avant, après : balance des blancs, contraste et couleur, rien de plus.",
            ),
            _heading("Ce que nous corrigeons"),
            _paragraph(
                "<ul><li>l'exposition et la couleur, pour une série homogène ;</li>"
                "<li>les petites imperfections passagères : un bouton, une trace de "
                "fatigue ;</li>"
                "<li>les distractions : une prise électrique, un reflet dans des "
                "lunettes.</li></ul>"
            ),
            _quote(
                "Une bonne retouche, c'est celle que personne ne remarque.",
                "Inès Roux, retoucheuse",
            ),
            _heading("Ce que nous ne touchons pas"),
            _paragraph(
                "<p>Les rides d'expression, les grains de beauté, la forme d'un visage : ce "
                "sont eux qui font qu'une photo vous ressemble. Si vous souhaitez davantage, "
                "on en parle ensemble, image par image.</p>"
            ),
            *_shop_product(PRINT_PARENT_UPC),
        ],
    )


def _history(home: HomePage, pictures: dict[str, Image], log: Log) -> None:
    _sync_page(
        home,
        HistoryPage,
        "notre-histoire",
        log,
        title="Notre histoire",
        show_in_menus=True,
        search_description=(
            "De l'atelier sous les toits au studio d'aujourd'hui : l'histoire de Booké."
        ),
        intro=(
            "<p>Un photographe, un appareil d'occasion et un atelier sous les toits : "
            "Booké a grandi une image après l'autre.</p>"
        ),
        timeline=[
            _event(
                2009,
                "Un atelier sous les toits",
                "<p>Gérald Martin installe un fond papier et deux flashs dans une chambre de "
                "bonne de la Croix-Rousse. Les premiers clients sont des voisins.</p>",
                pictures["first_studio"],
                date(2009, 3, 14),
            ),
            _event(
                2012,
                "Le premier mariage",
                "<p>Un ami de la famille demande un reportage complet. Quarante mariages plus "
                "tard, c'est devenu le cœur de l'activité du studio.</p>",
                pictures["venue"],
            ),
            _event(
                2016,
                "Le studio de la rue des Tables-Claudiennes",
                "<p>Cent vingt mètres carrés, une cyclo blanche et une vraie cuisine pour "
                "accueillir les familles. Inès Roux rejoint l'équipe comme retoucheuse.</p>",
            ),
            _event(
                2020,
                "Le studio mobile",
                "<p>Pour photographier les équipes sans les déplacer, nous concevons un studio "
                "qui tient dans un coffre : les portraits d'entreprise deviennent notre "
                "troisième métier.</p>",
                pictures["business"],
            ),
            _event(
                2026,
                "Booké en ligne",
                "<p>Un espace client pour retrouver ses images, et une boutique pour les "
                "transformer en tirages d'art et en albums.</p>",
                pictures["hero"],
                date(2026, 3, 2),
            ),
        ],
    )


def _galleries(home: HomePage, pictures: dict[str, Image], log: Log) -> None:
    galleries = _sync_page(
        home,
        GalleryIndexPage,
        "galeries",
        log,
        title="Galeries",
        show_in_menus=True,
        search_description="Une sélection de portraits et de reportages du studio Booké.",
        intro="<p>Une sélection d'images du studio, choisies avec celles et ceux qui y posent.</p>",
    )
    _sync_page(
        galleries,
        GalleryPage,
        "portraits",
        log,
        title="Portraits",
        intro=(
            "<p>Des portraits faits en atelier, avec une ou deux lumières et beaucoup de "
            "patience. Chaque séance dure une heure ; on garde une image.</p>"
        ),
        # The first portrait can be ordered as a print, when the shop's catalogue is there.
        photos=[
            (pictures[f"portrait_{key}"], caption,
             Product.objects.filter(upc=PRINT_PARENT_UPC).first() if i == 0 else None)
            for i, (key, _painting, caption) in enumerate(PORTRAITS)
        ],
    )
    _sync_page(
        galleries,
        GalleryPage,
        "reportages",
        log,
        title="Reportages",
        intro=(
            "<p>Mariages et entreprises : des journées entières racontées sans mise en scène, "
            "là où elles se passent.</p>"
        ),
        photos=[
            (pictures["wedding"], "Camille et Julien, allée des tilleuls", None),
            (pictures["venue"], "Le domaine des Tilleuls, avant la cérémonie", None),
            (pictures["hero"], "La soirée, sous la guirlande d'ampoules", None),
            (pictures["team"], "Une équipe, un matin, un même fond", None),
            (pictures["business"], "Le quartier d'affaires, en fin d'après-midi", None),
        ],
    )


# Only the portrait session is in the shop's demo catalogue; the wedding page goes without a
# package until the shop sells one.
PORTRAIT_PACKAGE_UPC = "BK-SEANCE-PORTRAIT"


def _landing_pages(
    home: HomePage, pictures: dict[str, Image], log: Log
) -> dict[str, LandingPage]:
    """One page per kind of session, with its package and the way to book it. The "Réserver"
    button falls back to online booking, else the contact page (see
    editorial.selectors.booking_link)."""
    corporate = _sync_page(
        home,
        LandingPage,
        "portraits-corporate",
        log,
        title="Portraits corporate",
        search_description=(
            "Portraits d'équipe homogènes, faits dans vos locaux en une matinée, livrés en une "
            "semaine : la formule entreprise du studio Booké."
        ),
        hero_title="Toute votre équipe, sous la même lumière",
        hero_image=pictures["business"],
        intro=(
            "<p>Un studio mobile dans votre salle de réunion, quatre minutes par personne, "
            "et des portraits qui se ressemblent d'une page à l'autre de votre site.</p>"
        ),
        package=Product.objects.filter(upc=PORTRAIT_PACKAGE_UPC).first(),
        body=[
            _heading("Comment se passe la matinée"),
            _paragraph(
                "<p>Nous arrivons une heure avant le premier rendez-vous, installons un fond "
                "et deux lumières, puis chacun passe à son tour : une minute pour se détendre, "
                "deux pour la prise de vue, une pour choisir sa photo avec nous.</p>"
            ),
            _gallery(
                "Quelques portraits d'entreprise",
                [
                    (pictures["portrait_nadia"], "Nadia, avocate associée."),
                    (pictures["portrait_antoine"], "Antoine, pour le site de son orchestre."),
                    (pictures["team"], "Une équipe, un fond, une lumière."),
                ],
            ),
            _quote(
                "Je déteste être photographiée. J'ai choisi ma photo en trente secondes.",
                "Sophie, office manager",
            ),
            _heading("Ce qui est compris"),
            _paragraph(
                "<ul><li>l'installation du studio dans vos locaux ;</li>"
                "<li>les retouches de chaque portrait choisi ;</li>"
                "<li>les fichiers aux formats du site et de LinkedIn, dans l'espace "
                "entreprise du portail.</li></ul>"
            ),
        ],
    )
    wedding = _sync_page(
        home,
        LandingPage,
        "mariage",
        log,
        title="Mariage",
        search_description=(
            "Reportage de mariage par le studio Booké : de la préparation au dernier slow, "
            "en toute discrétion, avec un album à ouvrir dans vingt ans."
        ),
        hero_title="Votre journée, telle que vous l'avez vécue",
        hero_image=pictures["wedding"],
        intro=(
            "<p>Deux photographes discrets, de la préparation à la première danse, et un "
            "album en lin qui raconte la journée.</p>"
        ),
        body=[
            _heading("Avant le jour J"),
            _paragraph(
                "<p>Nous nous rencontrons au studio, puis nous repérons le lieu à l'heure de "
                "la cérémonie pour savoir où sera la lumière.</p>"
            ),
            _gallery(
                "Un mariage d'automne",
                [
                    (pictures["wedding"], "La découverte, dans l'allée des tilleuls."),
                    (pictures["venue"], "Le domaine, une heure avant la cérémonie."),
                ],
            ),
            _quote(
                "On avait oublié qu'il y avait des photographes. Et pourtant, tout y est.",
                "Camille, la mariée",
            ),
            *_shop_product("BK-ALBUM-LIN-30"),
        ],
    )
    return {"portraits-corporate": corporate, "mariage": wedding}


def _home_sections(
    home: HomePage,
    pictures: dict[str, Image],
    landings: dict[str, LandingPage],
    log: Log,
) -> None:
    """The home page's hero button, featured galleries and products, and its call to book:
    set after the pages they point to exist."""
    galleries = list(
        GalleryPage.objects.live().filter(slug__in=FEATURED_GALLERY_SLUGS).order_by("path")
    )
    galleries.sort(key=lambda gallery: FEATURED_GALLERY_SLUGS.index(gallery.slug))
    _sync_page(
        home.get_parent(),
        HomePage,
        home.slug,
        log,
        existing=home,
        hero_button_label="Voir les galeries",
        hero_button_page=galleries[0].get_parent() if galleries else None,
        featured_galleries=galleries,
        featured_products=[
            *_shop_product(PRINT_PARENT_UPC),
            *_shop_product("BK-ALBUM-LIN-30"),
            *_shop_product("BK-CARTE-CADEAU-120"),
        ],
        booking_text=(
            "Un portrait, un mariage, une équipe à photographier\u202f? Parlons de votre séance."
        ),
        booking_button_label="Découvrir nos formules",
        booking_page=landings["portraits-corporate"],
    )


FEATURED_GALLERY_SLUGS = ["portraits", "reportages"]


# --- Making pages idempotently --------------------------------------------------------------


def _sync_page(
    parent: Page,
    model: type[P],
    slug: str,
    log: Log,
    *,
    existing: P | None = None,
    tags: list[str] | None = None,
    photos: list[tuple[Image, str, Any]] | None = None,
    featured_galleries: list[GalleryPage] | None = None,
    **fields: Any,
) -> P:
    """The page `slug` under `parent`, made or brought up to date; published only when its
    content changed, so that seeding again adds no revision."""
    page = existing or model.objects.child_of(parent).filter(slug=slug).first()
    creating = page is None
    if creating:
        page = model(slug=slug)

    changed = [name for name, value in fields.items() if not _same(page, name, value)]
    for name in changed:
        setattr(page, name, fields[name])
    if tags is not None and sorted(page.tags.names()) != sorted(tags):
        page.tags.set(tags)
        changed.append("tags")
    if photos is not None:
        wanted = [(image.pk, caption, product.pk if product else None)
                  for image, caption, product in photos]
        have = [(photo.image_id, photo.caption, photo.print_product_id)
                for photo in page.photos.all()]
        if have != wanted:
            page.photos = [
                GalleryPhoto(image=image, caption=caption, print_product=product,
                             sort_order=position)
                for position, (image, caption, product) in enumerate(photos)
            ]
            changed.append("photos")

    if featured_galleries is not None:
        wanted_ids = [gallery.pk for gallery in featured_galleries]
        if [featured.gallery_id for featured in page.featured_galleries.all()] != wanted_ids:
            page.featured_galleries = [
                HomeFeaturedGallery(gallery=gallery, sort_order=position)
                for position, gallery in enumerate(featured_galleries)
            ]
            changed.append("featured_galleries")

    if creating:
        parent.add_child(instance=page)
    if creating or changed:
        page.save_revision().publish()
        log(
            f"page « {page.title} » ({'created' if creating else 'updated: ' + ', '.join(changed)})"
        )
    return page


def _same(page: Page, name: str, value: Any) -> bool:
    field = page._meta.get_field(name)
    if isinstance(field, StreamField):
        return _stream_content(field, getattr(page, name)) == _stream_content(field, value)
    if isinstance(field, models.ForeignKey):
        return getattr(page, field.attname) == (value.pk if value is not None else None)
    return getattr(page, name) == value


def _stream_content(field: StreamField, value: Any) -> list[tuple[str, Any]]:
    # Block ids are random and raw data may omit optional keys: compare what would be stored.
    stream = field.to_python(value)
    return [
        (child.block_type, _without_ids(child.block.get_prep_value(child.value)))
        for child in stream
    ]


def _without_ids(value: Any) -> Any:
    # A list block's items carry random ids too (the gallery block's photos).
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in value.items() if key != "id"}
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    return value
