"""Reads of the catalogue: the variant picker of a parent product (size × paper, and whatever
else its variants differ by).

The picker's choice is made here, on the server, for the add-to-basket form
(shop/basket/forms.py): the product page's script only shows the price of the combination
being picked (static/shop/variant_picker.js), and without the script a list of the variants
is posted instead."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from oscar.templatetags.currency_filters import currency


@dataclass(frozen=True)
class PickerVariant:
    """One variant as the picker offers it: its value for each dimension, its price incl. VAT."""

    product: Any  # Oscar's Product, a child
    values: dict[str, str]  # attribute code → the value as a person reads it
    price: Decimal | None
    currency: str
    available: bool

    @property
    def price_text(self) -> str:
        return currency(self.price, self.currency) if self.price is not None else ""

    @property
    def label(self) -> str:
        """"30×45 cm, Fine Art Baryta, Mat": its values, in the dimensions' order."""
        return ", ".join(self.values.values()) or self.product.get_title()


@dataclass(frozen=True)
class DimensionChoice:
    value: str
    selected: bool  # the value of the variant the picker starts on


@dataclass(frozen=True)
class Dimension:
    """An attribute the variants differ by ("Format": 20×30 cm, 30×45 cm, 40×60 cm)."""

    code: str
    name: str
    choices: list[DimensionChoice]

    @property
    def field_name(self) -> str:
        return f"variant_{self.code}"


@dataclass(frozen=True)
class VariantPicker:
    parent: Any
    dimensions: list[Dimension]
    variants: list[PickerVariant]  # the cheapest first
    initial: PickerVariant | None  # the cheapest one can buy: the page's "à partir de"

    def choose(self, values: Mapping[str, str]) -> PickerVariant | None:
        """The variant with exactly these values for every dimension; None when a dimension is
        missing or no variant is made so (a 20×30 is never framed)."""
        if any(not values.get(dimension.code) for dimension in self.dimensions):
            return None
        for variant in self.variants:
            if all(variant.values.get(d.code) == values[d.code] for d in self.dimensions):
                return variant
        return None

    def variant(self, product_id: int) -> PickerVariant | None:
        return next((v for v in self.variants if v.product.pk == product_id), None)

    def as_data(self) -> dict:
        """What the page's script reads (json_script): the dimensions, and every variant with
        its values and its price as the page writes it."""
        return {
            "dimensions": [dimension.code for dimension in self.dimensions],
            "variants": [
                {
                    "id": variant.product.pk,
                    "values": variant.values,
                    "price": variant.price_text,
                    "available": variant.available,
                }
                for variant in self.variants
            ],
        }


def _values(child) -> list[tuple[Any, str]]:
    """(attribute, value as text) of the child's own attribute values."""
    return [
        (value.attribute, str(value.value_as_text))
        for value in child.attribute_values.all()
        if value.value_as_text not in (None, "")
    ]


def variant_picker(parent, strategy) -> VariantPicker:
    """The picker of a parent product: its public variants that have a price, priced by the
    strategy, and the attributes whose values differ between them, each value in the order of
    its cheapest variant (so sizes read from the smallest, plain before framed)."""
    children = list(
        parent.get_public_children().prefetch_related(
            "stockrecords", "attribute_values__attribute", "attribute_values__value_option"
        )
    )
    priced, attributes = [], {}
    for child in children:
        info = strategy.fetch_for_product(child)
        if not info.price.exists or not info.price.is_tax_known:
            continue
        values = _values(child)
        for attribute, _ in values:
            attributes.setdefault(attribute.code, attribute)
        priced.append((child, info, dict((a.code, text) for a, text in values)))
    priced.sort(key=lambda item: item[1].price.incl_tax)  # stable: ties keep Oscar's order

    # A dimension is an attribute whose value is not the same for every variant.
    codes = [
        code for code, attribute in sorted(attributes.items(), key=lambda item: item[1].pk)
        if len({values.get(code) for _, _, values in priced}) > 1
    ]
    variants = [
        PickerVariant(
            product=child,
            values={code: values.get(code, "") for code in codes},
            price=info.price.incl_tax,
            currency=info.price.currency,
            available=info.availability.is_available_to_buy,
        )
        for child, info, values in priced
    ]
    initial = next((v for v in variants if v.available), None)
    dimensions = []
    for code in codes:
        ordered = list(dict.fromkeys(v.values[code] for v in variants if v.values[code]))
        dimensions.append(
            Dimension(
                code=code,
                name=attributes[code].name,
                choices=[
                    DimensionChoice(value, initial is not None and initial.values[code] == value)
                    for value in ordered
                ],
            )
        )
    return VariantPicker(parent=parent, dimensions=dimensions, variants=variants,
                         initial=initial)
