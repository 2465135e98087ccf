"""Oscar's browse forms, loading the listed products in bulk.

Oscar lists the catalogue (and a category) from the Haystack index, and each result's product
is then fetched from the database when the card is drawn: one lookup, with its five prefetches,
per product on the page. A search with words loads them all in one go (Haystack's `load_all`,
on by default in its views); browsing without words returns the bare queryset and does not.
"""

from __future__ import annotations

from haystack.query import SearchQuerySet
from oscar.apps.search import forms as oscar_forms


class LoadAllWhenBrowsing:
    load_all: bool

    def no_query_found(self) -> SearchQuerySet:
        results = super().no_query_found()
        return results.load_all() if self.load_all else results


class BrowseCategoryForm(LoadAllWhenBrowsing, oscar_forms.BrowseCategoryForm):
    pass


class CategoryForm(LoadAllWhenBrowsing, oscar_forms.CategoryForm):
    pass
