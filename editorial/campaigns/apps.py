from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "editorial.campaigns"
    label = "editorial_campaigns"
    verbose_name = _("Email campaigns")
    default_auto_field = "django.db.models.BigAutoField"
