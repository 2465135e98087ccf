"""Reads for personal prints and extra photos: the print variants and their sizes, what a basket
or order line says about its photo, and the lab's list of lines to print.

Who may see a photo is the Booker's rule (booker.selectors); this module only calls it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext, ngettext
from oscar.core.loading import get_model

from booker import selectors as booker_selectors
from booker.models import FinalPhoto, PhotoSession
from shop.catalogue.product_classes import EXTRA_PHOTO, PRINT, PRINT_PARENT_UPC

from . import pictures
from .pictures import Picture

Product = get_model("catalogue", "Product")
OrderLine = get_model("order", "Line")
OrderLineAttribute = get_model("order", "LineAttribute")

# The codes of the Oscar Options our lines carry (created by migrations/0001_line_options.py;
# IMAGE, a public picture printed as a catalogue print (pictures.py), by 0002).
PHOTO, CROP, SESSION, EXTRA_RUSHES = "photo", "recadrage", "seance", "photos"
IMAGE = "image"

# Below this, a print shows its pixels: the chooser warns (it does not refuse: a client may
# still want it).
MIN_DPI = 150
_CM_PER_INCH = 2.54
_SIZE = re.compile(r"(\d+(?:[.,]\d+)?)\s*[×xX]\s*(\d+(?:[.,]\d+)?)")


@dataclass(frozen=True)
class Crop:
    """The part of the photo to print, as fractions of its width and height (0–1)."""

    left: float
    top: float
    width: float
    height: float

    @classmethod
    def parse(cls, text: str | None) -> Crop | None:
        """"left,top,width,height"; None if it is not a crop inside the photo."""
        try:
            left, top, width, height = (float(v) for v in (text or "").split(","))
        except ValueError:
            return None
        if not all(math.isfinite(v) for v in (left, top, width, height)):
            return None
        if width <= 0.01 or height <= 0.01 or left < 0 or top < 0:
            return None
        if left + width > 1.0001 or top + height > 1.0001:
            return None
        return cls(left, top, width, height)

    def __str__(self) -> str:
        return f"{self.left:.4f},{self.top:.4f},{self.width:.4f},{self.height:.4f}"

    def as_percent(self) -> dict[str, float]:
        """For the CSS frame drawn over a thumbnail."""
        return {
            "left": round(self.left * 100, 2),
            "top": round(self.top * 100, 2),
            "width": round(self.width * 100, 2),
            "height": round(self.height * 100, 2),
        }


FULL_FRAME = Crop(0.0, 0.0, 1.0, 1.0)


@dataclass(frozen=True)
class PrintVariant:
    """One print the client can choose: a child product of a print parent."""

    product_id: int
    label: str
    price_incl_tax: Decimal | None
    short_cm: float | None
    long_cm: float | None

    @property
    def ratio(self) -> float | None:
        """Long edge over short edge (1.5 for 20×30)."""
        if not self.short_cm or not self.long_cm:
            return None
        return self.long_cm / self.short_cm


def size_cm(text: str) -> tuple[float, float] | None:
    """(short, long) edges in cm read from "20×30 cm" (or "30 x 45"); None if none."""
    match = _SIZE.search(text or "")
    if match is None:
        return None
    a, b = (float(v.replace(",", ".")) for v in match.groups())
    return min(a, b), max(a, b)


def _variant_size(child) -> tuple[float, float] | None:
    # The "size" attribute if the class has one, the title otherwise.
    for value in child.get_attribute_values():
        if value.attribute.code == "size":
            return size_cm(str(value.value_as_text))
    return size_cm(child.title)


def print_parent() -> Product:
    return Product.objects.get(upc=PRINT_PARENT_UPC)


def print_parent_for(product_id: int) -> Product | None:
    """A public print parent (from a gallery page, say): its children are what is sold."""
    return (
        Product.objects.browsable()
        .filter(pk=product_id, structure=Product.PARENT, product_class__slug=PRINT.slug)
        .first()
    )


def print_variants(parent: Product, strategy) -> list[PrintVariant]:
    """The children of `parent` on sale, smallest first, with their price incl. VAT."""
    variants = []
    for child in parent.get_public_children().prefetch_related(
        "attribute_values__attribute"
    ):
        info = strategy.fetch_for_product(child)
        if not info.availability.is_available_to_buy:
            continue
        price = info.price.incl_tax if info.price.exists and info.price.is_tax_known else None
        edges = _variant_size(child)
        label = child.attribute_summary or child.get_title()
        variants.append(
            PrintVariant(child.pk, label, price, *(edges or (None, None)))
        )
    variants.sort(key=lambda v: (v.long_cm or 0, v.price_incl_tax or 0, v.label))
    return variants


def print_dpi(pixels: tuple[int | None, int | None], crop: Crop, variant: PrintVariant) -> (
    float | None
):
    """The resolution the print would have: the crop's pixels spread over the print's edges
    (the print is turned to match the crop). None when a size is unknown."""
    width, height = pixels
    if not width or not height or not variant.short_cm or not variant.long_cm:
        return None
    crop_w, crop_h = width * crop.width, height * crop.height
    long_px, short_px = max(crop_w, crop_h), min(crop_w, crop_h)
    return min(
        long_px / (variant.long_cm / _CM_PER_INCH), short_px / (variant.short_cm / _CM_PER_INCH)
    )


def low_dpi(pixels: tuple[int | None, int | None], crop: Crop,
            variant: PrintVariant) -> float | None:
    """The print's resolution when it is below MIN_DPI (the client is warned), else None."""
    dpi = print_dpi(pixels, crop, variant)
    return dpi if dpi is not None and dpi < MIN_DPI else None


