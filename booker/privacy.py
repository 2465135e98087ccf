"""The Booker's sections of a person's data export (booker.people.personal_data, issue 21):
their account, companies, CRM records, bookings, sessions with the history that concerns
them, picks and comments, deliveries and downloads, share links, emails and their photos'
files. Registered by BookerConfig.ready; the shop adds its own.

Which sessions concern a person: those of which they are the client (all of each), and a
company's sessions where they sat for a photo or picked one (only what is theirs there).
Every section reads in a fixed number of queries, whatever the number of sessions.

Never exported: the password hash, second-factor keys, share-link and booking tokens (a
booking's token is in its events' payload too, taken out below), invitation nonces, the
consents' token hashes, the webhooks' secrets (webhooks are not about a person)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePath
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from booker import roles, storage
from booker.automation.machine import MESSAGE
from booker.errors import StudioError
from booker.models import (
    Booking,
    CampaignSend,
    Delivery,
    DownloadLog,
    FinalPhoto,
    FinalVersion,
    HeadshotSlot,
    Invitation,
    Lead,
    MarketingConsent,
    Membership,
    Message,
    PersonalDataErasure,
    PhotoSession,
    RetouchJob,
    Rush,
    RushUpload,
    SelectionItem,
    SessionEvent,
    ShareLink,
    TeamInvitation,
    User,
)
from booker.people import personal_data
from booker.people.selectors import runs_the_studio

# Event payload keys that carry a credential (a booking's token) or might one day.
SECRET_KEYS = ("token", "secret", "nonce", "password", "signature", "key")
SECRET_PAYLOAD_KEYS = frozenset({"booking"})


def _is_secret_key(name: str) -> bool:
    name = name.lower()
    return name in SECRET_PAYLOAD_KEYS or any(word in name for word in SECRET_KEYS)


def _clean_payload(payload: Any) -> Any:
    if isinstance(payload, dict):
        return {k: _clean_payload(v) for k, v in payload.items() if not _is_secret_key(str(k))}
    if isinstance(payload, list):
        return [_clean_payload(v) for v in payload]
    return payload


def own_sessions(user: User) -> QuerySet[PhotoSession]:
    """The sessions of which `user` is the client: everything in them is about them."""
    return PhotoSession.objects.filter(client=user)


def sessions_concerning(user: User) -> QuerySet[PhotoSession]:
    """Their own sessions, and a company's sessions where they sat for a photo or picked."""
    return PhotoSession.objects.filter(
        Q(client=user)
        | Q(pk__in=Rush.objects.filter(sitter=user).values("session_id"))
        | Q(pk__in=SelectionItem.objects.filter(picked_by=user)
            .values("selection__session_id"))
    )


def _own_ids(user: User):
    return own_sessions(user).values("pk")


# --- Sections ---------------------------------------------------------------------------------


def account(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "reminder_emails": user.reminder_emails,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "has_password": user.has_usable_password(),
        # Whether a second factor is set up, never its keys or recovery codes.
        "second_factor": {
            "authenticator_app": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "recovery_codes": StaticDevice.objects.filter(user=user, confirmed=True).exists(),
        },
    }


def companies(user: User) -> list[dict[str, Any]]:
    return [
        {
            "company_id": m.company_id,
            "name": m.company.name,
            "legal_name": m.company.legal_name,
            "siret": m.company.siret,
            "vat_number": m.company.vat_number,
            "billing_email": m.company.billing_email,
            "address": m.company.address,
            "role": m.role,
            "joined_at": m.joined_at,
        }
        for m in Membership.objects.filter(user=user).select_related("company").order_by("pk")
    ]


def leads(user: User) -> list[dict[str, Any]]:
    found = Lead.objects.filter(Q(user=user) | Q(email__iexact=user.email)).order_by("pk")
    return [
        {
            "id": lead.pk,
            "name": lead.name,
            "email": lead.email,
            "phone": lead.phone,
            "company": lead.company,
            "subject": lead.subject,
            "message": lead.message,
            "source": lead.source,
            "source_url": lead.source_url,
            "status": lead.status,
            "received_at": lead.created_at,
        }
        for lead in found
    ]


