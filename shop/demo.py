"""The shop's demo catalogue: fine-art prints in three sizes, two papers and two finishes, some
of them framed; albums, a gift card, an accessory; and the two products the booking side will
sell (a session package and an extra photo).

Prices are in EUR *including* VAT, what customers pay; each stock record is typed the way the
studio types its prices (TTC by default, see shop.partner.strategy), so a studio typing HT gets
the same prices shown.

Safe to run again: everything is matched on a stable key (UPC for products, SKU for stock
records, code for images, slug or name for the rest) and what exists is left alone, so a price
changed in the dashboard is not put back by the next seed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import haystack
from django.core.files.base import ContentFile
from haystack.backends.simple_backend import SimpleSearchBackend
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from PIL import Image, ImageDraw, ImageFont

from booker.marketing.services import ensure_segment
from shop.catalogue.product_classes import (
    CLASSES,
    EXTRA_PHOTO,
    GOODS,
    PRINT,
    PRINT_PARENT_UPC,
    SESSION,
    ProductClassSpec,
)
from shop.partner.strategy import prices_include_tax, split_incl_tax

AttributeOption = get_model("catalogue", "AttributeOption")
AttributeOptionGroup = get_model("catalogue", "AttributeOptionGroup")
Category = get_model("catalogue", "Category")
Country = get_model("address", "Country")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")
WeightBased = get_model("shipping", "WeightBased")
WeightBand = get_model("shipping", "WeightBand")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")

PARTNER_NAME = "Atelier Booké"
# A postal rate beside the studio pickup, so that the demo's checkout shows both: by weight,
# typed VAT included (shop/shipping/models.py); a product without a weight counts 0.5 kg.
POSTAL_RATE_NAME = "Colissimo"
POSTAL_DEFAULT_WEIGHT = Decimal("0.5")
POSTAL_BANDS = ((Decimal("0.5"), Decimal("6.90")), (Decimal("1"), Decimal("8.70")),
                (Decimal("2"), Decimal("10.00")), (Decimal("5"), Decimal("15.90")))

PRINTS, ALBUMS, GIFT_CARDS = "Tirages", "Albums", "Cartes cadeaux"
ACCESSORIES = "Accessoires"
CATEGORIES = (PRINTS, ALBUMS, GIFT_CARDS, ACCESSORIES)

SIZES = (("20x30", "20×30 cm"), ("30x45", "30×45 cm"), ("40x60", "40×60 cm"))
PAPERS = (("lustre", "Lustré"), ("baryta", "Fine Art Baryta"))
# Including VAT; chosen so that the price excl. VAT is whole cents too (24.00 → 20.00 excl.).
PRINT_PRICES = {
    ("20x30", "lustre"): Decimal("24.00"),
    ("20x30", "baryta"): Decimal("42.00"),
    ("30x45", "lustre"): Decimal("39.00"),
    ("30x45", "baryta"): Decimal("66.00"),
    ("40x60", "lustre"): Decimal("60.00"),
    ("40x60", "baryta"): Decimal("102.00"),
}
FINISHES = (("brillant", "Brillant"), ("mat", "Mat"))
FRAMINGS = (
    ("sans-cadre", "Sans cadre"),
    ("bois-noir", "Cadre bois noir"),
    ("caisse-americaine", "Caisse américaine"),
)
GLOSSY, MATTE = "brillant", "mat"
UNFRAMED = "sans-cadre"
# The framing, added to the print's price (incl. VAT). Only the larger sizes are framed: a
# 20×30 is bought for an album or a table frame. The studio frames only its matte Baryta (matte
# behind glass avoids a double reflection; Baryta is its archival paper), so framing adds
# three variants rather than multiplying all twelve prints.
FRAME_PRICES = {
    ("30x45", "bois-noir"): Decimal("72.00"),
    ("40x60", "bois-noir"): Decimal("96.00"),
    ("40x60", "caisse-americaine"): Decimal("144.00"),
}
FRAMED_PAPER, FRAMED_FINISH = "baryta", MATTE
GOODS_IN_STOCK = 25


def print_upc(size: str, paper: str, finish: str = GLOSSY, framing: str = UNFRAMED) -> str:
    """The UPC of a print variant. A glossy unframed print keeps the UPC it had before finishes
    and framings existed (`BK-TIRAGE-20X30-LUSTRE`), so orders and databases seeded then still
    point at the same product."""
    parts = [PRINT_PARENT_UPC, size, paper]
    if finish != GLOSSY:
        parts.append(finish)
    if framing != UNFRAMED:
        parts.append(framing)
    return "-".join(parts).upper()


def print_variants() -> list[tuple[str, str, str, str]]:
    """Every (size, paper, finish, framing) sold: the unframed prints smallest first, then the
    framed ones."""
    variants = [
        (size, paper, finish, UNFRAMED)
        for size, _ in SIZES
        for paper, _ in PAPERS
        for finish, _ in FINISHES
    ]
    for size, _ in SIZES:
        for framing, _ in FRAMINGS:
            if (size, framing) in FRAME_PRICES:
                variants.append((size, FRAMED_PAPER, FRAMED_FINISH, framing))
    return variants


def print_price(size: str, paper: str, framing: str = UNFRAMED) -> Decimal:
    """Including VAT: the print, plus its frame if any (the finish costs nothing)."""
    return PRINT_PRICES[size, paper] + FRAME_PRICES.get((size, framing), Decimal("0.00"))


@dataclass(frozen=True)
class DemoProduct:
    upc: str
    title: str
    description: str
    product_class: ProductClassSpec
    price: Decimal
    category: str | None
    picture: str
    # The session package and the extra photo are sold from the booking side once it exists;
    # until then they stay out of the catalogue rather than be bought without a session.
    is_public: bool = True


STANDALONE = (
    DemoProduct(
        "BK-ALBUM-LIN-30",
        "Album lin 30×30 cm",
        "<p>Couverture en lin naturel, 20 pages en papier photo mat, reliure à plat : les "
        "photos traversent la double page sans pli.</p>",
        GOODS,
        Decimal("144.00"),
        ALBUMS,
        "album",
    ),
    DemoProduct(
        "BK-ALBUM-ACCORDEON-15",
        "Album accordéon 15×15 cm",
        "<p>Dix photos en accordéon dans un coffret carton, à poser sur une étagère ou à "
        "offrir.</p>",
        GOODS,
        Decimal("54.00"),
        ALBUMS,
        "accordion",
    ),
    DemoProduct(
        "BK-CARTE-CADEAU-120",
        "Carte cadeau 120 €",
        "<p>Une carte imprimée, envoyée sous pli, valable un an sur une séance ou des "
        "tirages au studio.</p>",
        GOODS,
        Decimal("120.00"),
        GIFT_CARDS,
        "giftcard",
    ),
    DemoProduct(
        "BK-CLE-USB-BOIS",
        "Clé USB en bois gravée",
        "<p>Une clé USB 32 Go en noyer, gravée à votre nom, avec les photos de votre séance "
        "en haute définition.</p>",
        GOODS,
        Decimal("30.00"),
        ACCESSORIES,
        "usb",
    ),
    DemoProduct(
        "BK-SEANCE-PORTRAIT",
        "Séance portrait en studio (1 h)",
        "<p>Une heure au studio, cinq photos retouchées livrées dans votre espace.</p>",
        SESSION,
        Decimal("180.00"),
        None,
        "session",
        is_public=False,
    ),
    DemoProduct(
        "BK-PHOTO-SUPPLEMENTAIRE",
        "Photo supplémentaire retouchée",
        "<p>Une photo de plus de votre séance, retouchée et livrée en haute définition.</p>",
        EXTRA_PHOTO,
        Decimal("18.00"),
        None,
        "photo",
        is_public=False,
    ),
)


def seed(log: Callable[[str], None]) -> None:
    """Create whatever part of the demo catalogue is missing; `log` hears about each creation."""
    categories = {name: _category(name, log) for name in CATEGORIES}
    partner, created = Partner.objects.get_or_create(name=PARTNER_NAME)
    if created:
        log(f"partner {PARTNER_NAME}")
    # Checkout asks for a shipping country among these; the studio ships within France only.
    _, created = Country.objects.get_or_create(
        iso_3166_1_a2="FR",
        defaults={
            "iso_3166_1_a3": "FRA",
            "iso_3166_1_numeric": "250",
            "printable_name": "France",
            "name": "République française",
            "is_shipping_country": True,
        },
    )
    if created:
        log("shipping country France")
    classes = {spec.slug: _product_class(spec, log) for spec in CLASSES}

    _prints(classes[PRINT.slug], categories[PRINTS], partner, log)
    for spec in STANDALONE:
        product = _product(
            spec.upc,
            log,
            title=spec.title,
            description=spec.description,
            product_class=classes[spec.product_class.slug],
            is_public=spec.is_public,
        )
        if spec.category:
            ProductCategory.objects.get_or_create(
                product=product, category=categories[spec.category]
            )
        in_stock = GOODS_IN_STOCK if spec.product_class.track_stock else None
        _stockrecord(product, partner, spec.price, in_stock, log)
        _image(product, spec.picture, log)
    _index([PRINT_PARENT_UPC, *(spec.upc for spec in STANDALONE)])
    # The third example segment: it reads the shop's orders (shop/marketing.py).
    name = "Abonnés à la newsletter ayant acheté un tirage"
    if ensure_segment(name, [("newsletter_subscribers", {}), ("bought_print", {})],
                      description="Pour une offre sur les tirages d'art.")[1]:
        log(f"segment {name}")


def seed_postal_rate(log: Callable[[str], None]) -> None:
    """The demo's postal rate (seed_demo runs it after `seed`, which makes France)."""
    # Only into a shop without any rate: one the shop manager renamed or changed is theirs,
    # never doubled.
    if WeightBased.objects.exists():
        return
    rate = WeightBased.objects.create(
        name=POSTAL_RATE_NAME, basis=WeightBased.Basis.WEIGHT,
        description="Livraison à domicile en France métropolitaine, suivie.",
        default_weight=POSTAL_DEFAULT_WEIGHT,
    )
    rate.countries.set(Country.objects.filter(iso_3166_1_a2="FR"))
    for upper_limit, charge in POSTAL_BANDS:
        WeightBand.objects.create(method=rate, upper_limit=upper_limit, charge=charge)
    log(f"postal rate {POSTAL_RATE_NAME}")


