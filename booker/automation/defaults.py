"""The rules and email templates the studio starts with: declared here (and by the shop for its
own events, through `declare`), created by `ensure_defaults()` after every `migrate`.

A default is created when its key is missing and never rewritten afterwards: the studio edits
the texts and switches rules off in the admin, and a deploy keeps those choices. A default
rule cannot be deleted in the admin (it would come back); it is switched off instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from booker.events import Event

HERE = Path(__file__).resolve().parent / "default_templates"


@dataclass(frozen=True)
class DefaultTemplate:
    key: str
    name: str
    kind: str = "transactional"
    # The folder holding <key>.subject.txt, <key>.html and <key>.txt.
    folder: Path = HERE

    def read(self) -> dict[str, str]:
        def text(suffix: str) -> str:
            return (self.folder / f"{self.key}{suffix}").read_text(encoding="utf-8")

        return {"subject": text(".subject.txt").strip(), "body_html": text(".html"),
                "body_text": text(".txt")}


@dataclass(frozen=True)
class DefaultRule:
    key: str
    name: str
    event: Event
    recipients: tuple[str, ...] = ()
    template: str = ""
    action: str = "email"
    audience: str = "any"
    delay: timedelta = timedelta(0)
    anchor: str = "event"
    unless: tuple[Event, ...] = ()
    task_title: str = ""
    is_active: bool = True
    extra: dict = field(default_factory=dict)


_templates: dict[str, DefaultTemplate] = {}
_rules: dict[str, DefaultRule] = {}


def declare(*items: DefaultTemplate | DefaultRule) -> None:
    for item in items:
        target = _templates if isinstance(item, DefaultTemplate) else _rules
        if item.key in target and target[item.key] != item:
            raise ValueError(f"Default {item.key!r} is declared twice, differently")
        target[item.key] = item


def declared_templates() -> dict[str, DefaultTemplate]:
    return dict(_templates)


def declared_rules() -> dict[str, DefaultRule]:
    return dict(_rules)


def ensure_defaults() -> tuple[int, int]:
    """Create the declared templates and rules that are missing. Returns (templates, rules)."""
    from booker.automation.models import EmailTemplate, Rule

    made_templates = made_rules = 0
    for spec in _templates.values():
        _obj, created = EmailTemplate.objects.get_or_create(
            key=spec.key, defaults={"name": spec.name, "kind": spec.kind, **spec.read()})
        made_templates += created
    for spec in _rules.values():
        template = EmailTemplate.objects.filter(key=spec.template).first() if spec.template \
            else None
        _obj, created = Rule.objects.get_or_create(key=spec.key, defaults={
            "name": spec.name, "event": spec.event.value, "recipients": list(spec.recipients),
            "template": template, "action": spec.action, "audience": spec.audience,
            "delay": spec.delay, "anchor": spec.anchor,
            "unless": [e.value for e in spec.unless], "task_title": spec.task_title,
            "is_active": spec.is_active, **spec.extra,
        })
        made_rules += created
    return made_templates, made_rules


# --- The Booker's defaults ---------------------------------------------------------------------
CLIENT, MANAGERS, PHOTOGRAPHER, RETOUCHER, STUDIO = (
    "client", "company_managers", "photographer", "retoucher", "studio")

declare(
    DefaultTemplate("invitation", "Invitation à l'espace client"),
    DefaultTemplate("session-confirmed", "Séance confirmée"),
    DefaultTemplate("session-reminder", "Rappel 48 h avant la séance"),
    DefaultTemplate("session-rescheduled", "Séance déplacée"),
    DefaultTemplate("session-cancelled", "Séance annulée"),
    DefaultTemplate("proofs-ready", "Épreuves en ligne"),
    DefaultTemplate("proofs-added", "Nouvelles épreuves après publication"),
    DefaultTemplate("selection-reminder", "Relance : sélection en attente", kind="reminder"),
    DefaultTemplate("selection-confirmation", "Sélection bien reçue (client)"),
    DefaultTemplate("extras-to-pay", "Photos supplémentaires à régler"),
    DefaultTemplate("selection-received", "Sélection reçue (studio)"),
    DefaultTemplate("retouching-started", "Retouche commencée"),
    DefaultTemplate("retoucher-assigned", "Retouches confiées (retoucheur)"),
    DefaultTemplate("job-changes-requested", "Retouche à reprendre (retoucheur)"),
    DefaultTemplate("finals-delivered", "Photos livrées"),
    DefaultTemplate("delivery-expiring", "Téléchargements bientôt fermés", kind="reminder"),
    DefaultTemplate("review-request", "Demande d'avis", kind="reminder"),
    DefaultTemplate("selection-reopened", "Sélection rouverte"),
    DefaultTemplate("originals-restored", "Originaux revenus de l'archive (client)"),
    DefaultTemplate("originals-restored-studio", "Originaux revenus de l'archive (studio)"),
    DefaultTemplate("booking-requested", "Demande de réservation reçue (client)"),
    DefaultTemplate("booking-requested-studio", "Demande de réservation à examiner (studio)"),
    DefaultTemplate("booking-declined", "Demande de réservation déclinée"),
    DefaultTemplate("balance-reminder", "Rappel : solde de la séance à régler"),
    DefaultTemplate("headshot-day-opened", "Journée portraits : choisissez votre créneau"),
    DefaultTemplate("finals-to-approve", "Retouches à valider (client)"),
    DefaultTemplate("finals-client-answer", "Réponse du client sur les retouches (photographe)"),
)

declare(
    DefaultRule("invitation", "Invitation d'un nouveau client", Event.CLIENT_INVITED,
                (CLIENT,), "invitation"),
    DefaultRule("session-confirmed", "Confirmation de la séance", Event.SESSION_CONFIRMED,
                (CLIENT,), "session-confirmed"),
    DefaultRule("session-reminder", "Rappel 48 h avant la séance", Event.SESSION_CONFIRMED,
                (CLIENT,), "session-reminder", delay=timedelta(hours=48),
                anchor="before_session"),
    DefaultRule("session-rescheduled", "Séance déplacée", Event.SESSION_RESCHEDULED,
                (CLIENT, PHOTOGRAPHER), "session-rescheduled"),
    DefaultRule("session-cancelled", "Séance annulée", Event.SESSION_CANCELLED,
                (CLIENT, PHOTOGRAPHER), "session-cancelled"),
    DefaultRule("proofs-ready", "Épreuves prêtes", Event.PROOFS_PUBLISHED, (CLIENT,),
                "proofs-ready"),
    DefaultRule("proofs-added", "Nouvelles épreuves", Event.PROOFS_ADDED, (CLIENT,),
                "proofs-added"),
    DefaultRule("selection-reminder", "Relance sélection après 3 jours", Event.PROOFS_PUBLISHED,
                (CLIENT,), "selection-reminder", delay=timedelta(days=3),
                unless=(Event.SELECTION_SUBMITTED, Event.EXTRAS_AWAITING_PAYMENT,
                        Event.SESSION_CANCELLED)),
    DefaultRule("selection-confirmation", "Sélection reçue : accusé au client",
                Event.SELECTION_SUBMITTED, (CLIENT,), "selection-confirmation", audience="b2c"),
    DefaultRule("selection-confirmation-team", "Sélection reçue : accusé aux responsables",
                Event.SELECTION_SUBMITTED, (MANAGERS,), "selection-confirmation",
                audience="b2b"),
    DefaultRule("extras-to-pay", "Photos supplémentaires à régler",
                Event.EXTRAS_AWAITING_PAYMENT, (CLIENT,), "extras-to-pay"),
    DefaultRule("selection-reopened", "Sélection rouverte par le studio",
                Event.SELECTION_REOPENED, (CLIENT,), "selection-reopened"),
    DefaultRule("selection-received", "Sélection reçue : au photographe",
                Event.SELECTION_SUBMITTED, (PHOTOGRAPHER,), "selection-received"),
    DefaultRule("extras-paid-received", "Suppléments payés : au photographe", Event.EXTRAS_PAID,
                (PHOTOGRAPHER,), "selection-received"),
    DefaultRule("retouching-started", "Retouche commencée", Event.RETOUCHING_STARTED, (CLIENT,),
                "retouching-started"),
    DefaultRule("retoucher-assigned", "Retouches confiées", Event.JOB_ASSIGNED, (RETOUCHER,),
                "retoucher-assigned"),
    DefaultRule("job-changes-requested", "Retouche à reprendre", Event.JOB_CHANGES_REQUESTED,
                (RETOUCHER,), "job-changes-requested"),
    DefaultRule("finals-to-approve", "Retouches à valider : au client",
                Event.FINALS_SENT_FOR_APPROVAL, (CLIENT,), "finals-to-approve", audience="b2c"),
    DefaultRule("finals-to-approve-team", "Retouches à valider : aux responsables",
                Event.FINALS_SENT_FOR_APPROVAL, (MANAGERS,), "finals-to-approve",
                audience="b2b"),
    DefaultRule("finals-client-approved", "Retouches validées par le client : au photographe",
                Event.FINALS_CLIENT_APPROVED, (PHOTOGRAPHER,), "finals-client-answer"),
    DefaultRule("finals-client-changes", "Modification demandée par le client : au photographe",
                Event.CLIENT_CHANGES_REQUESTED, (PHOTOGRAPHER,), "finals-client-answer"),
    DefaultRule("finals-delivered", "Photos livrées", Event.SESSION_DELIVERED, (CLIENT,),
                "finals-delivered"),
    DefaultRule("delivery-expiring", "Téléchargements fermés dans 7 jours",
                Event.SESSION_DELIVERED, (CLIENT,), "delivery-expiring", delay=timedelta(days=7),
                anchor="before_delivery_expires"),
    DefaultRule("review-request", "Demande d'avis 10 jours après la livraison",
                Event.SESSION_DELIVERED, (CLIENT,), "review-request", delay=timedelta(days=10),
                audience="b2c"),
    DefaultRule("originals-restored", "Originaux revenus : au client", Event.ORIGINALS_RESTORED,
                (CLIENT,), "originals-restored", audience="b2c"),
    DefaultRule("originals-restored-team", "Originaux revenus : aux responsables",
                Event.ORIGINALS_RESTORED, (MANAGERS,), "originals-restored", audience="b2b"),
    DefaultRule("originals-restored-studio", "Originaux revenus : au photographe",
                Event.ORIGINALS_RESTORED, (PHOTOGRAPHER,), "originals-restored-studio"),
    DefaultRule("selection-late-task", "Tâche : appeler le client sans sélection après 7 jours",
                Event.PROOFS_PUBLISHED, (PHOTOGRAPHER,), action="task",
                delay=timedelta(days=7), task_title="Appeler le client : sélection en attente",
                unless=(Event.SELECTION_SUBMITTED, Event.EXTRAS_AWAITING_PAYMENT,
                        Event.SESSION_CANCELLED)),
    DefaultRule("booking-requested", "Demande de réservation : accusé au client",
                Event.BOOKING_REQUESTED, (CLIENT,), "booking-requested"),
    DefaultRule("booking-requested-studio", "Demande de réservation : au studio",
                Event.BOOKING_REQUESTED, (STUDIO,), "booking-requested-studio"),
    DefaultRule("booking-declined", "Demande de réservation déclinée", Event.BOOKING_DECLINED,
                (CLIENT,), "booking-declined"),
    DefaultRule("balance-reminder", "Rappel du solde 3 jours avant son échéance",
                Event.BOOKING_CONFIRMED, (CLIENT,), "balance-reminder", delay=timedelta(days=3),
                anchor="before_balance_due", unless=(Event.BOOKING_CANCELLED,), audience="b2c"),
    # A company's balance is the managers' business, not every member's.
    DefaultRule("balance-reminder-team", "Rappel du solde aux responsables de l'entreprise",
                Event.BOOKING_CONFIRMED, (MANAGERS,), "balance-reminder",
                delay=timedelta(days=3), anchor="before_balance_due",
                unless=(Event.BOOKING_CANCELLED,), audience="b2b"),
    DefaultRule("headshot-day-opened", "Journée portraits ouverte : aux membres",
                Event.HEADSHOT_DAY_OPENED, (CLIENT,), "headshot-day-opened", audience="b2b"),
)