def marketing_consents(user: User) -> list[dict[str, Any]]:
    found = MarketingConsent.objects.filter(email__iexact=user.email).order_by("pk")
    return [
        {
            "id": c.pk,
            "email": c.email,
            "purpose": c.purpose,
            "status": c.status,
            "source": c.source,
            # The evidence, as stored: the text they were shown, the page, the (hashed) IP
            # and the dates.
            "consent_text": c.consent_text,
            "source_url": c.source_url,
            "ip_hash": c.ip_hash,
            "requested_at": c.requested_at,
            "confirmation_sent_at": c.last_sent_at,
            "confirmed_at": c.confirmed_at,
            "withdrawn_at": c.withdrawn_at,
        }
        for c in found
    ]


def _without(secret: str, value: Any) -> Any:
    """`value` with `secret` taken out of every string in it."""
    if isinstance(value, dict):
        return {k: _without(secret, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without(secret, v) for v in value]
    if isinstance(value, str) and secret:
        return value.replace(secret, "…")
    return value


def _answers(booking: Booking) -> list[Any]:
    """The questionnaire's answers; a file's by its name, as its stored path holds the
    booking's token (booker.booking.models.answer_upload_to)."""
    answers = []
    for answer in booking.answers or []:
        if isinstance(answer, dict) and answer.get("kind") == "file" and answer.get("value"):
            answer = {**answer, "value": PurePath(str(answer["value"])).name}
        answers.append(answer)
    return _without(booking.token, answers)


def bookings(user: User) -> list[dict[str, Any]]:
    found = (Booking.objects.filter(Q(client=user) | Q(booked_by=user))
             .select_related("session_type", "company").order_by("pk"))
    return [
        {
            "id": b.pk,
            "session_type": b.session_type.name,
            "company": b.company.name if b.company_id else None,
            "booked_by_them": b.booked_by_id == user.pk,
            "status": b.status,
            "starts_at": b.starts_at,
            "ends_at": b.ends_at,
            "location": b.location,
            "answers": _answers(b),
            "price": b.price,
            "deposit": b.deposit,
            "deposit_paid": b.deposit_paid,
            "refunded": b.refunded,
            "travel_fee": b.travel_fee,
            "balance_due_on": b.balance_due_on,
            "contract_signed_name": b.contract_signed_name,
            "contract_signed_at": b.contract_signed_at,
            "contract_signed_ip": b.contract_signed_ip,
            # Whether the signed PDF is kept, not its stored name: that is the booking's token.
            "has_contract_pdf": bool(b.contract_pdf),
            "contract_text": b.contract_text,
            "studio_reason": b.note,
            "session_id": b.session_id,
            "created_at": b.created_at,
        }
        for b in found
    ]


def headshot_slots(user: User) -> list[dict[str, Any]]:
    found = (HeadshotSlot.objects.filter(member=user)
             .select_related("day__booking__company").order_by("starts_at"))
    return [
        {
            "starts_at": slot.starts_at,
            "company": (slot.day.booking.company.name
                        if slot.day.booking.company_id else None),
            "booking_id": slot.day.booking_id,
            "created_at": slot.created_at,
        }
        for slot in found
    ]


def _event(row: SessionEvent, user: User) -> dict[str, Any]:
    return {
        "name": row.name,
        "subject": row.subject,
        "from_status": row.from_status,
        "to_status": row.to_status,
        "by_them": row.actor_id == user.pk,
        "payload": _clean_payload(row.payload),
        "at": row.created_at,
    }


def photo_sessions(user: User) -> list[dict[str, Any]]:
    sessions = list(
        sessions_concerning(user).select_related("company", "package", "photographer")
        .order_by("scheduled_at", "pk")
    )
    ids = [s.pk for s in sessions]
    own = {s.pk for s in sessions if s.client_id == user.pk}
    # Their own sessions' whole history; elsewhere, what they did or what was about them.
    history: dict[int, list] = defaultdict(list)
    rows = SessionEvent.objects.filter(
        Q(session_id__in=own) | Q(session_id__in=ids, actor=user) | Q(session_id__in=ids, user=user)
    ).order_by("created_at", "pk")
    for row in rows:
        history[row.session_id].append(_event(row, user))
    return [
        {
            "id": s.pk,
            "title": s.title,
            "owner": "client" if s.pk in own else "company",
            "company": s.company.name if s.company_id else None,
            "package": s.package.name if s.package_id else None,
            "photographer": str(s.photographer) if s.photographer_id else None,
            "status": s.status,
            "status_changed_at": s.status_changed_at,
            "scheduled_at": s.scheduled_at,
            "duration_minutes": s.duration_minutes,
            "location": s.location,
            "photos_included": s.quota,
            "extra_photo_price": s.extra_photo_price,
            # What the studio wrote about the session is theirs to read too (their own only).
            "studio_notes": s.notes if s.pk in own else "",
            "created_at": s.created_at,
            "history": history.get(s.pk, []),
        }
        for s in sessions
    ]


def other_events(user: User) -> list[dict[str, Any]]:
    """Events about them outside any session: an invitation, an order, a booking's hold."""
    rows = (SessionEvent.objects.filter(session__isnull=True)
            .filter(Q(user=user) | Q(actor=user)).order_by("created_at", "pk"))
    return [_event(row, user) for row in rows]


def selections(user: User) -> list[dict[str, Any]]:
    items = (
        SelectionItem.objects
        .filter(Q(selection__session__in=_own_ids(user)) | Q(picked_by=user))
        .filter(Q(picked=True) | ~Q(comment=""))
        .select_related("rush", "selection").order_by("selection__session_id", "rush_id")
    )
    return [
        {
            "session_id": item.selection.session_id,
            "photo": item.rush.original_filename,
            "picked": item.picked,
            "picked_by_them": item.picked_by_id == user.pk,
            "comment": item.comment,
            "updated_at": item.updated_at,
            "selection_submitted_at": item.selection.submitted_at,
        }
        for item in items
    ]


def retouch_requests(user: User) -> list[dict[str, Any]]:
    jobs = (RetouchJob.objects.filter(session__in=_own_ids(user))
            .select_related("rush").order_by("session_id", "pk"))
    return [
        {
            "session_id": job.session_id,
            "photo": job.rush.original_filename,
            "status": job.status,
            "instructions": job.instructions,
            # Only what they asked themselves; the photographer's own notes are the studio's.
            "their_review": job.review_note if job.review_by_client else "",
        }
        for job in jobs
    ]


def deliveries(user: User) -> list[dict[str, Any]]:
    found = Delivery.objects.filter(session__in=_own_ids(user)).order_by("delivered_at")
    return [
        {
            "session_id": d.session_id,
            "delivered_at": d.delivered_at,
            "downloads_open_until": d.expires_at,
            "message": d.message,
        }
        for d in found
    ]


def downloads(user: User) -> list[dict[str, Any]]:
    found = (DownloadLog.objects.filter(user=user)
             .select_related("delivery", "final").order_by("created_at", "pk"))
    return [
        {
            "session_id": log.delivery.session_id,
            "file": log.final.original_filename if log.final_id else "zip",
            "size": log.size,
            "at": log.created_at,
            "ip_address": log.ip_address,
            "user_agent": log.user_agent,
        }
        for log in found
    ]


def share_links(user: User) -> list[dict[str, Any]]:
    found = (ShareLink.objects.filter(Q(created_by=user) | Q(session__in=_own_ids(user)))
             .annotate(photo_count=Count("finals")).order_by("created_at", "pk"))
    return [
        {
            # Never the token: it is the link's credential.
            "id": link.pk,
            "session_id": link.session_id,
            "created_by_them": link.created_by_id == user.pk,
            "created_at": link.created_at,
            "open_until": link.expires_at,
            "revoked_at": link.revoked_at,
            "views": link.view_count,
            "photos": link.photo_count,
        }
        for link in found
    ]


def photo_files(user: User) -> list[dict[str, Any]]:
    """The files of their photos (names, sizes, where they are), never the files."""
    own = _own_ids(user)
    files: list[dict[str, Any]] = []
    rushes = (Rush.objects.filter(Q(session__in=own) | Q(sitter=user))
              .order_by("session_id", "pk"))
    for rush in rushes:
        files.append({
            "session_id": rush.session_id,
            "kind": "original",
            "name": rush.original_filename,
            "size": rush.size,
            "storage_tier": rush.original_tier,
            "captured_at": rush.captured_at,
            "has_proof": bool(rush.proof),
        })
    mine = Q(job__session__in=own) | Q(job__rush__sitter=user)
    # Finals never leave the online tier (booker.archive moves only originals).
    for final in FinalPhoto.objects.filter(mine).select_related("job").order_by("pk"):
        files.append({
            "session_id": final.job.session_id,
            "kind": "final",
            "name": final.original_filename,
            "size": final.size,
            "storage_tier": Rush.Tier.ONLINE.value,
            "version": final.version,
            "uploaded_at": final.uploaded_at,
        })
    for old in FinalVersion.objects.filter(mine).select_related("job").order_by("pk"):
        files.append({
            "session_id": old.job.session_id,
            "kind": "final_earlier_version",
            "name": old.original_filename,
            "size": old.size,
            "storage_tier": Rush.Tier.ONLINE.value,
            "version": old.version,
            "uploaded_at": old.uploaded_at,
        })
    return files


def emails_sent(user: User) -> list[dict[str, Any]]:
    """The automation's outbox addressed to them (what, when, whether it left)."""
    found = (Message.objects.filter(action="email")
             .filter(Q(user=user) | Q(recipient__iexact=user.email)).order_by("created_at", "pk"))
    return [
        {
            "template": m.template_key,
            "subject": m.subject,
            "recipient": m.recipient,
            "status": m.status,
            "session_id": m.session_id,
            "due_at": m.due_at,
            "sent_at": m.sent_at,
            "created_at": m.created_at,
        }
        for m in found
    ]


def campaign_emails(user: User) -> list[dict[str, Any]]:
    """The marketing campaigns addressed to them, and what became of each email."""
    found = (CampaignSend.objects.filter(Q(user=user) | Q(email__iexact=user.email))
             .select_related("campaign").order_by("pk"))
    return [
        {
            "campaign": s.campaign.name,
            "subject": s.campaign.subject,
            "email": s.email,
            "status": s.status,
            "sent_at": s.sent_at,
            "bounced_at": s.bounced_at,
        }
        for s in found
    ]


def invitations(user: User) -> dict[str, list[dict[str, Any]]]:
    studio = Invitation.objects.filter(user=user).order_by("pk")
    team = (TeamInvitation.objects.filter(Q(email__iexact=user.email) | Q(accepted_by=user))
            .select_related("company").order_by("pk"))

    def dates(link) -> dict[str, Any]:
        return {
            "created_at": link.created_at,
            "sent_at": link.sent_at,
            "expires_at": link.expires_at,
            "accepted_at": link.used_at,
            "revoked_at": link.revoked_at,
            "state": link.state,
        }

    return {
        "studio": [{"session_id": i.session_id, **dates(i)} for i in studio],
        "team": [{"company": i.company.name, "email": i.email, "role": i.role, **dates(i)}
                 for i in team],
    }


# --- Erasure (the right to be forgotten) ---------------------------------------------------------
# Each section's `erase` deletes or anonymises what it exports, and returns how many rows it
# touched. Their own sessions stay as rows (the studio's record of work done and paid), kept
# without what identifies them; their photos' files and rows go (after the files themselves:
# erase_person). A company's sessions stay the company's: the person's name, comments and
# links to them go, the company's photos stay.

ERASED_TITLE = "Séance effacée"  # a stored value, read in French like the rest of /admin/


def anonymised_email(user: User) -> str:
    return f"efface-{user.pk}@efface.invalid"


def _identifiers(user: User) -> list[str]:
    """What names the person in free text: email, full name, phone (longest first)."""
    found = {user.email, user.get_full_name(), user.first_name, user.last_name, user.phone}
    return sorted((v for v in found if v and len(v) > 2), key=len, reverse=True)


def _scrubbed(value: Any, words: list[str]) -> Any:
    for word in words:
        value = _without(word, value)
    return value


def erase_account(user: User) -> int:
    """The account stays (orders, invoices and sessions point at it), deactivated, without a
    name, phone, password or second factor, under an address that receives nothing."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = anonymised_email(user)
    user.first_name = user.last_name = user.phone = ""
    user.reminder_emails = False
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    # The admin's history of the account named it by its name or email at each change.
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User),
                            object_id=str(user.pk)).update(object_repr=str(user))
    return 1


def erase_companies(user: User) -> int:
    # The company keeps its sessions and the rest of its team; the person leaves it.
    deleted, _by_model = Membership.objects.filter(user=user).delete()
    return deleted


def erase_leads(user: User) -> int:
    deleted, _by_model = Lead.objects.filter(Q(user=user) | Q(email__iexact=user.email)).delete()
    return deleted


def erase_marketing_consents(user: User) -> int:
    # The proof of a consent is kept to answer for mail sent under it; erased, nothing goes to
    # that address any more, and the proof goes with the person.
    deleted, _by_model = MarketingConsent.objects.filter(email__iexact=user.email).delete()
    return deleted


def erase_bookings(user: User) -> int:
    """A booking's amounts and dates stay (its deposit went through the books); its answers,
    signature, place and studio's reason go. The contract's PDF is one of the person's files
    (erase_person)."""
    found = Booking.objects.filter(Q(client=user) | Q(booked_by=user))
    return found.update(answers=[], location="", contract_signed_name="",
                        contract_signed_ip=None, contract_pdf="", note="")


def erase_headshot_slots(user: User) -> int:
    deleted, _by_model = HeadshotSlot.objects.filter(member=user).delete()
    return deleted


def _events_about(user: User) -> QuerySet[SessionEvent]:
    return SessionEvent.objects.filter(
        Q(session__in=_own_ids(user)) | Q(user=user) | Q(actor=user))


def erase_photo_sessions(user: User) -> int:
    """Their own sessions: the title, place and notes go, the dates, package and status stay.
    Every event about them loses what names them in its payload."""
    words = _identifiers(user)
    count = own_sessions(user).update(title=ERASED_TITLE, location="", notes="")
    events = list(_events_about(user).only("pk", "payload"))
    for event in events:
        event.payload = _scrubbed(event.payload, words)
    SessionEvent.objects.bulk_update(events, ["payload"], batch_size=500)
    return count + len(events)


def erase_other_events(user: User) -> int:
    # Scrubbed with the sessions' (events with no session are about them by user or actor).
    return 0


def erase_selections(user: User) -> int:
    """On a company's session, their picks stay the company's, without their comments."""
    return SelectionItem.objects.filter(picked_by=user).exclude(comment="").update(comment="")


def erase_retouch_requests(user: User) -> int:
    # Their own sessions' jobs go with the photos (erase_photo_files).
    return 0


def erase_deliveries(user: User) -> int:
    return Delivery.objects.filter(session__in=_own_ids(user)).update(message="")


def erase_downloads(user: User) -> int:
    # Kept as counts on the company's deliveries, without who, from where, with what.
    return DownloadLog.objects.filter(user=user).update(user=None, ip_address=None,
                                                         user_agent="")


def erase_share_links(user: User) -> int:
    deleted, _by_model = ShareLink.objects.filter(
        Q(created_by=user) | Q(session__in=_own_ids(user))).delete()
    return deleted


def erase_photo_files(user: User) -> int:
    """The rows of their own sessions' photos (their jobs, picks, finals go with them), once
    erase_person deleted the files; on a company's session, the photo stays the company's and
    no longer names them as its sitter."""
    unlinked = Rush.objects.filter(sitter=user).exclude(session__in=_own_ids(user)).update(
        sitter=None)
    deleted, _by_model = Rush.objects.filter(session__in=_own_ids(user)).delete()
    # Their uploads name the files as they were on the client's disk.
    uploads, _by_model = RushUpload.objects.filter(session__in=_own_ids(user)).delete()
    return unlinked + deleted + uploads


def erase_emails_sent(user: User) -> int:
    """The outbox keeps that a message went (its key stops it going twice), not to whom or
    what it said; one still waiting is not sent."""
    found = Message.objects.filter(Q(user=user) | Q(recipient__iexact=user.email))
    waiting = sum(MESSAGE.move_rows(found, source, Message.Status.SKIPPED)
                  for source in (Message.Status.PENDING, Message.Status.FAILED))
    return waiting + found.update(user=None, recipient=anonymised_email(user), subject="",
                                  last_error="")


def erase_campaign_emails(user: User) -> int:
    # Marketing mail needs no record once its consent is gone with the person; one still
    # waiting is not sent.
    deleted, _by_model = CampaignSend.objects.filter(
        Q(user=user) | Q(email__iexact=user.email)).delete()
    return deleted


def erase_invitations(user: User) -> int:
    studio, _by_model = Invitation.objects.filter(user=user).delete()
    team = TeamInvitation.objects.filter(Q(email__iexact=user.email) | Q(accepted_by=user))
    return studio + team.update(email=anonymised_email(user), accepted_by=None)


def session_files(sessions: QuerySet[PhotoSession]) -> list[tuple[str, str]]:
    """(tier, stored name) of every file of `sessions`' photos, on every tier an original may
    be on (the archive keeps a copy of a restored one), and their stopped uploads."""
    ids = sessions.values("pk")
    files: list[tuple[str, str]] = []
    for original, proof, thumbnail in (Rush.objects.filter(session__in=ids)
                                       .values_list("original", "proof", "thumbnail")):
        files += [(storage.ORIGINALS, original), (storage.ARCHIVE, original),
                  (storage.PROOFS, proof), (storage.PROOFS, thumbnail)]
    for model in (FinalPhoto, FinalVersion):
        for name in model.objects.filter(job__session__in=ids).values_list("file", flat=True):
            files.append((storage.ORIGINALS, name))
    # Uploads that never became a rush (stopped, or still being ingested) under their key.
    keys = RushUpload.objects.filter(session__in=ids, rush__isnull=True).values_list("key",
                                                                                     flat=True)
    files += [(storage.ORIGINALS, key) for key in keys]
    return files


def booking_files(bookings: QuerySet[Booking]) -> list[tuple[str, str]]:
    """Bookings' signed contracts and the files attached to their questionnaires."""
    files: list[tuple[str, str]] = []
    for contract, answers in bookings.values_list("contract_pdf", "answers"):
        files.append((storage.ORIGINALS, contract))
        files += [(storage.ORIGINALS, str(answer["value"])) for answer in answers or []
                  if isinstance(answer, dict) and answer.get("kind") == "file"
                  and answer.get("value")]
    return files


def _distinct(files: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys((tier, name) for tier, name in files if name))


def files_of(user: User) -> list[tuple[str, str]]:
    """(tier, stored name) of every file of their own sessions' photos, on every tier, and
    their bookings' signed contracts and attached files."""
    return _distinct(session_files(own_sessions(user))
                     + booking_files(Booking.objects.filter(Q(client=user) | Q(booked_by=user))))


def _counts_by_tier(files: list[tuple[str, str]], rushes: QuerySet[Rush]) -> dict[str, int]:
    """How many files each tier may hold (the archive: the originals that have been archived
    at least once), for the confirmation page."""
    counts = {storage.ORIGINALS: 0, storage.PROOFS: 0, storage.ARCHIVE: 0}
    for tier, _name in files:
        counts[tier] += 1
    counts[storage.ARCHIVE] = rushes.filter(archive_verified_at__isnull=False).count()
    counts[storage.ORIGINALS] -= rushes.filter(original_tier=Rush.Tier.ARCHIVE).count()
    return counts


def file_counts(user: User) -> dict[str, int]:
    return _counts_by_tier(files_of(user), Rush.objects.filter(session__in=_own_ids(user)))


class ErasureRefused(StudioError):
    status = 403


def may_erase(actor: User, person: User) -> bool:
    """Whoever runs the studio (photographers, superusers) erases a client; a staff member's
    account only a superuser; nobody themselves."""
    return (runs_the_studio(actor) and roles.may_edit_account(actor, person)
            and actor.pk != person.pk)


def erase_person(person: User, *, actor: User, files_confirmed: bool) -> PersonalDataErasure:
    """Erase everything the studio holds about `person` (GDPR, issue 21) in this process: the
    files of their sessions from every tier, then each registered section's data in one
    transaction (booker.erasure, which the admin queues for the worker instead). The studio
    must have confirmed the files' deletion (`files_confirmed`) when there are any. The
    returned record says who, when, how many, or why it failed; it holds nothing of what was
    erased."""
    from booker import erasure  # it builds on this module

    return erasure.erase_person_now(person, actor=actor, files_confirmed=files_confirmed)


SECTIONS = {
    "account": (account, erase_account, _("Account (anonymised and deactivated)")),
    "companies": (companies, erase_companies, _("Company memberships")),
    "leads": (leads, erase_leads, _("Contact requests (leads)")),
    "marketing_consents": (marketing_consents, erase_marketing_consents,
                           _("Newsletter consents")),
    "bookings": (bookings, erase_bookings,
                 _("Bookings (answers, signature and place removed; amounts kept)")),
    "headshot_slots": (headshot_slots, erase_headshot_slots, _("Headshot slots")),
    "photo_sessions": (photo_sessions, erase_photo_sessions,
                       _("Sessions (title, place and notes removed; the company's kept)")),
    "other_events": (other_events, erase_other_events, _("Other history entries")),
    "selections": (selections, erase_selections, _("Picks and comments")),
    "retouch_requests": (retouch_requests, erase_retouch_requests, _("Retouch requests")),
    "deliveries": (deliveries, erase_deliveries, _("Deliveries")),
    "downloads": (downloads, erase_downloads, _("Downloads")),
    "share_links": (share_links, erase_share_links, _("Share links")),
    "photo_files": (photo_files, erase_photo_files, _("Photos (rows and files)")),
    "emails_sent": (emails_sent, erase_emails_sent, _("Emails sent")),
    "campaign_emails": (campaign_emails, erase_campaign_emails, _("Campaign emails")),
    "invitations": (invitations, erase_invitations, _("Invitations")),
}


def register() -> None:
    for name, (fn, erase, label) in SECTIONS.items():
        personal_data.register(name, fn, erase, label)
