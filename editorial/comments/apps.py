from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "editorial.comments"
    label = "editorial_comments"
    verbose_name = _("Journal comments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 -- a comment's change reaches the page cache
