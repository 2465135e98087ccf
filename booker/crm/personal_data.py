"""The CRM's section of a person's data export and erasure (GDPR, booker.people.personal_data):
their contact record, and what the studio wrote about them there (notes and follow-up tasks are
personal data too). Registered from BookerConfig.ready beside booker.privacy's sections."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from booker.models import Contact, Lead, User, normalise_email
from booker.people import personal_data


def _contacts(user: User):
    return Contact.objects.filter(Q(user=user) | Q(kind=Contact.Kind.PERSON,
                                                   email=normalise_email(user.email)))


def crm_contact(user: User) -> dict[str, Any] | None:
    contact = _contacts(user).order_by("pk").first()
    if contact is None:
        return None
    return {
        "id": contact.pk,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "created_at": contact.created_at,
        "notes": [{"written_at": note.created_at, "text": note.body,
                   "session_id": note.session_id}
                  for note in contact.notes.order_by("pk")],
        "tasks": [{"title": task.title, "due_on": task.due_on, "done": task.done,
                   "session_id": task.session_id, "created_at": task.created_at}
                  for task in contact.tasks.order_by("pk")],
        # Those given from the account's address are in the consents' own section; these
        # came from an address the person had before and still speak for them.
        "consents_from_earlier_addresses": [
            {"id": c.pk, "email": c.email, "purpose": c.purpose, "status": c.status,
             "source": c.source, "consent_text": c.consent_text, "requested_at": c.requested_at,
             "confirmed_at": c.confirmed_at, "withdrawn_at": c.withdrawn_at}
            for c in contact.consents.exclude(email=normalise_email(user.email)).order_by("pk")],
    }


def erase_crm_contact(user: User) -> int:
    # The contact goes with its notes, tasks, leads (a lead may carry another address of
    # theirs) and consents (those given from an earlier address of theirs included); a
    # company's contact stays the company's.
    contacts = list(_contacts(user))
    leads, _by_model = Lead.objects.filter(contact__in=contacts).delete()
    deleted, _by_model = Contact.objects.filter(pk__in=[c.pk for c in contacts]).delete()
    return leads + deleted


def register() -> None:
    personal_data.register("crm_contact", crm_contact, erase_crm_contact,
                           _("Contact record (with the studio's notes and tasks)"))
