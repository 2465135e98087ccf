"""The daily run of the archive tier (booker.archive.archive_due_sessions), as a django-q2
Schedule. A data migration rather than a post_migrate hook: it is made once, after which the
studio owns it (change its hour in the admin, or delete it to archive by hand only) and no
later `migrate` puts it back."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

NAME = "booker.archive_due_sessions"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    if Schedule.objects.filter(name=NAME).exists():
        return
    # At night, when nobody uploads: copies to the archive share the bucket's bandwidth.
    tz = ZoneInfo(settings.TIME_ZONE)
    tomorrow = datetime.now(tz).date() + timedelta(days=1)
    Schedule.objects.create(
        name=NAME,
        func="booker.tasks.archive_due_sessions",
        schedule_type="D",
        repeats=-1,
        next_run=datetime.combine(tomorrow, time(3, 0), tzinfo=tz),
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("booker", "0005_studio_scale"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
