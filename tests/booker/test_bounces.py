"""Late bounces (issue 21): emails go out with the bounce mailbox as envelope sender and a
reference; the worker reads that mailbox over IMAP (a real dovecot on loopback), and a hard
bounce reported there — Postfix's, Gmail's or Exim's delivery status notification — marks the
campaign email or the automation message bounced, on the contact's timeline. Delays and
out-of-office replies change nothing; a mail it cannot read stays for a human."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from booker import tasks
from booker.automation.defaults import ensure_defaults
from booker.automation.models import EmailTemplate, Message, Rule
from booker.automation.sender import record_bounce as record_message_bounce
from booker.bounces import reader
from booker.bounces.dsn import Unreadable, read
from booker.crm import services as crm
from booker.crm import timeline
from booker.mail import templated_email
from booker.marketing import services as marketing
from booker.models import CampaignSend, MarketingConsent, Segment, SegmentCondition
from tests.booker.factories_studio import proofing_session
from tests.booker.mailbox import Mailbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "bounces"
BOUNCE_ADDRESS = "bounces@booke.example"
SEEN = "\\Seen"


def dsn(name: str, recipient: str, *, ref: str = "", message_id: str = "") -> bytes:
    """A delivery report of the fixtures (as the relay wrote it) about our email."""
    text = (FIXTURES / f"{name}.eml").read_text()
    text = (text.replace("{recipient}", recipient).replace("{ref}", ref)
            .replace("{message_id}", message_id))
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


@pytest.fixture(autouse=True)
def bounce_address(settings):
    settings.BOOKE_BOUNCE_ADDRESS = BOUNCE_ADDRESS


@pytest.fixture
def defaults():
    Message.objects.all().delete()
    Rule.objects.all().delete()
    EmailTemplate.objects.all().delete()
    ensure_defaults()


def subscriber(email: str):
    user = UserFactory(email=email, first_name="Anne")
    crm.grant(email, MarketingConsent.Purpose.MARKETING, consent_text="oui",
              source=MarketingConsent.Source.STAFF)
    return user


def send_campaign(capture) -> CampaignSend:
    segment = Segment.objects.create(name="Abonnés")
    SegmentCondition.objects.create(segment=segment, kind="newsletter_subscribers")
    with capture(execute=True):
        campaign = marketing.create_campaign(
            segment, name="Printemps", subject="Le printemps au studio",
            body_html="<p>Bonjour</p>", body_text="Bonjour")
    send = CampaignSend.objects.get(campaign=campaign)
    assert send.status == CampaignSend.Status.SENT
    return send


def proofs_email(capture, client) -> Message:
    with capture(execute=True):
        proofing_session(3, client=client)
    message = Message.objects.get(rule__key="proofs-ready", recipient=client.email)
    assert message.status == Message.Status.SENT
    return message


def outgoing(to: str):
    [email] = [m for m in mail.outbox if m.to == [to]]
    return email


def titles(user) -> list[tuple[str, str, bool]]:
    return [(e.title, e.detail, e.alert)
            for e in timeline.timeline(crm.contact_for_user(user))]


# --- The outgoing side ---------------------------------------------------------------------


def test_every_email_goes_out_with_the_bounce_address_as_envelope_sender_over_smtp(
        settings, django_capture_on_commit_callbacks, defaults):
    box = Mailbox().start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", box.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        anne = subscriber("anne@example.test")
        send = send_campaign(django_capture_on_commit_callbacks)
        message = proofs_email(django_capture_on_commit_callbacks, anne)
        templated_email("booker/email/email_change",
                        {"user": anne, "new_email": "paul@example.test", "days": 2,
                         "link": "https://booke.example/confirm"},
                        ["paul@example.test"]).send()
        received = box.new(3, timeout=30, settle=0.5)
    finally:
        box.stop()
    by_ref = {r.message["X-Booke-Ref"]: r for r in received}
    assert set(by_ref) == {f"campaign-{send.campaign_id}-send-{send.pk}",
                           f"msg-{message.pk}", None}
    for got in received:
        # The relay bounces to the mailbox the worker reads; the reader sees the studio.
        assert got.sender == BOUNCE_ADDRESS
        assert "bonjour@booke.localhost" in str(got.message["From"])
        assert BOUNCE_ADDRESS not in str(got.message["From"])


def test_without_the_setting_emails_go_out_as_before(settings, django_capture_on_commit_callbacks):
    settings.BOOKE_BOUNCE_ADDRESS = ""
    subscriber("anne@example.test")
    send_campaign(django_capture_on_commit_callbacks)
    email = outgoing("anne@example.test")
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert "From" not in email.extra_headers and "X-Booke-Ref" not in email.extra_headers


# --- Reading the reports -------------------------------------------------------------------


def test_postfix_gmail_and_exim_failures_are_hard_bounces_with_their_diagnostic():
    postfix = read(dsn("postfix_hard", "Anne@Example.test", ref="msg-7",
                       message_id="<proofs-ready.3.7@booke>"))
    gmail = read(dsn("gmail_hard", "anne@example.test", message_id="<campaign.2.9@booke>"))
    exim = read(dsn("exim_hard", "anne@example.test"))
    [p], [g], [e] = postfix.bounces, gmail.bounces, exim.bounces
    assert (p.recipient, p.status, p.ref, p.message_id) == (
        "anne@example.test", "5.1.1", "msg-7", "<proofs-ready.3.7@booke>")
    assert p.detail.startswith("550 5.1.1 <Anne@Example.test>: Recipient address rejected")
    assert (g.status, g.ref, g.message_id) == ("5.1.1", "", "<campaign.2.9@booke>")
    assert "does not exist" in g.detail
    assert (e.status, e.ref, e.message_id) == ("5.0.0", "", "")
    assert e.detail == "5.0.0 550 5.2.1 The email account that you tried to reach is disabled."


def test_a_delay_and_an_out_of_office_reply_are_no_bounce():
    assert read(dsn("postfix_delayed", "anne@example.test")).bounces == ()
    ooo = read(dsn("out_of_office", "anne@example.test"))
    assert (ooo.kind, ooo.bounces) == ("auto-reply", ())


@pytest.mark.parametrize("name", ["garbage", "broken_report"])
def test_a_mail_that_is_neither_a_report_nor_an_auto_reply_is_unreadable(name):
    with pytest.raises(Unreadable):
        read(dsn(name, "anne@example.test"))


# --- The worker's job, against a real IMAP server ----------------------------------------


def test_a_hard_bounce_of_a_campaign_email_is_on_the_contact_s_timeline(
        bounce_mailbox, django_capture_on_commit_callbacks):
    anne = subscriber("anne@example.test")
    send = send_campaign(django_capture_on_commit_callbacks)
    sent = outgoing("anne@example.test")
    uid = bounce_mailbox.deliver(dsn("postfix_hard", "anne@example.test",
                                     ref=sent.extra_headers["X-Booke-Ref"],
                                     message_id=sent.extra_headers["Message-ID"]))

    assert tasks.read_bounces() == "1 campaign"

    send.refresh_from_db()
    assert send.status == CampaignSend.Status.BOUNCED and send.bounced_at
    assert "User unknown" in send.detail
    assert SEEN in bounce_mailbox.flags()[uid]
    bounced = [t for t in titles(anne) if t[0] == "Campagne non remise"]
    assert len(bounced) == 1 and bounced[0][2] and "5.1.1" in bounced[0][1]


def test_a_hard_bounce_of_an_automation_email_marks_it_bounced_by_its_message_id(
        bounce_mailbox, django_capture_on_commit_callbacks, defaults):
    claire = UserFactory(email="claire@example.test", first_name="Claire")
    message = proofs_email(django_capture_on_commit_callbacks, claire)
    sent = outgoing("claire@example.test")
    # Gmail returns the whole email: its Message-ID names our message.
    bounce_mailbox.deliver(dsn("gmail_hard", "claire@example.test",
                               message_id=sent.extra_headers["Message-ID"]))

    assert reader.read_bounces() == {"message": 1}

    message.refresh_from_db()
    assert message.status == Message.Status.BOUNCED and message.bounced_at
    assert "5.1.1" in message.last_error and "does not exist" in message.last_error
    entries = titles(claire)
    assert [t for t, _, _ in entries].count("E-mail envoyé") >= 1
    [rejected] = [e for e in entries if e[0] == "E-mail rejeté"]
    assert rejected[2] and "claire@example.test: 550-5.1.1" in rejected[1]


def test_a_report_without_our_reference_names_the_newest_email_to_that_address(
        bounce_mailbox, django_capture_on_commit_callbacks, defaults):
    anne = subscriber("anne@example.test")
    message = proofs_email(django_capture_on_commit_callbacks, anne)
    send = send_campaign(django_capture_on_commit_callbacks)
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(days=1))
    bounce_mailbox.deliver(dsn("exim_hard", "Anne@example.test"))

    assert reader.read_bounces() == {"campaign": 1}

    send.refresh_from_db()
    message.refresh_from_db()
    assert send.status == CampaignSend.Status.BOUNCED
    assert message.status == Message.Status.SENT


def test_a_report_about_an_email_older_than_30_days_or_unknown_is_read_and_matches_nothing(
        bounce_mailbox, django_capture_on_commit_callbacks, defaults):
    anne = UserFactory(email="anne@example.test")
    message = proofs_email(django_capture_on_commit_callbacks, anne)
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(days=31))
    uid = bounce_mailbox.deliver(dsn("exim_hard", "anne@example.test"))

    assert reader.read_bounces() == {"unmatched": 1}

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert SEEN in bounce_mailbox.flags()[uid]


def test_a_delay_and_an_out_of_office_are_read_and_change_nothing(
        bounce_mailbox, django_capture_on_commit_callbacks):
    subscriber("anne@example.test")
    send = send_campaign(django_capture_on_commit_callbacks)
    sent = outgoing("anne@example.test")
    ids = {"ref": sent.extra_headers["X-Booke-Ref"],
           "message_id": sent.extra_headers["Message-ID"]}
    uids = [bounce_mailbox.deliver(dsn("postfix_delayed", "anne@example.test", **ids)),
            bounce_mailbox.deliver(dsn("out_of_office", "anne@example.test", **ids))]

    assert reader.read_bounces() == {"not a bounce": 2}

    send.refresh_from_db()
    assert send.status == CampaignSend.Status.SENT
    flags = bounce_mailbox.flags()
    assert all(SEEN in flags[uid] for uid in uids)


def test_an_unreadable_mail_is_left_for_a_human_and_the_rest_of_the_batch_goes_on(
        bounce_mailbox, django_capture_on_commit_callbacks, caplog):
    subscriber("anne@example.test")
    send = send_campaign(django_capture_on_commit_callbacks)
    sent = outgoing("anne@example.test")
    garbage = bounce_mailbox.deliver(dsn("garbage", "anne@example.test"))
    broken = bounce_mailbox.deliver(dsn("broken_report", "anne@example.test"))
    hard = bounce_mailbox.deliver(dsn("postfix_hard", "anne@example.test",
                                      ref=sent.extra_headers["X-Booke-Ref"]))

    assert reader.read_bounces() == {"campaign": 1, "unreadable": 2}

    send.refresh_from_db()
    assert send.status == CampaignSend.Status.BOUNCED
    flags = bounce_mailbox.flags()
    assert SEEN not in flags[garbage] and SEEN not in flags[broken]
    assert SEEN in flags[hard]
    assert "left for a human" in caplog.text
    # Not logged again every quarter of an hour: the next run skips them.
    assert reader.read_bounces() == {}


def test_a_failure_while_recording_leaves_the_mail_for_the_next_run(
        bounce_mailbox, django_capture_on_commit_callbacks, monkeypatch):
    subscriber("anne@example.test")
    send = send_campaign(django_capture_on_commit_callbacks)
    sent = outgoing("anne@example.test")
    uid = bounce_mailbox.deliver(dsn("postfix_hard", "anne@example.test",
                                     ref=sent.extra_headers["X-Booke-Ref"]))

    def down(bounce):
        raise ConnectionError("database away")

    with monkeypatch.context() as patch:
        patch.setattr("booker.bounces.services.record", down)
        assert reader.read_bounces() == {"failed": 1}
    assert SEEN not in bounce_mailbox.flags()[uid]
    assert reader.read_bounces() == {"campaign": 1}
    send.refresh_from_db()
    assert send.status == CampaignSend.Status.BOUNCED


def test_reading_twice_records_a_bounce_once(
        bounce_mailbox, django_capture_on_commit_callbacks, defaults):
    claire = UserFactory(email="claire@example.test")
    message = proofs_email(django_capture_on_commit_callbacks, claire)
    sent = outgoing("claire@example.test")
    uid = bounce_mailbox.deliver(dsn("postfix_hard", "claire@example.test",
                                     ref=sent.extra_headers["X-Booke-Ref"]))

    assert reader.read_bounces() == {"message": 1}
    assert reader.read_bounces() == {}
    message.refresh_from_db()
    first = message.bounced_at
    # Even read again (a run that died before flagging it), it is recorded once.
    with bounce_mailbox.connect() as imap:
        imap.uid("STORE", str(uid), "-FLAGS", "(\\Seen)")
    assert reader.read_bounces() == {"message": 1}
    message.refresh_from_db()
    assert message.bounced_at == first
    assert [t for t, _, _ in titles(claire)].count("E-mail rejeté") == 1


def test_without_an_imap_host_the_job_reads_nothing(settings):
    settings.BOOKE_BOUNCE_IMAP_HOST = ""
    assert reader.read_bounces() == {}
    assert "BOOKE_BOUNCE_IMAP_HOST" in tasks.read_bounces()


def test_only_a_sent_email_can_bounce(django_capture_on_commit_callbacks, defaults):
    claire = UserFactory(email="claire@example.test")
    message = proofs_email(django_capture_on_commit_callbacks, claire)
    Message.objects.filter(pk=message.pk).update(status=Message.Status.PENDING)
    assert not record_message_bounce(message.pk, "550 no")
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING


def test_an_address_that_bounced_twice_is_skipped_by_the_next_campaigns(
        settings, django_capture_on_commit_callbacks, defaults):
    settings.BOOKE_BOUNCE_LIMIT = 2
    anne = subscriber("anne@example.test")
    subscriber("paul@example.test")
    message = proofs_email(django_capture_on_commit_callbacks, anne)
    assert record_message_bounce(message.pk, "550 5.1.1 no such user")
    first = CampaignSend.objects.get(campaign=send_campaign_to_all(
        django_capture_on_commit_callbacks), email="anne@example.test")
    assert first.status == CampaignSend.Status.SENT  # one bounce: maybe a passing fault
    assert marketing.record_bounce(first.campaign_id, first.email, "550 5.1.1 no such user")

    later = send_campaign_to_all(django_capture_on_commit_callbacks)
    sends = dict(CampaignSend.objects.filter(campaign=later).values_list("email", "status"))
    assert sends == {"anne@example.test": CampaignSend.Status.SKIPPED,
                     "paul@example.test": CampaignSend.Status.SENT}
    assert CampaignSend.objects.get(campaign=later, email=anne.email).detail == (
        "adresse injoignable : déjà rejetée")


def send_campaign_to_all(capture):
    segment = Segment.objects.create(name=f"Abonnés {Segment.objects.count()}")
    SegmentCondition.objects.create(segment=segment, kind="newsletter_subscribers")
    with capture(execute=True):
        return marketing.create_campaign(segment, name="Offre", subject="Offre",
                                         body_html="<p>Offre</p>", body_text="Offre")
