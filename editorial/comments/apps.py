from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "editorial.comments"
    label = "editorial_comments"
    verbose_name = _("Journal comments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals
        from .models import Comment

        post_save.connect(signals.on_comment_saved, sender=Comment, dispatch_uid="comments-saved")
        post_delete.connect(
            signals.on_comment_deleted, sender=Comment, dispatch_uid="comments-deleted"
        )
