"""StreamField blocks of the site's pages. Each block renders through its own small template in
templates/editorial/blocks/, so page templates only say `{% include_block page.body %}`."""

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.list_block import ListValue
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtail.images.models import AbstractImage

from .choosers import CategoryChooserBlock, ProductChooserBlock
from .selectors import (
    category_products,
    product_card,
    products_by_id,
    request_strategy,
)

# Editors write prose, not layouts: headings come from the heading block, not from rich text.
PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]

# Limits that keep the layout whole on a phone: a heading wraps on two or three lines at most,
# a quote stays a quote and not a page, a gallery stays a glance and not an album (an album is
# a gallery page).
HEADING_MAX = 80
QUOTE_MAX = 400
CAPTION_MAX = 160
GALLERY_MIN_IMAGES = 2
GALLERY_MAX_IMAGES = 12
CTA_TEXT_MAX = 300
BUTTON_LABEL_MAX = 40


class HeadingBlock(blocks.CharBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", HEADING_MAX)
        kwargs.setdefault(
            "help_text",
            format_lazy(
                _("At most {max} characters: a short title reads better on a phone."),
                max=HEADING_MAX,
            ),
        )
        super().__init__(**kwargs)

    class Meta:
        icon = "title"
        form_classname = "title"
        template = "editorial/blocks/heading.html"
        label = _("Heading")


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, max_length=255, label=_("Caption"))

    class Meta:
        icon = "image"
        template = "editorial/blocks/image.html"
        label = _("Image")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(
        max_length=QUOTE_MAX,
        help_text=format_lazy(
            _("At most {max} characters; a longer text is a paragraph."), max=QUOTE_MAX
        ),
        label=_("Text"),
    )
    attribution = blocks.CharBlock(required=False, max_length=255, label=_("Attribution"))

    class Meta:
        icon = "openquote"
        template = "editorial/blocks/quote.html"
        label = _("Quote")


class GalleryImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, max_length=CAPTION_MAX, label=_("Caption"))

    class Meta:
        icon = "image"
        label = _("Photo")


class GalleryBlock(blocks.StructBlock):
    """A few photos in a grid inside a story; a tap opens them full screen (the lightbox)."""

    title = blocks.CharBlock(required=False, max_length=HEADING_MAX, label=_("Title"))
    images = blocks.ListBlock(
        GalleryImageBlock(),
        min_num=GALLERY_MIN_IMAGES,
        max_num=GALLERY_MAX_IMAGES,
        label=_("Photos"),
        help_text=format_lazy(
            _("From {min} to {max} photos; for more, make a gallery page."),
            min=GALLERY_MIN_IMAGES,
            max=GALLERY_MAX_IMAGES,
        ),
    )

    class Meta:
        icon = "image"
        template = "editorial/blocks/gallery.html"
        label = _("Gallery")


