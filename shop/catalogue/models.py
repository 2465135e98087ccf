from oscar.apps.catalogue.abstract_models import AbstractProduct


class Product(AbstractProduct):
    """Oscar's product; who may review it changes, and a variant's description."""

    def get_meta_description(self) -> str:
        # Oscar falls back on the variant's own description, which a variant seldom has: its
        # page had empty meta and OpenGraph descriptions. It is its parent's product.
        description = super().get_meta_description()
        if not description.strip() and self.is_child and self.parent_id:
            description = self.parent.get_meta_description()
        return description

    def is_review_permitted(self, user) -> bool:
        # Reviews are of what the catalogue sells: not a session's extra photos nor a booking's
        # deposit, which nobody chooses from a product page (Oscar offered "Écrire un avis" on
        # them in the customer's orders).
        from shop.catalogue.product_classes import DEPOSIT, EXTRA_PHOTO, PRINT_PARENT_UPC

        product_class = self.get_product_class()
        if product_class is not None and product_class.slug in (EXTRA_PHOTO.slug, DEPOSIT.slug):
            return False
        # A print variant (size × paper) is what a client's own photo is printed on: the order
        # page cannot tell that line from a catalogue one, so prints are reviewed on their
        # parent's catalogue page ("Tirage d'art"), never from a personal print's line.
        if self.is_child and self.parent.upc == PRINT_PARENT_UPC:
            return False
        return super().is_review_permitted(user)


from oscar.apps.catalogue.models import *  # noqa: E402,F403 -- Oscar fork: keep every other model
