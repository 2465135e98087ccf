from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from booker.views import accounts, company

urlpatterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The second factor of everyone who reaches a back office (booker/twofactor).
    path("2fa/", include("booker.twofactor.urls")),
    path(
        "password-reset/",
        accounts.PasswordResetView.as_view(success_url=reverse_lazy("password_reset_done")),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The studio's invitation: a new client chooses their password (booker/people/services.py).
    path("invitation/<str:token>/", accounts.invitation_accept, name="invitation_accept"),
    # A company admin's invitation to the team (booker/teams/services.py).
    path("equipe/<str:token>/", company.invitation_accept, name="team_invitation_accept"),
    # One-click unsubscribe of reminders or marketing mail (booker/automation/unsubscribe.py).
    path("unsubscribe/<str:token>/", accounts.unsubscribe, name="unsubscribe"),
]
