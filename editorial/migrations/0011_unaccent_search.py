"""PostgreSQL: the page search folds accents, so that "saone" finds "Saône" and "gravee"
finds "gravée" (typed on a phone, or by habit). The words with accents (PostgreSQL's `word`,
`hword` and `hword_part` tokens; the plain-ASCII ones are `ascii*`) go through `unaccent`
before the French stemmer, in the configuration that indexes the pages and reads the query
alike (booke_french, migration 0008). `unaccent` is one of PostgreSQL's contrib extensions,
trusted since PostgreSQL 13: the database's owner may create it. Nothing to do on SQLite,
whose FTS5 tokenizer (unicode61) removes diacritics by itself.

After it runs, `manage.py update_index` re-indexes the pages indexed before."""

from django.db import migrations

CONFIG = "booke_french"
DICTIONARY = "booke_french_stem"
TOKENS = "word, hword, hword_part"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS unaccent;
ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR {TOKENS} WITH unaccent, {DICTIONARY};
"""
# The extension stays: other objects of the database may have come to use it.
DROP = f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR {TOKENS} WITH {DICTIONARY};"


def fold(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def unfold(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0010_french_labels")]

    operations = [migrations.RunPython(fold, unfold)]
