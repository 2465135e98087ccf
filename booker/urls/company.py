"""The company's space on the team portal: /portal/entreprise/<slug>/… (booker.teams)."""

from django.urls import path

from booker.views import company

app_name = "company"

urlpatterns = [
    path("", company.dashboard, name="dashboard"),
    # The team: everyone sees it; an admin invites (POST), changes roles, removes, resends.
    path("equipe/", company.team, name="team"),
    path("equipe/membres/<id:pk>/", company.member, name="member"),
    path("equipe/invitations/<id:pk>/", company.invitation, name="invitation"),
    # Who did what for the company (admins only).
    path("activite/", company.activity, name="activity"),
]
