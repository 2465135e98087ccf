"""Purges of the page cache: one generation token for every stored page.

A stored page carries the token that was current when its rendering started; it is served only
while that token is still the current one. A purge replaces the token, so every page stored
before is dead at once, in every process (the token lives in the shared cache), and a page
rendered from data older than the purge can never be served after it. A lost token (evicted,
cache flushed) is replaced by a new random one, never by an old value: losing it purges too."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"


def page_cache() -> BaseCache:
    return caches[settings.PAGE_CACHE_ALIAS]


def _new_token() -> str:
    return secrets.token_hex(8)


def current_generation(cache: BaseCache | None = None) -> str:
    """The current token, made if there is none (first request, or the cache lost it)."""
    cache = cache or page_cache()
    token = cache.get(GENERATION_KEY)
    if token is None:
        token = ensure_generation(cache)
    return token


def ensure_generation(cache: BaseCache) -> str:
    # add() does not overwrite: two processes that both found none agree on one token.
    cache.add(GENERATION_KEY, _new_token(), timeout=None)
    return cache.get(GENERATION_KEY) or _new_token()


def _bump() -> None:
    page_cache().set(GENERATION_KEY, _new_token(), timeout=None)


def purge_all(reason: str = "") -> None:
    """Every stored page is dead from now on. Called at once and again when the transaction
    commits: a request rendering between the two saw the old rows and stored its page under
    the token of the first call, which the second one kills."""
    _bump()
    transaction.on_commit(_bump, robust=True)
    if reason:
        logger.debug("page cache purged: %s", reason)


def purge_frontend_urls(urls: Iterable[str]) -> None:
    """Purge these absolute URLs from the CDN (wagtail.contrib.frontend_cache), when one is
    configured; after the commit, so that the CDN's next fetch sees the new rows."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    urls = list(dict.fromkeys(urls))
    if not urls:
        return

    def purge() -> None:
        from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

        try:
            purge_urls_from_cache(urls)
        except Exception:  # a CDN outage must not fail a save; s-maxage bounds the staleness
            logger.exception("CDN purge of %d URLs failed", len(urls))

    transaction.on_commit(purge, robust=True)
