from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactConfig(AppConfig):
    """The contact page (a Wagtail form whose submissions become the CRM's leads) and the
    newsletter's sign-up, confirmation and unsubscribe views."""

    name = "editorial.contact"
    label = "editorial_contact"
    verbose_name = _("Contact and newsletter")
    default_auto_field = "django.db.models.BigAutoField"
