from django.db import migrations, models
from django.db.models import F


def history_is_planned(apps, schema_editor):
    # Events before this field existed were planned (or are too old to plan now).
    SessionEvent = apps.get_model("booker", "SessionEvent")
    SessionEvent.objects.filter(planned_at__isnull=True).update(planned_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("booker", "0021_team_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="sessionevent",
            name="planned_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(history_is_planned, migrations.RunPython.noop),
    ]
