"""PostgreSQL: the text-search configuration the page search stems with (SEARCH_CONFIG in
booke/settings/base.py). PostgreSQL's own 'french' also drops French stop words, among them
"été" (summer as well as "been"): "L'été au studio" would be found by "studio" only. This one
is 'french' with the same Snowball stemmer and no stop words. Nothing to do on SQLite.

After it runs, `manage.py update_index` re-stems the pages indexed before."""

from django.db import migrations

CONFIG = "booke_french"
DICTIONARY = "booke_french_stem"

CREATE = f"""
CREATE TEXT SEARCH DICTIONARY {DICTIONARY} (TEMPLATE = pg_catalog.snowball, LANGUAGE = french);
CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING REPLACE french_stem WITH {DICTIONARY};
"""
DROP = f"""
DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG};
DROP TEXT SEARCH DICTIONARY IF EXISTS {DICTIONARY};
"""


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0007_blog_categories")]

    operations = [migrations.RunPython(create, drop)]