class CallToActionBlock(blocks.StructBlock):
    """A framed invitation with one button, to a page of the site or to another site."""

    title = blocks.CharBlock(max_length=HEADING_MAX, label=_("Title"))
    text = blocks.TextBlock(required=False, max_length=CTA_TEXT_MAX, label=_("Text"))
    button_label = blocks.CharBlock(max_length=BUTTON_LABEL_MAX, label=_("Button label"))
    page = blocks.PageChooserBlock(required=False, label=_("Page of the site"))
    url = blocks.URLBlock(required=False, label=_("Or another site's address"))

    def clean(self, value):
        value = super().clean(value)
        page, url = value.get("page"), value.get("url")
        if page and url:
            message = _("Choose a page of the site or an address, not both.")
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(message), "url": ValidationError(message)}
            )
        # A draft may be saved unfinished; publishing needs somewhere for the button to go.
        if not page and not url and not self.is_deferred_validation:
            raise StructBlockValidationError(
                non_block_errors=[
                    ValidationError(
                        _("The button needs a destination: choose a page of the site or "
                          "enter an address.")
                    )
                ]
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        page = value.get("page")
        request = (parent_context or {}).get("request")
        context["href"] = (page.get_url(request) if page and page.live else None) or value.get(
            "url"
        )
        return context

    class Meta:
        icon = "pick"
        template = "editorial/blocks/call_to_action.html"
        label = _("Call to action")


def session_type_choices() -> list[tuple[str, str]]:
    """The session types booked online, for the editor's select (read when the form is shown)."""
    from booker.selectors import bookable_session_types

    return [(t.slug, t.name) for t in bookable_session_types()]


class SessionTypeBlock(blocks.StructBlock):
    """A session type booked online as a card on a page: what it is, how long, its price and
    deposit, and a button to its free slots. A type no longer booked online renders nothing."""

    session_type = blocks.ChoiceBlock(choices=session_type_choices, label=_("Session type"))
    button_label = blocks.CharBlock(max_length=BUTTON_LABEL_MAX, required=False,
                                    label=_("Button label"),
                                    help_text=_("Empty: “See the free slots”."))

    def get_context(self, value, parent_context=None):
        from django.urls import reverse

        from booker.selectors import bookable_session_types

        context = super().get_context(value, parent_context)
        found = next((t for t in bookable_session_types()
                      if t.slug == value.get("session_type")), None)
        context["session_type"] = found
        context["href"] = reverse("booking:type", args=[found.slug]) if found else None
        return context

    class Meta:
        icon = "date"
        template = "editorial/blocks/session_type.html"
        label = _("Session to book")


class ProductBlock(ProductChooserBlock):
    """One product of the shop as a card: picture, live price incl. VAT, availability, link.
    A product deleted or unpublished since renders nothing."""

    def to_python(self, value):
        return self.bulk_to_python([value])[0]

    def bulk_to_python(self, values):
        # All the product blocks of a page load in one go, with what their cards need.
        products = products_by_id(values)
        return [products.get(pk) for pk in values]

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        request = (parent_context or {}).get("request")
        context["card"] = product_card(value, request_strategy(request))
        return context

    class Meta:
        icon = "tag"
        template = "editorial/blocks/product.html"
        label = _("Produit de la boutique")


class CategoryBlock(blocks.StructBlock):
    """The newest products of a shop category (and its subcategories), as cards."""

    category = CategoryChooserBlock(label=_("Category"))
    heading = blocks.CharBlock(
        required=False, max_length=120, help_text=_("Par défaut, le nom de la catégorie."),
        label=_("Heading"),
    )
    limit = blocks.IntegerBlock(
        default=4, min_value=1, max_value=12, label=_("Nombre de produits au plus")
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        strategy = request_strategy((parent_context or {}).get("request"))
        cards = [
            product_card(product, strategy)
            for product in category_products(value["category"], value["limit"])
        ]
        context["cards"] = [card for card in cards if card is not None]
        return context

    class Meta:
        icon = "folder-open-inverse"
        template = "editorial/blocks/category.html"
        label = _("Catégorie de la boutique")


class StoryBlock(blocks.StreamBlock):
    """The body of an article or of the home page."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=PARAGRAPH_FEATURES,
        template="editorial/blocks/paragraph.html",
        label=_("Paragraph"),
    )
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()
    gallery = GalleryBlock()
    call_to_action = CallToActionBlock()
    session_type = SessionTypeBlock()
    product = ProductBlock()
    category = CategoryBlock()


class ShopShelfBlock(blocks.StreamBlock):
    """Products of the shop chosen for the home page: single products or a category's newest."""

    product = ProductBlock()
    category = CategoryBlock()

    class Meta:
        max_num = 8


def images_in(value) -> Iterator[AbstractImage]:
    """Every Wagtail image in a block value (a stream, a struct, a list, at any depth), so that
    a page loads the renditions of all its pictures in one query (selectors.with_renditions)."""
    if isinstance(value, AbstractImage):
        yield value
    elif isinstance(value, blocks.StreamValue):
        for child in value:
            yield from images_in(child.value)
    elif isinstance(value, dict):  # a StructValue
        for item in value.values():
            yield from images_in(item)
    elif isinstance(value, (list, ListValue)):
        for item in value:
            yield from images_in(item)


def searchable_text(block: blocks.Block, raw) -> list[str]:
    """What `block.get_searchable_content()` gives for the stored (JSON) value `raw`, without
    turning the whole value into Python first: a product, page or image chooser has no text to
    give, so it is never fetched. A listing shows the reading time of several posts; loading
    every product and image of their bodies for it cost most of the home page's render."""
    if not getattr(block, "search_index", True):
        return []
    kind = type(block).get_searchable_content
    if kind is blocks.Block.get_searchable_content:
        return []
    if kind is blocks.StreamBlock.get_searchable_content:
        texts = []
        for item in raw or []:
            child = block.child_blocks.get(item.get("type"))
            if child is not None:
                texts.extend(searchable_text(child, item.get("value")))
        return texts
    if kind is blocks.StructBlock.get_searchable_content and isinstance(raw, dict):
        texts = []
        for name, child in block.child_blocks.items():
            if name in raw:
                texts.extend(searchable_text(child, raw[name]))
            else:
                texts.extend(child.get_searchable_content(child.get_default()))
        return texts
    if kind is blocks.ListBlock.get_searchable_content:
        texts = []
        for item in raw or []:
            value = item["value"] if block._item_is_in_block_format(item) else item
            texts.extend(searchable_text(block.child_block, value))
        return texts
    # A block of text (or one of a kind this does not know): ask it, as the search index does.
    return block.get_searchable_content(block.to_python(raw))


class TimelineEventBlock(blocks.StructBlock):
    # The year is what a timeline shows; the exact date is there for events that have one.
    year = blocks.IntegerBlock(min_value=1800, max_value=2200, label=_("Year"))
    date = blocks.DateBlock(
        required=False, help_text=_("Only when the exact day matters."), label=_("Date")
    )
    title = blocks.CharBlock(max_length=255, label=_("Title"))
    text = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, required=False, label=_("Text"))
    image = ImageChooserBlock(required=False, label=_("Image"))

    class Meta:
        icon = "date"
        template = "editorial/blocks/timeline_event.html"
        label = _("Event")


class TimelineBlock(blocks.StreamBlock):
    event = TimelineEventBlock()
