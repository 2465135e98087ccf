"""A company's data export and erasure (GDPR, issue 21): a company's request, or the end of a
B2B relation. The Booker's sections, registered by BookerConfig.ready in
booker.people.personal_data's company registry; the shop adds its invoices' part.

What a company's erasure does: the company's own contact details go (its trading name, billing
email, address, email domains, budget), the legal name, SIRET and VAT number stay, as on the
invoices that copied them; its CRM contact loses its name, email and phone, and the studio's
notes, tasks and leads about it go; its memberships and team invitations go (its members'
accounts stay, unless the studio ticked them for their own erasure, booker.erasure); its
sessions stay as rows (the studio's record of work done and paid) without title, place,
notes, share links or download traces, and their photos go, files first (booker.erasure)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from booker.automation.machine import MESSAGE
from booker.models import (
    Booking,
    CampaignSend,
    Company,
    Contact,
    ContactNote,
    ContactTask,
    Delivery,
    DownloadLog,
    HeadshotSlot,
    Lead,
    MarketingConsent,
    Membership,
    Message,
    PhotoSession,
    Rush,
    RushUpload,
    SelectionItem,
    SessionEvent,
    ShareLink,
    TeamInvitation,
)
from booker.people import personal_data
from booker.privacy import (
    ERASED_TITLE,
    _clean_payload,
    _counts_by_tier,
    _distinct,
    _scrubbed,
    booking_files,
    session_files,
)

ERASED_COMPANY = "Entreprise effacée"  # a stored value, read in French like the rest of /admin/


def anonymised_email(company: Company) -> str:
    return f"entreprise-effacee-{company.pk}@efface.invalid"


def company_sessions(company: Company) -> QuerySet[PhotoSession]:
    return PhotoSession.objects.filter(company=company)


def company_bookings(company: Company) -> QuerySet[Booking]:
    return Booking.objects.filter(company=company)


def files_of(company: Company) -> list[tuple[str, str]]:
    """(tier, stored name) of every file of the company's sessions and bookings."""
    return _distinct(session_files(company_sessions(company))
                     + booking_files(company_bookings(company)))


def file_counts(company: Company) -> dict[str, int]:
    return _counts_by_tier(files_of(company),
                           Rush.objects.filter(session__in=company_sessions(company).values("pk")))


def _identifiers(company: Company) -> list[str]:
    """What names the company or its people in free text (longest first)."""
    found = {company.name, company.legal_name, company.billing_email}
    contact = Contact.objects.filter(company=company).first()
    if contact is not None:
        found |= {contact.name, contact.email, contact.phone}
    for member in (Membership.objects.filter(company=company).select_related("user")):
        user = member.user
        found |= {user.email, user.get_full_name(), user.phone}
    return sorted((v for v in found if v and len(v) > 2), key=len, reverse=True)


# --- Sections (export, erase) ------------------------------------------------------------------


def details(company: Company) -> dict[str, Any]:
    return {
        "id": company.pk,
        "name": company.name,
        "legal_name": company.legal_name,
        "siret": company.siret,
        "vat_number": company.vat_number,
        "billing_email": company.billing_email,
        "address": company.address,
        "pays_on_invoice": company.pays_on_invoice,
        "annual_budget": company.annual_budget,
        "order_approval_threshold": company.order_approval_threshold,
        "email_domains": company.email_domains,
        "created_at": company.created_at,
    }


def erase_details(company: Company) -> int:
    """The legal name, SIRET and VAT number stay (the books find its invoices by them); what
    reaches or describes the company goes, and nothing is billed to it any more."""
    return Company.objects.filter(pk=company.pk).update(
        name=ERASED_COMPANY, slug=f"entreprise-effacee-{company.pk}", billing_email="",
        address="", email_domains="", annual_budget=None, order_approval_threshold=None,
        pays_on_invoice=False)


