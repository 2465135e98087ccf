"""The Option naming the public picture (a gallery photo) a catalogue print line is made of:
the generic print is sold under many gallery photos, and the lab must print the one chosen.
Not attached to any product class, like the others (see 0001)."""

from django.db import migrations


def create_option(apps, schema_editor):
    Option = apps.get_model("catalogue", "Option")
    Option.objects.get_or_create(code="image", defaults={"name": "Photo de la galerie", "type": "text"})


class Migration(migrations.Migration):
    dependencies = [("personal", "0001_line_options")]

    operations = [migrations.RunPython(create_option, migrations.RunPython.noop)]
