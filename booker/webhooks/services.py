"""Webhooks, the writes: an event heard becomes one delivery per endpoint that wants it; the
worker claims each due delivery (compare-and-set with a lease, so two workers never POST it
twice at once), signs and POSTs it through the SSRF guard, logs the attempt and either marks
it delivered or waits BACKOFF before the next; the last failure gives it up, and DISABLE_AFTER
given-up deliveries in a row switch the endpoint off and tell the studio by email.

The signature is Stripe's scheme: `Booke-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>">` with the endpoint's secret. The time inside the signed text lets the receiver
refuse an old message replayed by someone who captured it (docs/webhooks.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from booker.events import Happened
from booker.mail import absolute_url, templated_email
from booker.sessions.models import SessionEvent
from booker.webhooks.machine import WEBHOOK_DELIVERY
from booker.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, new_secret

log = logging.getLogger(__name__)
S = WebhookDelivery.Status

SIGNATURE_HEADER = "Booke-Signature"
# Minutes to wait after each failed attempt: a receiver down for a deploy gets its events a
# minute later; one down for a day still gets them. After the last, the delivery is given up.
BACKOFF = (1, 5, 30, 120, 720)
MAX_ATTEMPTS = len(BACKOFF) + 1
# Given-up deliveries in a row that switch an endpoint off (a success resets the count).
DISABLE_AFTER = 10
# Connect and read timeouts: a slow receiver holds a worker for at most this long.
TIMEOUT = (5.0, 15.0)
# A claim holds a delivery longer than one POST can take (both timeouts).
LEASE = timedelta(seconds=60)
EXCERPT = 300


# --- Signing ---------------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under `secret`."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def body_of(event: SessionEvent) -> bytes:
    """The JSON the receiver gets: the same bytes at every attempt of a delivery (a replay
    too), so the receiver can tell a retry by its `id`."""
    return json.dumps({
        "id": f"evt_{event.pk}",
        "type": event.name,
        "created_at": event.created_at,
        "data": {
            "session": event.session_id,
            "subject": event.subject,
            "user": event.user_id,
            "actor": event.actor_id,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "payload": event.payload,
        },
    }, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")).encode()


# --- Endpoints -------------------------------------------------------------------------------


def save_endpoint(endpoint: WebhookEndpoint, *, was_active: bool | None = None
                  ) -> WebhookEndpoint:
    """Save what staff typed. Switched back on, the endpoint starts a new count of failures
    (and its waiting deliveries are sent again at the next run)."""
    if endpoint.is_active and was_active is False:
        endpoint.consecutive_failures = 0
        endpoint.disabled_at = None
        endpoint.active_since = timezone.now()
    endpoint.save()
    if endpoint.is_active and was_active is False:
        transaction.on_commit(kick)
    return endpoint


def rotate_secret(endpoint: WebhookEndpoint) -> str:
    """A new signing secret, from now on; the receiver must be given it."""
    endpoint.secret = new_secret()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=endpoint.secret)
    return endpoint.secret


# --- Planning --------------------------------------------------------------------------------


def plan(happened: Happened) -> list[WebhookDelivery]:
    """One delivery per active endpoint that wants this event; none twice (the unique
    (endpoint, event) pair makes hearing the event again a no-op)."""
    endpoints = [e for e in WebhookEndpoint.objects.filter(is_active=True)
                 if e.wants(happened.event.value)]
    if not endpoints:
        return []
    planned = [WebhookDelivery(endpoint=e, event_id=happened.record_id,
                               event_name=happened.event.value) for e in endpoints]
    WebhookDelivery.objects.bulk_create(planned, ignore_conflicts=True)
    transaction.on_commit(kick)
    return planned


# An event is planned right after its commit; one older than this without its deliveries lost
# its planning (the process died) and is planned by the sweeper, up to MISSED_UP_TO back.
MISSED_AFTER = timedelta(minutes=2)
MISSED_UP_TO = timedelta(days=1)


def plan_missed(now: datetime | None = None, limit: int = 500) -> int:
    """Every minute, before sending (booker.tasks.send_webhooks): the deliveries of events
    committed but never planned, for each active endpoint since it became active. Planning
    twice plans nothing more. Returns how many deliveries were made."""
    now = now or timezone.now()
    made = 0
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        events = SessionEvent.objects.filter(
            created_at__lte=now - MISSED_AFTER,
            created_at__gte=max(endpoint.active_since, now - MISSED_UP_TO),
        ).exclude(webhook_deliveries__endpoint=endpoint)
        if endpoint.events:
            events = events.filter(name__in=endpoint.events)
        missed = [WebhookDelivery(endpoint=endpoint, event_id=pk, event_name=name)
                  for pk, name in events.order_by("created_at", "pk")
                  .values_list("pk", "name")[:limit]]
        made += len(WebhookDelivery.objects.bulk_create(missed, ignore_conflicts=True))
    return made


def on_event(happened: Happened) -> None:
    """Subscribed to every event (booker/receivers.py)."""
    try:
        plan(happened)
    except Exception:
        log.exception("planning the webhooks of %s (event %s) failed", happened.event,
                      happened.record_id)
        raise


def kick() -> None:
    """Ask the worker to send what is due now (the minute schedule would, a little later)."""
    from django_q.tasks import async_task

    try:
        async_task("booker.tasks.send_webhooks", task_name="send webhooks")
    except Exception:  # the schedule sends them anyway
        log.exception("could not queue the sending of webhooks")


# --- Sending ---------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    # Only an active endpoint's: a switched-off endpoint keeps its deliveries waiting, and
    # they go out when staff switch it back on.
    return (Q(status__in=[S.PENDING, S.FAILED], due_at__lte=now)
            | Q(status=S.SENDING, claimed_until__lt=now)) & Q(endpoint__is_active=True)


def claim(delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Take the delivery for this sender, or None if another has it or it is not due."""
    now = now or timezone.now()
    rows = WebhookDelivery.objects.filter(_due(now), pk=delivery_id)
    for source in (S.PENDING, S.FAILED, S.SENDING):
        if WEBHOOK_DELIVERY.move_rows(rows, source, S.SENDING, claimed_until=now + LEASE,
                                      attempts=F("attempts") + 1):
            return WebhookDelivery.objects.select_related("endpoint", "event").get(
                pk=delivery_id)
    return None


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""


