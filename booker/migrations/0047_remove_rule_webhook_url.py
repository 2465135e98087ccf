# The schema half of retiring the rules' webhook action, apart from 0046's data: PostgreSQL
# refuses to alter a table in the transaction that just deleted its rows (pending triggers).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('booker', '0046_retire_rule_webhooks'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='rule',
            name='webhook_url',
        ),
        migrations.AlterField(
            model_name='message',
            name='action',
            field=models.CharField(choices=[('email', 'Send an email'), ('task', 'Create a task for staff'), ('webhook', 'Call a webhook (old rule)')], max_length=8, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='rule',
            name='action',
            field=models.CharField(choices=[('email', 'Send an email'), ('task', 'Create a task for staff')], default='email', max_length=8, verbose_name='action'),
        ),
    ]
