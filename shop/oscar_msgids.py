"""Oscar's msgids that our French catalogue translates in place of Oscar's own.

A msgid in locale/fr wins over Oscar's catalogue (LOCALE_PATHS come before the apps' locale
folders). Oscar's French leaves "choose action" in English (the dashboard's "-- choose action
--") and translates the address lines word for word ("Troisième ligne d'adresse",
"État/Région": a British form, not the way a French address is asked for). They are marked
here, never used, so that `make messages` keeps their translations in the .po instead of
dropping them as obsolete."""

from django.utils.translation import gettext_noop

OSCAR_MSGIDS = (
    gettext_noop("choose action"),
    gettext_noop("First line of address"),
    gettext_noop("Second line of address"),
    gettext_noop("Third line of address"),
    gettext_noop("State/County"),
    gettext_noop("Post/Zip-code"),
    # The dashboard's postal rates: Oscar's French says "intervalles de poids" and kg, but a
    # rate's bands count kilograms or euros of goods (shop/shipping/models.py): "tranches".
    gettext_noop("Weight bands"),
    gettext_noop("Weight range (kg)"),
    gettext_noop("Number of weight bands"),
    gettext_noop("Add a new weight band"),
    gettext_noop("Add weight band"),
    gettext_noop("Edit weight band"),
    gettext_noop("Delete weight band?"),
    gettext_noop("Are you sure you want to delete this weight band method?"),
    gettext_noop("No weight bands have been added yet."),
    gettext_noop("Default product weight (kg)"),
    gettext_noop("Default weight (kg)"),
)