def _index(upcs: list[str]) -> None:
    """Oscar's catalogue pages list products from the Haystack index, not from the database: put
    the demo products (with their categories and prices, saved after them) in it. Done here
    because `manage.py update_index` is Wagtail's command in this project, not Haystack's."""
    connection = haystack.connections["default"]
    backend = connection.get_backend()
    if isinstance(backend, SimpleSearchBackend):
        return  # it searches the database directly and keeps no index
    index = connection.get_unified_index().get_index(Product)
    backend.update(index, Product.objects.browsable().filter(upc__in=upcs))


def _category(name: str, log: Callable[[str], None]):
    exists = Category.objects.filter(depth=1, name=name).exists()
    category = create_from_breadcrumbs(name)  # finds the root category by name, or adds it
    if not exists:
        log(f"category {name}")
    return category


def _product_class(spec: ProductClassSpec, log: Callable[[str], None]):
    product_class, created = ProductClass.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "name": spec.name,
            "requires_shipping": spec.requires_shipping,
            "track_stock": spec.track_stock,
        },
    )
    if created:
        log(f"product class {spec.name}")
    return product_class


def _prints(product_class, category, partner, log: Callable[[str], None]) -> None:
    """One parent "Tirage d'art" with a child per size × paper × finish × framing (see
    `print_variants`); the visitor picks the variant, each with its own price and stock record."""
    size, _ = ProductAttribute.objects.get_or_create(
        product_class=product_class, code="size", defaults={"name": "Format", "type": "text"}
    )
    paper, papers = _option_attribute(product_class, "paper", "Papier", "papier", PAPERS)
    finish, finishes = _option_attribute(product_class, "finish", "Finition", "finition", FINISHES)
    framing, framings = _option_attribute(
        product_class, "framing", "Encadrement", "encadrement", FRAMINGS
    )

    parent = _product(
        PRINT_PARENT_UPC,
        log,
        title="Tirage d'art",
        description=(
            "<p>Vos photos tirées à l'atelier sur papier photo lustré ou sur Fine Art Baryta, "
            "un papier fibre à la texture de tirage argentique, en finition brillante ou mate ; "
            "les grands formats existent encadrés, en cadre bois noir ou en caisse américaine. "
            "Chaque tirage est contrôlé à la main puis expédié à plat.</p>"
        ),
        product_class=product_class,
        structure=Product.PARENT,
    )
    ProductCategory.objects.get_or_create(product=parent, category=category)
    _image(parent, "print", log)

    # Oscar lists a parent's children newest first, so the children are made from the last
    # variant to the first: the variant list then reads 20×30 first. (On a database seeded
    # before finishes existed, the new matte 20×30 is the newest, at the same price.)
    sizes, paper_labels = dict(SIZES), dict(PAPERS)
    for size_code, paper_code, finish_code, framing_code in reversed(print_variants()):
        upc = print_upc(size_code, paper_code, finish_code, framing_code)
        child = Product.objects.filter(upc=upc).first()
        if child is None:
            details = [paper_labels[paper_code], dict(FINISHES)[finish_code].lower()]
            if framing_code != UNFRAMED:
                details.append(dict(FRAMINGS)[framing_code].lower())
            child = Product.objects.create(
                upc=upc,
                structure=Product.CHILD,
                parent=parent,
                title=f"Tirage d'art {sizes[size_code]} — {', '.join(details)}",
            )
            log(f"product {child.title}")
        # Set one by one, and only where missing: a variant seeded before finishes and framings
        # existed gets them, and a value changed in the dashboard stays.
        values = (
            (size, {"value_text": sizes[size_code]}),
            (paper, {"value_option": papers[paper_code]}),
            (finish, {"value_option": finishes[finish_code]}),
            (framing, {"value_option": framings[framing_code]}),
        )
        for attribute, value in values:
            ProductAttributeValue.objects.get_or_create(
                product=child, attribute=attribute, defaults=value
            )
        price = print_price(size_code, paper_code, framing_code)
        _stockrecord(child, partner, price, None, log)


