"""Migration 0046 retires the rules' "call a webhook" action (one shared key, no timestamp):
each such rule becomes a signed webhook endpoint for its event, the studio gets a task to hand
the receiver its new secret, and what the rule still had to send is marked not sent.

Transactional (migrations commit), with serialized_rollback like every migration test here."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("booker", "0045_gallery_visited_event")]
AFTER = [("booker", "0047_remove_rule_webhook_url")]


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_webhook_rule_becomes_a_signed_endpoint_and_the_studio_is_told():
    try:
        old = migrate_to(BEFORE)
        Rule = old.get_model("booker", "Rule")
        Message = old.get_model("booker", "Message")
        url = "https://crm.example.test/hook"
        published = Rule.objects.create(name="CRM épreuves", event="session.proofing",
                                        action="webhook", webhook_url=url)
        Rule.objects.create(name="CRM livraison", event="session.delivered",
                            action="webhook", webhook_url=url, is_active=False)
        email_rule = Rule.objects.create(name="Merci", event="session.delivered",
                                         action="email")
        Message.objects.create(key="a", rule=published, action="webhook", recipient=url,
                               status="pending")
        Message.objects.create(key="b", rule=published, action="webhook", recipient=url,
                               status="sent")

        new = migrate_to(AFTER)
        Rule = new.get_model("booker", "Rule")
        Message = new.get_model("booker", "Message")
        WebhookEndpoint = new.get_model("booker", "WebhookEndpoint")
        StaffTask = new.get_model("booker", "StaffTask")
        [endpoint] = WebhookEndpoint.objects.all()
        assert endpoint.url == url and endpoint.is_active
        assert endpoint.events == ["session.delivered", "session.proofing"]
        assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
        assert "CRM épreuves" in endpoint.description
        assert not Rule.objects.filter(name__startswith="CRM").exists()
        assert Rule.objects.filter(pk=email_rule.pk).exists()
        statuses = dict(Message.objects.values_list("key", "status"))
        assert statuses == {"a": "skipped", "b": "sent"}
        [task] = StaffTask.objects.all()
        assert url in task.title and "secret" in task.title
    finally:
        call_command("migrate", verbosity=0)