def final_for(user, final_id: int) -> FinalPhoto:
    """The delivered final `user` may order a print of; 404 otherwise (booker's rule: who may
    download it may print it)."""
    return booker_selectors.final_file_for(user, final_id)


def extras_product() -> Product:
    """The "Photo supplémentaire" product whose lines carry a session's extra picks."""
    return Product.objects.filter(product_class__slug=EXTRA_PHOTO.slug).order_by("pk").first()


def is_extras_product(product) -> bool:
    """Whether `product` is the extras product, which only shop.personal.services puts in a
    basket (its lines name the session and the photos)."""
    product_class = product.get_product_class() if product is not None else None
    return product_class is not None and product_class.slug == EXTRA_PHOTO.slug


def line_options(line) -> dict[str, object]:
    """A basket or order line's options by code (Oscar's line attributes)."""
    return {a.option.code: a.value for a in line.attributes.all() if a.option_id}


@dataclass(frozen=True)
class LinePhoto:
    """What a line says about a photo: a client's final (with its proof's rush) and the crop."""

    final_id: int
    rush_id: int
    crop: Crop
    filename: str


def line_photo(line) -> LinePhoto | None:
    options = line_options(line)
    try:
        final_id = int(options.get(PHOTO) or 0)
    except (TypeError, ValueError):
        return None
    if not final_id:
        return None
    final = (
        FinalPhoto.objects.filter(pk=final_id)
        .select_related("job__rush")
        .only("pk", "original_filename", "job__rush__id", "job__rush__original_filename")
        .first()
    )
    if final is None:
        return None
    crop = Crop.parse(str(options.get(CROP) or "")) or FULL_FRAME
    return LinePhoto(final.pk, final.job.rush_id, crop, final.job.rush.original_filename)


def line_crop(line) -> Crop | None:
    """The crop of a print of a catalogue photo (no client final)."""
    return Crop.parse(str(line_options(line).get(CROP) or ""))


def line_picture(line, *, public_only: bool = True) -> Picture | None:
    """The public picture (a gallery photo) a print line names, if it names one still there
    (still public, unless not `public_only`: the lab prints what was paid for)."""
    return pictures.picture(str(line_options(line).get(IMAGE) or ""), public_only=public_only)


def extras_of_line(line) -> tuple[int, list[int]] | None:
    """(session id, rush ids) of an extra-photo line; None for any other line."""
    options = line_options(line)
    try:
        session_id = int(options.get(SESSION) or 0)
        rushes = [int(pk) for pk in str(options.get(EXTRA_RUSHES) or "").split(",") if pk]
    except (TypeError, ValueError):
        return None
    if not session_id:
        return None
    return session_id, rushes


