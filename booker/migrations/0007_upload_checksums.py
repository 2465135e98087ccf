from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("booker", "0006_archive_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="rush",
            name="checked_at_upload",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="rushupload",
            name="part_checksums",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
