"""The journal's "Done means", clicked as people would: an editor writes a post with a product
in the real Wagtail admin and publishes it; a visitor reads it, comments and goes to the
product; the editor finds the comment waiting in /cms/ and approves it."""

import re

import pytest
from playwright.sync_api import expect

from booker.demo import DEMO_PASSWORD
from editorial.comments.models import Comment
from editorial.models import BlogIndexPage, BlogPostPage
from tests.otp import type_the_code

EDITOR = "editeur@booke.test"
PRODUCT = "Album lin 30×30 cm"
PRICE = "144,00"  # the linen album, typed TTC
TITLE = "Nos albums en lin, de près"
COMMENT = "Le lin est-il lavable ? J'hésite pour un cadeau de mariage."


@pytest.fixture
def page_cache_on(settings):
    """The page cache as production runs it (off elsewhere in the suite): the visitor's pages
    come from it, so what the editor publishes or approves must purge it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "browser-editorial-paths",
        }
    }
    settings.PAGE_CACHE_ENABLED = True


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def insert_block(page, label: re.Pattern) -> None:
    """Wagtail's StreamField: the last "+" opens the block menu; pick a block by its label."""
    page.locator("button.c-sf-add-button").last.click()
    page.get_by_role("option", name=label).click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_editor_publishes_a_post_with_a_product_a_visitor_comments_and_buys(
    page, browser, serial_live_server, demo, page_cache_on
):
    journal = BlogIndexPage.objects.get(slug="journal")

    # The editor logs in once and writes the post in /cms/.
    page.goto("/accounts/login/?next=/cms/")
    log_in(page, EDITOR)
    type_the_code(page, EDITOR)
    expect(page).to_have_url(re.compile(r"/cms/$"))
    page.goto(f"/cms/pages/{journal.pk}/")
    page.locator(f'a[href$="/cms/pages/{journal.pk}/add_subpage/"]').first.click()
    expect(page).to_have_url(re.compile(r"/cms/pages/add/editorial/blogpostpage/"))
    page.locator("#id_title").fill(TITLE)

    insert_block(page, re.compile(r"^Paragra"))
    page.locator(".public-DraftEditor-content").last.click()
    page.keyboard.type("Trente pages de papier mat, une couverture en lin naturel.")

    insert_block(page, re.compile(r"^Produ"))
    page.get_by_role("button", name="Choisir un produit").click()
    modal = page.locator(".modal")
    modal.get_by_role("textbox").first.fill("Album lin")
    modal.get_by_role("link", name=PRODUCT).click()
    expect(modal).to_be_hidden()
    expect(page.locator("[data-chooser-title]").last).to_have_text(PRODUCT)

    page.locator(".w-dropdown-button").get_by_role(
        "button", name=re.compile("More actions|Plus d.actions")
    ).click()
    page.locator('button[name="action-publish"]').click()
    expect(page).to_have_url(re.compile(rf"/cms/pages/{journal.pk}/$"))
    post = BlogPostPage.objects.live().get(title=TITLE)

    # A visitor, in a browser of their own, reads it, comments and goes to the product.
    visitor_context = browser.new_context(
        base_url=serial_live_server.url, viewport={"width": 1280, "height": 900}, locale="fr-FR"
    )
    visitor_context.set_default_timeout(15_000)
    visitor = visitor_context.new_page()
    try:
        first = visitor.goto(post.url)
        assert first.headers.get("x-cache") == "miss"
        expect(visitor.locator("h1")).to_have_text(TITLE)
        card = visitor.locator(".product-card")
        expect(card).to_contain_text(PRODUCT)
        expect(card).to_contain_text(PRICE)

        form = visitor.locator("#commentaire-form")
        expect(form.locator("input[name=csrfmiddlewaretoken]")).to_have_count(0)
        form.locator("input[name=name]").fill("Inès")
        form.locator("input[name=email]").fill("ines@example.test")
        form.locator("textarea[name=body]").fill(COMMENT)
        form.locator("button[type=submit]").click()
        expect(visitor).to_have_url(re.compile(r"\?commentaire=envoye#commentaires$"))
        expect(visitor.locator("[data-comment-notice]")).to_have_text(
            "Merci ! Votre commentaire sera publié après modération."
        )
        expect(visitor.locator(".comment-list")).to_have_count(0)
        assert Comment.objects.get(body=COMMENT).status == Comment.Status.PENDING

        visitor.locator(".product-card").get_by_role("link", name=PRODUCT).click()
        expect(visitor).to_have_url(re.compile(r"/shop/catalogue/"))
        expect(visitor.locator("h1")).to_have_text(PRODUCT)

        # Read again from the cache: the pending comment changed nothing public.
        again = visitor.goto(post.url)
        assert again.headers.get("x-cache") == "hit"

        # The editor finds it waiting in /cms/ and approves it.
        page.goto("/cms/")
        page.locator('a[href="/cms/snippets/editorial_comments/comment/"]').first.click()
        row = page.locator("tbody tr", has_text="Inès")
        expect(row).to_contain_text(TITLE)
        expect(row).to_contain_text("En attente")
        row.get_by_role("button", name=re.compile("More options|Plus d.options")).click()
        row.locator('a[href*="/comment/approve/"]').click()
        expect(page.locator("main")).to_contain_text(COMMENT)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/cms/snippets/editorial_comments/comment/"))
        expect(page.locator("tbody tr", has_text="Inès")).to_contain_text("Approuvé")

        # The visitor now sees it under the post: the approval purged the cached page.
        after = visitor.goto(post.url)
        assert after.headers.get("x-cache") == "miss"
        expect(visitor.locator(".comment-list")).to_contain_text(COMMENT)
        expect(visitor.locator(".comment-list")).to_contain_text("Inès")
    finally:
        visitor_context.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publishing_while_the_first_autosave_is_on_its_way_publishes_the_page_once(
    page, serial_live_server, demo
):
    """Wagtail autosaves a new page about a second after a change; that first autosave creates
    the page. Here it is held on its way while the editor clicks "Publier", then let through:
    the publish must wait for it and publish that page, not post a second one (CI once showed
    the editor "Erreur du serveur" from that race)."""
    journal = BlogIndexPage.objects.get(slug="journal")
    autosaves, publishes = [], []

    def hold_posts_to_the_creation_view(route):
        if route.request.method != "POST":
            route.continue_()
        elif route.request.is_navigation_request():
            publishes.append(route)
        else:
            autosaves.append(route)

    page.goto("/accounts/login/?next=/cms/")
    log_in(page, EDITOR)
    type_the_code(page, EDITOR)
    expect(page).to_have_url(re.compile(r"/cms/$"))
    page.route(re.compile(r"/cms/pages/add/"), hold_posts_to_the_creation_view)
    # Wagtail counts changes from the form as it stands two seconds after it opens.
    page.add_init_script(
        "document.addEventListener('w-unsaved:watch-edits',"
        " () => document.documentElement.setAttribute('data-watching', ''))"
    )
    page.goto(f"/cms/pages/add/editorial/blogpostpage/{journal.pk}/")
    expect(page.locator("html")).to_have_attribute("data-watching", "")
    page.locator("#id_title").fill(TITLE)
    insert_block(page, re.compile(r"^Paragra"))
    page.locator(".public-DraftEditor-content").last.click()
    page.keyboard.type("Trente pages de papier mat.")
    for _ in range(100):
        if autosaves:
            break
        page.wait_for_timeout(100)
    assert len(autosaves) == 1, "the first autosave never left"

    page.locator(".w-dropdown-button").get_by_role(
        "button", name=re.compile("More actions|Plus d.actions")
    ).click()
    # Without waiting for a navigation: the test holds the one a publish sent at once.
    page.locator('button[name="action-publish"]').click(no_wait_after=True)
    page.wait_for_timeout(500)  # room for a publish sent at once, the race as it was
    with page.expect_response(lambda r: r.request.resource_type == "fetch"):
        autosaves[0].continue_()
    for publish in publishes:
        publish.continue_()

    expect(page).to_have_url(re.compile(rf"/cms/pages/{journal.pk}/$"))
    assert publishes == [], "the publish went to the creation view during the autosave"
    post = BlogPostPage.objects.get(title=TITLE)
    assert post.live
    assert "Trente pages de papier mat." in str(post.body)
