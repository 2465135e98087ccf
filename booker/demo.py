"""The studio's demo people: one of each role, a private client, a company with two members."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import roles, services
from .models import Company, Membership

DEMO_PASSWORD = "booke-demo-2026"


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
    DemoLogin("office@acme.test", "office manager of Acme → /portal/", "Sophie", "Lambert"),
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
        if created:
            log(f"user {login.email} ({login.what})")

    acme, created = Company.objects.get_or_create(
        name="Acme Industries",
        defaults={
            "legal_name": "Acme Industries SAS",
            "siret": "73282932000074",
            "vat_number": "FR44732829320",
            "billing_email": "compta@acme.test",
            "address": "12 rue de la Paix\n75002 Paris",
        },
    )
    if created:
        log("company Acme Industries")
    services.add_member(acme, services.ensure_user("office@acme.test")[0], Membership.Role.MANAGER)
    services.add_member(acme, services.ensure_user("equipe@acme.test")[0], Membership.Role.MEMBER)
