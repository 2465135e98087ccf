"""Oscar's product index, reading the products with what their catalogue card needs."""

from __future__ import annotations

from django.db.models import QuerySet
from haystack import indexes
from oscar.apps.search import search_indexes as oscar_indexes
from oscar.core.loading import get_model
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.support.charset import accent_map

Product = get_model("catalogue", "Product")

# Whoosh's StemmingAnalyzer (haystack's default for text) with the accents folded before the
# stop words and the stemmer: a visitor types "saone" or "gravee" on a phone, the catalogue
# says "Saône", "gravée". Whoosh reads the query through the field's analyzer too, so both
# sides are folded alike. The index keeps the terms it was written with: re-index the products
# once after changing this, and a search server (HAYSTACK_URL) ignores it (docs/deploy.md).
FOLDING_ANALYZER = (
    RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter()
)


class ProductIndex(oscar_indexes.ProductIndex):
    # Oscar's search text, read through the folding analyzer.
    text = indexes.CharField(
        document=True,
        use_template=True,
        template_name="oscar/search/indexes/product/item_text.txt",
        analyzer=FOLDING_ANALYZER,
    )

    def read_queryset(self, using: str | None = None) -> QuerySet:
        # A parent's card shows the price of its first public child and whether any can be
        # bought (Structured.fetch_for_parent): prefetched here, with their stock records, or
        # the strategy queries the children, then their stock records, for each parent.
        public_children = Product.objects.public().prefetch_related("stockrecords")
        return super().read_queryset(using).prefetch_public_children(public_children)
