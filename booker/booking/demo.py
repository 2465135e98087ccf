"""The demo's online booking: three session types the demo photographer shoots, and their
working week (the slots follow, week after week, without dated rows: running the seed again
on another day changes nothing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from decimal import Decimal

from booker.models import BookingQuestion, Package, SessionType, User, WeeklyHours

POLICY = (
    "Annulation gratuite jusqu'à 14 jours avant la séance ; moitié de l'acompte remboursée "
    "jusqu'à 2 jours avant ; au-delà, l'acompte reste acquis. Une séance peut être déplacée "
    "une fois sans frais jusqu'à 48 heures avant."
)
REFUNDS = [{"days_before": 14, "refund_percent": 100}, {"days_before": 2, "refund_percent": 50}]
# The intake questionnaires: (label, kind, choices, required).
QUESTIONS = {
    "portrait": [
        ("Pour quel usage sont ces portraits ?", "choice",
         "Personnel\nProfessionnel (CV, LinkedIn)\nArtistique", True),
        ("Une envie particulière (ambiance, tenue, référence) ?", "text", "", False),
    ],
    "famille": [
        ("Combien de personnes, enfants compris ?", "text", "", True),
        ("Âge des enfants", "text", "", False),
    ],
    "portraits-entreprise": [
        ("Nombre de collaborateurs à photographier", "text", "", True),
        ("Adresse des locaux", "text", "", True),
        ("Charte graphique ou exemple de rendu (PDF, image)", "file", "", False),
    ],
}
# The demo photographer's week: Tuesday to Friday with a lunch break, Saturday.
WEEK = [
    *((weekday, time(9, 30), time(12, 30)) for weekday in (1, 2, 3, 4)),
    *((weekday, time(14), time(18, 30)) for weekday in (1, 2, 3, 4)),
    (5, time(10), time(16)),
]


def seed(packages: dict[str, Package], log: Callable[[str], None]) -> None:
    photographer = User.objects.get(email="photo@booke.test")
    family, _ = Package.objects.get_or_create(
        name="Séance famille",
        defaults={"photos_included": 15, "extra_photo_price": Decimal("12.00"),
                  "price": Decimal("290.00"), "delivery_formats": "JPEG HD + web"},
    )
    types = [
        dict(slug="portrait", name="Portrait", order=1, package=packages["portrait"],
             summary="Une heure au studio, lumière travaillée, cinq photos retouchées.",
             duration_minutes=60, buffer_after_minutes=15, price=Decimal("190.00"),
             deposit_percent=30, minimum_notice_hours=48, horizon_days=60,
             slot_increment_minutes=30),
        dict(slug="famille", name="Famille", order=2, package=family,
             summary="Une heure et demie au studio pour toute la famille, enfants compris.",
             duration_minutes=90, buffer_before_minutes=15, buffer_after_minutes=15,
             price=Decimal("290.00"), deposit_amount=Decimal("90.00"),
             minimum_notice_hours=48, horizon_days=60, slot_increment_minutes=30),
        dict(slug="portraits-entreprise", name="Portraits d'entreprise", order=3,
             package=packages["corporate"], location_kind=SessionType.Location.ON_SITE,
             summary="Deux heures dans vos locaux : un portrait soigné par collaborateur.",
             duration_minutes=120, buffer_before_minutes=30, buffer_after_minutes=30,
             price=Decimal("890.00"), deposit_percent=30, minimum_notice_hours=7 * 24,
             horizon_days=90, slot_increment_minutes=30, needs_approval=True,
             travel_fees=[{"up_to_km": 15, "fee": 0}, {"up_to_km": 40, "fee": 45},
                          {"up_to_km": 80, "fee": 90}]),
    ]
    for fields in types:
        slug = fields.pop("slug")
        session_type, created = SessionType.objects.get_or_create(
            slug=slug,
            defaults={**fields, "cancellation_policy": POLICY, "refund_rules": REFUNDS},
        )
        session_type.photographers.add(photographer)
        if created:
            log(f"session type {session_type.name} (bookable online)")
    for slug, questions in QUESTIONS.items():
        session_type = SessionType.objects.get(slug=slug)
        for order, (label, kind, choices, required) in enumerate(questions):
            BookingQuestion.objects.get_or_create(
                session_type=session_type, label=label,
                defaults={"kind": kind, "choices": choices, "required": required,
                          "order": order},
            )
    for weekday, start, end in WEEK:
        WeeklyHours.objects.get_or_create(photographer=photographer, weekday=weekday,
                                          start=start, end=end)
