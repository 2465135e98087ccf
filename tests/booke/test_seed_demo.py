import io
import json

import pytest
from django.core.management import call_command

from booker.demo import DEMO_LOGINS, DEMO_PASSWORD
from booker.models import Company, User

# Tables that change by themselves between two runs and say nothing about the content.
VOLATILE = ["sessions", "admin.logentry", "django_q"]
# A PostgreSQL materialised view of Oscar's, not a table (absent on SQLite).
NOT_TABLES = ["catalogue.productcategoryhierarchy"]


def snapshot() -> dict:
    out = io.StringIO()
    call_command("dumpdata", exclude=VOLATILE + NOT_TABLES, stdout=out, natural_foreign=False)
    rows = json.loads(out.getvalue())
    return {(r["model"], r["pk"]): r["fields"] for r in rows}


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_twice_in_a_row_gives_the_same_database():
    call_command("seed_demo", quiet=True)
    first = snapshot()
    call_command("seed_demo", quiet=True)
    second = snapshot()
    added = second.keys() - first.keys()
    removed = first.keys() - second.keys()
    changed = [k for k in first.keys() & second.keys() if first[k] != second[k]]
    assert (sorted(added), sorted(removed), sorted(changed)) == ([], [], [])


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_creates_every_demo_login_and_a_company_with_its_team(client):
    call_command("seed_demo", quiet=True)
    for login in DEMO_LOGINS:
        assert client.login(username=login.email, password=DEMO_PASSWORD), login.email
    acme = Company.objects.get(name="Acme Industries")
    # Its admin (office@), approver (valideur@) and member (equipe@), and a colleague invited.
    assert sorted(acme.memberships.values_list("user__email", "role")) == [
        ("equipe@acme.test", "member"), ("office@acme.test", "admin"),
        ("valideur@acme.test", "approver")]
    assert list(acme.team_invitations.values_list("email", flat=True)) == [
        "nouvelle@acme.test"]
    assert User.objects.filter(groups__name="Photographer").exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_crm_has_its_clients_and_company_a_lead_per_stage_and_no_staff_contact():
    from booker.crm.selectors import pipeline_board
    from booker.models import Contact

    call_command("seed_demo", quiet=True)
    emails = set(Contact.objects.filter(kind=Contact.Kind.PERSON).values_list("email", flat=True))
    assert {"client@booke.test", "office@acme.test", "equipe@acme.test"} <= emails
    assert not emails & {"photo@booke.test", "editeur@booke.test", "admin@booke.test",
                         "retouche@booke.test", "boutique@booke.test"}
    assert Contact.objects.filter(kind=Contact.Kind.COMPANY, company__name="Acme Industries"
                                  ).count() == 1
    assert all(column.leads for column in pipeline_board())


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_back_office_accounts_share_the_public_demo_key_and_clients_have_none():
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from booker.demo import DEMO_TOTP_SECRET

    call_command("seed_demo", quiet=True)
    keys = {d.user.email: d.key for d in TOTPDevice.objects.filter(confirmed=True)}
    assert keys == {
        email: b32decode(DEMO_TOTP_SECRET).hex()
        for email in ("admin@booke.test", "photo@booke.test", "retouche@booke.test",
                      "editeur@booke.test", "boutique@booke.test")
    }


def test_demo_logins_prints_the_demo_key_as_an_otpauth_uri():
    from booker.demo import DEMO_TOTP_SECRET

    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert f"otpauth://totp/Book%C3%A9%20d%C3%A9mo?secret={DEMO_TOTP_SECRET}" in out.getvalue()


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_offers_three_session_types_with_slots_over_the_next_weeks():
    from datetime import timedelta

    from django.utils import timezone

    from booker.booking.selectors import bookable_session_types, days_with_slots

    call_command("seed_demo", quiet=True)
    types = bookable_session_types()
    assert [t.name for t in types] == ["Portrait", "Famille", "Portraits d'entreprise"]
    today = timezone.localdate()
    for session_type in types:
        days = days_with_slots(session_type, today, today + timedelta(days=28))
        assert len(days) >= 12, (session_type.name, days)
    assert [q.label for q in types[1].questions.all()][0] == (
        "Combien de personnes, enfants compris ?")
