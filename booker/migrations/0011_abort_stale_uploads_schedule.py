"""The daily sweep of rush uploads left open for days (booker.uploads.abort_stale_uploads), as a
django-q2 Schedule: without it, the parts of every tab closed for good stayed in the bucket,
paid for, until someone remembered `manage.py abort_stale_uploads`. Made once, like the
archive's schedule (0006): the studio owns it afterwards."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

NAME = "booker.abort_stale_uploads"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    if Schedule.objects.filter(name=NAME).exists():
        return
    # Before the archive's 3:00 run, at an hour when nobody is uploading.
    tz = ZoneInfo(settings.TIME_ZONE)
    tomorrow = datetime.now(tz).date() + timedelta(days=1)
    Schedule.objects.create(
        name=NAME,
        func="booker.tasks.abort_stale_uploads",
        schedule_type="D",
        repeats=-1,
        next_run=datetime.combine(tomorrow, time(2, 30), tzinfo=tz),
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("booker", "0010_crm_roles"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
