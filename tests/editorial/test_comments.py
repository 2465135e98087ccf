"""Readers' comments on the journal: held for moderation, protected against bots without a
CSRF token for anonymous visitors, moderated by editors in /cms/, replies mailed to those who
asked."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Page, Site

from booker import roles, throttle
from editorial.comments import services
from editorial.comments.admin import ApproveAction, RejectAction, SpamAction, action_url
from editorial.comments.models import Comment
from editorial.models import BlogIndexPage, BlogPostPage, HomePage
from tests.factories import PASSWORD, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

Status = Comment.Status
NOTICE = "Merci ! Votre commentaire sera publié après modération."


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def post() -> BlogPostPage:
    home = Page.get_first_root_node().add_child(instance=HomePage(title="Accueil", slug="accueil"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    journal = home.add_child(instance=BlogIndexPage(title="Journal", slug="journal"))
    post = journal.add_child(instance=BlogPostPage(title="Un billet", slug="billet"))
    post.save_revision().publish()
    return post


@pytest.fixture
def editor():
    return user_with_role(roles.EDITOR, email="claire@booke.test", first_name="Claire")


def _url(post) -> str:
    return reverse("comments:post", args=(post.pk,))


def _form(**overrides) -> dict:
    return {
        "name": "Camille",
        "email": "camille@example.test",
        "body": "Quelle belle lumière !",
        "notify_replies": "on",
        **overrides,
    }


def _comment(post, status=Status.APPROVED, **kwargs) -> Comment:
    fields = {"name": "Camille", "email": "camille@example.test", "body": "Bravo", **kwargs}
    return Comment.objects.create(post=post, status=status, **fields)


# --- Posting -----------------------------------------------------------------------------------


def test_a_visitors_comment_waits_for_moderation_and_is_not_shown(post, client):
    response = client.post(_url(post), _form(body="Un texte à modérer"))
    assert response.status_code == 302
    assert response["Location"] == f"{post.url}?commentaire=envoye#commentaires"
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING and comment.author is None
    assert comment.ip_hash and "127.0.0.1" not in comment.ip_hash
    page = client.get(post.url).text
    assert "Un texte à modérer" not in page
    assert NOTICE not in page


def test_the_page_after_posting_thanks_the_visitor(post, client):
    response = client.post(_url(post), _form(), follow=True)
    assert NOTICE in response.text


def test_approving_a_comment_shows_it_under_the_post_with_the_count(post, client):
    comment = _comment(post, status=Status.PENDING, body="Superbe série")
    services.approve(comment)
    text = client.get(post.url).text
    assert "Superbe série" in text
    assert f'id="commentaire-{comment.pk}"' in text
    assert re.search(r">\s*1 commentaire\s*<", text)


def test_replies_are_shown_under_their_comment_and_hidden_ones_stay_hidden(post, client):
    parent = _comment(post, body="Première")
    _comment(post, parent=parent, body="Une réponse")
    _comment(post, parent=parent, body="Réponse refusée", status=Status.REJECTED)
    text = client.get(post.url).text
    assert text.index("Première") < text.index("Une réponse")
    assert "comment-replies" in text
    assert "Réponse refusée" not in text


def test_a_filled_honeypot_looks_accepted_and_stores_nothing(post, client):
    response = client.post(_url(post), _form(website="http://spam.example"))
    assert response.status_code == 302
    assert "commentaire=envoye" in response["Location"]
    assert not Comment.objects.exists()


def test_the_sixth_comment_in_ten_minutes_is_refused_and_the_text_kept(post, client):
    assert throttle.rate(services.RATE_LIMIT_NAME, "ip") == "5/10m"
    for n in range(throttle.allowed(services.RATE_LIMIT_NAME, "ip")):
        assert client.post(_url(post), _form(body=f"Commentaire {n}")).status_code == 302
    response = client.post(_url(post), _form(body="Encore un mot"))
    assert response.status_code == 429
    assert "plusieurs commentaires en peu de temps" in response.text
    assert "Encore un mot" in response.text
    assert Comment.objects.count() == throttle.allowed(services.RATE_LIMIT_NAME, "ip")
    assert "no-store" in response["Cache-Control"]


def test_the_rate_limit_also_counts_per_email_across_addresses(post, client):
    assert throttle.rate(services.RATE_LIMIT_NAME, "account") == "5/10m"
    for n in range(throttle.allowed(services.RATE_LIMIT_NAME, "account")):
        client.post(_url(post), _form(body=f"Mot {n}"), REMOTE_ADDR=f"10.0.0.{n}")
    response = client.post(_url(post), _form(body="Depuis ailleurs"), REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 429
    other = client.post(_url(post), _form(email="autre@example.test"), REMOTE_ADDR="10.0.1.2")
    assert other.status_code == 302


def test_a_form_with_errors_comes_back_with_what_was_typed(post, client):
    response = client.post(_url(post), _form(email="pas-un-email", body="Mon long texte"))
    assert response.status_code == 400
    assert "Mon long texte" in response.text
    assert 'value="Camille"' in response.text
    assert 'class="error"' in response.text
    assert not Comment.objects.exists()


def test_replying_to_a_reply_joins_its_thread(post, client):
    parent = _comment(post)
    reply = _comment(post, parent=parent, email="hugo@example.test", name="Hugo")
    client.post(_url(post), _form(parent=str(reply.pk), email="nadia@example.test"))
    assert Comment.objects.get(email="nadia@example.test").parent == parent


def test_a_reply_to_a_comment_not_published_is_refused(post, client):
    hidden = _comment(post, status=Status.PENDING)
    response = client.post(_url(post), _form(parent=str(hidden.pk), email="x@example.test"))
    assert response.status_code == 400
    assert not Comment.objects.filter(email="x@example.test").exists()


# --- CSRF and the page cache ------------------------------------------------------------------


def test_an_anonymous_page_has_no_csrf_token_and_an_anonymous_post_needs_none(post):
    client = Client(enforce_csrf_checks=True)
    assert "csrfmiddlewaretoken" not in client.get(post.url).text
    assert client.post(_url(post), _form()).status_code == 302
    assert Comment.objects.count() == 1


def test_a_logged_in_post_without_the_csrf_token_is_refused(post):
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.login(username=user.email, password=PASSWORD)
    response = client.post(_url(post), {"body": "Sans jeton"})
    assert response.status_code == 403
    assert not Comment.objects.exists()
    # Nothing lost: the text comes back, with a token to send it again.
    assert "Sans jeton" in response.text and "csrfmiddlewaretoken" in response.text
    assert "no-store" in response["Cache-Control"]


def test_a_logged_in_reader_comments_with_the_token_under_their_account_name(post):
    user = UserFactory(first_name="Léa", last_name="Bernard")
    client = Client(enforce_csrf_checks=True)
    client.login(username=user.email, password=PASSWORD)
    page = client.get(post.url)
    assert "csrfmiddlewaretoken" in page.text
    form = re.search(r'<form class="comment-form".*?</form>', page.text, re.S).group(0)
    assert 'name="email"' not in form
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(_url(post), {"body": "Merci !", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author, comment.name, comment.email) == (user, "Léa Bernard", user.email)
    assert comment.status == Status.PENDING


# --- Moderation and emails -------------------------------------------------------------------


def test_a_status_move_that_makes_no_sense_is_refused(post):
    comment = _comment(post, status=Status.APPROVED)
    with pytest.raises(services.ValidationError):
        services.moderate(comment, Status.PENDING)
    services.mark_spam(comment)
    services.approve(comment)  # a false positive can still be published
    assert Comment.objects.get().status == Status.APPROVED


def test_editors_are_emailed_when_a_comment_awaits_moderation(
    post, client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(post), _form(body="À modérer"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [editor.email]
    assert "À modérer" in mail.outbox[0].body
    assert reverse("wagtailsnippets_editorial_comments_comment:list") in mail.outbox[0].body


def test_the_parent_author_is_emailed_when_a_reply_is_approved_not_before(
    post, client, django_capture_on_commit_callbacks
):
    parent = _comment(post, notify_replies=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(post), _form(parent=str(parent.pk), name="Hugo", email="h@example.test"))
    assert not [m for m in mail.outbox if parent.email in m.to]
    reply = Comment.objects.get(email="h@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(reply)
    sent = [m for m in mail.outbox if m.to == [parent.email]]
    assert len(sent) == 1
    assert "Hugo" in sent[0].body and reply.body in sent[0].body
    assert f"http://localhost:8000{post.url}#commentaire-{reply.pk}" in sent[0].body
    assert sent[0].alternatives and "text/html" == sent[0].alternatives[0][1]
    # Approved once: taken down and approved again, no second mail.
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(reply)
        services.approve(reply)
    assert len([m for m in mail.outbox if m.to == [parent.email]]) == 1


def test_no_reply_email_when_the_parent_author_did_not_ask(
    post, django_capture_on_commit_callbacks
):
    parent = _comment(post, notify_replies=False)
    reply = _comment(post, parent=parent, status=Status.PENDING, email="h@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(reply)
    assert mail.outbox == []


def test_no_reply_email_to_someone_answering_their_own_comment(
    post, django_capture_on_commit_callbacks
):
    parent = _comment(post, notify_replies=True, email="Camille@Example.test")
    reply = _comment(post, parent=parent, status=Status.PENDING, email="camille@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(reply)
    assert mail.outbox == []


def test_an_editors_reply_from_the_admin_is_published_at_once_and_mailed(
    post, editor, django_capture_on_commit_callbacks
):
    parent = _comment(post, notify_replies=True)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_as_editor(parent, user=editor, body="Merci Camille !")
    assert reply.status == Status.APPROVED and reply.author == editor
    assert [m.to for m in mail.outbox] == [[parent.email]]


# --- The moderation list in /cms/ ------------------------------------------------------------


def test_editors_see_the_moderation_list_pending_first(post, client, editor):
    _comment(post, status=Status.APPROVED, body="Déjà publié")
    _comment(post, status=Status.PENDING, body="Encore à lire")
    client.force_login(editor)
    response = client.get(reverse("wagtailsnippets_editorial_comments_comment:list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("Encore à lire") < text.index("Déjà publié")
    filtered = client.get(
        reverse("wagtailsnippets_editorial_comments_comment:list"), {"status": "approved"}
    ).content.decode()
    assert "Déjà publié" in filtered and "Encore à lire" not in filtered
    found = client.get(
        reverse("wagtailsnippets_editorial_comments_comment:list"), {"q": "lire"}
    ).content.decode()
    assert "Encore à lire" in found and "Déjà publié" not in found


def test_the_cms_menu_shows_the_number_of_comments_waiting(post, client, editor):
    _comment(post, status=Status.PENDING)
    _comment(post, status=Status.PENDING)
    client.force_login(editor)
    sidebar = client.get(reverse("wagtailadmin_home")).content.decode()
    item = r'"label": "[^"]+ \(2\)"[^\]]*"url": "/cms/snippets/editorial_comments/comment/"'
    assert re.search(item, sidebar)


@pytest.mark.parametrize("role", [None, roles.PHOTOGRAPHER])
def test_people_without_the_editor_role_get_no_moderation_access(post, client, role):
    comment = _comment(post, status=Status.PENDING)
    client.force_login(user_with_role(role))
    list_url = reverse("wagtailsnippets_editorial_comments_comment:list")
    assert client.get(list_url).status_code in (302, 403)
    client.post(action_url(ApproveAction, comment, "/"))
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_editors_approve_a_selection_in_one_go(post, client, editor):
    first = _comment(post, status=Status.PENDING, body="Un")
    second = _comment(post, status=Status.PENDING, body="Deux")
    client.force_login(editor)
    url = reverse("wagtail_bulk_action", args=("editorial_comments", "comment", "approve"))
    confirm = client.get(url, {"id": [first.pk, second.pk]})
    assert confirm.status_code == 200
    response = client.post(f"{url}?id={first.pk}&id={second.pk}")
    assert response.status_code == 302
    assert set(Comment.objects.values_list("status", flat=True)) == {Status.APPROVED}


def test_editors_mark_one_comment_as_spam_from_its_row(post, client, editor):
    comment = _comment(post, status=Status.PENDING)
    client.force_login(editor)
    list_url = reverse("wagtailsnippets_editorial_comments_comment:list")
    listing = client.get(list_url).content
    url = action_url(SpamAction, comment, list_url)
    assert url.replace("&", "&amp;").encode() in listing
    client.post(url)
    comment.refresh_from_db()
    assert comment.status == Status.SPAM


@pytest.mark.parametrize(
    ("action", "count", "told"),
    [
        (ApproveAction, 2, "2 commentaires approuvés."),
        (RejectAction, 1, "1 commentaire rejeté."),
        (SpamAction, 2, "2 commentaires marqués comme spam."),
    ],
)
def test_editors_are_told_in_french_how_many_comments_each_action_moved(
    post, client, editor, action, count, told
):
    comments = [_comment(post, status=Status.PENDING, body=f"N{n}") for n in range(count)]
    client.force_login(editor)
    url = reverse("wagtail_bulk_action", args=("editorial_comments", "comment", action.action_type))
    ids = "&".join(f"id={comment.pk}" for comment in comments)
    response = client.post(f"{url}?{ids}")
    assert [str(message).strip() for message in get_messages(response.wsgi_request)] == [told]
    assert set(Comment.objects.values_list("status", flat=True)) == {action.status}


def test_an_editor_replies_from_the_cms_and_it_is_published(post, client, editor):
    parent = _comment(post)
    client.force_login(editor)
    add = reverse("wagtailsnippets_editorial_comments_comment:add")
    form = client.get(add, {"parent": parent.pk})
    assert form.status_code == 200
    response = client.post(
        f"{add}?parent={parent.pk}", {"post": post.pk, "parent": parent.pk, "body": "Merci !"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reply = Comment.objects.get(body="Merci !")
    assert reply.parent == parent and reply.status == Status.APPROVED and reply.author == editor


# --- Cost of the page -------------------------------------------------------------------------


def _queries(client, post) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(post.url).status_code == 200
    return len(queries)


def test_the_post_page_costs_the_same_queries_for_2_or_20_comments(post, client):
    parent = _comment(post)
    _comment(post, parent=parent)
    client.get(post.url)  # warm Wagtail's site and page caches
    few = _queries(client, post)
    for n in range(9):
        thread = _comment(post, body=f"Commentaire {n}")
        _comment(post, parent=thread, body=f"Réponse {n}")
    assert _queries(client, post) == few


# --- For the page cache ------------------------------------------------------------------------


@pytest.fixture
def thread_changes():
    from editorial.comments.signals import thread_changed

    posts = []

    def receiver(sender, post, **kwargs):
        posts.append(post.pk)

    thread_changed.connect(receiver)
    yield posts
    thread_changed.disconnect(receiver)


def test_the_post_is_said_changed_when_a_comment_shows_or_goes_not_when_one_waits(
    post, client, thread_changes
):
    client.post(_url(post), _form())
    assert thread_changes == []
    comment = Comment.objects.get()
    services.approve(comment)
    assert thread_changes == [post.pk]
    services.reject(comment)
    assert thread_changes == [post.pk, post.pk]
    approved = _comment(post)
    thread_changes.clear()
    approved.delete()
    assert thread_changes == [post.pk]
