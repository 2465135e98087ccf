from oscar.apps.partner.models import *  # noqa: F403 -- Oscar fork: keep every model of the app
