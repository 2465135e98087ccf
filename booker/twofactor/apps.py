from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "booker.twofactor"
    label = "twofactor"
    verbose_name = _("Second factor")

    def ready(self) -> None:
        # django-otp registers its devices in the admin, where the TOTP list links each staff
        # member's QR code (their secret) and the recovery codes are listed in clear. Nobody
        # needs them there: a superuser resets a second factor from the user list (an action),
        # and the person enrols again. Listed after django.contrib.admin, so this runs after
        # the admin's autodiscovery has registered them.
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
