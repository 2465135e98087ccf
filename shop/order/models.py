from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.abstract_models import AbstractLine, AbstractOrder


class Order(AbstractOrder):
    """Oscar's order, with the parcel's tracking number (typed on the dashboard when it is
    shipped; the "shipped" email carries it)."""

    tracking_number = models.CharField(_("Tracking number"), max_length=64, blank=True)


class Line(AbstractLine):
    """Oscar's order line, described in words (shop.personal.selectors.line_words) on every
    page and email that shows it, never as "Séance = '3'"."""

    @property
    def description(self) -> str:
        from shop.personal.selectors import line_words

        return line_words(self)


from oscar.apps.order.models import *  # noqa: E402,F403 -- Oscar fork: keep every other model
