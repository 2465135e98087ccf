"""Stopping the reply emails: every reply email carries a personal link (and RFC 8058 headers)
that stops them without an account; opening it only asks, confirming or a mail client's
one-click POST stops them, for that person's comments on that post and nobody else's."""

import re
import uuid

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client

from booker.crm.services import UNSUBSCRIBE_SALT
from editorial.comments import services
from editorial.comments.models import Comment
from editorial.models import BlogPostPage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status
LINK_TEXT = "Ne plus recevoir les réponses à ce commentaire"
ASK = "Voulez-vous ne plus recevoir d'e-mail chaque fois que quelqu'un répond"
DONE = "C'est fait : vous ne recevrez plus d'e-mail"
INVALID = "Ce lien n'est pas valide."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _post(journal, slug="billet") -> BlogPostPage:
    post = journal.add_child(instance=BlogPostPage(title=f"Un {slug}", slug=slug))
    post.save_revision().publish()
    return post


@pytest.fixture
def post(journal) -> BlogPostPage:
    return _post(journal)


def _comment(post, status=Status.APPROVED, **kwargs) -> Comment:
    fields = {"name": "Camille", "email": "camille@example.test", "body": "Bravo", **kwargs}
    return Comment.objects.create(post=post, status=status, **fields)


def _reply_approved(parent, capture, **kwargs) -> list:
    """Approves a new reply to `parent`; the mails it sent to the parent's author."""
    fields = {"name": "Hugo", "email": "hugo@example.test", "body": "Merci !", **kwargs}
    reply = _comment(parent.post, status=Status.PENDING, parent=parent, **fields)
    before = len(mail.outbox)
    with capture(execute=True):
        services.approve(reply)
    return [m for m in mail.outbox[before:] if m.to == [parent.email]]


def _stop_path(message) -> str:
    return re.search(r"http://localhost:8000(/commentaires/reponses/arret/\S+/)", message.body)[1]


def _notify(pk: int) -> bool:
    return Comment.objects.get(pk=pk).notify_replies


def test_the_reply_email_carries_the_stop_link_in_both_parts_and_the_one_click_headers(
    post, django_capture_on_commit_callbacks
):
    parent = _comment(post, notify_replies=True)
    (message,) = _reply_approved(parent, django_capture_on_commit_callbacks)
    url = "http://localhost:8000" + _stop_path(message)
    assert f"{LINK_TEXT} : {url}" in message.body
    html = message.alternatives[0][0]
    assert f'<a href="{url}"' in html and LINK_TEXT in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_each_comment_gets_its_own_unguessable_link(post, django_capture_on_commit_callbacks):
    first = _comment(post, notify_replies=True)
    second = _comment(post, notify_replies=True, email="lea@example.test")
    (one,) = _reply_approved(first, django_capture_on_commit_callbacks)
    (two,) = _reply_approved(second, django_capture_on_commit_callbacks)
    assert _stop_path(one) != _stop_path(two)
    # Putting another comment's number in one's own link does not give a working link.
    mine, theirs = (_stop_path(m).rstrip("/").rsplit("/", 1)[1] for m in (one, two))
    forged = theirs.split(":", 1)[0] + ":" + mine.split(":", 1)[1]
    assert Client().post(f"/commentaires/reponses/arret/{forged}/").status_code == 404
    assert _notify(second.pk) is True


def test_opening_the_link_asks_and_changes_nothing(
    post, client, django_capture_on_commit_callbacks
):
    parent = _comment(post, notify_replies=True)
    (message,) = _reply_approved(parent, django_capture_on_commit_callbacks)
    response = client.get(_stop_path(message))
    assert response.status_code == 200
    assert ASK in response.text and "« Un billet »" in response.text
    assert re.search(r'<form method="post"[^>]*>\s*<button', response.text)
    assert "no-store" in response["Cache-Control"]
    assert _notify(parent.pk) is True
    assert len(_reply_approved(parent, django_capture_on_commit_callbacks)) == 1


