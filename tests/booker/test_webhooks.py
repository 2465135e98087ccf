"""Outbound webhooks to an external system (issue 21, booker/webhooks): each event of a chosen
type is one signed delivery per endpoint, retried until a receiver on loopback accepts it once,
logged, replayable; an endpoint that keeps failing is switched off and the studio told; the
SSRF guard still stands without the tests' allowance."""

from __future__ import annotations

import http.server
import json
import re
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from booker.events import Event, Happened, emit
from booker.models import SessionEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from booker.webhooks import services
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
S = WebhookDelivery.Status
ROOT = Path(__file__).resolve().parents[2]


def doc_verify():
    """The receiving side's check as docs/webhooks.md gives it, run as it is written: the
    receiver below uses it, so the snippet a CRM developer copies is the one tested."""
    doc = (ROOT / "docs" / "webhooks.md").read_text()
    [snippet] = re.findall(r"```python\n(.*?)```", doc, re.S)
    namespace: dict = {}
    exec(compile(snippet, "docs/webhooks.md", "exec"), namespace)  # noqa: S102
    return namespace["verify"]


class Receiver(http.server.BaseHTTPRequestHandler):
    """A CRM on loopback: verifies each signature (400 if wrong), answers `fail_first`
    times 500 to an event id before accepting it, then keeps each id once."""

    secret = ""
    fail_first = 0
    always = 0  # an answer for every request (a receiver that is down), 0: as above
    verify = None
    requests: list = []
    accepted: list = []
    seen: dict = {}

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        signed = Receiver.verify(Receiver.secret, self.headers.get("Booke-Signature", ""), body)
        Receiver.requests.append((dict(self.headers), body, signed))
        event_id = json.loads(body)["id"]
        Receiver.seen[event_id] = Receiver.seen.get(event_id, 0) + 1
        if not signed:
            code = 400
        elif Receiver.always:
            code = Receiver.always
        elif Receiver.seen[event_id] <= Receiver.fail_first:
            code = 500
        else:
            code = 200
            if event_id not in Receiver.accepted:
                Receiver.accepted.append(event_id)
        answer = b'{"error": "database locked"}' if code == 500 else b"ok"
        self.send_response(code)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@contextmanager
def receiver(*, fail_first: int = 0, always: int = 0):
    Receiver.fail_first, Receiver.always, Receiver.verify = fail_first, always, doc_verify()
    Receiver.requests, Receiver.accepted, Receiver.seen = [], [], {}
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/booke"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def loopback_allowed(settings):
    """The deliberate allowance: the test's receiver on 127.0.0.1, nothing else private."""
    settings.BOOKE_WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]


def endpoint(url: str, events=()) -> WebhookEndpoint:
    made = WebhookEndpoint.objects.create(url=url, events=list(events), description="CRM")
    Receiver.secret = made.secret
    return made


def order_event(capture, event: Event = Event.ORDER_PAID, number: str = "100") -> SessionEvent:
    with capture(execute=True):
        return emit(event, subject=f"order:{number}", number=number, total="120.00")


def later(minutes: float):
    return timezone.now() + timedelta(minutes=minutes)


# --- Signing -----------------------------------------------------------------------------


def test_the_signature_is_the_hmac_sha256_of_the_time_a_dot_and_the_body():
    body = b'{"id":"evt_1","type":"session.delivered"}'
    # Computed apart: printf '1700000000.<body>' | openssl dgst -sha256 -hmac whsec_test_secret
    expected = "9316d1429973f4b082979b77b2ff061789e1d280783a7daae2dbd6b62d4fdf28"
    assert services.signature("whsec_test_secret", 1700000000, body) == expected
    assert services.signature_header("whsec_test_secret", 1700000000, body) == \
        f"t=1700000000,v1={expected}"


def test_the_documented_check_refuses_a_wrong_secret_a_changed_body_and_an_old_time():
    import time

    verify = doc_verify()
    body = b'{"id":"evt_1"}'
    now = int(time.time())
    assert verify("s3cret", services.signature_header("s3cret", now, body), body)
    assert not verify("other", services.signature_header("s3cret", now, body), body)
    assert not verify("s3cret", services.signature_header("s3cret", now, body), body + b" ")
    assert not verify("s3cret", services.signature_header("s3cret", now - 600, body), body)
    assert not verify("s3cret", "v1=abc", body)


