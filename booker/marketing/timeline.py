"""The campaign emails on a contact's timeline (booker.crm.timeline): each one sent, and each
bounce, flagged for the studio's eye. Registered from BookerConfig.ready."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext

from booker.crm import timeline
from booker.crm.timeline import EMAIL, PER_SOURCE, Entry
from booker.marketing.models import CampaignSend
from booker.models import Contact, normalise_email


def campaign_emails(contact: Contact) -> list[Entry]:
    to = Q(user_id=contact.user_id) if contact.user_id else Q(pk__in=[])
    if contact.email:
        to |= Q(email=normalise_email(contact.email))
    Status = CampaignSend.Status
    rows = (CampaignSend.objects.filter(to, status__in=[Status.SENT, Status.BOUNCED])
            .select_related("campaign").order_by("-sent_at", "-pk")[:PER_SOURCE])
    entries = []
    for send in rows:
        if send.sent_at is not None:
            entries.append(Entry(send.sent_at, EMAIL, gettext("Campaign sent"),
                                 f"{send.campaign.subject} → {send.email}"))
        if send.status == Status.BOUNCED:
            entries.append(Entry(send.bounced_at or send.sent_at or send.campaign.created_at,
                                 EMAIL, gettext("Campaign not delivered"),
                                 f"{send.campaign.subject} → {send.email}: {send.detail}".strip(),
                                 alert=True))
    return entries


def register() -> None:
    timeline.register(campaign_emails)
