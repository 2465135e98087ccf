"""The people and objects the access-policy test opens every URL with (tests/access_policy.py,
tests/booke/test_access_policy.py): one of each kind of person, and one real object behind
every kind of id a URL can carry, so that an allowed person reaches the page itself and a
refused one is refused for who they are, not because the object is missing.

Relationships, as the policy table names them:
- `client` books for company A (its manager): the session S is A's, the order O is theirs,
  with an invoice to A;
- `company member` is a plain member of A (sees A's sessions, not A's invoices);
- `other client` is a private client with a session of their own;
- `member of another company` belongs to company B;
- `retoucher with a job` holds a retouch job of S; `retoucher without a job` holds none."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site as DjangoSite
from django.core.files.base import ContentFile
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test import factories as oscar
from wagtail.admin.models import EditingSession
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents.models import Document
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    Page,
    PageViewRestriction,
    Site,
    Task,
    UploadedFile,
    Workflow,
)

from booker import roles, services
from booker.automation.models import Message, StaffTask
from booker.crm import services as crm
from booker.models import (
    Booking,
    BookingQuestion,
    BusyTime,
    Company,
    DateOverride,
    FinalPhoto,
    HeadshotDay,
    Lead,
    MarketingConsent,
    Membership,
    Package,
    PersonalDataErasure,
    PhotoSession,
    PhotoTag,
    RetouchJob,
    RushUpload,
    SessionEvent,
    SessionType,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    WeeklyHours,
)
from editorial.comments import services as comment_services
from editorial.comments.models import Comment
from editorial.contact.models import ContactFormField, ContactPage
from editorial.models import BlogCategory
from shop import demo as shop_demo
from shop.payments import services as payment_services
from shop.payments.models import InvoiceApproval, StripeCheckout
from shop.personal import views as personal_views
from tests.booker.factories_studio import jpeg, rush_ids
from tests.editorial import site_tree
from tests.factories import CompanyFactory, MembershipFactory, UserFactory, user_with_role

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
Partner = get_model("partner", "Partner")
CommunicationEventType = get_model("communication", "CommunicationEventType")
Email = get_model("communication", "Email")
Notification = get_model("communication", "Notification")

# The emailed token that confirms the newsletter consent of the world (only its hash is kept).
CONSENT_TOKEN = "policy-consent-token"

# The ten kinds of person, as the policy table names them.
ANONYMOUS = "anonymous"
CLIENT = "client"
OTHER_CLIENT = "other client"
MEMBER = "company member"
OTHER_MEMBER = "member of another company"
RETOUCHER_WITH_JOB = "retoucher with a job"
RETOUCHER = "retoucher without a job"
PHOTOGRAPHER = "photographer"
EDITOR = "editor"
SHOP_MANAGER = "shop manager"

ROLES = (
    ANONYMOUS, CLIENT, OTHER_CLIENT, MEMBER, OTHER_MEMBER, RETOUCHER_WITH_JOB, RETOUCHER,
    PHOTOGRAPHER, EDITOR, SHOP_MANAGER,
)  # fmt: skip


@dataclass
class World:
    people: dict[str, User | None]
    session: PhotoSession
    final: FinalPhoto
    job: RetouchJob
    upload: RushUpload
    order: Order
    print_line: object
    objects: dict[str, object] = field(default_factory=dict)
    # Each person's session cookie, logged in once for the module.
    cookies: dict[str, object] = field(default_factory=dict)

    @property
    def rush_id(self) -> int:
        return rush_ids(self.session)[0]


def _delivered_company_session(company: Company, retoucher: User, photographer: User):
    """S: company A's session, proofs published, two picks retouched (one job held by the
    retoucher), delivered."""
    package = Package.objects.create(name="Séminaire", photos_included=2)
    session = services.create_session(
        title="Séminaire Acme", company=company, package=package, photographer=photographer,
        # A date, for the calendar's .ics (portal/sessions/<id>/calendrier.ics) to exist.
        scheduled_at=timezone.now() - timedelta(days=30),
    )
    for i in range(3):
        added = services.add_rush(session, io.BytesIO(jpeg(i)), f"IMG_{i:04}.CR2", enqueue=False)
        services.ingest_rush(added.rush.pk)
    services.publish_proofs(session, actor=photographer)
    manager = company.memberships.filter(role=Membership.Role.ADMIN).first().user
    for pk in rush_ids(session)[:2]:
        services.set_pick(session, pk, True, user=manager)
    services.submit_selection(session, user=manager)
    jobs = services.start_retouching(session, actor=photographer)
    services.assign_jobs(jobs[:1], retoucher, actor=photographer)
    uploads = [
        (f"{job.rush.stem}-edit.jpg", io.BytesIO(jpeg(1000 + job.rush_id, size=(80, 60))))
        for job in jobs
    ]
    services.upload_finals(uploads, jobs=jobs, actor=photographer)
    for job in RetouchJob.objects.filter(session=session):
        services.move_job(job, RetouchJob.Status.DONE, actor=photographer)
    services.deliver(session, actor=photographer, message="Merci !")
    session.refresh_from_db()
    job = RetouchJob.objects.get(session=session, assignee=retoucher)
    return session, job


def build() -> World:
    company = CompanyFactory(name="Acme")
    other_company = CompanyFactory(name="Globex")
    client = UserFactory(email="client@acme.test")
    member = UserFactory(email="membre@acme.test")
    MembershipFactory(company=company, user=client, role=Membership.Role.ADMIN)
    MembershipFactory(company=company, user=member, role=Membership.Role.MEMBER)
    other_member = MembershipFactory(company=other_company, role=Membership.Role.ADMIN).user
    other_client = UserFactory(email="autre@example.test")
    photographer = user_with_role(roles.PHOTOGRAPHER)
    retoucher_with_job = user_with_role(roles.RETOUCHER)
    people = {
        ANONYMOUS: None,
        CLIENT: client,
        OTHER_CLIENT: other_client,
        MEMBER: member,
        OTHER_MEMBER: other_member,
        RETOUCHER_WITH_JOB: retoucher_with_job,
        RETOUCHER: user_with_role(roles.RETOUCHER),
        PHOTOGRAPHER: photographer,
        EDITOR: user_with_role(roles.EDITOR),
        SHOP_MANAGER: user_with_role(roles.SHOP_MANAGER),
    }

    # The Booker: S (company A, delivered) and a private session of the other client.
    session, job = _delivered_company_session(company, retoucher_with_job, photographer)
    services.create_session(title="Portrait", client=other_client, quota=5)
    final = FinalPhoto.objects.filter(job=job).get()
    # A's brand library: a tag of A's on S's final (the studio's tag admin opens it).
    PhotoTag.objects.create(company=company, name="Équipe").finals.add(final)
    upload = RushUpload.objects.create(
        session=session, filename="IMG_0100.CR2", size=1024, sha256="0" * 64,
        key="sessions/x/originals/u.cr2", part_size=1024, created_by=photographer,
    )
    # The automation engine's outbox and a staff task about S (the engine plans them after
    # commit, which the world's build does not run).
    Message.objects.create(key="policy:delivered", action="email", session=session, user=client,
                           recipient=client.email, template_key="finals-delivered",
                           status=Message.Status.SENT)
    StaffTask.objects.create(title="Appeler le client", session=session, assignee=photographer)
    Lead.objects.create(name="Jeanne", email="jeanne@example.test", message="Bonjour")
    # The client's contact in the studio's CRM (the first one: the one the admin opens).
    crm.contact_for_user(client)
    # An endpoint of the studio's CRM and its delivery of S's delivery event.
    endpoint = WebhookEndpoint.objects.create(url="https://crm.example.test/booke")
    WebhookDelivery.objects.create(
        endpoint=endpoint, event=SessionEvent.objects.filter(session=session).last(),
        event_name="session.delivered")
    booking_token = _booking(photographer, client, company)
    InvoiceApproval.objects.create(user=other_client)
    # A client the studio invited, who has not chosen a password yet.
    services.invite_client("invite@example.test", first_name="Inès", invited_by=photographer)
    consent = MarketingConsent.objects.create(
        email="jeanne@example.test", purpose=MarketingConsent.Purpose.MARKETING,
        consent_text="J'accepte", token_hash=hashlib.sha256(CONSENT_TOKEN.encode()).hexdigest(),
        requested_at=timezone.now(), last_sent_at=timezone.now(),
    )

    # A person the studio erased (GDPR): the record of it.
    PersonalDataErasure.objects.create(erased_by=photographer, files_confirmed=True)

    # The shop: the demo catalogue (print parent, extras product), an order of the client's
    # with an invoice to A and a personal print of S's final.
    shop_demo.seed(lambda line: None)
    order, print_line = _order_with_invoice_and_print(client, company, final)
    _approval_and_credit_note(member, company, order)
    _campaign(member)

    world = World(
        people=people, session=session, final=final, job=job, upload=upload, order=order,
        print_line=print_line,
    )
    world.objects["unsubscribe_token"] = crm.unsubscribe_token(consent)
    world.objects["booking_token"] = booking_token
    world.objects.update(_shop_objects(client, order))
    world.objects.update(_site_objects(people[EDITOR]))
    thumb_url = personal_views.thumb_url(world.rush_id)
    world.objects["thumb_token"] = thumb_url.rstrip("/").split("/")[-1]
    return world


def _campaign(member: User) -> None:
    """A campaign written in the CMS and sent to the demo's segment, with one email to A's
    member (booker/marketing, editorial/campaigns; issue 21)."""
    from booker.marketing.models import Campaign, CampaignSend, Segment
    from editorial.campaigns.models import CampaignContent

    CampaignContent.objects.create(title="Printemps", subject="Offres", body=[])
    campaign = Campaign.objects.create(name="Printemps", segment=Segment.objects.first(),
                                       subject="Offres", body_html="<p>Offres</p>",
                                       body_text="Offres")
    CampaignSend.objects.create(campaign=campaign, email=member.email, user=member)


def _approval_and_credit_note(member: User, company: Company, order) -> None:
    """The member's order waiting for A's approvers, and a credit note on the client's
    invoice (shop.payments, issue 18)."""
    from shop.payments.models import OrderApproval

    basket_model = get_model("basket", "Basket")
    basket = basket_model.objects.create(owner=member, status=basket_model.FROZEN)
    OrderApproval.objects.create(
        company=company, requester=member, basket=basket, order_number="APPROVAL-1",
        po_number="PO-2", amount=Decimal("120.00"), currency="EUR",
    )
    payment_services.issue_credit_note(order.invoice, Decimal("1.00"), reason="Geste")


def _order_with_invoice_and_print(client: User, company: Company, final: FinalPhoto):
    from shop.personal import services as personal_services
    from shop.personal.selectors import FULL_FRAME, print_parent
    from tests.shop.prints import basket_of

    basket = basket_of(client)
    child = print_parent().get_public_children().first()
    personal_services.add_print_of_final(basket, final, child.pk, FULL_FRAME, 1)
    order = oscar.create_order(
        basket=basket, user=client, shipping_address=oscar.ShippingAddressFactory()
    )
    payment_services.issue_invoice(order, po_number="PO-1", company=company)
    OrderNote.objects.create(order=order, user=client, message="Note")
    # The card payment it could have been: the admin's read-only list of Stripe sessions.
    StripeCheckout.objects.create(
        session_id="cs_test_policy", order_number=order.number, basket=basket, user=client,
        amount=order.total_incl_tax, currency=order.currency, order=order,
        state=StripeCheckout.State.PLACED,
    )
    print_line = order.lines.first()
    return order, print_line


def _shop_objects(client: User, order) -> dict[str, object]:
    from shop.personal.selectors import print_parent

    # A public one: the booking deposit's product (shop/deposits' migration) is not.
    product = (
        Product.objects.filter(structure=Product.STANDALONE, is_public=True).order_by("pk").first()
    )
    offer = oscar.ConditionalOfferFactory(name="Offre")
    voucher = oscar.VoucherFactory()
    voucher_set = oscar.VoucherSetFactory()
    review = oscar.ProductReviewFactory(product=product, user=client)
    address = oscar.UserAddressFactory(user=client)
    wishlist = oscar.WishListFactory(owner=client)
    wishlist.add(product)
    other_wishlist = oscar.WishListFactory(owner=client, name="Autre")
    alert = oscar.ProductAlertFactory(product=product, user=client)
    guest_alert = oscar.ProductAlertFactory(product=product, user=None, email="invite@example.test")
    method = oscar.create_shipping_weight_based()
    band = oscar.create_shipping_weight_band(10, Decimal("5.00"), weight_based=method)
    event_type = CommunicationEventType.objects.create(code="TEST", name="Test")
    email = Email.objects.create(user=client, subject="Sujet", body_text="Corps")
    notification = Notification.objects.create(recipient=client, subject="Bonjour")
    partner = Partner.objects.order_by("pk").first()
    partner.users.add(UserFactory(email="atelier@example.test"))
    flatpage = FlatPage.objects.create(url="/cgv/", title="CGV", content="…")
    flatpage.sites.add(DjangoSite.objects.get_current())
    return {
        "product": product, "offer": offer, "voucher": voucher, "voucher_set": voucher_set,
        "review": review, "address": address, "wishlist": wishlist,
        "other_wishlist": other_wishlist, "alert": alert, "guest_alert": guest_alert,
        "shipping_method": method,
        "band": band, "event_type": event_type, "email": email, "notification": notification,
        "flatpage": flatpage, "category": Category.objects.order_by("pk").first(),
        "other_category": Category.objects.order_by("pk")[1],
        "partner": partner,
        "range": oscar.RangeFactory(name="Sélection", is_public=True),
        "print_parent": print_parent(),
    }


def _site_objects(editor: User) -> dict[str, object]:
    home, journal, galleries = site_tree.build_site()
    category = BlogCategory.objects.create(name="Mariages", slug="mariages")
    post = site_tree.post(journal, "Un mariage", tags=["mariage"])
    post.categories.add(category)
    post.save_revision().publish()
    comment = Comment.objects.create(
        post=post, name="Léa", email="lea@example.test", body="Bravo", status="approved"
    )
    contact = home.add_child(
        instance=ContactPage(title="Contact", slug="contact", to_address="studio@example.test")
    )
    ContactFormField.objects.create(page=contact, label="Message", field_type="multiline")
    restriction = PageViewRestriction.objects.create(
        page=galleries, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    collection = Collection.get_first_root_node().add_child(name="Photos")
    document = Document.objects.create(title="Tarifs", file=_document_file())
    # Wagtail's default workflow (its migration makes "Moderators approval"), started on a
    # draft of the post so that its task and workflow states exist.
    workflow = Workflow.objects.filter(active=True).order_by("pk").first()
    task = Task.objects.filter(active=True).order_by("pk").first()
    moderated = site_tree.post(journal, "En relecture")
    moderated.save_revision(user=editor)
    workflow_state = workflow.start(moderated, editor)
    alias = post.create_alias(parent=galleries, update_slug="un-mariage-alias")
    collection_restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD,
        password="secret",
    )
    editing_session = EditingSession.objects.create(
        user=editor, content_type=ContentType.objects.get_for_model(Page), object_id=str(post.pk),
        last_seen_at=timezone.now(),
    )
    redirect = Redirect.objects.create(old_path="/ancien-journal", redirect_page=journal)
    uploaded_file = UploadedFile.objects.create(
        for_content_type=ContentType.objects.get_for_model(Document), file=_document_file(),
        uploaded_by_user=editor,
    )
    return {
        "moderated": moderated, "alias": alias, "collection_restriction": collection_restriction,
        "workflow_state": workflow_state, "task_state": workflow_state.current_task_state,
        "editing_session": editing_session, "redirect": redirect,
        "uploaded_file": uploaded_file, "default_site": Site.objects.get(is_default_site=True),
        "home": home, "journal": journal, "galleries": galleries, "post": post,
        "blog_category": category, "comment": comment,
        "replies_off_token": comment_services.replies_off_token(comment), "contact": contact,
        "restriction": restriction, "collection": collection, "document": document,
        "picture": site_tree.picture(), "workflow": workflow, "task": task,
    }


def _document_file():
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", name="tarifs.pdf")



def _booking(photographer, client, company) -> str:
    """A bookable session type with a question, the photographer's week, and the client's
    booking (confirmed, its contract signed) whose token the booking pages take."""
    session_type = SessionType.objects.create(name="Portrait", slug="portrait",
                                              price=Decimal("200"), deposit_amount=Decimal("50"))
    session_type.photographers.add(photographer)
    BookingQuestion.objects.create(session_type=session_type, label="Combien de personnes ?")
    start = timezone.now() + timedelta(days=20)
    booking = Booking.objects.create(
        token="policy-booking-token", session_type=session_type, photographer=photographer,
        starts_at=start, ends_at=start + timedelta(hours=1), blocks_from=start,
        blocks_until=start + timedelta(hours=1), status=Booking.Status.CONFIRMED, client=client,
        booked_by=client, price=Decimal("200"), deposit=Decimal("50"),
        contract_text="Contrat", contract_signed_name="Client", contract_signed_at=timezone.now(),
    )
    booking.contract_pdf.save("contrat.pdf", ContentFile(b"%PDF-1.4 policy"), save=True)
    # A file the client attached to the questionnaire (the studio opens it from the admin).
    plan = BookingQuestion.objects.create(session_type=session_type, label="Plan d'accès",
                                          kind=BookingQuestion.Kind.FILE)
    from booker.storage import originals_storage

    stored = originals_storage().save("bookings/policy/plan.pdf", ContentFile(b"%PDF-1.4 plan"))
    booking.answers = [{"question": plan.pk, "label": plan.label, "kind": plan.kind,
                        "value": stored}]
    booking.save(update_fields=["answers"])
    # Company A's headshot day, open: its members pick a slot in the team portal.
    team_day = Booking.objects.create(
        token="policy-headshot-day", session_type=session_type, photographer=photographer,
        starts_at=start + timedelta(days=1), ends_at=start + timedelta(days=1, hours=1),
        blocks_from=start + timedelta(days=1), blocks_until=start + timedelta(days=1, hours=1),
        status=Booking.Status.CONFIRMED, company=company, booked_by=client,
        price=Decimal("200"), deposit=Decimal("50"),
    )
    HeadshotDay.objects.create(booking=team_day, slot_minutes=10)
    WeeklyHours.objects.create(photographer=photographer, weekday=0, start=time(9), end=time(12))
    today = timezone.localdate()
    DateOverride.objects.create(photographer=None, date=today, closed=True)
    BusyTime.objects.create(photographer=photographer, start=timezone.now(),
                            end=timezone.now() + timedelta(hours=1), reason="Dentiste")
    return booking.token
