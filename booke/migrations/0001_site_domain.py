from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def set_domain(apps, schema_editor):
    """Links in emails (password reset, Oscar's) are built from the sites framework, whose
    default is example.com: use the site's real address (SITE_URL) instead."""
    Site = apps.get_model("sites", "Site")
    url = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    Site.objects.update_or_create(
        id=settings.SITE_ID, defaults={"domain": url.netloc, "name": "Booké"}
    )


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(set_domain, migrations.RunPython.noop)]
