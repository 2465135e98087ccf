"""Issue 22, "SMTP down": notifications wait while the mail server is away and go out once when
it is back. A server that refuses connections and one that accepts and never answers (the
worse case: without a timeout a send would hold the worker for good)."""

from __future__ import annotations

import signal
import socket

import pytest
from django.core import mail

from booker.automation import sender
from booker.automation.defaults import ensure_defaults
from booker.automation.models import EmailTemplate, Message, Rule
from tests.booker.factories_studio import proofing_session
from tests.booker.test_automation import later
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = Message.Status


@pytest.fixture(autouse=True)
def defaults(db):
    Message.objects.all().delete()
    Rule.objects.all().delete()
    EmailTemplate.objects.all().delete()
    ensure_defaults()


@pytest.fixture
def silent_server():
    """A port whose connections are accepted by the kernel and never spoken to: no banner."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


def smtp_to(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def three_proofs_emails_due(capture, monkeypatch) -> list[int]:
    # Planned, not sent: the immediate kick is held back, the worker's run sends them.
    with monkeypatch.context() as m:
        m.setattr(sender, "kick", lambda: None)
        with capture(execute=True):
            for i in range(3):
                proofing_session(1, client=UserFactory(email=f"client{i}@example.test"))
    due = list(Message.objects.filter(rule__key="proofs-ready").order_by("due_at", "pk")
               .values_list("pk", flat=True))
    assert len(due) == 3
    return due


class Stuck(Exception):
    pass


def send_due_within(seconds: int) -> dict:
    """The worker's run, stopped by an alarm if a mail server holds it longer than `seconds`."""
    def stuck(signum, frame):
        raise Stuck("the send is stuck on a mail server that does not answer")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(seconds)
    try:
        return sender.send_due()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def states(ids: list[int]) -> list[tuple[str, int]]:
    rows = dict(Message.objects.filter(pk__in=ids).values_list("pk", "status"))
    tries = dict(Message.objects.filter(pk__in=ids).values_list("pk", "attempts"))
    return [(rows[pk], tries[pk]) for pk in ids]


def test_a_mail_server_that_never_answers_costs_one_timeout_and_nothing_is_lost(
        settings, silent_server, django_capture_on_commit_callbacks, monkeypatch):
    due = three_proofs_emails_due(django_capture_on_commit_callbacks, monkeypatch)
    smtp_to(settings, silent_server)
    settings.EMAIL_TIMEOUT = 1

    counts = send_due_within(30)

    # The first found the server silent and waits its retry; the run stopped there: the
    # others were not tried (no attempt spent), they are still due.
    assert counts == {S.FAILED: 1, "server away": 1}
    assert states(due) == [(S.FAILED, 1), (S.PENDING, 0), (S.PENDING, 0)]
    assert "timed out" in Message.objects.get(pk=due[0]).last_error

    # The server is back: each goes out once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later(0.01)
    sender.send_due()
    sender.send_due()
    assert sorted(m.to[0] for m in mail.outbox) == [f"client{i}@example.test" for i in range(3)]
    assert states(due) == [(S.SENT, 2), (S.SENT, 1), (S.SENT, 1)]


def test_a_refused_connection_stops_the_run_and_a_wrong_address_does_not(
        settings, django_capture_on_commit_callbacks, monkeypatch):
    """Refused: the server's fault, the run stops. A recipient refused for good (the
    message's own fault) is retried alone and the others go on."""
    due = three_proofs_emails_due(django_capture_on_commit_callbacks, monkeypatch)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nobody listens there: connection refused
    smtp_to(settings, port)
    assert send_due_within(30) == {S.FAILED: 1, "server away": 1}
    assert states(due) == [(S.FAILED, 1), (S.PENDING, 0), (S.PENDING, 0)]

    import smtplib

    real_send = sender.EmailMultiAlternatives.send

    def refuse_first(self, *args, **kwargs):
        if self.to == ["client1@example.test"]:
            raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"no such user")})
        return real_send(self, *args, **kwargs)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    monkeypatch.setattr(sender.EmailMultiAlternatives, "send", refuse_first)
    later(0.01)
    assert sender.send_due() == {S.FAILED: 1, S.SENT: 2}
    assert states(due) == [(S.SENT, 2), (S.FAILED, 1), (S.SENT, 1)]


def test_the_mail_server_has_seconds_to_answer_not_forever():
    from django.conf import settings

    assert 0 < settings.EMAIL_TIMEOUT <= 30
