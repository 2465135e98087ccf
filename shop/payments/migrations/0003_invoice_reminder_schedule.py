"""Made the daily invoice reminders' django-q2 Schedule ("shop.payments.send_invoice_reminders")
once.

A no-op now: the schedule is declared in shop/payments/schedules.py and made (and kept) by the
Booker's registry (booker/schedules.py) after every `migrate` and when the cluster starts.
Kept for the history (applied on existing databases); it never changed the schema, so no model
state changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_shop_manager_permissions"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop,
                                       elidable=True)]
