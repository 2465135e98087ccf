from oscar.apps.checkout.models import *  # noqa: F403 -- Oscar fork: keep every model of the app
