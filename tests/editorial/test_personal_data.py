"""The site's part of a person's data export and erasure (issue 21, GDPR;
editorial.personal_data, registered in EditorialConfig.ready): what they sent through the
contact page and their comments on the journal."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import Page, Site

from booker import privacy
from booker.people import personal_data
from editorial import personal_data as site_data
from editorial.comments.models import Comment
from editorial.contact.models import ContactFormField, ContactPage
from editorial.models import BlogIndexPage, BlogPostPage, HomePage
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages() -> tuple[ContactPage, BlogPostPage]:
    home = Page.get_first_root_node().add_child(instance=HomePage(title="Accueil", slug="accueil"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home})
    contact = ContactPage(title="Contact", slug="contact")
    contact.form_fields = [
        ContactFormField(label=label, field_type=kind, required=False, sort_order=i)
        for i, (label, kind) in enumerate([("Nom", "singleline"), ("E-mail", "email"),
                                           ("Message", "multiline")])
    ]
    home.add_child(instance=contact)
    journal = home.add_child(instance=BlogIndexPage(title="Journal", slug="journal"))
    post = journal.add_child(instance=BlogPostPage(title="Un billet", slug="billet"))
    post.save_revision().publish()
    return contact, post


def test_their_contact_messages_and_comments_are_exported_then_erased(pages):
    contact, post = pages
    person = UserFactory(email="claire@example.test")
    Client().post(contact.url, {"nom": "Claire Dubois", "e_mail": "Claire@Example.test",
                                "message": "Un mariage — claire-only"})
    Client().post(contact.url, {"nom": "Noé", "e_mail": "noe@example.test",
                                "message": "Un baptême — noé-only"})
    alone = Comment.objects.create(post=post, name="Claire", email=person.email,
                                   body="Bravo — claire-only", status=Comment.Status.APPROVED)
    answered = Comment.objects.create(post=post, author=person, name="Claire",
                                      email=person.email, body="Superbe — claire-only",
                                      status=Comment.Status.APPROVED)
    reply = Comment.objects.create(post=post, parent=answered, name="Noé",
                                   email="noe@example.test", body="Merci !",
                                   status=Comment.Status.APPROVED)

    data = personal_data.export(person)
    assert "claire-only" in data["site_contact_messages"][0]["data"]["message"]
    assert len(data["site_comments"]) == 2

    privacy.erase_person(person, actor=user_with_role("superuser"), files_confirmed=True)

    person.refresh_from_db()
    text = personal_data.export_json(person)
    assert "claire-only" not in text and "Claire" not in text
    assert FormSubmission.objects.count() == 1  # Noé's
    assert not Comment.objects.filter(pk=alone.pk).exists()
    # Answered, it stays in the thread without its author and words; the reply stays.
    answered.refresh_from_db()
    assert (answered.name, answered.email, answered.author) == (site_data.ERASED_NAME, "", None)
    assert answered.body == site_data.ERASED_BODY
    assert Comment.objects.filter(pk=reply.pk).exists()
