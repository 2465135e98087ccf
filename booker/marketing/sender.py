"""Sending a campaign through the worker, a batch at a time.

Each run takes at most BOOKER_CAMPAIGN_BATCH_SIZE recipients, sends them over one SMTP
connection and, while some are left, schedules the next run BOOKER_CAMPAIGN_BATCH_SECONDS
later: the studio's mail server and its reputation see a steady trickle, never a burst. Each
recipient is claimed before its email goes (compare-and-set with a lease): two workers never
send one person the same campaign twice. Consent is read again right before each email — a
person who unsubscribed since the campaign was queued is skipped."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from booker.automation.unsubscribe import token_for, unsubscribe_url
from booker.bounces.selectors import undeliverable
from booker.branding import studio_details
from booker.crm import services as crm
from booker.crm.selectors import may_receive_marketing
from booker.mail import absolute_url, returned_to_bounce_address
from booker.marketing.machine import CAMPAIGN_SEND
from booker.marketing.models import Campaign, CampaignSend
from booker.models import User, normalise_email

log = logging.getLogger(__name__)
S = CampaignSend.Status

# A failure (the server busy, a 4xx) is tried again in the next batches, this many times in all.
MAX_ATTEMPTS = 3
LEASE = timedelta(minutes=5)
TASK = "booker.tasks.send_campaign_batch"


def batch_size() -> int:
    return max(1, int(getattr(settings, "BOOKER_CAMPAIGN_BATCH_SIZE", 50)))


def batch_seconds() -> int:
    return max(0, int(getattr(settings, "BOOKER_CAMPAIGN_BATCH_SECONDS", 60)))


def _due(campaign_id: int) -> Q:
    now = timezone.now()
    return (Q(campaign_id=campaign_id, status__in=[S.PENDING, S.FAILED],
              attempts__lt=MAX_ATTEMPTS)
            & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)))


def _claim(send: CampaignSend) -> bool:
    return bool(CampaignSend.objects.filter(_due(send.campaign_id), pk=send.pk,
                                            attempts=send.attempts)
                .update(attempts=F("attempts") + 1,
                        claimed_until=timezone.now() + LEASE))


def _finish(send: CampaignSend, target: str, **fields) -> None:
    CAMPAIGN_SEND.move_rows(CampaignSend.objects.filter(pk=send.pk), send.status, target,
                            claimed_until=None, **fields)


def unsubscribe_headers(email: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: the https link takes the one-click POST without a login; the
    mailto reaches the studio's mailbox for the mail clients that only know that form."""
    mailbox = getattr(settings, "BOOKER_UNSUBSCRIBE_MAILTO", "") or studio_details().get("email")
    mailto = (f"{mailbox}?subject=unsubscribe%20{token_for(email, 'marketing')}"
              if mailbox else "")
    return crm.one_click_unsubscribe_headers(unsubscribe_url(email, "marketing"), mailto)


def message_for(campaign: Campaign, send: CampaignSend) -> EmailMultiAlternatives:
    """The campaign's content inside the studio's email layout, with this person's own
    unsubscribe link in the footer and the headers."""
    headers = unsubscribe_headers(send.email)
    layout = {"subject": campaign.subject, "studio": studio_details(),
              "unsubscribe_url": unsubscribe_url(send.email, "marketing"),
              "account_url": absolute_url(reverse("portal:account"))}
    # The body is the CMS's rendering of an editor's content (Wagtail's rich text keeps only
    # its allowed tags), never a visitor's text.
    body = mark_safe(campaign.body_html)  # nosec B308, B703 # the CMS's own HTML, see above
    html = render_to_string("automation/email/layout.html", {**layout, "body": body})
    text = render_to_string("automation/email/layout.txt", {**layout, "body": campaign.body_text})
    email = EmailMultiAlternatives(
        campaign.subject, text, to=[send.email],
        headers={**headers, "Message-ID": f"<campaign.{campaign.pk}.{send.pk}@booke>",
                 "X-Booke-Campaign": str(campaign.pk)},
        reply_to=[e for e in [studio_details().get("email")] if e])
    email.attach_alternative(html, "text/html")
    return returned_to_bounce_address(email, f"campaign-{campaign.pk}-send-{send.pk}")


