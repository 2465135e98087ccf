"""The automation engine: events become messages once, sent once, to the right people, with the
studio's rules (booker/automation)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from booker import roles, services
from booker.automation import planner, sender
from booker.automation.defaults import ensure_defaults
from booker.automation.models import OLD_WEBHOOK, EmailTemplate, Message, Rule, StaffTask
from booker.events import Event, Happened
from booker.models import SessionEvent
from tests.booker.factories_studio import proofing_session, rush_ids
from tests.factories import CompanyFactory, MembershipFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def defaults(db):
    """The shipped rules and templates as the code declares them now."""
    Message.objects.all().delete()
    Rule.objects.all().delete()
    EmailTemplate.objects.all().delete()
    ensure_defaults()


def later(days: float) -> None:
    """The clock moves on: what was due in `days` is due now."""
    shift = timedelta(days=days)
    for message in Message.objects.all():
        Message.objects.filter(pk=message.pk).update(due_at=message.due_at - shift)
    for event in SessionEvent.objects.all():
        SessionEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - shift)


def sent_to(email: str) -> list[str]:
    return [m.subject for m in mail.outbox if email in m.to]


def publish(capture, **kwargs):
    with capture(execute=True):
        session = proofing_session(3, **kwargs)
    return session


def test_proofs_published_plan_an_email_now_and_a_reminder_in_three_days(
        django_capture_on_commit_callbacks):
    client = UserFactory(first_name="Claire", email="claire@example.test")
    session = publish(django_capture_on_commit_callbacks, client=client)
    rules = dict(Message.objects.filter(session=session).values_list("rule__key", "due_at"))
    # (the late-selection task is for the photographer: this session has none)
    assert set(rules) == {"proofs-ready", "selection-reminder"}
    assert rules["selection-reminder"] - rules["proofs-ready"] >= timedelta(days=3) - \
        timedelta(seconds=5)
    assert sent_to("claire@example.test") == ["Vos épreuves sont en ligne : choisissez vos photos"]
    body = mail.outbox[-1]
    html = body.alternatives[0][0]
    assert "Bonjour Claire," in body.body and "Bonjour Claire," in html
    assert f"http://localhost:8000/portal/sessions/{session.pk}/" in body.body
    assert body.reply_to and "List-Unsubscribe" not in body.extra_headers


def test_an_event_heard_twice_plans_and_sends_nothing_more(django_capture_on_commit_callbacks):
    session = publish(django_capture_on_commit_callbacks)
    event = SessionEvent.objects.get(session=session, name=Event.PROOFS_PUBLISHED)
    before = Message.objects.count()
    planner.plan(Happened.of(event))
    planner.plan(Happened.of(event))
    assert Message.objects.count() == before
    outbox = len(mail.outbox)
    assert sender.send_due() == {}
    assert len(mail.outbox) == outbox


def test_the_selection_reminder_goes_after_three_days_unless_the_selection_came(
        django_capture_on_commit_callbacks):
    waiting = publish(django_capture_on_commit_callbacks)
    done = publish(django_capture_on_commit_callbacks)
    services.set_pick(done, rush_ids(done)[0], True, user=done.client)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_selection(done, user=done.client)
    later(2)
    sender.send_due()
    assert "Vos photos vous attendent toujours" not in sent_to(waiting.client.email)
    later(1.1)
    sender.send_due()
    assert sent_to(waiting.client.email).count("Vos photos vous attendent toujours") == 1
    assert "Vos photos vous attendent toujours" not in sent_to(done.client.email)
    skipped = Message.objects.get(session=done, rule__key="selection-reminder")
    assert skipped.status == Message.Status.SKIPPED
    assert skipped.last_error == "entre-temps : Sélection envoyée"


def test_a_client_who_turned_reminders_off_gets_the_service_mail_only(
        django_capture_on_commit_callbacks):
    client = UserFactory(reminder_emails=False)
    publish(django_capture_on_commit_callbacks, client=client)
    later(3.1)
    sender.send_due()
    assert sent_to(client.email) == ["Vos épreuves sont en ligne : choisissez vos photos"]


def test_a_reminder_carries_a_one_click_unsubscribe_link(django_capture_on_commit_callbacks):
    session = publish(django_capture_on_commit_callbacks)
    later(3.1)
    sender.send_due()
    reminder = [m for m in mail.outbox if m.subject == "Vos photos vous attendent toujours"][0]
    assert reminder.to == [session.client.email]
    assert reminder.extra_headers["List-Unsubscribe"].startswith("<http://localhost:8000/")
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_company_session_speaks_to_the_team_and_reaches_every_member(
        django_capture_on_commit_callbacks):
    company = CompanyFactory(name="ACME")
    boss = MembershipFactory(company=company, role="admin", user__first_name="Inès").user
    member = MembershipFactory(company=company, user__first_name="Paul").user
    publish(django_capture_on_commit_callbacks, company=company)
    assert sent_to(boss.email) and sent_to(member.email)
    to_paul = [m for m in mail.outbox if member.email in m.to][0]
    assert "Bonjour Paul et toute l’équipe ACME," in to_paul.body
    assert "Votre équipe peut choisir" in to_paul.body


def test_a_b2b_rule_does_not_fire_for_a_private_client(django_capture_on_commit_callbacks):
    Rule.objects.filter(key="proofs-ready").update(audience=Rule.Audience.B2B)
    client = UserFactory()
    publish(django_capture_on_commit_callbacks, client=client)
    assert sent_to(client.email) == []


def test_a_rule_for_a_segment_reaches_only_the_people_in_it(django_capture_on_commit_callbacks):
    from booker.crm import services as crm
    from booker.models import MarketingConsent, Segment, SegmentCondition

    subscribers = Segment.objects.create(name="Abonnés")
    SegmentCondition.objects.create(segment=subscribers, kind="newsletter_subscribers")
    Rule.objects.filter(key="proofs-ready").update(segment=subscribers)
    inside, outside = UserFactory(), UserFactory()
    crm.grant(inside.email, MarketingConsent.Purpose.MARKETING, consent_text="oui",
              source=MarketingConsent.Source.STAFF)
    publish(django_capture_on_commit_callbacks, client=inside)
    publish(django_capture_on_commit_callbacks, client=outside)
    assert sent_to(inside.email) and sent_to(outside.email) == []


def test_a_failed_send_is_retried_later_and_goes_out_once(
        django_capture_on_commit_callbacks, monkeypatch):
    real_send = sender.EmailMultiAlternatives.send
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionRefusedError("SMTP down")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(sender.EmailMultiAlternatives, "send", flaky)
    client = UserFactory()
    publish(django_capture_on_commit_callbacks, client=client)
    message = Message.objects.get(rule__key="proofs-ready")
    assert message.status == Message.Status.FAILED and "SMTP down" in message.last_error
    assert message.due_at > timezone.now()
    sender.send_due()
    assert sent_to(client.email) == []  # not due yet: backoff
    later(0.01)
    sender.send_due()
    sender.send_due()
    assert len(sent_to(client.email)) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2


def test_a_message_given_up_after_its_attempts_can_be_sent_again_by_staff(
        django_capture_on_commit_callbacks, monkeypatch):
    def down(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(sender.EmailMultiAlternatives, "send", down)
    publish(django_capture_on_commit_callbacks)
    message = Message.objects.get(rule__key="proofs-ready")
    for _ in range(sender.MAX_ATTEMPTS):
        later(1)
        sender.deliver(message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.DEAD
    monkeypatch.undo()
    assert services.retry_message(message)
    assert sender.deliver(message.pk) == Message.Status.SENT


def test_only_one_sender_claims_a_message():
    session = proofing_session(1)
    event = SessionEvent.objects.get(session=session, name=Event.PROOFS_PUBLISHED)
    planner.plan(Happened.of(event))
    message = Message.objects.get(rule__key="proofs-ready")
    assert sender.claim(message.pk) is not None
    assert sender.claim(message.pk) is None  # the second worker finds it taken


def test_a_sender_killed_mid_send_leaves_the_message_to_the_next_after_its_lease():
    session = proofing_session(1)
    planner.plan(Happened.of(SessionEvent.objects.get(session=session,
                                                      name=Event.PROOFS_PUBLISHED)))
    message = Message.objects.get(rule__key="proofs-ready")
    assert sender.claim(message.pk) is not None
    Message.objects.filter(pk=message.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1))
    assert sender.deliver(message.pk) == Message.Status.SENT
    assert len(sent_to(session.client.email)) == 1


def test_the_session_reminder_follows_the_session_when_it_moves(
        django_capture_on_commit_callbacks):
    first = timezone.now() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        session = services.create_session(title="Portrait", client=UserFactory(),
                                           scheduled_at=first)
    reminder = Message.objects.get(session=session, rule__key="session-reminder")
    assert abs(reminder.due_at - (first - timedelta(hours=48))) < timedelta(seconds=1)
    assert sent_to(session.client.email) == [
        f"Votre séance du {sender.context.when(first)} est confirmée"]
    second = first + timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_session(session, second, actor=None)
    reminder.refresh_from_db()
    assert abs(reminder.due_at - (second - timedelta(hours=48))) < timedelta(seconds=1)
    assert sent_to(session.client.email)[-1].startswith("Votre séance est déplacée")


def test_a_cancelled_session_gets_no_reminder(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = services.create_session(title="Portrait", client=UserFactory(),
                                           scheduled_at=timezone.now() + timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session, actor=None, reason="client malade")
    later(2)
    sender.send_due()
    subjects = sent_to(session.client.email)
    assert subjects[-1] == f"Séance annulée : {session.title}"
    assert not any(s.startswith("Rappel") for s in subjects)


def test_the_assigned_retoucher_is_told_once_per_session(django_capture_on_commit_callbacks):
    from tests.booker.factories_studio import retouching_session

    session, jobs = retouching_session()
    retoucher = user_with_role(roles.RETOUCHER, first_name="Rémi")
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_jobs(jobs, retoucher, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_jobs(jobs, retoucher, actor=None)  # same hands: nothing new
    subjects = sent_to(retoucher.email)
    assert subjects == [f"2 retouches pour vous : {session.title}"]


def test_a_task_rule_creates_one_task_for_the_photographer(django_capture_on_commit_callbacks):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    with django_capture_on_commit_callbacks(execute=True):
        session = services.create_session(title="Famille", client=UserFactory(),
                                          photographer=photographer)
        services.record_event(session, Event.PROOFS_PUBLISHED, actor=None)
    later(7.1)
    sender.send_due()
    sender.send_due()
    tasks = StaffTask.objects.filter(session=session)
    assert [(t.title, t.assignee) for t in tasks] == [
        ("Appeler le client : sélection en attente — Famille", photographer)]


def test_template_variables_are_escaped_in_html_and_plain_in_text(
        django_capture_on_commit_callbacks):
    client = UserFactory(first_name="<b>Zoé</b> & O'Neil")
    publish(django_capture_on_commit_callbacks, client=client)
    message = mail.outbox[-1]
    assert "Bonjour <b>Zoé</b> & O'Neil," in message.body
    assert "&lt;b&gt;Zoé&lt;/b&gt; &amp; O&#x27;Neil" in message.alternatives[0][0]


def test_a_message_of_the_retired_webhook_action_is_not_sent_but_kept_as_not_sent(
        django_capture_on_commit_callbacks):
    # Planned by an old "call a webhook" rule before the action was retired (migration 0046):
    # the sender neither posts it nor fails on it for ever.
    session = publish(django_capture_on_commit_callbacks)
    rule = Rule.objects.get(key="proofs-ready")
    event = SessionEvent.objects.filter(session=session).latest("pk")
    message = Message.objects.create(key="old-webhook", rule=rule, event=event,
                                     action=OLD_WEBHOOK, session=session,
                                     recipient="https://crm.example.test/hook")
    assert sender.deliver(message.pk) == Message.Status.SKIPPED
    message.refresh_from_db()
    assert message.status == Message.Status.SKIPPED
    assert message.last_error.startswith("l’action « appeler un webhook » des règles a été retirée")


def test_a_rule_can_no_longer_be_made_to_call_a_webhook():
    assert "webhook" not in Rule.Action.values
    assert not any(field.name == "webhook_url" for field in Rule._meta.get_fields())


def test_a_disabled_rule_plans_nothing(django_capture_on_commit_callbacks):
    Rule.objects.filter(key="proofs-ready").update(is_active=False)
    client = UserFactory()
    publish(django_capture_on_commit_callbacks, client=client)
    assert not Message.objects.filter(rule__key="proofs-ready").exists()
    assert sent_to(client.email) == []


def test_defaults_are_made_once_and_never_overwrite_the_studios_edits():
    EmailTemplate.objects.filter(key="proofs-ready").update(subject="Mon sujet à moi")
    Rule.objects.filter(key="review-request").update(is_active=False)
    assert ensure_defaults() == (0, 0)
    assert EmailTemplate.objects.get(key="proofs-ready").subject == "Mon sujet à moi"
    assert not Rule.objects.get(key="review-request").is_active


def test_a_session_entered_after_its_date_is_not_announced(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = services.create_session(title="Portrait", client=UserFactory(),
                                           scheduled_at=timezone.now() - timedelta(days=2))
    assert sent_to(session.client.email) == []
    assert Message.objects.get(session=session, rule__key="session-confirmed").status == "skipped"


def test_an_invitation_to_a_session_is_listed_with_that_sessions_messages(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = services.create_session_for_new_client(
            email="lina@example.test", first_name="Lina", title="Portrait de Lina")
    assert set(Message.objects.filter(session=session).values_list("rule__key", flat=True)) \
        == {"invitation"}


def test_the_retoucher_is_sent_to_their_own_page(django_capture_on_commit_callbacks):
    from tests.booker.factories_studio import retouching_session

    _session, jobs = retouching_session()
    retoucher = user_with_role(roles.RETOUCHER)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_jobs(jobs, retoucher, actor=None)
    [message] = [m for m in mail.outbox if m.to == [retoucher.email]]
    assert "http://localhost:8000/admin/booker/retouchjob/mine/" in message.body


def test_the_confirmation_carries_the_session_for_the_clients_calendar(
        django_capture_on_commit_callbacks):
    from icalendar import Calendar

    with django_capture_on_commit_callbacks(execute=True):
        session = services.create_session(
            title="Portrait", client=UserFactory(), photographer=user_with_role(roles.PHOTOGRAPHER),
            scheduled_at=timezone.now() + timedelta(days=4))
    [confirmation] = [m for m in mail.outbox if m.to == [session.client.email]]
    [(name, content, mimetype)] = confirmation.attachments
    assert name.endswith(".ics") and mimetype == "text/calendar"
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]).startswith("Portrait")


def test_an_event_whose_planning_was_lost_is_planned_by_the_sweeper_once(
        django_capture_on_commit_callbacks):
    client = UserFactory(email="perdu@example.test")
    # The process dies right after the commit: the event is stored, its planning never runs.
    with django_capture_on_commit_callbacks(execute=False):
        session = proofing_session(3, client=client)
    event = SessionEvent.objects.get(session=session, name=Event.PROOFS_PUBLISHED)
    assert event.planned_at is None and not Message.objects.filter(session=session).exists()

    # Too fresh: its own planning may still be on its way.
    assert planner.plan_missed_events() == 0
    later(days=0.01)
    with django_capture_on_commit_callbacks(execute=True):
        assert planner.plan_missed_events() >= 1
    assert set(Message.objects.filter(session=session).values_list("rule__key", flat=True)) == {
        "proofs-ready", "selection-reminder"}
    assert sent_to("perdu@example.test") == [
        "Vos épreuves sont en ligne : choisissez vos photos"]
    event.refresh_from_db()
    assert event.planned_at is not None

    count = Message.objects.count()
    assert planner.plan_missed_events() == 0
    assert Message.objects.count() == count


def test_a_planned_event_is_marked_and_left_alone_by_the_sweeper(
        django_capture_on_commit_callbacks):
    session = publish(django_capture_on_commit_callbacks)
    assert not SessionEvent.objects.filter(session=session, planned_at__isnull=True).exists()
    later(days=0.01)
    assert planner.plan_missed_events() == 0


def test_events_older_than_a_week_are_history_not_planned_late(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        session = proofing_session(3)
    later(days=8)
    assert planner.plan_missed_events() == 0
    assert not Message.objects.filter(session=session).exists()