def crm_contact(company: Company) -> dict[str, Any] | None:
    contact = Contact.objects.filter(company=company).first()
    if contact is None:
        return None
    return {
        "id": contact.pk,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "created_at": contact.created_at,
        "notes": [{"written_at": n.created_at, "text": n.body, "session_id": n.session_id}
                  for n in contact.notes.order_by("pk")],
        "tasks": [{"title": t.title, "due_on": t.due_on, "done": t.done,
                   "session_id": t.session_id, "created_at": t.created_at}
                  for t in contact.tasks.order_by("pk")],
        "leads": [{"name": lead.name, "email": lead.email, "subject": lead.subject,
                   "message": lead.message, "received_at": lead.created_at}
                  for lead in Lead.objects.filter(contact=contact).order_by("pk")],
    }


def erase_crm_contact(company: Company) -> int:
    # The contact stays the company's record (its sessions' timeline hangs on it), nameless;
    # what the studio wrote about it goes.
    contacts = Contact.objects.filter(company=company)
    notes, _by_model = ContactNote.objects.filter(contact__in=contacts).delete()
    tasks, _by_model = ContactTask.objects.filter(contact__in=contacts).delete()
    leads, _by_model = Lead.objects.filter(contact__in=contacts).delete()
    return notes + tasks + leads + contacts.update(name=ERASED_COMPANY, email="", phone="")


def photo_sessions(company: Company) -> list[dict[str, Any]]:
    return [
        {
            "id": s.pk,
            "title": s.title,
            "status": s.status,
            "scheduled_at": s.scheduled_at,
            "location": s.location,
            "photos_included": s.quota,
            "studio_notes": s.notes,
            "photos": s.rushes.count(),
            "created_at": s.created_at,
        }
        for s in company_sessions(company).order_by("scheduled_at", "pk")
    ]


def erase_photo_sessions(company: Company) -> int:
    """The sessions stay (dates, package, status, amounts); their title, place and notes go,
    and their history loses what names the company or its people (registered before the
    memberships, which name the people)."""
    sessions = company_sessions(company)
    words = _identifiers(company)
    count = sessions.update(title=ERASED_TITLE, location="", notes="")
    events = list(SessionEvent.objects.filter(session__in=sessions.values("pk"))
                  .only("pk", "payload"))
    for event in events:
        event.payload = _scrubbed(_clean_payload(event.payload), words)
    SessionEvent.objects.bulk_update(events, ["payload"], batch_size=500)
    return count + len(events)


def bookings(company: Company) -> list[dict[str, Any]]:
    return [
        {"id": b.pk, "status": b.status, "starts_at": b.starts_at, "location": b.location,
         "price": b.price, "deposit": b.deposit, "contract_signed_name": b.contract_signed_name,
         "contract_signed_at": b.contract_signed_at, "session_id": b.session_id}
        for b in company_bookings(company).order_by("pk")
    ]


def erase_bookings(company: Company) -> int:
    """Amounts and dates stay (they went through the books); answers, signature, place and
    the studio's reason go, and the headshot slots that named its people."""
    found = company_bookings(company)
    slots, _by_model = HeadshotSlot.objects.filter(day__booking__in=found).delete()
    return slots + found.update(answers=[], location="", contract_signed_name="",
                                contract_signed_ip=None, contract_pdf="", note="")


def photos(company: Company) -> list[dict[str, Any]]:
    return [
        {"session_id": r.session_id, "name": r.original_filename, "size": r.size,
         "storage_tier": r.original_tier}
        for r in Rush.objects.filter(session__company=company).order_by("session_id", "pk")
    ]


def erase_photos(company: Company) -> int:
    """The rows of its photos (their jobs, picks, finals go with them) once booker.erasure
    deleted the files; share links, delivery messages and download traces."""
    ids = company_sessions(company).values("pk")
    SelectionItem.objects.filter(selection__session__in=ids).exclude(comment="").update(
        comment="")
    links, _by_model = ShareLink.objects.filter(session__in=ids).delete()
    traces = DownloadLog.objects.filter(delivery__session__in=ids).update(
        user=None, ip_address=None, user_agent="")
    messages = Delivery.objects.filter(session__in=ids).update(message="")
    rushes, _by_model = Rush.objects.filter(session__in=ids).delete()
    uploads, _by_model = RushUpload.objects.filter(session__in=ids).delete()
    return links + traces + messages + rushes + uploads


