"""Purges the cached site chrome when what it shows may have changed: a page published,
unpublished, moved or deleted (the default menu and every page link), a site or a picture
changed (URLs, the logo). Settings purge on their own save."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.images.models import Image
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .selectors import purge_site_chrome


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def _page_changed(sender, **kwargs) -> None:
    purge_site_chrome()


@receiver(post_delete)
def _page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        purge_site_chrome()


@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
@receiver(post_save, sender=Image)
def _site_or_picture_changed(sender, **kwargs) -> None:
    purge_site_chrome()
