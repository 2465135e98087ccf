"""Wagtail's msgids that our French catalogue translates in place of Wagtail's own.

Wagtail's InlinePanel button reads "Add <label>", which Wagtail's French makes "Ajouter un(e)
<label>": "Ajouter un(e) Photos" under a gallery. Ours says "Ajouter : <label>", each
InlinePanel's label naming one item ("photo"). A msgid in locale/fr wins over Wagtail's
(LOCALE_PATHS first); it is marked here, never used, so that `make messages` keeps it."""

from django.utils.translation import gettext_noop

WAGTAIL_MSGIDS = (gettext_noop("Add %(label)s"),)
