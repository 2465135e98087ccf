"""StreamField blocks of the site's pages. Each block renders through its own small template in
templates/editorial/blocks/, so page templates only say `{% include_block page.body %}`."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from .choosers import CategoryChooserBlock, ProductChooserBlock
from .selectors import category_products, product_card, products_by_id, request_strategy

# Editors write prose, not layouts: headings come from the heading block, not from rich text.
PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        form_classname = "title"
        template = "editorial/blocks/heading.html"
        label = _("Heading")


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=255)

    class Meta:
        icon = "image"
        template = "editorial/blocks/image.html"
        label = _("Image")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=255)

    class Meta:
        icon = "openquote"
        template = "editorial/blocks/quote.html"
        label = _("Quote")


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

    category = CategoryChooserBlock()
    heading = blocks.CharBlock(
        required=False, max_length=120, help_text=_("Par défaut, le nom de la catégorie.")
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
    product = ProductBlock()
    category = CategoryBlock()


class TimelineEventBlock(blocks.StructBlock):
    # The year is what a timeline shows; the exact date is there for events that have one.
    year = blocks.IntegerBlock(min_value=1800, max_value=2200)
    date = blocks.DateBlock(required=False, help_text=_("Only when the exact day matters."))
    title = blocks.CharBlock(max_length=255)
    text = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, required=False)
    image = ImageChooserBlock(required=False)

    class Meta:
        icon = "date"
        template = "editorial/blocks/timeline_event.html"
        label = _("Event")


class TimelineBlock(blocks.StreamBlock):
    event = TimelineEventBlock()
