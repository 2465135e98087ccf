from oscar.apps.basket.models import *  # noqa: F403 -- Oscar fork: keep every model of the app