def _option_attribute(
    product_class,
    code: str,
    name: str,
    prefix: str,
    choices: tuple[tuple[str, str], ...],
) -> tuple[object, dict]:
    """An option attribute of the class, and its options by our code: {"mat": <Mat>, …}."""
    group, _ = AttributeOptionGroup.objects.get_or_create(
        code=f"{prefix}-tirage", defaults={"name": f"{name} de tirage"}
    )
    attribute, _ = ProductAttribute.objects.get_or_create(
        product_class=product_class,
        code=code,
        defaults={"name": name, "type": "option", "option_group": group},
    )
    options = {}
    for choice, label in choices:
        options[choice], _ = AttributeOption.objects.get_or_create(
            group=group, option=label, defaults={"code": f"{prefix}-{choice}"}
        )
    return attribute, options


def _product(upc: str, log: Callable[[str], None], **fields):
    product, created = Product.objects.get_or_create(upc=upc, defaults=fields)
    if created:
        log(f"product {product.title}")
    return product


def typed_price(incl_tax: Decimal) -> Decimal:
    """A price incl. VAT as the studio types it in the dashboard (see the module's doc)."""
    return incl_tax if prices_include_tax() else split_incl_tax(incl_tax)[0]


def _stockrecord(
    product, partner, incl_tax: Decimal, in_stock: int | None, log: Callable[[str], None]
) -> None:
    price = typed_price(incl_tax)
    _, created = StockRecord.objects.get_or_create(
        partner=partner,
        partner_sku=product.upc,
        defaults={
            "product": product,
            "price": price,
            "price_currency": "EUR",
            "num_in_stock": in_stock,
        },
    )
    if created:
        log(f"stock record {product.upc} at {incl_tax} € incl. VAT")