def test_the_body_is_id_type_created_at_and_data_the_same_at_every_attempt(
        django_capture_on_commit_callbacks):
    event = order_event(django_capture_on_commit_callbacks)
    body = json.loads(services.body_of(event))
    assert set(body) == {"id", "type", "created_at", "data"}
    assert body["id"] == f"evt_{event.pk}" and body["type"] == "order.paid"
    assert body["data"]["subject"] == "order:100"
    assert body["data"]["payload"] == {"number": "100", "total": "120.00"}
    assert services.body_of(event) == services.body_of(event)


# --- Delivering to a real receiver -------------------------------------------------------


def test_the_receiver_verifies_each_signature_and_accepts_each_event_once_after_a_retry(
        loopback_allowed, django_capture_on_commit_callbacks):
    with receiver(fail_first=1) as url:
        hook = endpoint(url)
        first = order_event(django_capture_on_commit_callbacks, number="100")
        second = order_event(django_capture_on_commit_callbacks, Event.ORDER_SHIPPED, "101")
        # The worker's first attempts (queued at the commit) got 500: both wait a minute.
        assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {S.FAILED}
        assert services.send_due(later(0.5)) == {}  # not due yet
        assert services.send_due(later(1.5)) == {S.SUCCEEDED: 2}
        assert services.send_due(later(60)) == {}  # delivered: never again
    assert all(signed for _headers, _body, signed in Receiver.requests)
    assert len(Receiver.requests) == 4
    assert Receiver.accepted == [f"evt_{first.pk}", f"evt_{second.pk}"]
    delivery = WebhookDelivery.objects.get(endpoint=hook, event=first)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (S.SUCCEEDED, 2, 200)
    log = list(delivery.attempt_log.values_list("status_code", "succeeded", "response_excerpt"))
    assert log == [(500, False, '{"error": "database locked"}'), (200, True, "ok")]
    headers = Receiver.requests[0][0]
    assert headers["Booke-Event"] == "order.paid" and headers["Content-Type"] == "application/json"
    assert headers["Booke-Delivery"] == str(delivery.pk)


