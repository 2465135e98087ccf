"""Admin choosers for the shop's products and categories, so editors can place them in pages.

Wagtail's generic `ChooserViewSet` gives a chooser modal and a StreamField block for any model,
without making Oscar's products Wagtail snippets (which would add a second place to edit them
next to Oscar's dashboard). Registered in wagtail_hooks.py."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet

from shop.catalogue.product_classes import SESSION

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")


class TitleSearchForm(BaseFilterForm):
    # Oscar's models are not in Wagtail's search index: a plain title filter is enough for a
    # catalogue of a few dozen products.
    q = forms.CharField(
        label=_("Recherche"),
        widget=forms.TextInput(attrs={"placeholder": _("Recherche")}),
        required=False,
    )

    def __init__(self, *args, title_field: str = "title", **kwargs):
        super().__init__(*args, **kwargs)
        self.title_field = title_field

    def filter(self, objects: QuerySet) -> QuerySet:
        query = self.cleaned_data.get("q")
        if query:
            self.is_searching = True
            self.search_query = query
            objects = objects.filter(**{f"{self.title_field}__icontains": query})
        return objects


class ProductSearchForm(TitleSearchForm):
    pass


class CategorySearchForm(TitleSearchForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, title_field="name", **kwargs)


class _ProductChooseMixin:
    filter_form_class = ProductSearchForm

    def get_object_list(self) -> QuerySet:
        # Variants are sold through their parent's page; non-public products have no page.
        return Product.objects.browsable().order_by("title")


class ProductChooseView(_ProductChooseMixin, ChooseView):
    pass


class ProductChooseResultsView(_ProductChooseMixin, ChooseResultsView):
    pass


class _PackageChooseMixin:
    filter_form_class = ProductSearchForm

    def get_object_list(self) -> QuerySet:
        # Session packages are sold through booking, not the catalogue, so they are not
        # public products: the catalogue chooser above would never offer them.
        return Product.objects.filter(parent=None, product_class__slug=SESSION.slug).order_by(
            "title"
        )


class PackageChooseView(_PackageChooseMixin, ChooseView):
    pass


class PackageChooseResultsView(_PackageChooseMixin, ChooseResultsView):
    pass


class _CategoryChooseMixin:
    filter_form_class = CategorySearchForm

    def get_object_list(self) -> QuerySet:
        return Category.objects.browsable().order_by("path")


class CategoryChooseView(_CategoryChooseMixin, ChooseView):
    pass


class CategoryChooseResultsView(_CategoryChooseMixin, ChooseResultsView):
    pass


class ProductChooserViewSet(ChooserViewSet):
    model = Product
    icon = "tag"
    choose_one_text = _("Choisir un produit")
    choose_another_text = _("Choisir un autre produit")
    choose_view_class = ProductChooseView
    choose_results_view_class = ProductChooseResultsView
    # Products are edited in Oscar's dashboard, never from a Wagtail form.
    register_widget = False


class PackageChooserViewSet(ProductChooserViewSet):
    choose_one_text = _("Choose a session package")
    choose_another_text = _("Choose another session package")
    choose_view_class = PackageChooseView
    choose_results_view_class = PackageChooseResultsView


class CategoryChooserViewSet(ChooserViewSet):
    model = Category
    icon = "folder-open-inverse"
    choose_one_text = _("Choisir une catégorie")
    choose_another_text = _("Choisir une autre catégorie")
    choose_view_class = CategoryChooseView
    choose_results_view_class = CategoryChooseResultsView
    register_widget = False


product_chooser_viewset = ProductChooserViewSet("product_chooser")
category_chooser_viewset = CategoryChooserViewSet("category_chooser")
package_chooser_viewset = PackageChooserViewSet("package_chooser")

ProductChooserBlock = product_chooser_viewset.get_block_class(
    name="ProductChooserBlock", module_path="editorial.choosers"
)
CategoryChooserBlock = category_chooser_viewset.get_block_class(
    name="CategoryChooserBlock", module_path="editorial.choosers"
)
