"""When the page cache is purged: whatever a public page shows has changed.

- Wagtail pages: published, unpublished, moved, deleted (a draft saved changes nothing public;
  menus and listings come from the tree, so any of these may change any page).
- The shop: a product, its stock record (price, stock), its categories and images, a
  category, an offer, a review (the product pages, the catalogue and the pages that place
  products show them).
- Site settings (wagtail.contrib.settings) and Wagtail sites.
- The comments shown under a post (editorial.comments' `thread_changed`).
- A session type booked online (booker), whose card a page may embed.
The CDN (wagtail.contrib.frontend_cache, when configured) purges a published page itself;
for a product, its own page and the catalogue are purged here, and the other pages showing it
follow within the shared caches' s-maxage."""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import services

# (app_label, model) of the shop's rows whose change shows on public pages.
SHOP_MODELS = [
    ("catalogue", "Product"),
    ("catalogue", "ProductCategory"),
    ("catalogue", "ProductImage"),
    ("catalogue", "ProductAttributeValue"),
    ("catalogue", "Category"),
    ("partner", "StockRecord"),
    ("offer", "ConditionalOffer"),
    ("reviews", "ProductReview"),
]


def on_page_change(sender, instance=None, **kwargs) -> None:
    services.purge_all(f"page {getattr(instance, 'pk', '?')} ({sender.__name__})")


def on_shop_change(sender, instance=None, **kwargs) -> None:
    services.purge_all(f"{sender.__name__} {getattr(instance, 'pk', '?')}")
    services.purge_frontend_urls(_shop_urls(instance))


def on_thread_change(sender, post=None, **kwargs) -> None:
    services.purge_all(f"comments of post {getattr(post, 'pk', '?')}")
    if post is not None:
        services.purge_frontend_urls([post.get_full_url()])


def on_settings_change(sender, instance=None, **kwargs) -> None:
    services.purge_all(f"{sender.__name__} saved")


def on_blog_category_change(sender, instance=None, **kwargs) -> None:
    # A category's name shows on the journal, its pages and every post card that has it.
    services.purge_all(f"blog category {getattr(instance, 'pk', '?')}")


def on_session_type_change(sender, instance=None, **kwargs) -> None:
    # A session type's card (its price, deposit, whether it is booked online) shows on the
    # pages that embed it.
    services.purge_all(f"session type {getattr(instance, 'pk', '?')}")


def _shop_urls(instance) -> list[str]:
    """Absolute URLs (on SITE_URL, as the CDN serves them) of the product's own page and the
    catalogue's first page."""
    from django.urls import reverse

    from booker.mail import absolute_url

    urls = [absolute_url(reverse("catalogue:index"))]
    product = getattr(instance, "product", None) or instance
    get_url = getattr(product, "get_absolute_url", None)
    if callable(get_url):
        try:
            urls.append(absolute_url(get_url()))
        except Exception:  # noqa: BLE001 -- a half-deleted row has no URL; the index suffices
            pass
    return urls


def wire() -> None:
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
    from wagtail.models import Page, Site

    from editorial.comments.signals import thread_changed

    thread_changed.connect(on_thread_change, dispatch_uid="pagecache-comments")
    page_published.connect(on_page_change, dispatch_uid="pagecache-published")
    page_unpublished.connect(on_page_change, dispatch_uid="pagecache-unpublished")
    post_page_move.connect(on_page_change, dispatch_uid="pagecache-moved")
    for model in apps.get_models():
        if issubclass(model, Page):
            post_delete.connect(on_page_change, sender=model, dispatch_uid=f"pagecache-{model}")
        elif issubclass(model, (BaseSiteSetting, BaseGenericSetting, Site)):
            for signal in (post_save, post_delete):
                signal.connect(on_settings_change, sender=model,
                               dispatch_uid=f"pagecache-{model}")
    blog_category = apps.get_model("editorial", "BlogCategory")
    for signal in (post_save, post_delete):
        signal.connect(on_blog_category_change, sender=blog_category,
                       dispatch_uid="pagecache-blogcategory")
    session_type = apps.get_model("booker", "SessionType")
    for signal in (post_save, post_delete):
        signal.connect(on_session_type_change, sender=session_type,
                       dispatch_uid="pagecache-sessiontype")
    for label, name in SHOP_MODELS:
        model = apps.get_model(label, name)
        for signal in (post_save, post_delete):
            signal.connect(on_shop_change, sender=model, dispatch_uid=f"pagecache-{label}.{name}")