def test_an_event_heard_twice_makes_one_delivery(loopback_allowed,
                                                 django_capture_on_commit_callbacks):
    with receiver() as url:
        endpoint(url)
        event = order_event(django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            services.plan(Happened.of(event))
    assert WebhookDelivery.objects.count() == 1
    assert len(Receiver.requests) == 1


def test_an_event_type_the_endpoint_did_not_choose_sends_nothing(
        loopback_allowed, django_capture_on_commit_callbacks):
    with receiver() as url:
        endpoint(url, events=[Event.ORDER_SHIPPED.value])
        order_event(django_capture_on_commit_callbacks, Event.ORDER_PAID)
        services.send_due(later(60 * 24))
        assert Receiver.requests == []
        shipped = order_event(django_capture_on_commit_callbacks, Event.ORDER_SHIPPED)
    assert [d.event_id for d in WebhookDelivery.objects.all()] == [shipped.pk]
    assert Receiver.accepted == [f"evt_{shipped.pk}"]


def test_a_switched_off_endpoint_gets_nothing(loopback_allowed,
                                              django_capture_on_commit_callbacks):
    with receiver() as url:
        hook = endpoint(url)
        WebhookEndpoint.objects.filter(pk=hook.pk).update(is_active=False)
        order_event(django_capture_on_commit_callbacks)
    assert Receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_a_failed_delivery_waits_1_5_30_120_then_720_minutes_then_is_given_up(
        loopback_allowed, django_capture_on_commit_callbacks):
    with receiver(always=503) as url:
        endpoint(url)
        order_event(django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        waits = []
        for _ in range(5):
            delivery.refresh_from_db()
            assert delivery.status == S.FAILED
            waits.append(round((delivery.due_at - timezone.now()).total_seconds() / 60))
            services.send_due(delivery.due_at + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert waits == [1, 5, 30, 120, 720]
    assert delivery.status == S.DEAD and delivery.attempts == services.MAX_ATTEMPTS == 6
    assert delivery.attempt_log.count() == 6 and len(Receiver.requests) == 6
    assert not mail.outbox  # one given-up delivery does not switch the endpoint off


@pytest.mark.slow  # 18 POSTs over five runs of the sender
def test_after_n_given_up_deliveries_in_a_row_the_endpoint_is_switched_off_and_the_studio_told(
        loopback_allowed, django_capture_on_commit_callbacks, monkeypatch, settings):
    monkeypatch.setattr(services, "DISABLE_AFTER", 3)
    settings.BOOKE_STUDIO = {**settings.BOOKE_STUDIO, "email": "studio@example.test"}
    with receiver(always=500) as url:
        hook = endpoint(url)
        for number in ("1", "2", "3"):
            order_event(django_capture_on_commit_callbacks, number=number)
        for hours in (1, 3, 6, 12, 24):
            with django_capture_on_commit_callbacks(execute=True):
                services.send_due(later(60 * hours))
        hook.refresh_from_db()
        assert not hook.is_active and hook.disabled_at is not None
        assert hook.consecutive_failures == 3
        before = len(Receiver.requests)
        order_event(django_capture_on_commit_callbacks, number="4")  # switched off: not sent
        assert len(Receiver.requests) == before == 18
    [email] = mail.outbox
    assert email.to == ["studio@example.test"]
    assert email.subject == f"Webhook désactivé : {hook}"
    assert url in email.body and "3 derniers envois ont échoué" in email.body
    assert reverse("admin:booker_webhookendpoint_change", args=[hook.pk]) in email.body


def test_a_success_resets_the_count_of_failures(loopback_allowed,
                                                django_capture_on_commit_callbacks):
    with receiver() as url:
        hook = endpoint(url)
        WebhookEndpoint.objects.filter(pk=hook.pk).update(consecutive_failures=9)
        order_event(django_capture_on_commit_callbacks)
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0 and hook.is_active


def test_a_private_address_is_refused_without_the_tests_allowance(
        settings, django_capture_on_commit_callbacks):
    settings.BOOKE_WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    with receiver() as url:
        endpoint(url)
        order_event(django_capture_on_commit_callbacks)
    assert Receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == S.FAILED and "127.0.0.1" in delivery.last_error
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code is None and "127.0.0.1" in attempt.error


def test_the_allowance_lets_only_its_own_network_through(settings,
                                                         django_capture_on_commit_callbacks):
    settings.BOOKE_WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    WebhookEndpoint.objects.create(url="http://169.254.169.254/latest/meta-data/")
    order_event(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == S.FAILED and "169.254.169.254" in delivery.last_error


def test_an_event_whose_planning_was_lost_goes_out_at_the_next_run_of_the_worker(
        loopback_allowed):
    from booker import tasks

    with receiver() as url:
        hook = endpoint(url)
        WebhookEndpoint.objects.filter(pk=hook.pk).update(
            active_since=timezone.now() - timedelta(hours=2))
        # Emitted without its commit's callbacks (the process died right after the commit).
        lost, before, fresh = (emit(Event.ORDER_PAID, subject=f"order:{n}") for n in (1, 2, 3))
        SessionEvent.objects.filter(pk=lost.pk).update(
            created_at=timezone.now() - timedelta(minutes=10))
        # Before the endpoint was (switched back) on: not its to receive.
        SessionEvent.objects.filter(pk=before.pk).update(
            created_at=timezone.now() - timedelta(hours=3))
        assert "1 succeeded" in tasks.send_webhooks()
        assert tasks.send_webhooks() == "nothing due"  # planned once
    assert Receiver.accepted == [f"evt_{lost.pk}"]  # the fresh one may still be planned live
    assert not WebhookDelivery.objects.filter(event__in=[before, fresh]).exists()


# --- The admin ---------------------------------------------------------------------------


def endpoint_form(url: str, **fields) -> dict:
    return {"url": url, "description": "Notre CRM", "is_active": "on", **fields}


def test_a_new_endpoint_shows_its_secret_once(studio, loopback_allowed):
    response = studio.post(reverse("admin:booker_webhookendpoint_add"),
                           endpoint_form("http://127.0.0.1:9/hook",
                                         events=["order.paid", "session.delivered"]),
                           follow=True)
    hook = WebhookEndpoint.objects.get()
    assert hook.events == ["order.paid", "session.delivered"]
    assert hook.secret.startswith("whsec_")
    text = response.content.decode()
    assert hook.secret in text and "ne sera plus affiché" in text
    page = studio.get(reverse("admin:booker_webhookendpoint_change", args=[hook.pk]))
    assert hook.secret not in page.content.decode()
    assert hook.secret[-4:] in page.content.decode()  # masked: enough to tell which one


def test_renewing_the_secret_shows_the_new_one_once(studio):
    hook = WebhookEndpoint.objects.create(url="https://crm.example.test/hook")
    old = hook.secret
    response = studio.post(reverse("admin:booker_webhookendpoint_changelist"), {
        "action": "renew_secret", ACTION_CHECKBOX_NAME: [hook.pk]}, follow=True)
    hook.refresh_from_db()
    assert hook.secret != old and hook.secret in response.content.decode()


@pytest.mark.parametrize("url", ["http://10.0.0.5/hook", "http://169.254.169.254/",
                                 "http://127.0.0.1:8000/hook", "ftp://example.test/hook"])
def test_the_admin_refuses_an_address_inside_the_network(studio, url):
    response = studio.post(reverse("admin:booker_webhookendpoint_add"), endpoint_form(url))
    assert response.status_code == 200 and not WebhookEndpoint.objects.exists()
    errors = response.context["adminform"].form.errors["url"]
    assert errors and ("adresse publique" in errors[0] or "http" in errors[0]), errors


def test_switching_an_endpoint_back_on_starts_a_new_count(studio, monkeypatch):
    hook = WebhookEndpoint.objects.create(url="https://crm.example.test/hook", is_active=False,
                                          consecutive_failures=10, disabled_at=timezone.now())
    # The name resolves nowhere in the tests: the form's lookup is the only thing replaced.
    from booker import outbound

    monkeypatch.setattr(outbound, "resolve", lambda *args, **kwargs: [])
    response = studio.post(reverse("admin:booker_webhookendpoint_change", args=[hook.pk]),
                           endpoint_form(hook.url))
    assert response.status_code == 302, response.context["adminform"].form.errors
    hook.refresh_from_db()
    assert hook.is_active and hook.consecutive_failures == 0 and hook.disabled_at is None


def test_replay_from_the_admin_sends_the_same_delivery_again_with_the_same_id(
        studio, loopback_allowed, django_capture_on_commit_callbacks):
    with receiver() as url:
        hook = endpoint(url)
        event = order_event(django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        page = studio.get(reverse("admin:booker_webhookdelivery_change", args=[delivery.pk]))
        assert "Renvoyer" in page.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = studio.post(reverse("admin:booker_webhookdelivery_changelist"), {
                "action": "replay", ACTION_CHECKBOX_NAME: [delivery.pk]}, follow=True)
    assert "1 envoi sera renvoyé" in response.content.decode()
    assert [json.loads(body)["id"] for _h, body, _s in Receiver.requests] == [
        f"evt_{event.pk}"] * 2
    assert [h["Booke-Delivery"] for h, _b, _s in Receiver.requests] == [str(delivery.pk)] * 2
    assert WebhookDelivery.objects.filter(endpoint=hook).count() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.replays) == (S.SUCCEEDED, 1)
    assert list(delivery.attempt_log.values_list("replay", flat=True)) == [False, True]


def test_a_retoucher_cannot_replay_a_delivery(client, django_capture_on_commit_callbacks):
    from booker import roles

    hook = WebhookEndpoint.objects.create(url="https://crm.example.test/hook")
    event = order_event(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(endpoint=hook, event=event)
    client.force_login(user_with_role(roles.RETOUCHER))
    response = client.post(reverse("admin:booker_webhookdelivery_changelist"), {
        "action": "replay", ACTION_CHECKBOX_NAME: [delivery.pk]})
    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.replays == 0
