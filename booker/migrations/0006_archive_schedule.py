"""Made the daily archive run's django-q2 Schedule ("booker.archive_due_sessions") once.

The schedules are now declared in code and made by the registry (booker/schedules.py) after
every `migrate` and when the cluster starts, so this migration does nothing any more. It stays
in the history: databases have it recorded as applied, and later migrations depend on it. Its
operation never changed the schema, so emptying it changes no model state; a database that
ran it keeps its row, which the registry then owns (no second one is made)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("booker", "0005_studio_scale"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop,
                                       elidable=True)]
