"""The server-side page cache of the public site and the shop's catalogue (no models).

Anonymous visitors without a session, a basket or pending messages get pages from Django's
cache (Redis in production); everything they could change is purged by a generation token,
so that a publish or a price change shows on the next request. See middleware.py for what is
stored and what never is, services.py for the purges, signals.py for when they happen."""
