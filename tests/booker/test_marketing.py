"""Segments and campaigns (issue 21): conditions from the registry choose people; the admin
previews and exports them (CSV-safe); a campaign goes out in batches with one-click
unsubscribe headers and never reaches someone without the consent it needs."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from booker import roles
from booker.crm import services as crm
from booker.marketing import conditions, selectors, sender, services
from booker.models import (
    CampaignSend,
    Delivery,
    MarketingConsent,
    PhotoSession,
    Segment,
    SegmentCondition,
)
from tests.booker.factories_studio import PackageFactory, PhotoSessionFactory
from tests.factories import CompanyFactory, MembershipFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db
S = CampaignSend.Status


def subscribed(email: str) -> None:
    crm.grant(email, MarketingConsent.Purpose.MARKETING, consent_text="oui",
              source=MarketingConsent.Source.STAFF)


def delivered(client, *, months: int, package: str = "Mariage", company=None) -> PhotoSession:
    session = PhotoSessionFactory(client=client, company=company,
                                  package=PackageFactory(name=package),
                                  status=PhotoSession.Status.DELIVERED)
    Delivery.objects.create(session=session,
                            delivered_at=timezone.now() - timedelta(days=31 * months))
    return session


def segment(name: str, *conds: dict) -> Segment:
    seg = Segment.objects.create(name=name)
    for c in conds:
        SegmentCondition.objects.create(segment=seg, **c)
    return seg


def emails(seg: Segment) -> list[str]:
    return [r.email for r in selectors.recipients(seg)]


def test_wedding_clients_delivered_long_ago_are_chosen_by_type_and_age():
    old, recent, portrait = (UserFactory(email=e) for e in
                             ("old@example.test", "recent@example.test", "portrait@example.test"))
    delivered(old, months=12)
    delivered(recent, months=3)
    delivered(portrait, months=12, package="Portrait")
    seg = segment("Mariés", {"kind": "delivered_clients", "number": 11, "text": "mariage"})
    assert emails(seg) == ["old@example.test"]


def test_companies_with_no_session_since_a_date_reach_their_members():
    idle, busy = CompanyFactory(name="Idle"), CompanyFactory(name="Busy")
    member = MembershipFactory(company=idle, user=UserFactory(email="m@idle.test")).user
    MembershipFactory(company=busy, user=UserFactory(email="m@busy.test"))
    PhotoSessionFactory(client=None, company=busy, scheduled_at=timezone.now())
    PhotoSessionFactory(client=None, company=idle,
                        scheduled_at=timezone.now() - timedelta(days=400))
    seg = segment("Idle", {"kind": "idle_companies",
                           "date": timezone.localdate() - timedelta(days=100)})
    [recipient] = selectors.recipients(seg)
    assert (recipient.email, recipient.user_id, recipient.company_name, recipient.b2b) == (
        member.email, member.pk, "Idle", True)


def test_conditions_combine_and_subscribers_without_an_account_count():
    subscribed("guest@example.test")
    client = UserFactory(email="client@example.test")
    subscribed(client.email)
    delivered(client, months=12)
    delivered(UserFactory(email="nosub@example.test"), months=12)
    both = segment("Both", {"kind": "newsletter_subscribers"},
                   {"kind": "delivered_clients", "number": 11})
    assert emails(both) == ["client@example.test"]
    assert emails(segment("Subs", {"kind": "newsletter_subscribers"})) == [
        "client@example.test", "guest@example.test"]
    assert emails(segment("Empty")) == []


def test_the_registry_holds_the_booker_and_the_shop_kinds():
    assert {"delivered_clients", "idle_companies", "newsletter_subscribers",
            "bought_print"} <= set(conditions.kinds())


def test_a_condition_missing_its_parameter_is_refused_in_the_admin_form():
    from django.core.exceptions import ValidationError

    cond = SegmentCondition(segment=Segment.objects.create(name="x"), kind="delivered_clients")
    with pytest.raises(ValidationError):
        cond.full_clean()


@pytest.fixture
def photographer_client():
    c = Client()
    c.force_login(user_with_role(roles.PHOTOGRAPHER, is_staff=True))
    return c


def test_the_admin_previews_the_count_and_exports_a_formula_safe_csv(photographer_client):
    subscribed("a@example.test")
    UserFactory(email="b@example.test", first_name="=HYPERLINK(1)", last_name="")
    subscribed("b@example.test")
    seg = segment("Subs", {"kind": "newsletter_subscribers"})
    page = photographer_client.get(f"/admin/booker/segment/{seg.pk}/change/")
    assert page.status_code == 200
    assert "2 personnes" in page.content.decode() and "a@example.test" in page.content.decode()
    response = photographer_client.get(f"/admin/booker/segment/{seg.pk}/csv/")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == list(selectors.CSV_HEADER)
    assert ["b@example.test", "'=HYPERLINK(1)"] == rows[2][:2]


# --- Campaigns ----------------------------------------------------------------------------------


def campaign(seg: Segment, **kwargs):
    return services.create_campaign(seg, name="Printemps", subject="Les offres du printemps",
                                    body_html="<p>Bonjour <b>tous</b></p>",
                                    body_text="Bonjour tous", **kwargs)


def test_a_campaign_never_reaches_anyone_without_the_consent_it_needs(
        django_capture_on_commit_callbacks, settings):
    settings.BOOKER_CAMPAIGN_BATCH_SIZE = 100
    company = CompanyFactory(name="Acme")
    # Everyone is in the segment, whatever their consent.
    no_consent = UserFactory(email="b2c-none@example.test")
    withdrawn = UserFactory(email="b2c-withdrawn@example.test")
    consenting = UserFactory(email="b2c-yes@example.test")
    opted_out = MembershipFactory(company=company, user=UserFactory(email="b2b-out@acme.test"))
    member = MembershipFactory(company=company, user=UserFactory(email="b2b-in@acme.test"))
    for user in (no_consent, withdrawn, consenting):
        delivered(user, months=12)
    subscribed(withdrawn.email)
    crm.withdraw_marketing(withdrawn.email)
    subscribed(consenting.email)
    crm.withdraw_marketing(opted_out.user.email)  # the one-click link of an earlier mail
    seg = segment("Tous", {"kind": "delivered_clients", "number": 11})
    # The company's members join through a second segment condition-free path: its own segment.
    seg_b2b = segment("Acme", {"kind": "idle_companies",
                               "date": timezone.localdate() + timedelta(days=1)})
    with django_capture_on_commit_callbacks(execute=True):
        first = campaign(seg)
        second = campaign(seg_b2b)
    assert sorted(m.to[0] for m in mail.outbox) == ["b2b-in@acme.test", "b2c-yes@example.test"]
    outcome = {s.email: (s.status, s.detail) for s in CampaignSend.objects.all()}
    no_consent = (S.SKIPPED, "pas de consentement aux e-mails commerciaux")
    assert outcome["b2c-none@example.test"] == outcome["b2c-withdrawn@example.test"] == no_consent
    assert outcome["b2b-out@acme.test"] == (S.SKIPPED, "s’est désinscrit")
    assert outcome["b2b-in@acme.test"][0] == outcome["b2c-yes@example.test"][0] == S.SENT
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.finished_at and second.finished_at
    assert member.user.email in {s.email for s in selectors.sends_for_email(member.user.email)}


def test_each_campaign_email_carries_one_click_unsubscribe_and_the_site_layout(
        django_capture_on_commit_callbacks, settings):
    settings.BOOKER_UNSUBSCRIBE_MAILTO = "desinscription@studio.test"
    subscribed("a@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        campaign(segment("Subs", {"kind": "newsletter_subscribers"}))
    [message] = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<https://") or header.startswith("<http://")
    assert "/accounts/unsubscribe/" in header and "<mailto:desinscription@studio.test?" in header
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert "<b>tous</b>" in html and "/accounts/unsubscribe/" in html
    assert "Bonjour tous" in message.body


def test_batches_respect_the_rate_limit_and_the_next_one_is_scheduled(
        django_capture_on_commit_callbacks, settings):
    from django_q.models import Schedule

    settings.BOOKER_CAMPAIGN_BATCH_SIZE = 2
    settings.BOOKER_CAMPAIGN_BATCH_SECONDS = 60
    for n in range(5):
        subscribed(f"p{n}@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        c = campaign(segment("Subs", {"kind": "newsletter_subscribers"}))
    assert len(mail.outbox) == 2
    later = Schedule.objects.get(func=sender.TASK)
    assert later.next_run > timezone.now() + timedelta(seconds=50)
    sender.send_batch(c.pk)
    sender.send_batch(c.pk)
    assert len(mail.outbox) == 5 and len({m.to[0] for m in mail.outbox}) == 5
    c.refresh_from_db()
    assert c.finished_at is not None
    assert sender.send_batch(c.pk) == {}


def test_a_refused_address_bounces_and_a_late_bounce_is_recorded(
        django_capture_on_commit_callbacks, monkeypatch):
    import smtplib

    subscribed("gone@example.test")
    subscribed("late@example.test")

    def refuse(self, messages):
        if messages[0].to == ["gone@example.test"]:
            raise smtplib.SMTPRecipientsRefused({"gone@example.test": (550, b"no such user")})
        return len(messages)

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        c = campaign(segment("Subs", {"kind": "newsletter_subscribers"}))
    gone = CampaignSend.objects.get(email="gone@example.test")
    assert (gone.status, gone.detail) == (S.BOUNCED, "550 no such user") and gone.bounced_at
    assert services.record_bounce(c.pk, "late@example.test", "mailbox full")
    assert CampaignSend.objects.get(email="late@example.test").status == S.BOUNCED
    assert [s.status for s in selectors.sends_for_email("LATE@example.test")] == [S.BOUNCED]


def test_the_demo_ships_the_issue_segments_once():
    from booker.marketing import demo

    heard: list[str] = []
    demo.seed(heard.append)
    demo.seed(heard.append)
    assert heard == ["segment Mariés livrés il y a plus de 11 mois",
                     "segment Entreprises sans séance cette année"]
    wedding = Segment.objects.get(name="Mariés livrés il y a plus de 11 mois")
    assert [(c.kind, c.number, c.text) for c in wedding.conditions.all()] == [
        ("delivered_clients", 11, "Mariage")]


def test_the_personal_data_export_lists_a_persons_campaign_emails(
        django_capture_on_commit_callbacks):
    from booker.people import personal_data

    person = UserFactory(email="anne@example.test")
    subscribed(person.email)
    with django_capture_on_commit_callbacks(execute=True):
        campaign(segment("Subs", {"kind": "newsletter_subscribers"}))
    data = personal_data.export(person)
    assert [(e["campaign"], e["status"]) for e in data["campaign_emails"]] == [
        ("Printemps", S.SENT)]
    assert data["marketing_consents"][0]["source"] == MarketingConsent.Source.STAFF


def test_someone_who_unsubscribes_between_two_batches_is_skipped(
        django_capture_on_commit_callbacks, settings):
    settings.BOOKER_CAMPAIGN_BATCH_SIZE = 1
    subscribed("first@example.test")
    subscribed("second@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        c = campaign(segment("Subs", {"kind": "newsletter_subscribers"}))
    assert [m.to for m in mail.outbox] == [["first@example.test"]]
    crm.withdraw_marketing("second@example.test")
    assert sender.send_batch(c.pk) == {S.SKIPPED: 1}
    assert len(mail.outbox) == 1


def test_an_email_claimed_by_one_worker_is_not_sent_by_another(
        django_capture_on_commit_callbacks, settings):
    settings.BOOKER_CAMPAIGN_BATCH_SECONDS = 60
    subscribed("a@example.test")
    with django_capture_on_commit_callbacks(execute=False):
        c = campaign(segment("Subs", {"kind": "newsletter_subscribers"}))
    send = CampaignSend.objects.get()
    assert sender._claim(send)  # a first worker holds it (its lease runs)
    assert sender.send_batch(c.pk) == {}  # the second finds nothing to do
    assert mail.outbox == [] and CampaignSend.objects.get().status == S.PENDING
