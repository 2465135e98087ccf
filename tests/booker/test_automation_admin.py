"""The automation engine in the studio's admin (issue #16): rules and emails edited by the
photographer, the preview on a real session, the outbox read only, given-up messages sent
again, and what the studio page shows of a session's messages and history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from booker import roles, services
from booker.automation.models import EmailTemplate, Message, Rule, StaffTask
from booker.events import Event
from tests.booker.factories_studio import PhotoSessionFactory
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db
S = Message.Status


def rule_data(rule: Rule, **changes) -> dict:
    data = {
        "name": rule.name, "is_active": "on" if rule.is_active else "", "event": rule.event,
        "audience": rule.audience, "package": "", "min_amount": "",
        "unless": list(rule.unless), "action": rule.action,
        "template": rule.template_id or "", "recipients": list(rule.recipients),
        "task_title": rule.task_title,
        "delay_days": rule.delay.days, "delay_hours": rule.delay.seconds // 3600,
        "anchor": rule.anchor,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", None) or k in ("name",)}


def template_data(template: EmailTemplate, **changes) -> dict:
    return {"name": template.name, "kind": template.kind, "subject": template.subject,
            "body_html": template.body_html, "body_text": template.body_text, **changes}


def message(session=None, status=S.SENT, **fields) -> Message:
    # Test data written as the engine would have left it (the outbox is never edited).
    defaults = {"key": f"test:{Message.objects.count()}", "action": Rule.Action.EMAIL,
                "recipient": "claire@example.test", "template_key": "proofs-ready",
                "session": session, "status": status}
    return Message.objects.create(**{**defaults, **fields})


# --- Rules --------------------------------------------------------------------------------------


def test_the_rule_list_speaks_the_studios_words(studio):
    response = studio.get(reverse("admin:booker_rule_changelist"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Relance sélection après 3 jours" in text
    assert "Épreuves publiées" in text  # the event by its French name
    assert "3 jours après l’événement" in text


def test_a_photographer_edits_a_rule_with_ticked_boxes_and_a_delay_in_days_and_hours(studio):
    rule = Rule.objects.get(key="selection-reminder")
    page = studio.get(reverse("admin:booker_rule_change", args=[rule.pk]))
    assert page.status_code == 200
    assert 'type="checkbox" name="recipients"' in page.content.decode()
    response = studio.post(
        reverse("admin:booker_rule_change", args=[rule.pk]),
        rule_data(rule, delay_days=2, delay_hours=5, recipients=["client", "photographer"],
                  unless=[Event.SELECTION_SUBMITTED.value]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule.refresh_from_db()
    assert rule.delay == timedelta(days=2, hours=5)
    assert rule.recipients == ["client", "photographer"]
    assert rule.unless == [Event.SELECTION_SUBMITTED.value]


def test_an_email_rule_without_recipients_is_refused(studio):
    rule = Rule.objects.get(key="proofs-ready")
    response = studio.post(reverse("admin:booker_rule_change", args=[rule.pk]),
                           rule_data(rule, recipients=[]))
    assert response.status_code == 200
    assert "Cochez au moins un destinataire." in response.content.decode()


def test_a_default_rule_cannot_be_deleted_and_says_to_switch_it_off(studio):
    rule = Rule.objects.get(key="review-request")
    response = studio.get(reverse("admin:booker_rule_delete", args=[rule.pk]))
    assert response.status_code == 403
    assert "décochez « active »" in response.content.decode().lower()
    assert Rule.objects.filter(pk=rule.pk).exists()


def test_deleting_rules_in_bulk_keeps_the_defaults(client):
    client.force_login(user_with_role("superuser"))
    default = Rule.objects.get(key="review-request")
    mine = Rule.objects.create(name="Ma règle", event=Event.SESSION_BOOKED, action="task",
                               recipients=["photographer"])
    client.post(reverse("admin:booker_rule_changelist"), {
        "action": "delete_selected", ACTION_CHECKBOX_NAME: [default.pk, mine.pk], "post": "yes",
    })
    assert Rule.objects.filter(pk=default.pk).exists()
    assert not Rule.objects.filter(pk=mine.pk).exists()


def test_the_engine_deletes_only_the_studios_own_rules_and_counts_the_defaults_kept():
    from booker.automation import services as engine

    mine = Rule.objects.create(name="Ma règle", event=Event.SESSION_BOOKED, action="task",
                               recipients=["photographer"])
    asked = Rule.objects.filter(key__in=["review-request", "selection-reminder"]) | (
        Rule.objects.filter(pk=mine.pk))

    assert engine.delete_rules(asked) == 2
    assert not Rule.objects.filter(pk=mine.pk).exists()
    assert Rule.objects.filter(key__in=["review-request", "selection-reminder"]).count() == 2


def test_switching_rules_off_then_on_from_the_list(studio):
    rule = Rule.objects.get(key="review-request")
    for action, active in (("switch_off", False), ("switch_on", True)):
        studio.post(reverse("admin:booker_rule_changelist"),
                    {"action": action, ACTION_CHECKBOX_NAME: [rule.pk]})
        rule.refresh_from_db()
        assert rule.is_active is active


# --- Email templates ----------------------------------------------------------------------------


def test_a_photographer_edits_an_email_and_sees_its_variables(studio):
    template = EmailTemplate.objects.get(key="proofs-ready")
    url = reverse("admin:booker_emailtemplate_change", args=[template.pk])
    page = studio.get(url)
    assert page.status_code == 200
    assert "{{ session_title }}" in page.content.decode()
    response = studio.post(url, template_data(template, subject="Vos épreuves, {{ client_name }}"))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Vos épreuves, {{ client_name }}"


def test_an_email_with_a_syntax_error_is_refused_in_french(studio):
    template = EmailTemplate.objects.get(key="proofs-ready")
    before = template.body_html
    response = studio.post(
        reverse("admin:booker_emailtemplate_change", args=[template.pk]),
        template_data(template, body_html="<p>{% if is_company %}Bonjour l’équipe</p>"),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ce texte ne peut pas être enregistré" in text
    assert "n’est jamais fermée" in text
    template.refresh_from_db()
    assert template.body_html == before


def test_the_preview_renders_the_email_against_a_real_session(studio):
    template = EmailTemplate.objects.get(key="session-confirmed")
    older = PhotoSessionFactory(title="Séance ancienne")
    session = PhotoSessionFactory(title="Portrait de Claire", location="Studio de Lyon",
                                  scheduled_at=timezone.now() + timedelta(days=10))
    page = studio.get(reverse("admin:booker_emailtemplate_change", args=[template.pk]))
    assert page.context["preview"].session == session  # the most recent by default
    text = page.content.decode()
    assert "Votre séance du" in text and "est confirmée" in text
    assert "« Portrait de Claire » est confirmée" in text
    assert "Studio de Lyon" in text
    chosen = studio.get(reverse("admin:booker_emailtemplate_change", args=[template.pk]),
                        {"session": older.pk})
    assert "« Séance ancienne » est confirmée" in chosen.content.decode()

    html = studio.get(reverse("admin:booker_emailtemplate_preview", args=[template.pk]),
                      {"session": session.pk})
    assert html.status_code == 200
    assert "Portrait de Claire" in html.content.decode()
    assert "<style>" in html.content.decode()
    policy = html["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
    assert "frame-ancestors 'self'" in policy


def test_the_preview_of_an_event_without_session_uses_sample_values(studio):
    template = EmailTemplate.objects.get(key="invitation")
    page = studio.get(reverse("admin:booker_emailtemplate_change", args=[template.pk]))
    assert page.status_code == 200
    assert page.context["preview"].sample
    assert page.context["preview"].rendered is not None


def test_a_stored_syntax_error_is_shown_in_french_instead_of_crashing(studio):
    template = EmailTemplate.objects.get(key="proofs-ready")
    EmailTemplate.objects.filter(pk=template.pk).update(body_text="{% for x in %}")
    PhotoSessionFactory()
    page = studio.get(reverse("admin:booker_emailtemplate_change", args=[template.pk]))
    assert page.status_code == 200
    assert "Erreur à la ligne 1" in page.content.decode()
    frame = studio.get(reverse("admin:booker_emailtemplate_preview", args=[template.pk]))
    assert frame.status_code == 200
    assert "Cet e-mail ne peut pas être affiché" in frame.content.decode()


# --- The outbox ---------------------------------------------------------------------------------


def test_the_outbox_is_read_only_for_everyone(studio, client):
    sent = message(subject="Vos épreuves sont en ligne")
    change = reverse("admin:booker_message_change", args=[sent.pk])
    page = studio.get(change)
    assert page.status_code == 200
    assert "Vos épreuves sont en ligne" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert studio.get(reverse("admin:booker_message_add")).status_code == 403
    assert studio.post(change, {"recipient": "x@example.test"}).status_code == 403
    assert studio.get(reverse("admin:booker_message_delete", args=[sent.pk])).status_code == 403
    client.force_login(user_with_role("superuser"))
    assert client.get(reverse("admin:booker_message_add")).status_code == 403
    assert client.post(reverse("admin:booker_message_delete", args=[sent.pk]),
                       {"post": "yes"}).status_code == 403
    assert Message.objects.filter(pk=sent.pk).exists()


def test_the_outbox_lists_statuses_in_french_and_filters_them(studio):
    message(status=S.DEAD, last_error="SMTP 550 mailbox unavailable")
    message(status=S.SENT, recipient="paul@example.test")
    response = studio.get(reverse("admin:booker_message_changelist"), {"status__exact": "dead"})
    text = response.content.decode()
    assert "échec, abandonné" in text
    assert "SMTP 550" in text
    assert "paul@example.test" not in text


def test_the_outbox_shows_a_bounced_email_with_the_servers_diagnostic_as_an_error(studio):
    message(status=S.BOUNCED, sent_at=timezone.now(), bounced_at=timezone.now(),
            last_error="5.1.1 550 5.1.1 User unknown")
    response = studio.get(reverse("admin:booker_message_changelist"),
                          {"status__exact": "bounced"})
    text = response.content.decode()
    assert "rejeté par le serveur du destinataire" in text
    assert '<div class="bo-error">5.1.1 550 5.1.1 User unknown</div>' in text


def test_send_again_moves_a_given_up_message_back_to_waiting(studio):
    dead = message(status=S.DEAD, attempts=8, last_error="timeout")
    sent = message(status=S.SENT)
    response = studio.post(reverse("admin:booker_message_changelist"), {
        "action": "resend", ACTION_CHECKBOX_NAME: [dead.pk, sent.pk],
    })
    assert response.status_code == 302
    dead.refresh_from_db()
    sent.refresh_from_db()
    assert dead.status == S.PENDING and dead.attempts == 0
    assert sent.status == S.SENT


def test_the_messages_sent_to_a_client_are_on_their_account_page(studio):
    person = UserFactory()
    message(user=person, recipient=person.email, subject="Bienvenue", status=S.SENT)
    response = studio.get(reverse("admin:booker_user_change", args=[person.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Messages envoyés à cette personne" in text
    assert person.email in text


# --- Staff tasks --------------------------------------------------------------------------------


def test_my_tasks_and_marking_them_done(studio, photographer):
    session = PhotoSessionFactory()
    mine = StaffTask.objects.create(title="Appeler la cliente", session=session,
                                    assignee=photographer)
    other = StaffTask.objects.create(title="Relancer la facture",
                                     assignee=user_with_role(roles.SHOP_MANAGER))
    page = studio.get(reverse("admin:booker_stafftask_changelist"), {"mine": "1"})
    text = page.content.decode()
    assert "Mes tâches" in text
    assert "Appeler la cliente" in text and "Relancer la facture" not in text
    studio.post(reverse("admin:booker_stafftask_changelist"),
                {"action": "mark_done", ACTION_CHECKBOX_NAME: [mine.pk]})
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.done_at is not None and other.done_at is None


def test_a_task_done_keeps_its_date_and_can_be_reopened():
    from booker.automation import services as engine

    earlier = timezone.now() - timedelta(days=3)
    done = StaffTask.objects.create(title="Fait", done_at=earlier)
    todo = StaffTask.objects.create(title="À faire")

    assert engine.mark_tasks_done(StaffTask.objects.all()) == 1
    done.refresh_from_db()
    assert done.done_at == earlier
    assert engine.reopen_tasks(StaffTask.objects.filter(pk=todo.pk)) == 1
    todo.refresh_from_db()
    assert todo.done_at is None


# --- The studio page of a session ---------------------------------------------------------------


def test_the_studio_page_lists_the_sessions_messages_tasks_and_history(studio, photographer):
    session = services.create_session(title="Mariage Léa & Hugo", client=UserFactory(),
                                      actor=photographer, photographer=photographer)
    message(session, status=S.SENT, subject="Votre séance est confirmée",
            sent_at=timezone.now())
    message(session, status=S.DEAD, recipient="wrong@example.test",
            last_error="550 no such mailbox")
    StaffTask.objects.create(title="Appeler le client", session=session)
    response = studio.get(reverse("admin:booker_photosession_studio", args=[session.pk]))
    text = response.content.decode()
    assert 'id="messages"' in text
    assert "Votre séance est confirmée" in text
    assert 'data-message-status="dead"' in text
    assert "550 no such mailbox" in text
    assert "Appeler le client" in text
    # The history shows the session's events by name, with who did them.
    assert 'id="history"' in text
    assert "Séance réservée" in text
    assert str(photographer) in text


def test_the_admin_history_of_a_session_shows_its_events(studio, photographer):
    session = services.create_session(title="Portrait", client=UserFactory(),
                                      actor=photographer)
    response = studio.get(reverse("admin:booker_photosession_history", args=[session.pk]))
    assert response.status_code == 200
    assert "Séance réservée" in response.content.decode()


def test_the_preview_uses_only_sessions_the_photographer_sees(studio, photographer, settings):
    settings.BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS = False
    template = EmailTemplate.objects.get(key="session-confirmed")
    mine = PhotoSessionFactory(title="Ma séance", photographer=photographer)
    other = PhotoSessionFactory(title="Séance d’un collègue")
    url = reverse("admin:booker_emailtemplate_change", args=[template.pk])
    page = studio.get(url)
    assert page.context["preview"].session == mine
    assert "Séance d’un collègue" not in page.content.decode()
    asked = studio.get(url, {"session": other.pk})
    assert asked.context["preview"].session == mine
    frame = studio.get(reverse("admin:booker_emailtemplate_preview", args=[template.pk]),
                       {"session": other.pk})
    assert "Séance d’un collègue" not in frame.content.decode()


def test_syntax_errors_are_explained_with_their_line_and_the_missing_tag():
    from booker.automation.selectors import syntax_error

    assert syntax_error("Bonjour {{ client_name }}") == ""
    assert syntax_error("Bonjour\n{% if is_company %}ACME") == (
        "Erreur à la ligne 2 : la balise « {% if %} » n’est jamais fermée "
        "(il manque « {% endif %} »).")
    assert "filtre inconnu « majuscules »" in syntax_error("{{ client_name|majuscules }}")


def test_a_variable_the_engine_does_not_know_is_pointed_out(studio):
    from booker.automation.selectors import unknown_variables

    assert unknown_variables("{% for line in lines %}{{ line }}{% endfor %}{{ prenom }}",
                             "{{ session_title }}") == ["prenom", "lines"]
    template = EmailTemplate.objects.get(key="proofs-ready")
    EmailTemplate.objects.filter(pk=template.pk).update(subject="Bonjour {{ prenom }}")
    PhotoSessionFactory()
    page = studio.get(reverse("admin:booker_emailtemplate_change", args=[template.pk]))
    assert "Variables inconnues (elles seront vides)" in page.content.decode()


def test_a_given_up_message_is_sent_again_from_the_studio_page(studio, photographer):
    session = services.create_session(title="Portrait", client=UserFactory(), actor=photographer)
    dead = message(session, status=S.DEAD, attempts=8, last_error="timeout")
    sent = message(session, status=S.SENT)
    url = reverse("admin:booker_photosession_step", args=[session.pk, "resend"])
    page = studio.get(reverse("admin:booker_photosession_studio", args=[session.pk]))
    assert "Renvoyer" in page.content.decode()
    response = studio.post(url, {"message": dead.pk}, follow=True)
    assert "Le message sera renvoyé." in response.content.decode()
    dead.refresh_from_db()
    assert dead.status == S.PENDING
    refused = studio.post(url, {"message": sent.pk}, follow=True)
    assert "Seul un message abandonné peut être renvoyé." in refused.content.decode()
    other = message(services.create_session(title="Autre", client=UserFactory()), status=S.DEAD)
    studio.post(url, {"message": other.pk})
    other.refresh_from_db()
    assert other.status == S.DEAD  # not this session's
