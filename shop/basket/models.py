from oscar.apps.basket.abstract_models import AbstractLine


class Line(AbstractLine):
    """Oscar's basket line, described in words (shop.personal.selectors.line_words) rather
    than as its raw options; the order line takes this description when the order is placed."""

    @property
    def description(self) -> str:
        from shop.personal.selectors import line_words

        return line_words(self)


from oscar.apps.basket.models import *  # noqa: E402,F403 -- Oscar fork: keep every other model
