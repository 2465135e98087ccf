"""The Oscar Options that basket and order lines carry for personal prints and extra photos.

They are not attached to any product class on purpose: Oscar's add-to-basket form renders a
field for each option of the product's class, and a visitor must not be able to type another
client's photo number into the public print page. Only shop.personal.services sets them, after
its permission check."""

from django.db import migrations

OPTIONS = (
    ("photo", "Photo"),
    ("recadrage", "Recadrage"),
    ("seance", "Séance"),
    ("photos", "Photos supplémentaires"),
)


def create_options(apps, schema_editor):
    Option = apps.get_model("catalogue", "Option")
    for code, name in OPTIONS:
        Option.objects.get_or_create(code=code, defaults={"name": name, "type": "text"})


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0032_category_exclude_from_menu_category_long_description"),
    ]

    operations = [migrations.RunPython(create_options, migrations.RunPython.noop)]
