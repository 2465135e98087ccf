"""The studio's demo people: one of each role, a private client, a company with two members."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

from booker import roles, services
from booker.booking import demo as booking_demo
from booker.marketing import demo as marketing_demo

from .models import (
    Company,
    Membership,
    Package,
    PhotoSession,
    RetouchJob,
    TeamInvitation,
    User,
)

DEMO_PASSWORD = "booke-demo-2026"
# The second factor of the demo's back-office accounts (and of no other account): one key
# for all of them, public like the password, so that a developer adds it once to any
# authenticator app (or reads the code from `manage.py demo_logins`). Base32, 20 bytes.
DEMO_TOTP_SECRET = "BOOKEDEMOSTUDIOTOTPSECRETDEMO234"
DEMO_TOTP_DEVICE_NAME = "Démo (clé publique)"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    what: str
    first_name: str
    last_name: str
    role: str | None = None
    superuser: bool = False


DEMO_LOGINS = (
    DemoLogin("admin@booke.test", "superuser (every back office)", "Guy", "Booké", superuser=True),
    DemoLogin(
        "photo@booke.test",
        "photographer → /admin/ and /dashboard/",
        "Gérald",
        "Martin",
        roles.PHOTOGRAPHER,
    ),
    DemoLogin("retouche@booke.test", "retoucher → /admin/", "Inès", "Roux", roles.RETOUCHER),
    DemoLogin("editeur@booke.test", "editor → /cms/", "Claire", "Dubois", roles.EDITOR),
    DemoLogin(
        "boutique@booke.test", "shop manager → /dashboard/", "Marc", "Petit", roles.SHOP_MANAGER
    ),
    DemoLogin("client@booke.test", "private client → /portal/", "Léa", "Bernard"),
    DemoLogin("office@acme.test", "admin of Acme (office manager) → /portal/", "Sophie",
              "Lambert"),
    DemoLogin("valideur@acme.test", "approver of Acme → /portal/", "Nadia", "Benali"),
    DemoLogin("equipe@acme.test", "member of Acme → /portal/", "Hugo", "Moreau"),
)


def seed(log: Callable[[str], None]) -> None:
    for login in DEMO_LOGINS:
        user, created = services.ensure_user(
            login.email,
            password=DEMO_PASSWORD,
            first_name=login.first_name,
            last_name=login.last_name,
            is_staff=login.superuser,
            is_superuser=login.superuser,
        )
        if login.role:
            services.assign_role(user, login.role)
        elif not login.superuser:
            services.attach_account(user)  # a client: their contact record
        if created:
            log(f"user {login.email} ({login.what})")
        _demo_second_factor(user, log)

    acme, created = Company.objects.get_or_create(
        name="Acme Industries",
        defaults={
            "legal_name": "Acme Industries SAS",
            "siret": "73282932000074",
            "vat_number": "FR44732829320",
            "billing_email": "compta@acme.test",
            "address": "12 rue de la Paix\n75002 Paris",
            "email_domains": "acme.test",
            "annual_budget": Decimal("5000.00"),
        },
    )
    if created:
        log("company Acme Industries")
    office = services.ensure_user("office@acme.test")[0]
    services.add_member(acme, office, Membership.Role.ADMIN)
    services.add_member(acme, services.ensure_user("valideur@acme.test")[0],
                        Membership.Role.APPROVER)
    services.add_member(acme, services.ensure_user("equipe@acme.test")[0], Membership.Role.MEMBER)
    for member in (office, *acme.members.exclude(pk=office.pk)):
        services.attach_account(member)
    services.contact_for_company(acme)
    _team_invitation(acme, office, log)
    _leads(log)

    packages = _packages()
    _proofing_session(packages["portrait"], log)
    _delivered_session(acme, packages["corporate"], log)
    booking_demo.seed(packages, log)
    marketing_demo.seed(log)


# The pipeline's board with a card in each column: (name, email, subject, origin, value, stage).
DEMO_LEADS = (
    ("Camille Roche", "camille.roche@example.test", "Mariage", "form", "2400", "new"),
    ("Julien Faure", "julien.faure@example.test", "Portrait de famille", "referral", "350",
     "contacted"),
    ("Atelier Borel", "contact@atelier-borel.example", "Portraits d'équipe", "fair", "1800",
     "quoted"),
    ("Léa Bernard", "client@booke.test", "Portrait", "form", "290", "booked"),
    ("Thomas Girard", "thomas.girard@example.test", "Mariage", "form", "2000", "lost"),
)
# How each stage is reached from "new", through the pipeline's machine.
_PATHS = {"new": (), "contacted": ("contacted",), "quoted": ("contacted", "quoted"),
          "booked": ("contacted", "quoted", "booked"), "lost": ("contacted", "lost")}


def _leads(log: Callable[[str], None]) -> None:
    from booker.crm import services as crm
    from booker.models import Lead

    for name, email, subject, origin, value, stage in DEMO_LEADS:
        if Lead.objects.filter(email=email).exists():
            continue
        lead = crm.record_lead(email=email, name=name, subject=subject, origin=origin,
                               estimated_value=Decimal(value), source="Démo")
        for step in _PATHS[stage]:
            crm.move_lead(lead, step)
        log(f"lead {name} ({stage})")


def _team_invitation(acme: Company, office: User, log: Callable[[str], None]) -> None:
    """A colleague the office manager invited, who has not answered yet (the team page)."""
    from booker.teams import services as team_services

    email = "nouvelle@acme.test"
    if TeamInvitation.objects.filter(company=acme, email=email).exists():
        return
    team_services.invite_member(acme, email, Membership.Role.MEMBER, actor=office)
    log(f"team invitation {email} (Acme)")


def _demo_second_factor(user: User, log: Callable[[str], None]) -> None:
    """A confirmed authenticator app with the demo's public key, for a demo account that
    needs a second factor (booker.twofactor): usable at once, and the same on every run."""
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .twofactor.selectors import needs_second_factor

    # A fresh copy: the permissions of the roles just given are not in a cached set.
    if not needs_second_factor(User.objects.get(pk=user.pk)):
        return
    _, created = TOTPDevice.objects.get_or_create(
        user=user,
        name=DEMO_TOTP_DEVICE_NAME,
        defaults={"key": b32decode(DEMO_TOTP_SECRET).hex(), "confirmed": True},
    )
    if created:
        log(f"second factor of {user.email}: the demo key")


def _packages() -> dict[str, Package]:
    portrait, _ = Package.objects.get_or_create(
        name="Portrait découverte",
        defaults={
            "photos_included": 5,
            "extra_photo_price": Decimal("15.00"),
            "price": Decimal("190.00"),
            "delivery_formats": "JPEG HD + web",
        },
    )
    corporate, _ = Package.objects.get_or_create(
        name="Portraits d'équipe",
        defaults={
            "photos_included": 10,
            "extra_photo_price": None,
            "price": Decimal("890.00"),
            "delivery_formats": "JPEG HD, fond neutre",
        },
    )
    return {"portrait": portrait, "corporate": corporate}


def demo_frames(count: int) -> list[tuple[str, bytes]]:
    """The sample RAW files when they are there, then generated photos up to `count`."""
    frames: list[tuple[str, bytes]] = []
    samples = Path(settings.STUDIO_SAMPLES_DIR) / "raw"
    if samples.is_dir():
        for path in sorted(samples.iterdir()):
            if path.suffix.lower() in {".dng", ".kdc", ".cr2", ".nef", ".arw"}:
                frames.append((f"IMG_{len(frames) + 1:04}{path.suffix.upper()}", path.read_bytes()))
    while len(frames) < count:
        n = len(frames) + 1
        frames.append((f"IMG_{n:04}.JPG", _generated_photo(n)))
    return frames[:count]


def _generated_photo(seed: int, size: tuple[int, int] = (1800, 1200)) -> bytes:
    """A landscape-like picture, the same for the same seed (so seeding is repeatable)."""
    rng = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    top = (rng.randint(40, 120), rng.randint(90, 160), rng.randint(150, 230))
    bottom = (rng.randint(200, 255), rng.randint(150, 210), rng.randint(100, 170))
    for y in range(h):
        t = y / h
        draw.line(
            [(0, y), (w, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    sun = (rng.randint(200, w - 200), rng.randint(150, h // 2))
    draw.ellipse([sun[0] - 90, sun[1] - 90, sun[0] + 90, sun[1] + 90], fill=(255, 236, 190))
    for layer in range(3):
        base = h * (0.55 + 0.13 * layer)
        shade = 30 + 35 * layer
        points = [(0, h)]
        for x in range(0, w + 120, 120):
            points.append((x, base - rng.randint(0, 160 - 40 * layer)))
        points.append((w, h))
        draw.polygon(points, fill=(shade, shade + 20 + rng.randint(0, 30), shade + 10))
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82)
    return out.getvalue()


def _session_with_proofs(
    title: str,
    *,
    package: Package,
    frames: int,
    log,
    client: User | None = None,
    company: Company | None = None,
) -> PhotoSession | None:
    """The session `title`, created with its rushes ingested; None when it already exists."""
    if PhotoSession.objects.filter(title=title).exists():
        return None
    photographer = User.objects.get(email="photo@booke.test")
    session = services.create_session(
        title=title,
        client=client,
        company=company,
        package=package,
        photographer=photographer,
        actor=photographer,
        scheduled_at=timezone.now() - timedelta(days=6),
        location="Studio Booké, Paris 11e",
    )
    for name, data in demo_frames(frames):
        added = services.add_rush(
            session, io.BytesIO(data), name, actor=photographer, enqueue=False
        )
        services.ingest_rush(added.rush.pk)
    services.publish_proofs(session, actor=photographer)
    log(f"session “{title}” with {frames} proofs")
    return session


def _proofing_session(package: Package, log) -> None:
    client = User.objects.get(email="client@booke.test")
    _session_with_proofs("Portraits de Léa", package=package, frames=12, client=client, log=log)


def _delivered_session(acme: Company, package: Package, log) -> None:
    """A company session that went all the way: picked, retouched, delivered."""
    session = _session_with_proofs(
        "Portraits de l'équipe Acme", package=package, frames=6, company=acme, log=log
    )
    if session is None:
        return
    office = User.objects.get(email="office@acme.test")
    photographer = User.objects.get(email="photo@booke.test")
    retoucher = User.objects.get(email="retouche@booke.test")
    rushes = list(session.rushes.filter(ingest_status="ready").order_by("original_filename"))
    for rush in rushes[:3]:
        services.set_pick(session, rush.pk, True, user=office)
    services.set_comment(session, rushes[0].pk, "Fond un peu plus clair", user=office)
    services.submit_selection(session, user=office)
    jobs = services.start_retouching(session, actor=photographer)
    services.assign_jobs(jobs, retoucher, actor=photographer)
    finals = []
    for job in jobs:
        with job.rush.proof.open("rb") as fh:
            finals.append((f"{job.rush.stem}-edit.jpg", io.BytesIO(fh.read())))
    services.upload_finals(finals, jobs=jobs, actor=retoucher)
    for job in RetouchJob.objects.filter(session=session):
        services.move_job(job, RetouchJob.Status.DONE, actor=photographer)
    services.deliver(session, actor=photographer, message="Belles photos, merci !")
    log(f"session “{session.title}” delivered")
