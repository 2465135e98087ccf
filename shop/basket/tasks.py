"""django-q2 tasks of the basket: thin callers of the services."""

from . import services


def announce_abandoned_baskets() -> str:
    return f"{services.announce_abandoned_baskets()} abandoned basket(s) announced"