def extras_unit_price(line) -> Decimal | None:
    """An extra-photo line's unit price incl. VAT: the session's price, not the catalogue's
    (a package sets it, and it was copied onto the session at booking)."""
    extras = extras_of_line(line)
    if extras is None:
        return None
    return booker_selectors.extras_unit_price(extras[0])


def paid_statuses() -> tuple[str, ...]:
    """Order statuses that mean the money is in (shop.payments' pipeline)."""
    names = ("ORDER_PAID", "ORDER_PREPARING", "ORDER_SHIPPED", "ORDER_DONE")
    return tuple(getattr(settings, n) for n in names if hasattr(settings, n))


def fulfilment_lines(*, paid_only: bool = True) -> QuerySet:
    """Order lines that are prints of a photo the lab must be sent (a client's final, or a
    gallery photo sold as a catalogue print), newest order first."""
    photo = OrderLineAttribute.objects.filter(
        line=OuterRef("pk"), option__code__in=(PHOTO, IMAGE)
    )
    lines = (
        OrderLine.objects.filter(Exists(photo))
        .select_related("order", "order__user", "product")
        .prefetch_related(
            Prefetch("attributes", queryset=OrderLineAttribute.objects.select_related("option"))
        )
        .order_by("-order__date_placed", "pk")
    )
    if paid_only:
        lines = lines.filter(order__status__in=paid_statuses())
    return lines


def fulfilment_line(line_id: int):
    """One personal-print order line and the final behind it, for the lab's download."""
    line = fulfilment_lines(paid_only=False).filter(pk=line_id).first()
    photo = line_photo(line) if line is not None else None
    if photo is None:
        return None, None
    return line, FinalPhoto.objects.get(pk=photo.final_id)


def fulfilment_picture(line_id: int) -> tuple[object, Picture | None]:
    """One order line printing a gallery photo and that photo, for the lab's download."""
    line = fulfilment_lines(paid_only=False).filter(pk=line_id).first()
    picture = line_picture(line, public_only=False) if line is not None else None
    if picture is None:
        return None, None
    return line, picture


# --- A line in words ---------------------------------------------------------------------------


def _numbers(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids)


def _crop_words(crop: Crop | None) -> str:
    if crop is None or crop == FULL_FRAME:
        return gettext("photo entière")
    return gettext("recadrage personnalisé")


def line_words(line) -> str:
    """What a basket or order line is, in French words for its customer, the shop and the lab:
    the product (whose title says the print's format) and what its options mean, never their
    raw values ("Séance = '3'", "Recadrage = '0.0000,…'"). Extras name their photos and
    session; prints name their photo and say whether it is cropped; options only the shop sets
    (a deposit's booking token) are not shown at all."""
    from shop.deposits.selectors import RESERVATION

    title = getattr(line, "title", "") or (str(line.product) if line.product_id else "")
    options = line_options(line)
    extras = extras_of_line(line)
    if extras is not None:
        session_id, rushes = extras
        session = PhotoSession.objects.filter(pk=session_id).only("title").first()
        name = session.title if session is not None else str(session_id)
        return ngettext(
            "Photo %(numbers)s de la séance « %(session)s »",
            "Photos %(numbers)s de la séance « %(session)s »",
            len(rushes),
        ) % {"numbers": _numbers(rushes), "session": name}
    words = []
    photo = line_photo(line) if options.get(PHOTO) else None
    picture = line_picture(line, public_only=False) if options.get(IMAGE) else None
    if photo is not None:
        words.append(gettext("votre photo %(name)s") % {"name": photo.filename})
    elif picture is not None:
        words.append(f"« {picture.title} »")
    if photo is not None or picture is not None or CROP in options:
        words.append(_crop_words(Crop.parse(str(options.get(CROP) or ""))))
    known = {PHOTO, IMAGE, CROP, SESSION, EXTRA_RUSHES, RESERVATION}
    names = {a.option.code: a.option.name for a in line.attributes.all() if a.option_id}
    for code, value in options.items():
        if code not in known:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            words.append(f"{names[code]} : {shown}")
    return f"{title} — {', '.join(words)}" if words else title
