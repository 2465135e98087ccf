"""Who may open each URL of the project: the declared policy that
tests/booke/test_access_policy.py checks every URL pattern against, as each kind of person.

It lives with the tests, not in the application: nothing in the site reads it. The site
decides access in its own views and selectors (one place per rule); this table is the
reviewer's statement of what those places must answer, kept apart from the code it checks so
that changing one does not silently change the other. A new URL fails the test until a line
here says who may open it.

How a pattern finds its line, first match wins:
1. ROUTES: the pattern exactly, as Django writes it (`ResolverMatch.route`);
2. ADMIN_MODELS: a Django admin page of a model (list, add, change, history, delete);
3. FAMILIES: the longest prefix (a framework's back office and its hundreds of pages).

The people, as tests/booke/policy_world.py makes them: the `client` books for company A (its
manager) and owns the order; the `company member` is a plain member of A; the others have no
tie to A, its session, its order. "May open" means the page itself, for the objects of A.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.booke.policy_world import (
    ANONYMOUS,
    CLIENT,
    EDITOR,
    MEMBER,
    OTHER_CLIENT,
    OTHER_MEMBER,
    PHOTOGRAPHER,
    RETOUCHER,
    RETOUCHER_WITH_JOB,
    ROLES,
    SHOP_MANAGER,
)

Who = frozenset[str]

EVERYONE: Who = frozenset(ROLES)
PEOPLE: Who = EVERYONE - {ANONYMOUS}  # anyone logged in
NOBODY: Who = frozenset()  # superusers only
# The session's own people: its client and the members of its company.
SESSION_PEOPLE: Who = frozenset({CLIENT, MEMBER})
# A session's private files: its people, the photographer, a retoucher holding a job in it.
SESSION_FILES: Who = SESSION_PEOPLE | {PHOTOGRAPHER, RETOUCHER_WITH_JOB}
# The order's customer only (the client placed it).
CUSTOMER: Who = frozenset({CLIENT})
# The client's own booking (tests/booke/policy_world.py): who booked it, nobody else.
BOOKERS: Who = frozenset({CLIENT})
# /admin/'s door: staff (Photographer, Retoucher, Shop manager).
STAFF: Who = frozenset({PHOTOGRAPHER, RETOUCHER_WITH_JOB, RETOUCHER, SHOP_MANAGER})
RETOUCHERS: Who = frozenset({RETOUCHER_WITH_JOB, RETOUCHER})
PH = frozenset({PHOTOGRAPHER})
SM = frozenset({SHOP_MANAGER})
# /dashboard/'s door (docs/architecture.md, "The dashboard's door").
DASHBOARD: Who = frozenset({PHOTOGRAPHER, SHOP_MANAGER})
EDITORS: Who = frozenset({EDITOR})

assert not {OTHER_CLIENT, OTHER_MEMBER} & (SESSION_FILES | CUSTOMER | BOOKERS)

ROUTES: dict[str, Who] = {
    # --- One login (accounts) and the landing after it
    "accounts/login/": EVERYONE,
    "accounts/logout/": EVERYONE,
    "accounts/password-reset/": EVERYONE,
    "accounts/password-reset/sent/": EVERYONE,
    "accounts/password-reset/<uidb64>/<token>/": EVERYONE,
    "accounts/password-reset/done/": EVERYONE,
    # A new client's invitation (a dead or bad link gets a page saying why) and the one-click
    # unsubscribe of reminders or marketing mail: the token is the credential.
    "accounts/invitation/<str:token>/": EVERYONE,
    "accounts/unsubscribe/<str:token>/": EVERYONE,
    # A company admin's invitation to the team: the token is the credential (a bad or dead
    # one gets a page saying why).
    "accounts/equipe/<str:token>/": EVERYONE,
    "after-login/": PEOPLE,
    # The second factor (booker/twofactor/views.py). Every back-office session of the world
    # has passed it, and clients need none: the code page sends them all on to their landing
    # page (anonymous: to log in).
    "accounts/2fa/verify/": PEOPLE,
    # Setting up an app: whoever has one is sent to the code page instead (counted as
    # refused), clients on to their landing page.
    "accounts/2fa/enrol/": PEOPLE - STAFF - EDITORS,
    # The second factor's own page (recovery codes, a new app): back-office people get it;
    # clients are sent on to their portal (counted as allowed: a redirect, not a refusal).
    "accounts/2fa/": PEOPLE,
    # --- The client portal and its private files
    "portal/": PEOPLE,
    # "Mon compte": anyone logged in, their own account; the new address's confirmation link
    # needs no login (it proves the mailbox, a bad one gets a page saying so).
    "portal/compte/": PEOPLE,
    "portal/compte/email/<str:token>/": EVERYONE,
    "portal/sessions/<id:pk>/": SESSION_PEOPLE,
    # The gallery's next cards (an HTML fragment; "page suivante" without JavaScript).
    "portal/sessions/<id:pk>/photos/": SESSION_PEOPLE,
    "portal/sessions/<id:pk>/pick/": SESSION_PEOPLE,
    "portal/sessions/<id:pk>/comment/": SESSION_PEOPLE,
    "portal/sessions/<id:pk>/submit/": SESSION_PEOPLE,
    # The client's approval of the finals before delivery (POST): the client (A's admins and
    # approvers; a plain member gets 404, as does anyone without a tie to A).
    "portal/sessions/<id:pk>/validation/": CUSTOMER,
    # The session for the client's calendar: the same door as its page.
    "portal/sessions/<id:pk>/calendrier.ics": SESSION_PEOPLE,
    # Company A's headshot day: its members (the manager included) pick their slot.
    "portal/journees/<id:pk>/": SESSION_PEOPLE,
    # A photographer's private calendar feed: no login (calendar apps send none), the token
    # in the address is the credential; a revoked or unknown token is a 404 for everyone.
    "calendrier/<str:token>.ics": EVERYONE,
    # Online booking (issue 17): the session types and their free slots are public (a POST
    # holds a slot, whoever asks). A booking's pages and signed contract: whoever booked it
    # (and the managers of the company it is for); anyone else gets the same 404 as for a
    # token that does not exist. Its steps, once it is confirmed, redirect to its page.
    # Moving and cancelling it from the portal: the same people.
    "reserver/": EVERYONE,
    "reserver/<slug:slug>/": EVERYONE,
    "reserver/r/<str:token>/": BOOKERS,
    "reserver/r/<str:token>/questions/": BOOKERS,
    "reserver/r/<str:token>/compte/": BOOKERS,
    "reserver/r/<str:token>/contrat/": BOOKERS,
    "reserver/r/<str:token>/paiement/": BOOKERS,
    "reserver/r/<str:token>/contrat.pdf": BOOKERS,
    "portal/reservations/<str:token>/deplacer/": BOOKERS,
    "portal/reservations/<str:token>/annuler/": BOOKERS,
    # Company A's space on the team portal (issue 18, booker/urls/company.py): its members,
    # checked at every request (tests/booker/test_team_matrix.py adds the approver and the
    # removed member). The team is seen by all; its writes and the activity log are the
    # admins' (the world's client is A's admin).
    "portal/entreprise/<slug:slug>/": SESSION_PEOPLE,
    "portal/entreprise/<slug:slug>/equipe/": SESSION_PEOPLE,
    "portal/entreprise/<slug:slug>/equipe/membres/<id:pk>/": frozenset({CLIENT}),
    "portal/entreprise/<slug:slug>/equipe/invitations/<id:pk>/": frozenset({CLIENT}),
    "portal/entreprise/<slug:slug>/activite/": frozenset({CLIENT}),
    "portal/photos/<id:rush_id>/thumb.jpg": SESSION_FILES,
    "portal/photos/<id:rush_id>/proof.jpg": SESSION_FILES,
    "portal/finals/<id:final_id>/ecran.jpg": SESSION_FILES,
    "portal/finals/<id:final_id>/download/": SESSION_FILES,
    "portal/sessions/<id:session_pk>/photos.zip": SESSION_FILES,
    # The web size of a final and of the whole delivery (issue 19): the same door as the HD.
    "portal/finals/<id:final_id>/web/": SESSION_FILES,
    "portal/sessions/<id:session_pk>/photos-web.zip": SESSION_FILES,
    # A family's view-only link to S (POSTs): made and revoked by the client (A's admin; A's
    # admins and approvers may, a plain member may not: the company's photos are not theirs to
    # give out); everyone else gets 404 (GET: 405 for those it lets in).
    "portal/sessions/<id:pk>/partage/": CUSTOMER,
    "portal/sessions/<id:pk>/partage/<id:link_id>/revoquer/": CUSTOMER,
    # The link itself and its photos (web copies only): no login, the token is the credential
    # (the world's own open link); an unknown token is a 404, a closed one a 410 page.
    "partage/<str:token>/": EVERYONE,
    "partage/<str:token>/photos/<id:final_id>.jpg": EVERYONE,
    # Company A's brand library (booker/views/library.py): its members, each request asking
    # their membership of A now, whatever their studio role; hiding and tagging a photo (POSTs),
    # A's admins only (the client is A's admin; an approver or a member gets 403).
    "portal/entreprise/<slug:slug>/photos/": SESSION_PEOPLE,
    "portal/entreprise/<slug:slug>/photos/<id:final_id>/vignette.jpg": SESSION_PEOPLE,
    "portal/entreprise/<slug:slug>/photos/<id:final_id>/telecharger/<slug:size>/":
        SESSION_PEOPLE,
    "portal/entreprise/<slug:slug>/photos/<id:final_id>/masquer/": frozenset({CLIENT}),
    "portal/entreprise/<slug:slug>/photos/<id:final_id>/etiquettes/": frozenset({CLIENT}),
    # --- The frameworks' own logins and password resets forward to ours
    "admin/login/": EVERYONE,
    "admin/password_reset/": EVERYONE,
    "cms/login/": EVERYONE,
    "dashboard/login/": EVERYONE,
    "shop/accounts/login/": EVERYONE,
    "shop/password-reset/": EVERYONE,
    # --- Django admin (/admin/): pages that are not one model's (models: ADMIN_MODELS)
    "admin/": STAFF,
    "admin/logout/": STAFF,
    "admin/password_change/": STAFF,
    "admin/password_change/done/": STAFF,
    "admin/jsi18n/": STAFF,
    # Looks up users for the invoice approval form: who may view users.
    "admin/autocomplete/": frozenset({PHOTOGRAPHER}),
    # "View on site": any staff member is sent on to the object's public page, if any.
    "admin/r/<path:content_type_id>/<path:object_id>/": STAFF,
    "admin/(?P<url>.*)$": NOBODY,  # any other address under /admin/: not found
    # An email's preview, under its own CSP: who may read the template.
    "admin/booker/emailtemplate/<id:object_id>/preview/": PH,
    # A segment's people as CSV (booker/marketing/admin.py): who may read the segment.
    "admin/booker/segment/<id:object_id>/csv/": PH,
    # A retoucher's own jobs and where they upload their finals (the photographer sees all).
    "admin/booker/retouchjob/mine/": PH | RETOUCHERS,
    "admin/booker/retouchjob/mine/finals/": PH | RETOUCHERS,
    # The retoucher's kit: the RAWs of the open jobs one holds (with XMP sidecars); one job's
    # RAW for its holder and the photographer running the session. Nobody else's originals.
    "admin/booker/retouchjob/mine/originals.zip": PH | RETOUCHERS,
    "admin/booker/retouchjob/<id:object_id>/original/": PH | {RETOUCHER_WITH_JOB},
    # The photographer's review of the finals (a retoucher reviews nothing), and one job's
    # final shown at its size: the studio and the retoucher holding the job.
    "admin/booker/retouchjob/a-valider/": PH,
    "admin/booker/retouchjob/<id:object_id>/avis/": PH,
    "admin/booker/retouchjob/<id:object_id>/final/": PH | {RETOUCHER_WITH_JOB},
    # django-taggit's tag merge: tags are the journal's, which no staff role of /admin/ edits.
    "admin/taggit/tag/merge-tags/": NOBODY,
    # treebeard's drag and drop of categories (a POST): who may change categories.
    "admin/catalogue/category/move/": frozenset({SHOP_MANAGER}),
    "admin/catalogue/category/jsi18n/": EVERYONE,  # treebeard's translations for its JS
    # A person's password is theirs: no staff role sets another's (superusers only).
    "admin/booker/user/<id>/password/": NOBODY,
    # The studio page of a session and its actions: the photographer, and a retoucher only
    # for a session where they hold a job (they see it in their list; read-only for them).
    # "Mes agendas": the photographer's feed address and their own calendar's.
    "admin/booker/photosession/agendas/": PH,
    # The leads' pipeline board, and a card's move (a POST; a GET leads back to the board).
    "admin/booker/lead/tableau/": PH,
    "admin/booker/lead/<id:object_id>/deplacer/": PH,
    # "Record a consent" on a person's contact (given outside the site): who keeps the CRM's
    # contacts (the change permission); a company's contact sends back to its page.
    "admin/booker/contact/<id:object_id>/consentement/": PH,
    # Accept, decline or cancel a booking made online (a POST; a GET leads to the booking).
    "admin/booker/booking/<id:object_id>/decide/": PH,
    # A file the client attached to the booking's questionnaire: who reads the booking.
    "admin/booker/booking/<id:object_id>/reponse/<id:question>/": PH,
    "admin/booker/photosession/<id:object_id>/studio/": frozenset({PHOTOGRAPHER}),
    "admin/booker/photosession/<id:object_id>/studio/uploads/": frozenset({PHOTOGRAPHER}),
    "admin/booker/photosession/<id:object_id>/studio/uploads/<id:upload_id>/":
        frozenset({PHOTOGRAPHER}),
    "admin/booker/photosession/<id:object_id>/studio/uploads/<id:upload_id>/<slug:step>/":
        frozenset({PHOTOGRAPHER}),
    "admin/booker/photosession/<id:object_id>/studio/progress/": frozenset({PHOTOGRAPHER}),
    "admin/booker/photosession/<id:object_id>/studio/finals/": frozenset({PHOTOGRAPHER}),
    "admin/booker/photosession/<id:object_id>/studio/do/<slug:step>/":
        frozenset({PHOTOGRAPHER}),
    "admin/booker/photosession/<id:object_id>/studio/export/<slug:kind>/":
        frozenset({PHOTOGRAPHER}),
    # The photographer's curation of the proofs (hide, sets, order, cover).
    "admin/booker/photosession/<id:object_id>/epreuves/": frozenset({PHOTOGRAPHER}),
    # --- Wagtail (/cms/): editors, by FAMILIES; these differ
    "cms/sprite/": EVERYONE,  # the admin's icons
    "cms/jsi18n/": EVERYONE,  # the admin's translations for its JS
    # Wagtail's deliberate error page, to try error reporting: a 500 for editors, on purpose.
    "cms/failwhale/": EDITORS,
    # Wagtail's password reset is turned off (one password reset, ours): not found.
    "cms/password_reset/": NOBODY,
    "cms/password_reset/done/": NOBODY,
    "cms/password_reset/confirm/<uidb64>/<token>/": NOBODY,
    "cms/password_reset/complete/": NOBODY,
    "cms/.*/$": NOBODY,  # any other address under /cms/: not found
    # Moderating a page in a workflow: Wagtail's Moderators group, which no role of ours is.
    "cms/pages/workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/": NOBODY,
    "cms/pages/workflow/collect_action_data/<int:page_id>/<slug:action_name>/"
    "<int:task_state_id>/": NOBODY,
    "cms/pages/workflow/preview/<int:page_id>/<int:task_id>/": NOBODY,
    # Studio settings are not previewable: not found for anyone.
    "cms/settings/<slug:app_name>/<slug:model_name>/<int:pk>/preview/": NOBODY,
    # Wagtail's image URL generator needs its dynamic serve view, which is not mounted.
    "cms/images/<int:image_id>/generate_url/": NOBODY,
    "cms/images/<int:image_id>/generate_url/output/": NOBODY,
    # Choosers' "create" tabs for the shop's and the studio's models: editors do not add those.
    "cms/product_chooser/create/": NOBODY,
    "cms/category_chooser/create/": NOBODY,
    "cms/package_chooser/create/": NOBODY,
    # The snippets' index (editors reach their snippets from the menu).
    "cms/snippets/": NOBODY,
    # --- Public documents, Wagtail's password forms for private pages and collections
    "documents/(\\d+)/(.*)$": EVERYONE,
    "documents/authenticate_with_password/<int:restriction_id>/": EVERYONE,
    "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/": EVERYONE,
    "_util/login/": EVERYONE,
    # --- Shop: invoices and the dashboard's payment actions
    # The customer, the managers of the invoiced company (the client), the shop.
    "shop/accounts/orders/<str:order_number>/facture/": CUSTOMER | DASHBOARD,
    # A credit note: who may read the invoice it cancels.
    "shop/avoirs/<id:pk>/": CUSTOMER | DASHBOARD,
    # A company's order waiting for approval (the member's, in A): A's approvers and admins
    # (the client) decide, the member who asked follows it; nobody else, not the shop.
    "shop/approbations/<id:pk>/": frozenset({CLIENT, MEMBER}),
    "dashboard/orders/<str:number>/paiement/": DASHBOARD,
    "dashboard/orders/<str:number>/remboursement/": DASHBOARD,
    # Accepting a payment held because its amount differs from the total (a POST).
    "dashboard/orders/<str:number>/paiement/accepter/": DASHBOARD,
    # --- Shop: personal prints (who may download a final may print it) and extras
    "shop/prints/final/<id:final_id>/": SESSION_FILES,
    "shop/prints/produit/<id:product_id>/": EVERYONE,
    "shop/prints/seance/<id:session_pk>/extras/": SESSION_PEOPLE,
    # A signed, expiring link made for someone the page checked: the link is the key.
    "shop/prints/vignette/<str:token>/": EVERYONE,
    # --- Shop: a booking's deposit into the basket (shop/deposits): the booking's owner.
    "shop/acompte/<str:token>/": CUSTOMER,
    # The lab's list and a print's original file: the shop.
    "dashboard/prints/": DASHBOARD,
    "dashboard/prints/<id:line_id>/original/": DASHBOARD,
    "dashboard/logout/": EVERYONE,
    # --- Shop: storefront, basket, checkout (guests may buy)
    "shop/basket/add/<id:pk>/": EVERYONE,  # Oscar's, with our id (shop/basket/apps.py)
    "shop/historique/vu/<id:pk>/": EVERYONE,
    "shop/historique/recents/": EVERYONE,
    "shop/catalogue/<product_slug:product_slug>_<id:pk>/": EVERYONE,  # shop/catalogue/apps.py
    "shop/": EVERYONE,
    "shop/catalogue/(?P<product_slug>[\\w-]*)_(?P<product_pk>\\d+)/reviews/<int:pk>/": EVERYONE,
    "shop/catalogue/(?P<product_slug>[\\w-]*)_(?P<product_pk>\\d+)/reviews/add/": EVERYONE,
    "shop/catalogue/(?P<product_slug>[\\w-]*)_(?P<product_pk>\\d+)/reviews/<int:pk>/vote/":
        PEOPLE,
    "shop/catalogue/(?P<product_slug>[\\w-]*)_(?P<product_pk>\\d+)/reviews/": EVERYONE,
    "shop/catalogue/": EVERYONE,
    "shop/catalogue/category/(?P<category_slug>[\\w-]+(/[\\w-]+)*)_(?P<pk>\\d+)/$": EVERYONE,
    "shop/catalogue/ranges/(?P<slug>[\\w-]+)/$": EVERYONE,
    "shop/basket/": EVERYONE,
    "shop/basket/vouchers/add/": EVERYONE,
    "shop/basket/vouchers/<int:pk>/remove/": EVERYONE,
    "shop/basket/saved/": PEOPLE,
    "shop/checkout/": EVERYONE,
    "shop/checkout/shipping-address/": EVERYONE,
    "shop/checkout/retrait/": EVERYONE,
    "shop/checkout/user-address/edit/<int:pk>/": CUSTOMER,
    "shop/checkout/user-address/delete/<int:pk>/": CUSTOMER,
    "shop/checkout/shipping-method/": EVERYONE,
    "shop/checkout/payment-method/": EVERYONE,
    "shop/checkout/payment-details/": EVERYONE,
    "shop/checkout/preview/": EVERYONE,
    "shop/checkout/thank-you/": EVERYONE,
    "shop/checkout/stripe/retour/": EVERYONE,
    "shop/checkout/stripe/annulation/": EVERYONE,
    "shop/checkout/stripe/webhook/": EVERYONE,  # Stripe's signature is the check
    "shop/search/": EVERYONE,
    "shop/offers/": EVERYONE,
    "shop/offers/(?P<slug>[\\w-]+)/$": EVERYONE,
    "shop/wishlists/<str:key>/": CUSTOMER,  # a private list: its owner only
    # Oscar's own reset pages (the form forwards to ours): for people who are not logged in.
    "shop/password-reset/done/": frozenset({ANONYMOUS}),
    "shop/password-reset/confirm/<str:uidb64>/<str:token>/": frozenset({ANONYMOUS}),
    "shop/password-reset/complete/": frozenset({ANONYMOUS}),
    # --- Shop: the customer's account (their own things; the client's for ids)
    "shop/accounts/logout/": EVERYONE,
    "shop/accounts/register/": EVERYONE,
    "shop/accounts/": PEOPLE,
    "shop/accounts/change-password/": PEOPLE,
    "shop/accounts/profile/": PEOPLE,
    "shop/accounts/profile/edit/": PEOPLE,
    "shop/accounts/profile/delete/": PEOPLE,
    "shop/accounts/orders/": PEOPLE,
    # A guest's order status: the signed hash in the link is the key.
    "shop/accounts/order-status-form/(?P<order_number>[\\w-]*)/(?P<hash>[A-z0-9-_=:]+)/$":
        EVERYONE,
    "shop/accounts/order-status/(?P<order_number>[\\w-]*)/(?P<hash>[A-z0-9-_=:]+)/$": EVERYONE,
    "shop/accounts/orders/<str:order_number>/": CUSTOMER,
    # shop/customer_orders.py (its GET leads to the order), before Oscar's same pattern.
    "shop/accounts/orders/<str:order_number>/<id:line_id>/": CUSTOMER,
    "shop/accounts/orders/<str:order_number>/<int:line_id>/": CUSTOMER,  # shadowed
    "shop/accounts/addresses/": PEOPLE,
    "shop/accounts/addresses/add/": PEOPLE,
    "shop/accounts/addresses/<int:pk>/": CUSTOMER,
    "shop/accounts/addresses/<int:pk>/delete/": CUSTOMER,
    "shop/accounts/addresses/(?P<pk>\\d+)/(?P<action>default_for_(billing|shipping))/$":
        CUSTOMER,
    "shop/accounts/emails/": PEOPLE,
    "shop/accounts/emails/<int:email_id>/": CUSTOMER,
    # Oscar redirects to a fixed /accounts/notifications/inbox/ (a dead address here).
    "shop/accounts/notifications/": EVERYONE,
    "shop/accounts/notifications/inbox/": PEOPLE,
    "shop/accounts/notifications/archive/": PEOPLE,
    "shop/accounts/notifications/update/": PEOPLE,
    "shop/accounts/notifications/<int:pk>/": CUSTOMER,
    "shop/accounts/alerts/": PEOPLE,
    "shop/accounts/alerts/create/<int:pk>/": EVERYONE,
    # The key emailed with the alert is the key.
    "shop/accounts/alerts/confirm/<str:key>/": EVERYONE,
    "shop/accounts/alerts/cancel/key/<str:key>/": EVERYONE,
    "shop/accounts/alerts/cancel/<int:pk>/": CUSTOMER,
    "shop/accounts/wishlists/": PEOPLE,
    "shop/accounts/wishlists/add/<int:product_pk>/": PEOPLE,
    "shop/accounts/wishlists/<str:key>/add/<int:product_pk>/": CUSTOMER,
    "shop/accounts/wishlists/create/": PEOPLE,
    "shop/accounts/wishlists/create/with-product/<int:product_pk>/": PEOPLE,
    "shop/accounts/wishlists/<str:key>/": CUSTOMER,
    "shop/accounts/wishlists/<str:key>/update/": CUSTOMER,
    "shop/accounts/wishlists/<str:key>/delete/": CUSTOMER,
    "shop/accounts/wishlists/<str:key>/lines/<int:line_pk>/delete/": CUSTOMER,
    "shop/accounts/wishlists/<str:key>/products/<int:product_pk>/delete/": CUSTOMER,
    "shop/accounts/wishlists/<str:key>/lines/<int:line_pk>/move-to/<str:to_key>/": CUSTOMER,
    # --- The site around the page tree
    "i18n/setlang/": EVERYONE,
    "newsletter/": EVERYONE,
    "newsletter/confirm/<str:token>/": EVERYONE,
    "newsletter/unsubscribe/<str:token>/": EVERYONE,
    "healthz": EVERYONE,
    "favicon.ico": EVERYONE,
    "recherche/": EVERYONE,
    "visiteur/": EVERYONE,
    "sitemap.xml": EVERYONE,
    "robots.txt": EVERYONE,
    "feeds/journal/<id:index_id>/rss/": EVERYONE,
    "feeds/journal/<id:index_id>/atom/": EVERYONE,
    "feeds/journal/<id:index_id>/categorie/<slug:category_slug>/rss/": EVERYONE,
    "feeds/journal/<id:index_id>/categorie/<slug:category_slug>/atom/": EVERYONE,
    "commentaires/<id:post_id>/": EVERYONE,
    "commentaires/reponses/arret/<str:token>/": EVERYONE,
    # Only where Django serves media itself (no bucket): public media, no private file under it.
    "media/<path:path>": EVERYONE,
    # bench/pages.py's yardstick, routed only with BOOKE_BENCH_VIEWS.
    "bench/minimal": EVERYONE,
    "^((?:[\\w\\-]+/)*)$": EVERYONE,  # Wagtail's page tree
}


@dataclass(frozen=True)
class Admin:
    """Who may open a model's pages in /admin/: `view` an object and its history (read-only
    or to change it); `add`; `delete`; `list` the model (default: as `view`; a scoped list,
    empty for some, may be wider)."""

    view: Who
    add: Who = NOBODY
    delete: Who = NOBODY
    list: Who | None = None
SHOP_ADMIN = Admin(view=SM, add=SM, delete=SM)
SUPERUSERS_ONLY = Admin(view=NOBODY)

# Keyed "app_label.model"; the object opened is A's (S, its job, the client…).
ADMIN_MODELS: dict[str, Admin] = {
    # The studio (booker)
    "booker.user": Admin(view=PH, add=PH),
    "booker.company": Admin(view=PH | RETOUCHERS, add=PH, delete=PH),
    "booker.package": Admin(view=PH, add=PH, delete=PH),
    # A retoucher sees a session or a job only where they hold a job.
    "booker.photosession": Admin(
        view=PH | {RETOUCHER_WITH_JOB}, add=PH, delete=PH, list=PH | RETOUCHERS
    ),
    "booker.retouchjob": Admin(view=PH | {RETOUCHER_WITH_JOB}, delete=PH, list=PH | RETOUCHERS),
    "booker.lead": Admin(view=PH),
    # The CRM's contacts (their notes and tasks inline): photographers keep them.
    "booker.contact": Admin(view=PH, add=PH, delete=PH),
    # A company's photo tags (its brand library): the studio makes them and tags photos.
    "booker.phototag": Admin(view=PH, add=PH, delete=PH),
    # The clients' family share links: photographers read them and revoke them (an action of
    # the list); nobody adds, edits or deletes one here.
    "booker.sharelink": Admin(view=PH),
    # The automation engine: photographers write the rules and the emails (the defaults are
    # switched off, never deleted) and read the outbox; nobody edits it.
    "booker.rule": Admin(view=PH, add=PH),
    "booker.emailtemplate": Admin(view=PH, add=PH),
    "booker.message": Admin(view=PH),
    # A task is the photographer's (A's session); retouchers list their own.
    "booker.stafftask": Admin(view=PH, list=PH | RETOUCHERS),
    "booker.marketingconsent": Admin(view=PH),
    # The records of a person's erasure (GDPR): evidence, read by whoever erases.
    "booker.personaldataerasure": Admin(view=PH),
    # Marketing (booker/marketing): photographers build segments; campaigns are sent from the
    # CMS and read here, each recipient's email with them; nobody edits one.
    "booker.segment": Admin(view=PH, add=PH, delete=PH),
    "booker.campaign": Admin(view=PH),
    "booker.campaignsend": Admin(view=PH),
    # Made by inviting a client (never added here), resent or revoked by the photographer.
    "booker.invitation": Admin(view=PH),
    # Online booking: photographers set what can be booked and when they work.
    "booker.sessiontype": Admin(view=PH, add=PH, delete=PH),
    "booker.weeklyhours": Admin(view=PH, add=PH, delete=PH),
    "booker.dateoverride": Admin(view=PH, add=PH, delete=PH),
    "booker.busytime": Admin(view=PH, add=PH, delete=PH),
    # Bookings are made online, never added or deleted here: photographers answer them.
    "booker.booking": Admin(view=PH),
    # Outbound webhooks (booker/webhooks): photographers register the endpoints (their secret
    # shown once) and read the deliveries, replayed from the list; nobody edits a delivery.
    "booker.webhookendpoint": Admin(view=PH, add=PH, delete=PH),
    "booker.webhookdelivery": Admin(view=PH),
    # The shop's models the shop manager keeps (they also have the dashboard)
    "catalogue.product": SHOP_ADMIN,
    "catalogue.productclass": SHOP_ADMIN,
    "catalogue.category": SHOP_ADMIN,
    "catalogue.productattribute": SHOP_ADMIN,
    "catalogue.productimage": SHOP_ADMIN,
    "catalogue.option": SHOP_ADMIN,
    "partner.partner": SHOP_ADMIN,
    "partner.stockrecord": SHOP_ADMIN,
    "order.order": SHOP_ADMIN,
    "order.line": SHOP_ADMIN,
    "order.ordernote": SHOP_ADMIN,
    "offer.conditionaloffer": SHOP_ADMIN,
    "offer.range": SHOP_ADMIN,
    "voucher.voucher": SHOP_ADMIN,
    "reviews.productreview": SHOP_ADMIN,
    "payments.invoiceapproval": SHOP_ADMIN,
    "payments.invoice": Admin(view=SM),  # numbered, never edited nor deleted
    # Stripe Checkout Sessions and what became of each (a held payment is refunded by hand):
    # read-only, for the shop manager.
    "payments.stripecheckout": Admin(view=SM),
    # Credit notes (issued by the shop, never typed) and companies' orders waiting for their
    # approvers (who decide in the shop): read-only, for the shop manager.
    "payments.creditnote": Admin(view=SM),
    "payments.orderapproval": Admin(view=SM),
}
# Apps whose models only superusers administer in /admin/ (the frameworks' internals, the
# shop's other tables: the dashboard is where the shop works).
SUPERUSER_ONLY_APPS = (
    "address", "analytics", "auth", "basket", "catalogue", "communication", "customer",
    "django_q", "flatpages", "offer", "order", "partner", "payment", "reviews", "shipping",
    "sites", "taggit", "voucher", "wagtaildocs", "wagtailimages", "wishlists",
)  # fmt: skip

# Framework back offices: every page under the prefix unless ROUTES says otherwise.
FAMILIES: dict[str, Who] = {
    # An app's index in /admin/, opened for the booker app (/admin/booker/): whoever may view
    # one of its models. A prefix, not the pattern: Django writes the registered apps into it
    # in registration order, which any new admin reorders.
    "admin/(?P<app_label>": STAFF - {SHOP_MANAGER},
    "cms/": EDITORS,
    # What Wagtail keeps to superusers (our editors edit pages, images, documents, snippets,
    # forms; they do not run collections, workflows, redirects, sites, users, groups).
    "cms/collections/": NOBODY,
    "cms/workflows/": NOBODY,
    "cms/redirects/": NOBODY,
    "cms/sites/": NOBODY,
    "cms/users/": NOBODY,
    "cms/groups/": NOBODY,
    # Editors choose a workflow's task only through the page editor's workflow panel.
    "cms/workflows/task_chooser/": EDITORS,
    "cms/workflows/remove/": EDITORS,
    "dashboard/": DASHBOARD,
    # Within the dashboard, Oscar asks each page for model permissions: the shop manager keeps
    # the catalogue, partners, offers, ranges, reviews, vouchers; the photographer (who may view
    # users in /admin/) sees the customers.
    "dashboard/catalogue/products/<int:parent_pk>/create-variant/": SM,
    "dashboard/catalogue/categories/": SM,
    "dashboard/catalogue/product-type": SM,
    "dashboard/catalogue/option/": SM,
    "dashboard/partners/": SM,
    "dashboard/offers/": SM,
    "dashboard/ranges/": SM,
    "dashboard/reviews/": SM,
    "dashboard/vouchers/": SM,
    "dashboard/users/": PH,
    # Nobody but superusers: stock alerts, option groups, reports, flat pages, voucher sets,
    # emails' templates, shipping methods, a customer's stock alert deleted.
    "dashboard/catalogue/stock-alerts/": NOBODY,
    "dashboard/catalogue/attribute-option-group/": NOBODY,
    "dashboard/reports/": NOBODY,
    "dashboard/pages/": NOBODY,
    "dashboard/vouchers/sets/": NOBODY,
    "dashboard/comms/": NOBODY,
    "dashboard/shipping/": NOBODY,
    "dashboard/users/alerts/(?P<pk>-?\\d+)/delete/$": NOBODY,
    # A partner's users: creating an account with a typed password, linking one, setting its
    # dashboard role — this grants staff status or the dashboard permission, which only
    # superusers do (roles cannot climb).
    "dashboard/partners/<int:partner_pk>/users/": NOBODY,
}

ADMIN_ACTIONS = {"": "list", "add/": "add", "<path:object_id>/history/": "view",
                 "<path:object_id>/delete/": "delete", "<path:object_id>/change/": "view"}


# Patterns that exist only under some settings (booke/urls.py).
CONDITIONAL = frozenset({"media/<path:path>", "bench/minimal"})

# Pages whose 500 is their purpose (allowed people only).
RAISES_ON_PURPOSE = frozenset({"cms/failwhale/"})


class Undeclared(LookupError):
    pass


def _admin_model_page(route: str) -> tuple[str, str] | None:
    """("app_label.model", action) for a Django admin page of a model, else None."""
    parts = route.split("/", 3)
    if len(parts) < 4 or parts[0] != "admin" or not parts[1].isidentifier():
        return None
    rest = parts[3]
    if rest == "<path:object_id>/":
        # Django's redirect from an object's old address to its change page: staff get the
        # redirect, whatever their rights (the change page then decides).
        return f"{parts[1]}.{parts[2]}", "redirect"
    action = ADMIN_ACTIONS.get(rest)
    return (f"{parts[1]}.{parts[2]}", action) if action else None


def who_may_open(route: str) -> Who:
    if route in ROUTES:
        return ROUTES[route]
    admin_page = _admin_model_page(route)
    if admin_page is not None:
        model, action = admin_page
        if action == "redirect":
            return STAFF
        rule = ADMIN_MODELS.get(model)
        if rule is None and model.split(".")[0] in SUPERUSER_ONLY_APPS:
            rule = SUPERUSERS_ONLY
        if rule is None:
            raise Undeclared(
                f"{route}: the admin model {model} is not declared: add it to ADMIN_MODELS "
                "(or its app to SUPERUSER_ONLY_APPS) in tests/access_policy.py"
            )
        if action == "list":
            return rule.view if rule.list is None else rule.list
        return getattr(rule, action)
    for prefix in sorted(FAMILIES, key=len, reverse=True):
        if route.startswith(prefix):
            return FAMILIES[prefix]
    raise Undeclared(
        f"{route}: nobody is declared for this URL pattern: add a line to ROUTES in "
        "tests/access_policy.py saying who may open it (or a prefix to FAMILIES)"
    )
