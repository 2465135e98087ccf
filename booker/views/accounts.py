from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class LoginView(auth_views.LoginView):
    """The one login page of the site, the shop, the portal and all three back offices."""

    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"