def _excerpt(response: requests.Response | None) -> str:
    if response is None:
        return ""
    try:
        text = response.text
    except Exception:  # an undecodable body says nothing more
        return ""
    return " ".join(text.split())[:EXCERPT]


def _post(delivery: WebhookDelivery) -> Outcome:
    # The address is typed by staff: posted to the public Internet only (booker.outbound), so
    # an endpoint cannot reach the cloud's metadata service or the database's port.
    from booker import outbound

    body = body_of(delivery.event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Booke-Webhooks/1",
        SIGNATURE_HEADER: signature_header(delivery.endpoint.secret, timestamp, body),
        "Booke-Event": delivery.event_name,
        "Booke-Delivery": str(delivery.pk),
    }
    try:
        response = outbound.post(
            delivery.endpoint.url, data=body, headers=headers, timeout=TIMEOUT,
            allowed_networks=settings.BOOKE_WEBHOOK_ALLOWED_PRIVATE_NETWORKS)
    except requests.HTTPError as exc:
        response = exc.response
        return Outcome(False, getattr(response, "status_code", None), _excerpt(response),
                       (outbound.explain(exc) or str(exc))[:500])
    except Exception as exc:  # refused, unreachable, timed out: nothing was answered
        return Outcome(False, error=(outbound.explain(exc) or str(exc) or
                                     type(exc).__name__)[:500])
    return Outcome(True, response.status_code, _excerpt(response))


def attempt(delivery: WebhookDelivery) -> str:
    """POST a claimed delivery once, log it and finish it. Returns its new status."""
    started = timezone.now()
    clock = time.monotonic()
    outcome = _post(delivery)
    duration = int((time.monotonic() - clock) * 1000)
    return _finish(delivery, outcome, started, duration)


