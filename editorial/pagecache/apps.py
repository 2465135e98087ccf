from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PageCacheConfig(AppConfig):
    name = "editorial.pagecache"
    label = "pagecache"
    verbose_name = _("Page cache")

    def ready(self) -> None:
        from . import receivers

        receivers.wire()
