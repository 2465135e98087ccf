from oscar.apps.basket.abstract_models import AbstractBasket, AbstractLine


class Basket(AbstractBasket):
    def is_shipping_required(self) -> bool:
        # Oscar asks each product; the shop also knows that a client's own prints are handed
        # over at the studio (shop.shipping.selectors.is_posted): with only those and digital
        # items, checkout asks for no address and charges no postage.
        from shop.shipping.selectors import is_posted

        return any(is_posted(line) for line in self.all_lines())


class Line(AbstractLine):
    """Oscar's basket line, described in words (shop.personal.selectors.line_words) rather
    than as its raw options; the order line takes this description when the order is placed."""

    @property
    def description(self) -> str:
        from shop.personal.selectors import line_words

        return line_words(self)


from oscar.apps.basket.models import *  # noqa: E402,F403 -- Oscar fork: keep every other model
