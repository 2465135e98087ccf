"""Which of our emails a bounce reports: by the reference our email carried (X-Booke-Ref),
else by its Message-ID, else the newest email sent to the failed address lately."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from booker.bounces.dsn import Bounce
from booker.marketing.models import CampaignSend
from booker.models import Message, normalise_email

# A bounce names an email sent at most this long ago: relays give up within days.
RECENT = timedelta(days=30)

CAMPAIGN, MESSAGE = "campaign", "message"
CAMPAIGN_REF = re.compile(r"^campaign-(\d+)-send-(\d+)$")
MESSAGE_REF = re.compile(r"^msg-(\d+)$")
# The Message-IDs the senders write (booker.marketing.sender, booker.automation.sender).
CAMPAIGN_ID = re.compile(r"^<campaign\.(\d+)\.(\d+)@booke>$")
MESSAGE_ID = re.compile(r"^<[^<>@]*\.(\d+)@booke>$")


@dataclass(frozen=True)
class Sent:
    """One email we sent: a campaign's (`campaign_id`, the send's `pk`) or an automation
    message (`pk`)."""

    kind: str
    pk: int
    email: str
    campaign_id: int | None = None


def sent_email(bounce: Bounce) -> Sent | None:
    """The email `bounce` reports, or None when none of ours matches."""
    return (_by_ids(CAMPAIGN_REF, MESSAGE_REF, bounce.ref)
            or _by_ids(CAMPAIGN_ID, MESSAGE_ID, bounce.message_id)
            or _newest_to(bounce.recipient))


def _by_ids(campaign_pattern: re.Pattern, message_pattern: re.Pattern, value: str
            ) -> Sent | None:
    if not value:
        return None
    if match := campaign_pattern.match(value):
        send = (CampaignSend.objects.filter(campaign_id=int(match.group(1)),
                                            pk=int(match.group(2)))
                .values("pk", "email", "campaign_id").first())
        return Sent(CAMPAIGN, send["pk"], send["email"], send["campaign_id"]) if send else None
    if match := message_pattern.match(value):
        message = (Message.objects.filter(pk=int(match.group(1)), action="email")
                   .values("pk", "recipient").first())
        return Sent(MESSAGE, message["pk"], message["recipient"]) if message else None
    return None


def _newest_to(address: str) -> Sent | None:
    if not address:
        return None
    since = timezone.now() - RECENT
    send = (CampaignSend.objects
            .filter(email=normalise_email(address), sent_at__gte=since,
                    status=CampaignSend.Status.SENT)
            .order_by("-sent_at", "-pk").values("pk", "email", "campaign_id", "sent_at").first())
    message = (Message.objects
               .filter(recipient__iexact=address, action="email", sent_at__gte=since,
                       status=Message.Status.SENT)
               .order_by("-sent_at", "-pk").values("pk", "recipient", "sent_at").first())
    if message and (not send or message["sent_at"] > send["sent_at"]):
        return Sent(MESSAGE, message["pk"], message["recipient"])
    if send:
        return Sent(CAMPAIGN, send["pk"], send["email"], send["campaign_id"])
    return None


def undeliverable(email: str) -> bool:
    """Whether `email` bounced hard BOOKE_BOUNCE_LIMIT times or more (campaign emails and
    automation messages, refused at sending or reported later) within BOOKE_BOUNCE_DAYS: an
    address that does not exist any more. Campaigns skip it — mailing it again would only
    hurt the studio's sending reputation. A limit of 0 turns this off."""
    limit = int(getattr(settings, "BOOKE_BOUNCE_LIMIT", 2))
    if limit <= 0 or not email:
        return False
    since = timezone.now() - timedelta(days=int(getattr(settings, "BOOKE_BOUNCE_DAYS", 180)))
    campaigns = CampaignSend.objects.filter(email=normalise_email(email),
                                            status=CampaignSend.Status.BOUNCED,
                                            bounced_at__gte=since).count()
    if campaigns >= limit:
        return True
    messages = Message.objects.filter(recipient__iexact=email, status=Message.Status.BOUNCED,
                                      bounced_at__gte=since).count()
    return campaigns + messages >= limit