def _image(product, picture: str, log: Callable[[str], None]) -> None:
    code = f"{product.upc}-1"
    if ProductImage.objects.filter(code=code).exists():
        return
    image = ProductImage(product=product, code=code, caption=product.title, display_order=0)
    image.original.save(f"{picture}.jpg", ContentFile(_picture(picture)), save=False)
    image.save()
    log(f"image {image.original.name}")


# --- Pictures: drawn, not photographed, so the demo needs no files and is the same every run.

PAPER, INK, ACCENT = (250, 248, 245), (29, 27, 25), (164, 70, 47)
SKY, SUN, HILL, FAR_HILL = (214, 226, 233), (236, 190, 120), (92, 112, 88), (150, 165, 140)


def _picture(kind: str, size: int = 800) -> bytes:
    """A JPEG of the product on the site's paper colour; the same bytes for the same kind."""
    image = Image.new("RGB", (size, size), PAPER)
    draw = ImageDraw.Draw(image)
    s = size / 100  # draw on a 100 × 100 grid
    if kind == "print":
        _landscape(draw, (18 * s, 10 * s, 82 * s, 90 * s), mat=6 * s)
    elif kind == "album":
        draw.rectangle((14 * s, 22 * s, 86 * s, 82 * s), fill=(205, 195, 176), outline=INK)
        draw.rectangle((47 * s, 22 * s, 53 * s, 82 * s), fill=(180, 168, 148))
        _landscape(draw, (26 * s, 36 * s, 44 * s, 62 * s), mat=1.5 * s)
        _landscape(draw, (56 * s, 36 * s, 74 * s, 62 * s), mat=1.5 * s)
    elif kind == "accordion":
        for i in range(5):
            x = 12 * s + i * 15 * s
            top = 30 * s if i % 2 else 26 * s
            _landscape(draw, (x, top, x + 15 * s, top + 44 * s), mat=1.5 * s)
    elif kind == "giftcard":
        draw.rounded_rectangle((12 * s, 28 * s, 88 * s, 72 * s), radius=4 * s, fill=ACCENT)
        # Pillow's bundled font has no "é" nor "€": the card keeps to plain ASCII.
        _text(draw, (50 * s, 44 * s), "120", 14 * s, (255, 255, 255))
        _text(draw, (50 * s, 61 * s), "CARTE CADEAU", 5 * s, (255, 255, 255))
    elif kind == "session":
        draw.ellipse((38 * s, 20 * s, 62 * s, 44 * s), fill=(120, 100, 86))
        draw.pieslice((26 * s, 46 * s, 74 * s, 100 * s), 180, 360, fill=(120, 100, 86))
        draw.rectangle((10 * s, 10 * s, 90 * s, 90 * s), outline=INK, width=int(s))
    elif kind == "usb":  # a walnut key with its metal plug
        draw.rectangle((62 * s, 42 * s, 80 * s, 58 * s), fill=(190, 192, 196), outline=INK)
        draw.rounded_rectangle((20 * s, 36 * s, 64 * s, 64 * s), radius=5 * s, fill=(122, 84, 56))
        _text(draw, (42 * s, 50 * s), "BOOKE", 5 * s, PAPER)
    else:  # an extra photo: a single print with a "+"
        _landscape(draw, (16 * s, 16 * s, 76 * s, 76 * s), mat=3 * s)
        draw.ellipse((64 * s, 64 * s, 88 * s, 88 * s), fill=ACCENT)
        _text(draw, (76 * s, 75 * s), "+", 14 * s, (255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _landscape(draw: ImageDraw.ImageDraw, box: tuple[float, ...], mat: float) -> None:
    """A mounted photo: white mat, sky, sun, two hills."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=(255, 255, 255), outline=(215, 208, 198))
    x0, y0, x1, y1 = x0 + mat, y0 + mat, x1 - mat, y1 - mat
    w, h = x1 - x0, y1 - y0
    draw.rectangle((x0, y0, x1, y1), fill=SKY)
    draw.ellipse((x0 + 0.6 * w, y0 + 0.15 * h, x0 + 0.8 * w, y0 + 0.15 * h + 0.2 * w), fill=SUN)
    draw.polygon(
        [(x0, y1), (x0, y0 + 0.6 * h), (x0 + 0.45 * w, y0 + 0.45 * h), (x1, y1)], fill=FAR_HILL
    )
    draw.polygon(
        [(x0, y1), (x0 + 0.5 * w, y0 + 0.62 * h), (x1, y0 + 0.55 * h), (x1, y1)], fill=HILL
    )


def _text(
    draw: ImageDraw.ImageDraw,
    centre: tuple[float, float],
    text: str,
    size: float,
    fill: tuple[int, int, int],
) -> None:
    font = ImageFont.load_default(size=size)  # Pillow's bundled font: no system font needed
    draw.text(centre, text, font=font, fill=fill, anchor="mm")