def send_batch(campaign_id: int) -> dict[str, int]:
    """Send the next batch of `campaign_id`; schedule the next one while some are left.
    Returns the count of each outcome."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.finished_at is not None:
        return {}
    counts: dict[str, int] = {}
    batch = list(CampaignSend.objects.filter(_due(campaign_id)).order_by("pk")[:batch_size()])
    connection = get_connection()
    try:
        for send in batch:
            outcome = _send_one(campaign, send, connection)
            if outcome:
                counts[outcome] = counts.get(outcome, 0) + 1
            if outcome == "server away":
                break
    finally:
        try:
            connection.close()
        except Exception:  # the batch's results are recorded already
            log.exception("closing the SMTP connection of campaign %s", campaign_id)
    _next(campaign)
    return counts


def _moved_to(send: CampaignSend) -> str:
    """The address the account of `send` uses now, when it changed since the campaign was
    queued ("" otherwise): the person's consents followed them there, and the address they
    left is no longer theirs."""
    if send.user_id is None:
        return ""
    now = normalise_email(User.objects.filter(pk=send.user_id)
                          .values_list("email", flat=True).first() or "")
    return now if now and now != send.email else ""


def _send_one(campaign: Campaign, send: CampaignSend, connection) -> str:
    if not _claim(send):
        return ""
    send.refresh_from_db()
    moved = _moved_to(send)
    if moved:
        if CampaignSend.objects.filter(campaign_id=send.campaign_id, email=moved).exists():
            # The person is on the campaign at their new address too: one email.
            _finish(send, S.SKIPPED, detail=gettext("address changed"))
            return S.SKIPPED
        CampaignSend.objects.filter(pk=send.pk).update(email=moved)
        send.email = moved
    if not may_receive_marketing(send.email, b2b=send.company_id is not None):
        _finish(send, S.SKIPPED, detail=gettext("no marketing consent") if send.company_id is None
                else gettext("opted out"))
        return S.SKIPPED
    if undeliverable(send.email):
        _finish(send, S.SKIPPED, detail=gettext("undeliverable: bounced before"))
        return S.SKIPPED
    try:
        connection.send_messages([message_for(campaign, send)])
    except smtplib.SMTPRecipientsRefused as refused:
        code, reason = next(iter(refused.recipients.values()), (0, b""))
        if isinstance(reason, bytes):
            reason = reason.decode(errors="replace")
        detail = f"{code} {reason}"
        if 500 <= code < 600:
            _finish(send, S.BOUNCED, bounced_at=timezone.now(), detail=detail[:300])
            return S.BOUNCED
        _finish(send, S.FAILED, detail=detail[:300])
        return S.FAILED
    except (smtplib.SMTPException, OSError) as error:
        _finish(send, S.FAILED, detail=str(error)[:300])
        # The server is away: the others wait for the next batch rather than each timing out.
        return "server away" if isinstance(error, (OSError, smtplib.SMTPServerDisconnected,
                                                   smtplib.SMTPConnectError)) else S.FAILED
    _finish(send, S.SENT, sent_at=timezone.now(), detail="")
    return S.SENT


def _next(campaign: Campaign) -> None:
    left = CampaignSend.objects.filter(campaign=campaign, status__in=[S.PENDING, S.FAILED],
                                       attempts__lt=MAX_ATTEMPTS)
    if left.exists():
        queue_batch(campaign.pk, delay=batch_seconds())
    else:
        Campaign.objects.filter(pk=campaign.pk, finished_at__isnull=True).update(
            finished_at=timezone.now())


def queue_batch(campaign_id: int, *, delay: int = 0) -> None:
    """The next batch through the worker: now, or as a one-off schedule `delay` seconds on."""
    from django_q.models import Schedule
    from django_q.tasks import async_task, schedule

    try:
        if delay <= 0:
            async_task(TASK, campaign_id, task_name=f"campaign {campaign_id}")
        else:
            schedule(TASK, campaign_id, schedule_type=Schedule.ONCE, repeats=1,
                     next_run=timezone.now() + timedelta(seconds=delay))
    except Exception:  # staff resume it from the admin ("Resume sending")
        log.exception("could not queue the next batch of campaign %s", campaign_id)