def test_confirming_stops_the_reply_emails(post, django_capture_on_commit_callbacks):
    parent = _comment(post, notify_replies=True)
    (message,) = _reply_approved(parent, django_capture_on_commit_callbacks)
    response = Client(enforce_csrf_checks=True).post(_stop_path(message))
    assert response.status_code == 200 and DONE in response.text
    assert _notify(parent.pk) is False
    assert _reply_approved(parent, django_capture_on_commit_callbacks) == []


def test_a_mail_clients_one_click_post_stops_them_without_a_csrf_token(
    post, django_capture_on_commit_callbacks
):
    parent = _comment(post, notify_replies=True)
    (message,) = _reply_approved(parent, django_capture_on_commit_callbacks)
    path = message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix(
        "http://localhost:8000"
    )
    response = Client(enforce_csrf_checks=True).post(
        path, {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert _notify(parent.pk) is False
    # Again (a client retrying) is harmless.
    assert Client(enforce_csrf_checks=True).post(path).status_code == 200


def test_a_logged_in_visitor_confirms_with_the_button_too(
    post, django_capture_on_commit_callbacks
):
    user = UserFactory()
    parent = _comment(post, notify_replies=True, author=user, email=user.email)
    (message,) = _reply_approved(parent, django_capture_on_commit_callbacks)
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())  # whoever is logged in on this browser
    assert client.post(_stop_path(message)).status_code == 200
    assert _notify(parent.pk) is False


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_or_unknown_link_says_so_in_french_and_changes_nothing(
    post, client, method
):
    comment = _comment(post, notify_replies=True)
    good = services.replies_off_token(comment)
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    newsletter_salt = signing.dumps(comment.pk, salt=UNSUBSCRIBE_SALT)
    deleted = _comment(post, email="lea@example.test")
    gone = services.replies_off_token(deleted)
    deleted.delete()
    for token in (tampered, newsletter_salt, gone, "pas-un-jeton"):
        response = getattr(client, method)(f"/commentaires/reponses/arret/{token}/")
        assert response.status_code == 404, token
        assert INVALID in response.text
    assert _notify(comment.pk) is True


def test_another_persons_comment_is_not_affected(post, django_capture_on_commit_callbacks):
    mine = _comment(post, notify_replies=True)
    theirs = _comment(post, notify_replies=True, name="Léa", email="lea@example.test")
    (message,) = _reply_approved(mine, django_capture_on_commit_callbacks)
    Client().post(_stop_path(message))
    assert _notify(mine.pk) is False and _notify(theirs.pk) is True
    assert len(_reply_approved(theirs, django_capture_on_commit_callbacks)) == 1


def test_it_stops_the_same_persons_other_comments_on_the_post_not_on_other_posts(
    journal, post, django_capture_on_commit_callbacks
):
    user = UserFactory()
    first = _comment(post, notify_replies=True, email="camille@example.test")
    same_email = _comment(post, notify_replies=True, email="Camille@Example.test")
    same_account = _comment(post, notify_replies=True, author=user, email="autre@example.test")
    first.author = user
    first.save()
    elsewhere = _comment(_post(journal, "autre"), notify_replies=True)
    (message,) = _reply_approved(first, django_capture_on_commit_callbacks)
    Client().post(_stop_path(message))
    assert [_notify(c.pk) for c in (first, same_email, same_account, elsewhere)] == [
        False, False, False, True
    ]


def test_the_page_cache_never_keeps_the_stop_page(post, client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"pagecache-{uuid.uuid4()}",
        }
    }
    settings.PAGE_CACHE_ENABLED = True
    comment = _comment(post, notify_replies=True)
    path = f"/commentaires/reponses/arret/{services.replies_off_token(comment)}/"
    assert [client.get(path)["X-Cache"] for _ in range(2)] == ["bypass", "bypass"]
    assert client.post(path).status_code == 200
    assert DONE not in client.get(path).text
