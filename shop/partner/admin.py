from oscar.apps.partner.admin import *  # noqa: F403 -- Oscar fork: keep every model of the app
