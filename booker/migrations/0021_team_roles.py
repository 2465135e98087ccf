from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion
from django.utils.text import slugify


def forwards(apps, schema_editor):
    Company = apps.get_model("booker", "Company")
    Membership = apps.get_model("booker", "Membership")
    taken: set[str] = set()
    for company in Company.objects.order_by("pk"):
        base = slugify(company.name)[:70] or "entreprise"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        Company.objects.filter(pk=company.pk).update(slug=slug)
    # The office manager of yesterday is the team's admin of today.
    Membership.objects.filter(role="manager").update(role="admin")


def backwards(apps, schema_editor):
    Membership = apps.get_model("booker", "Membership")
    Membership.objects.filter(role__in=["admin", "approver"]).update(role="manager")


class Migration(migrations.Migration):

    dependencies = [
        ("booker", "0020_travel_fees"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="slug",
            # No index yet: the unique one below makes it (on PostgreSQL, a first index would
            # collide with the unique's "_like" index of the same name).
            field=models.SlugField(db_index=False, default="", max_length=80,
                                   verbose_name="slug"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="company",
            name="annual_budget",
            field=models.DecimalField(blank=True, decimal_places=2, help_text="Shown on the company's dashboard against this year's spend.", max_digits=10, null=True, verbose_name="annual photo budget"),
        ),
        migrations.AddField(
            model_name="company",
            name="order_approval_threshold",
            field=models.DecimalField(blank=True, decimal_places=2, help_text="Empty: no approval. An order whose total is above it waits for an approver or an admin of the company before it is placed.", max_digits=10, null=True, verbose_name="orders above this amount need an approver"),
        ),
        migrations.AddField(
            model_name="rush",
            name="sitter",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="sitter"),
        ),
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(choices=[("admin", "admin"), ("approver", "approver"), ("member", "member")], default="member", max_length=16, verbose_name="role"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="company",
            name="slug",
            field=models.SlugField(max_length=80, unique=True, verbose_name="slug"),
        ),
    ]
