"""Made the daily sweep of stale rush uploads' django-q2 Schedule ("booker.abort_stale_uploads")
once.

Like 0006, a no-op now: the registry (booker/schedules.py) makes and keeps the schedule after
every `migrate` and when the cluster starts. Kept for the history (applied on existing
databases); it never changed the schema, so no model state changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("booker", "0010_crm_roles"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop,
                                       elidable=True)]