@transaction.atomic
def _finish(delivery: WebhookDelivery, outcome: Outcome, started: datetime,
            duration_ms: int) -> str:
    now = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery, started_at=started, duration_ms=duration_ms,
        status_code=outcome.status_code, response_excerpt=outcome.excerpt,
        error=outcome.error, succeeded=outcome.ok,
        replay=delivery.replays > 0 and delivery.attempts == 1,
    )
    # The claim's holder alone finishes it: a sender overtaken after its lease ran out
    # changes nothing.
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts)
    common = {"claimed_until": None, "last_status_code": outcome.status_code,
              "last_error": outcome.error}
    endpoints = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
    if outcome.ok:
        if WEBHOOK_DELIVERY.move_rows(mine, S.SENDING, S.SUCCEEDED, delivered_at=now,
                                      **common):
            endpoints.update(consecutive_failures=0)
        return S.SUCCEEDED
    if delivery.attempts < MAX_ATTEMPTS:
        WEBHOOK_DELIVERY.move_rows(
            mine, S.SENDING, S.FAILED,
            due_at=now + timedelta(minutes=BACKOFF[delivery.attempts - 1]), **common)
        return S.FAILED
    if WEBHOOK_DELIVERY.move_rows(mine, S.SENDING, S.DEAD, **common):
        endpoints.update(consecutive_failures=F("consecutive_failures") + 1)
        _disable_if_failing(delivery.endpoint_id, now)
    return S.DEAD


def _disable_if_failing(endpoint_id: int, now: datetime) -> None:
    # Compare-and-set on is_active: two senders reaching the threshold together switch it
    # off, and tell the studio, once.
    switched = WebhookEndpoint.objects.filter(
        pk=endpoint_id, is_active=True, consecutive_failures__gte=DISABLE_AFTER,
    ).update(is_active=False, disabled_at=now)
    if switched:
        endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
        log.warning("webhook endpoint %s switched off after %s failed deliveries",
                    endpoint.url, endpoint.consecutive_failures)
        transaction.on_commit(lambda: tell_studio_disabled(endpoint))


def studio_address() -> str:
    from booker.branding import studio_details

    return studio_details().get("email") or settings.BOOKE_STUDIO.get("email", "")


def tell_studio_disabled(endpoint: WebhookEndpoint) -> None:
    """The studio's email saying the endpoint was switched off, and where to switch it back
    on."""
    to = studio_address()
    if not to:
        log.warning("webhook endpoint %s switched off; no studio address to tell", endpoint.url)
        return
    link = absolute_url(reverse("admin:booker_webhookendpoint_change", args=[endpoint.pk]))
    templated_email("booker/email/webhook_disabled", {
        "endpoint": endpoint, "failures": endpoint.consecutive_failures, "link": link,
    }, [to]).send()


def send_due(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Every delivery due now, oldest first, each claimed before it is posted."""
    now = now or timezone.now()
    ids = list(WebhookDelivery.objects.filter(_due(now)).order_by("due_at", "pk")
               .values_list("pk", flat=True)[:limit])
    counts: dict[str, int] = {}
    for pk in ids:
        delivery = claim(pk, now)
        if delivery is None:
            continue
        status = attempt(delivery)
        counts[status] = counts.get(status, 0) + 1
    return counts


# --- Replay ----------------------------------------------------------------------------------


@transaction.atomic
def replay(delivery: WebhookDelivery) -> bool:
    """Staff send a delivery again (delivered, given up or waiting its retry): a new round of
    attempts of the same delivery, the same body and id. False while one is being sent."""
    moved = WEBHOOK_DELIVERY.move_rows(
        WebhookDelivery.objects.filter(pk=delivery.pk),
        delivery.status, S.PENDING, due_at=timezone.now(), attempts=0,
        replays=F("replays") + 1,
    ) if delivery.status in WEBHOOK_DELIVERY.sources_of(S.PENDING) else 0
    if moved:
        transaction.on_commit(kick)
    return bool(moved)
