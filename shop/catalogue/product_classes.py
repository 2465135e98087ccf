"""The product classes and the one product the shop's code relies on, by their stable keys.

The shop's rules find them by these keys (the print chooser, the extras, the site's links to
order a print), and the demo seed creates them with the same keys (shop/demo.py): production
code reads them from here, never from the demo."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductClassSpec:
    slug: str
    name: str
    requires_shipping: bool
    track_stock: bool


# Prints, sessions and digital photos are made (or delivered) on demand: nothing to count, so
# they never run out. Albums and gift cards are bought in and shipped from a counted stock.
PRINT = ProductClassSpec("tirage-art", "Tirage d'art", requires_shipping=True, track_stock=False)
GOODS = ProductClassSpec("produit", "Produit", requires_shipping=True, track_stock=True)
SESSION = ProductClassSpec(
    "forfait-seance", "Forfait séance", requires_shipping=False, track_stock=False
)
EXTRA_PHOTO = ProductClassSpec(
    "photo-supplementaire", "Photo supplémentaire", requires_shipping=False, track_stock=False
)
# A booking's deposit (shop/deposits): its one product's lines carry the booking and are priced
# from the Booker. Created by shop/deposits/migrations (production needs it, not only the demo).
DEPOSIT = ProductClassSpec(
    "acompte-seance", "Acompte de séance", requires_shipping=False, track_stock=False
)
CLASSES = (PRINT, GOODS, SESSION, EXTRA_PHOTO, DEPOSIT)

# The parent product of every print (its variants: size × paper), which the print chooser sells.
PRINT_PARENT_UPC = "BK-TIRAGE"
# The deposit product (shop/deposits), sold only through a booking's deposit page.
DEPOSIT_UPC = "BK-ACOMPTE-SEANCE"
