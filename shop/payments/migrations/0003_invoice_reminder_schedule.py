"""The daily invoice reminders (shop.payments.tasks.send_invoice_reminders) as a django-q2
Schedule, made once like booker's archive schedule: the studio owns it afterwards (change its
hour in the admin, or delete it and run `manage.py send_invoice_reminders` by hand)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

NAME = "shop.payments.send_invoice_reminders"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    if Schedule.objects.filter(name=NAME).exists():
        return
    # In the morning, when the accounts departments read their mail.
    tz = ZoneInfo(settings.TIME_ZONE)
    tomorrow = datetime.now(tz).date() + timedelta(days=1)
    Schedule.objects.create(
        name=NAME,
        func="shop.payments.tasks.send_invoice_reminders",
        schedule_type="D",
        repeats=-1,
        next_run=datetime.combine(tomorrow, time(9, 0), tzinfo=tz),
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_shop_manager_permissions"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
