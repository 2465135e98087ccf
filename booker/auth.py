"""Email login, case-insensitive: `Anne@Studio.fr` and `anne@studio.fr` are one account."""

from django.contrib.auth.backends import ModelBackend

from .models import normalise_email


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        return super().authenticate(
            request, username=normalise_email(email or username or ""), password=password, **kwargs
        )
