"""Oscar's checkout session mixin, with pickup at the studio needing no postal address.

Oscar asks for the shipping address before the method whenever the basket travels; an order
collected at the studio has nowhere to be posted. The address page offers pickup first
(shop.checkout.views.PickupView); once it is the chosen method, the later steps check the
method alone, and the order is placed without a shipping address."""

from __future__ import annotations

from oscar.apps.checkout import session as oscar_session

from shop.shipping.methods import StudioPickup


class CheckoutSessionMixin(oscar_session.CheckoutSessionMixin):
    def is_picked_up(self, basket) -> bool:
        return self.checkout_session.shipping_method_code(basket) == StudioPickup.code

    def check_shipping_data_is_captured(self, request):
        if request.basket.is_shipping_required() and self.is_picked_up(request.basket):
            self.check_a_valid_shipping_method_is_captured()
            return
        super().check_shipping_data_is_captured(request)
