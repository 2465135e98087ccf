"""Everything a person reads is French: the fields /admin/ shows (lists, filters, forms) carry
a French label, not the field's name Django falls back to ("created at", "order number")."""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation

OURS = ("booker", "editorial", "shop.")
# Field names that are French words already: their fallback label reads right.
SAME_IN_FRENCH = {
    "action", "client", "date", "description", "message", "note", "segment", "slug", "source",
}


def _shown(model_admin) -> set[str]:
    names = [*model_admin.list_display, *model_admin.readonly_fields]
    names += [f[0] if isinstance(f, tuple) else f for f in model_admin.list_filter]
    names += list(model_admin.fields or [])
    for _, options in model_admin.fieldsets or []:
        names += list(options.get("fields", ()))
    if model_admin.date_hierarchy:
        names.append(model_admin.date_hierarchy)
    return {name for name in names if isinstance(name, str)}


def test_every_field_our_admin_shows_has_a_french_label():
    english = []
    with translation.override("fr"):
        for model, model_admin in admin.site._registry.items():
            if not type(model_admin).__module__.startswith(OURS):
                continue  # Oscar's and Django's own admins bring their own translations
            for name in sorted(_shown(model_admin)):
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue  # a method: its description is checked by the translations test
                label = str(field.verbose_name)
                if label == name.replace("_", " ") and name not in SAME_IN_FRENCH:
                    english.append(f"{model._meta.label}.{name}")
    assert english == []
