from django.urls import URLPattern, URLResolver
from oscar import config


class BookeShop(config.Shop):
    """Oscar's root app, with the dashboard taken out: it is mounted at /dashboard/, beside
    /admin/ and /cms/, rather than under /shop/."""

    def get_urls(self) -> list[URLPattern | URLResolver]:
        return [u for u in super().get_urls() if str(u.pattern) != "dashboard/"]
