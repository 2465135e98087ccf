"""StreamField blocks of the site's pages. Each block renders through its own small template in
templates/editorial/blocks/, so page templates only say `{% include_block page.body %}`."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

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
