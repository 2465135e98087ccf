"""The journal's categories (a snippet, ticked on each post), managed by the studio's editors
in /cms/: they add, rename, describe and delete them."""

import modelcluster.fields
from django.db import migrations, models

from booker import roles

CATEGORY_PERMISSIONS = roles.model_perms("editorial", "blogcategory")


def grant_categories(apps, schema_editor):
    roles.grant(apps, roles.EDITOR, CATEGORY_PERMISSIONS)


def revoke_categories(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=roles.EDITOR).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="editorial", content_type__model="blogcategory"
            )
        )


class Migration(migrations.Migration):

    dependencies = [
        ('editorial', '0006_home_sections_landing_page_story_blocks'),
    ]

    operations = [
        migrations.CreateModel(
            name='BlogCategory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80, unique=True, verbose_name='name')),
                ('slug', models.SlugField(help_text="The end of the category's address: /journal/categorie/<slug>/.", max_length=80, unique=True, verbose_name='slug')),
                ('description', models.TextField(blank=True, help_text="Shown at the top of the category's page.", verbose_name='description')),
            ],
            options={
                'verbose_name': 'blog category',
                'verbose_name_plural': 'blog categories',
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='blogpostpage',
            name='categories',
            field=modelcluster.fields.ParentalManyToManyField(blank=True, help_text="The journal's sections this post appears in.", related_name='posts', to='editorial.blogcategory', verbose_name='categories'),
        ),
        migrations.RunPython(grant_categories, revoke_categories),
    ]
