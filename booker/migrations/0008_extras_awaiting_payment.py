from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("booker", "0007_upload_checksums"),
    ]

    operations = [
        migrations.AlterField(
            model_name="photosession",
            name="status",
            field=models.CharField(
                choices=[
                    ("booked", "booked"),
                    ("shot", "shot"),
                    ("proofing", "proofing"),
                    ("awaiting_payment", "extras awaiting payment"),
                    ("selection_submitted", "selection submitted"),
                    ("retouching", "retouching"),
                    ("delivered", "delivered"),
                    ("archived", "archived"),
                    ("restoring", "restoring"),
                    ("cancelled", "cancelled"),
                ],
                default="booked",
                editable=False,
                max_length=24,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="finalphoto",
            name="width",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="finalphoto",
            name="height",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
