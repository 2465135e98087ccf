"""The contact page (submissions → Wagtail, CRM lead, studio email) and the footer's newsletter
sign-up with its double opt-in; both guarded by a honeypot and a rate limit."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import Page, Site

from booker import roles, throttle
from booker.models import Lead, MarketingConsent
from editorial.contact.forms import NEWSLETTER_CONSENT
from editorial.contact.models import ContactFormField, ContactPage
from editorial.models import HomePage
from editorial.site.models import StudioSettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    ("Nom", "singleline", ""),
    ("E-mail", "email", ""),
    ("Téléphone", "singleline", ""),
    ("Type de séance", "dropdown", "Portrait\nMariage"),
    ("Budget", "singleline", ""),
    ("Message", "multiline", ""),
]
SUBMISSION = {
    "nom": "Claire Dubois",
    "e_mail": "Claire@Example.test",
    "telephone": "06 12 34 56 78",
    "type_de_seance": "Mariage",
    "budget": "2 000 €",
    "message": "Un mariage le 12 juin à Lyon.",
}


@pytest.fixture
def home(db) -> HomePage:
    home = Page.get_first_root_node().add_child(instance=HomePage(title="Accueil", slug="accueil"))
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    StudioSettings.objects.create(site=site, email="studio@booke.test")
    return home


@pytest.fixture
def contact(home) -> ContactPage:
    page = ContactPage(title="Contact", slug="contact", thank_you_text="<p>Merci Claire !</p>")
    page.form_fields = [
        ContactFormField(label=label, field_type=kind, choices=choices, required=False,
                         sort_order=i)
        for i, (label, kind, choices) in enumerate(FIELDS)
    ]
    home.add_child(instance=page)
    return page


def footer_form(html: str) -> str:
    return re.search(r'<form class="newsletter-form".*?</form>', html, re.S).group(0)


# --- The contact page ------------------------------------------------------------------------


def test_contact_page_carries_a_csrf_token_and_is_never_cached(contact, client):
    response = client.get(contact.url)
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_submission_is_kept_becomes_a_lead_and_is_emailed_to_the_studio(contact):
    account = UserFactory(email="claire@example.test")
    response = Client(enforce_csrf_checks=False).post(contact.url, SUBMISSION)
    assert response.status_code == 200 and "Merci Claire !" in response.text
    assert FormSubmission.objects.filter(page=contact).count() == 1
    lead = Lead.objects.get()
    assert (lead.name, lead.email, lead.phone, lead.subject) == (
        "Claire Dubois", "claire@example.test", "06 12 34 56 78", "Mariage"
    )
    # What fits no column is kept in the message, with its label.
    assert lead.message == "Un mariage le 12 juin à Lyon.\n\nBudget : 2 000 €"
    assert lead.source == "Formulaire de contact — Contact"
    assert lead.source_url.endswith("/contact/")
    assert lead.user == account
    (message,) = mail.outbox
    assert message.to == ["studio@booke.test"]  # the page has no recipient: the studio's
    assert message.reply_to == ["claire@example.test"]
    assert "Budget: 2 000 €" in message.body


def test_a_submission_posted_without_csrf_token_is_refused(contact):
    response = Client(enforce_csrf_checks=True).post(contact.url, SUBMISSION)
    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_kept(contact, client):
    response = client.post(contact.url, {**SUBMISSION, "site_web": "http://spam.example"})
    assert response.status_code == 200 and "Merci Claire !" in response.text
    assert not Lead.objects.exists() and not FormSubmission.objects.exists()
    assert mail.outbox == []


def test_too_many_messages_from_one_address_are_refused(contact, client):
    assert throttle.rate("contact", "ip") == "5/10m"
    limit = throttle.allowed("contact", "ip")
    for _ in range(limit):
        client.post(contact.url, SUBMISSION)
    response = client.post(contact.url, SUBMISSION)
    assert response.status_code == 429
    assert Lead.objects.count() == limit


# --- The newsletter --------------------------------------------------------------------------


def test_the_anonymous_footer_form_has_no_csrf_token_and_an_unticked_consent_box(home, client):
    form = footer_form(client.get("/").text)
    assert "csrfmiddlewaretoken" not in form
    assert re.search(r'<input type="checkbox" name="consent" value="on" required>', form)
    assert str(NEWSLETTER_CONSENT).replace("'", "&#x27;") in form


def test_a_logged_in_person_gets_a_token_and_needs_it(home):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert "csrfmiddlewaretoken" in footer_form(client.get("/").text)
    response = client.post("/newsletter/", {"email": "a@example.test", "consent": "on"})
    assert response.status_code == 403
    assert not MarketingConsent.objects.exists()


def test_signing_up_leaves_a_pending_consent_and_emails_the_confirmation_link(home):
    client = Client(enforce_csrf_checks=True)  # anonymous: no token, none needed
    response = client.post("/newsletter/", {"email": "Anne@Example.test", "consent": "on"},
                           HTTP_REFERER="http://testserver/journal/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    consent = MarketingConsent.objects.get()
    assert (consent.email, consent.status) == ("anne@example.test", "pending")
    assert consent.consent_text == str(NEWSLETTER_CONSENT)
    assert consent.source_url == "http://testserver/journal/"
    (message,) = mail.outbox
    assert f"{settings.SITE_URL}/newsletter/confirm/" in message.body
    assert f"{settings.SITE_URL}/newsletter/unsubscribe/" in message.body


def test_the_confirmation_link_confirms_and_unsubscribing_asks_before_withdrawing(home, client):
    client.post("/newsletter/", {"email": "anne@example.test", "consent": "on"})
    body = mail.outbox[0].body
    site = re.escape(settings.SITE_URL)
    confirm = re.search(site + r"(/newsletter/confirm/\S+/)", body).group(1)
    unsubscribe = re.search(site + r"(/newsletter/unsubscribe/\S+/)", body).group(1)
    response = client.get(confirm)
    assert response.status_code == 200 and "newsletter-confirmed" in response.text
    assert MarketingConsent.objects.get().status == "confirmed"
    # Opening the link (as a mailbox's link scanner does) only asks.
    assert "newsletter-unsubscribe-ask" in client.get(unsubscribe).text
    assert MarketingConsent.objects.get().status == "confirmed"
    response = Client(enforce_csrf_checks=True).post(unsubscribe)
    assert response.status_code == 200 and "newsletter-unsubscribed" in response.text
    assert MarketingConsent.objects.get().status == "withdrawn"


def test_a_wrong_confirmation_link_says_so(home, client):
    response = client.get("/newsletter/confirm/not-a-real-token/")
    assert response.status_code == 404 and "newsletter-confirm-invalid" in response.text


def test_the_answer_does_not_tell_whether_an_address_is_already_subscribed(home, client):
    first = client.post("/newsletter/", {"email": "anne@example.test", "consent": "on"})
    again = client.post("/newsletter/", {"email": "anne@example.test", "consent": "on"})
    fresh = client.post("/newsletter/", {"email": "paul@example.test", "consent": "on"})
    main = [re.search(r"<main.*?</main>", r.text, re.S).group(0) for r in (first, again, fresh)]
    assert main[0] == main[1] == main[2]
    assert MarketingConsent.objects.count() == 2


@pytest.mark.parametrize(
    "data, error",
    [
        # The apostrophe comes HTML-escaped in the page.
        ({"email": "pas-une-adresse", "consent": "on"},
         "Cette adresse e-mail n&#x27;est pas valide."),
        ({"email": "anne@example.test"}, "Cochez la case pour accepter de recevoir la newsletter."),
    ],
    ids=["invalid-email", "box-not-ticked"],
)
def test_no_consent_without_a_valid_address_and_the_ticked_box(home, client, data, error):
    response = client.post("/newsletter/", data)
    assert response.status_code == 400 and error in response.text
    assert not MarketingConsent.objects.exists() and mail.outbox == []


def test_a_robot_filling_the_newsletter_honeypot_gets_no_consent(home, client):
    response = client.post("/newsletter/", {"email": "bot@example.test", "consent": "on",
                                            "site_web": "x"})
    assert response.status_code == 200
    assert not MarketingConsent.objects.exists() and mail.outbox == []


def test_editors_edit_the_contact_page_and_read_its_submissions_in_the_cms(contact, client):
    Client().post(contact.url, SUBMISSION)
    client.force_login(UserFactory(role=roles.EDITOR))
    assert client.get(f"/cms/pages/{contact.pk}/edit/").status_code == 200
    submissions = client.get(f"/cms/forms/submissions/{contact.pk}/")
    assert submissions.status_code == 200 and "Claire Dubois" in submissions.text
