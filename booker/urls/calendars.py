from django.urls import path

from booker.views import calendars

app_name = "calendars"

urlpatterns = [
    # No login: calendar apps send none. The token is the credential (booker.calendars).
    path("<str:token>.ics", calendars.feed, name="feed"),
]
