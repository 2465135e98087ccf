"""Marketing's writes: a campaign queued for a segment, and a bounce heard later.

The Booker knows nothing of the site's content: the site (editorial) renders the campaign's
subject and bodies and calls `create_campaign`."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from booker.marketing import sender
from booker.marketing.machine import CAMPAIGN_SEND
from booker.marketing.models import Campaign, CampaignSend, Segment, SegmentCondition
from booker.marketing.selectors import recipients
from booker.models import User, normalise_email


def create_campaign(segment: Segment, *, name: str, subject: str, body_html: str,
                    body_text: str, source: str = "", created_by: User | None = None
                    ) -> Campaign:
    """A campaign to everyone in `segment` now, sent by the worker in batches once the rows
    are committed. Consent is checked for each person when their email goes."""
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name[:200], segment=segment, subject=" ".join(subject.split())[:300],
            body_html=body_html, body_text=body_text, source=source[:200],
            created_by=created_by)
        CampaignSend.objects.bulk_create([
            CampaignSend(campaign=campaign, email=r.email, name=r.name[:200],
                         user_id=r.user_id, company_id=r.company_id)
            for r in recipients(segment)
        ])
        transaction.on_commit(lambda: sender.queue_batch(campaign.pk))
    return campaign


@transaction.atomic
def record_bounce(campaign_id: int, email: str, detail: str = "") -> bool:
    """A bounce reported after the email left (a delivery status notification): recorded on
    that person's send. Returns whether a send was found."""
    send = (CampaignSend.objects.select_for_update()
            .filter(campaign_id=campaign_id, email=normalise_email(email)).first())
    if send is None:
        return False
    if send.status not in CAMPAIGN_SEND.sources_of(CampaignSend.Status.BOUNCED):
        return True  # bounced already, or never sent
    CAMPAIGN_SEND.move_rows(CampaignSend.objects.filter(pk=send.pk), send.status,
                            CampaignSend.Status.BOUNCED, bounced_at=timezone.now(),
                            detail=detail[:300])
    return True


def resume(campaign: Campaign) -> None:
    """Staff's "Resume sending": the next batch now (after a server outage, say)."""
    Campaign.objects.filter(pk=campaign.pk).update(finished_at=None)
    sender.queue_batch(campaign.pk)


def ensure_segment(name: str, conditions: list[tuple[str, dict]], *, description: str = ""
                   ) -> tuple[Segment, bool]:
    """The segment called `name`, made with `conditions` (kind, parameters) if it does not
    exist; an existing one is left as staff changed it. Returns (segment, created)."""
    with transaction.atomic():
        segment, created = Segment.objects.get_or_create(
            name=name, defaults={"description": description})
        if created:
            for kind, params in conditions:
                SegmentCondition.objects.create(segment=segment, kind=kind, **params)
    return segment, created