def emails_sent(company: Company) -> list[dict[str, Any]]:
    return [
        {"template": m.template_key, "subject": m.subject, "recipient": m.recipient,
         "status": m.status, "session_id": m.session_id, "sent_at": m.sent_at}
        for m in _messages(company).order_by("created_at", "pk")
    ]


def _messages(company: Company) -> QuerySet[Message]:
    found = Q(session__in=company_sessions(company).values("pk"))
    if company.billing_email:
        found |= Q(recipient__iexact=company.billing_email)
    return Message.objects.filter(found)


def erase_emails_sent(company: Company) -> int:
    """The outbox keeps that a message went (its key stops it going twice), not what it
    said; one still waiting is not sent; the billing address no longer appears."""
    found = _messages(company)
    waiting = sum(MESSAGE.move_rows(found, source, Message.Status.SKIPPED)
                  for source in (Message.Status.PENDING, Message.Status.FAILED))
    count = found.update(subject="", last_error="")
    if company.billing_email:
        found.filter(recipient__iexact=company.billing_email).update(
            recipient=anonymised_email(company))
    return waiting + count


def _campaign_sends(company: Company) -> QuerySet[CampaignSend]:
    found = Q(company=company)
    if company.billing_email:
        found |= Q(email__iexact=company.billing_email)
    return CampaignSend.objects.filter(found)


def _consents(company: Company) -> QuerySet[MarketingConsent]:
    if not company.billing_email:
        return MarketingConsent.objects.none()
    return MarketingConsent.objects.filter(email__iexact=company.billing_email)


def marketing(company: Company) -> dict[str, list[dict[str, Any]]]:
    return {
        "campaign_emails": [{"campaign": s.campaign.name, "email": s.email, "status": s.status,
                             "sent_at": s.sent_at}
                            for s in _campaign_sends(company).select_related("campaign")
                            .order_by("pk")],
        "consents": [{"email": c.email, "purpose": c.purpose, "status": c.status,
                      "requested_at": c.requested_at, "confirmed_at": c.confirmed_at,
                      "withdrawn_at": c.withdrawn_at}
                     for c in _consents(company).order_by("pk")],
    }


def erase_marketing(company: Company) -> int:
    # As for a person (booker.privacy): with its address gone nothing is mailed to it, and the
    # record of what was mailed and agreed to goes with it; one waiting is not sent.
    sends, _by_model = _campaign_sends(company).delete()
    consents, _by_model = _consents(company).delete()
    return sends + consents


def team(company: Company) -> dict[str, list[dict[str, Any]]]:
    return {
        "members": [{"email": m.user.email, "name": m.user.get_full_name(), "role": m.role,
                     "joined_at": m.joined_at}
                    for m in Membership.objects.filter(company=company)
                    .select_related("user").order_by("pk")],
        "invitations": [{"email": i.email, "role": i.role, "created_at": i.created_at,
                         "state": i.state}
                        for i in TeamInvitation.objects.filter(company=company).order_by("pk")],
    }


def erase_team(company: Company) -> int:
    invitations, _by_model = TeamInvitation.objects.filter(company=company).delete()
    memberships, _by_model = Membership.objects.filter(company=company).delete()
    return invitations + memberships


# Run in this order: the sessions' scrub reads the names the others erase (the company's, its
# contact's, its members').
SECTIONS = {
    "photo_sessions": (photo_sessions, erase_photo_sessions,
                       _("Sessions (title, place and notes removed; dates and amounts kept)")),
    "company": (details, erase_details,
                _("Company details (legal name, SIRET and VAT number kept for the invoices)")),
    "crm_contact": (crm_contact, erase_crm_contact,
                    _("CRM contact (anonymised; notes, tasks and leads removed)")),
    "bookings": (bookings, erase_bookings,
                 _("Bookings (answers, signature and place removed; amounts kept)")),
    "photos": (photos, erase_photos, _("Photos (rows and files), share links, downloads")),
    "emails_sent": (emails_sent, erase_emails_sent, _("Emails sent")),
    "marketing": (marketing, erase_marketing, _("Campaign emails and newsletter consents")),
    "team": (team, erase_team, _("Memberships and team invitations")),
}


def register() -> None:
    for name, (fn, erase, label) in SECTIONS.items():
        personal_data.register_company(name, fn, erase, label)
