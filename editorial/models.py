from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    hero_title = models.CharField(max_length=200, blank=True)
    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("hero_title"), FieldPanel("intro")]
    max_count = 1
