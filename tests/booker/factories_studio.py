"""Studio test data: sessions with real rushes (small JPEGs made by Pillow) taken through the
real services, so that proofs, thumbnails and finals exist in storage as in production."""

from __future__ import annotations

import io
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory
from PIL import Image

from booker import roles, services
from booker.models import Company, Membership, Package, PhotoSession, RetouchJob, User
from booker.people.models import LEAD_ROLES
from tests.factories import UserFactory, user_with_role


class PackageFactory(DjangoModelFactory):
    class Meta:
        model = Package

    name = factory.Sequence(lambda n: f"Package {n}")
    photos_included = 20
    extra_photo_price = None


class PhotoSessionFactory(DjangoModelFactory):
    """A booked session of a private client (pass company=… and client=None for a company's)."""

    class Meta:
        model = PhotoSession

    title = factory.Sequence(lambda n: f"Session {n}")
    client = factory.SubFactory(UserFactory)
    quota = 20


def jpeg(index: int, size: tuple[int, int] = (60, 40)) -> bytes:
    """A small JPEG whose bytes differ for every index (rushes are deduplicated by hash)."""
    colour = (index * 37 % 256, index * 11 % 256, (index * 5 + 90) % 256)
    img = Image.new("RGB", size, colour)
    img.putpixel((0, 0), (index % 256, index // 256 % 256, 7))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def proofing_session(
    n: int = 4,
    *,
    quota: int = 2,
    extra_price: Decimal | None = None,
    client: User | None = None,
    company: Company | None = None,
    title: str = "Mariage Léa & Hugo",
) -> PhotoSession:
    """A session whose `n` rushes are ingested and whose proofs are published."""
    if company is None and client is None:
        client = UserFactory()
    session = services.create_session(
        title=title, client=client, company=company, quota=quota, extra_photo_price=extra_price
    )
    for i in range(n):
        added = services.add_rush(session, io.BytesIO(jpeg(i)), f"IMG_{i:04}.CR2", enqueue=False)
        services.ingest_rush(added.rush.pk)
    services.publish_proofs(session, actor=None)
    return session


def company_lead(company: Company) -> User:
    """An admin or approver of `company` (one is made when it has none): who submits its
    selections (a member's submission is refused)."""
    existing = company.memberships.filter(role__in=LEAD_ROLES).order_by("pk").first()
    if existing is not None:
        return existing.user
    lead = UserFactory()
    Membership.objects.create(company=company, user=lead, role=Membership.Role.APPROVER)
    return lead


def rush_ids(session: PhotoSession) -> list[int]:
    return list(session.rushes.order_by("original_filename").values_list("pk", flat=True))


def delivered_session(picks: int = 2, **kwargs) -> tuple[PhotoSession, dict[str, bytes]]:
    """A delivered session and the bytes of each final, by the name the client gets."""
    kwargs.setdefault("quota", picks)
    session = proofing_session(max(picks, 3), **kwargs)
    return session, picked_retouched_delivered(session, picks)


def shot_and_published(session: PhotoSession, n: int = 3) -> PhotoSession:
    """A booked session (one the client booked online, say) shot: `n` rushes ingested and
    the proofs published."""
    for i in range(n):
        added = services.add_rush(session, io.BytesIO(jpeg(i)), f"IMG_{i:04}.CR2", enqueue=False)
        services.ingest_rush(added.rush.pk)
    services.publish_proofs(session, actor=None)
    session.refresh_from_db()
    return session


def picked_retouched_delivered(session: PhotoSession, picks: int) -> dict[str, bytes]:
    """The rest of a published session's day: the client picks `picks` photos, the studio
    retouches and delivers them. The bytes of each final, by the name the client gets."""
    actor = session.client or company_lead(session.company)
    for pk in rush_ids(session)[:picks]:
        services.set_pick(session, pk, True, user=actor)
    services.submit_selection(session, user=actor)
    photographer = user_with_role(roles.PHOTOGRAPHER)
    jobs = services.start_retouching(session, actor=photographer)
    files = {}
    uploads = []
    for job in jobs:
        data = jpeg(1000 + job.rush_id, size=(80, 60))
        uploads.append((f"{job.rush.stem}-edit.jpg", io.BytesIO(data)))
        files[f"{job.rush.stem}.jpg"] = data
    services.upload_finals(uploads, jobs=jobs, actor=photographer)
    for job in RetouchJob.objects.filter(session=session):
        services.move_job(job, RetouchJob.Status.DONE, actor=photographer)
    services.deliver(session, actor=photographer, message="Merci et à bientôt !")
    session.refresh_from_db()
    return files


# --- Back office (admin) tests -----------------------------------------------------------------


def shot_session(names=("IMG_0001.CR2", "IMG_0002.CR2"), **kwargs) -> PhotoSession:
    """A session whose rushes are uploaded and ingested, proofs not yet published."""
    kwargs.setdefault("client", UserFactory())
    session = services.create_session(title=kwargs.pop("title", "Portraits Dupont"), **kwargs)
    for i, name in enumerate(names):
        added = services.add_rush(session, io.BytesIO(jpeg(i)), name, enqueue=False)
        services.ingest_rush(added.rush.pk)
    session.refresh_from_db()
    return session


def submitted_session(
    n: int = 4,
    *,
    picks: dict[int, str] | None = None,
    notes: dict[int, str] | None = None,
    quota: int = 3,
    **kwargs,
) -> PhotoSession:
    """Proofs published and the client's selection submitted: `picks` maps a rush's index
    (IMG_000<i>.CR2) to the client's comment ("" for none); `notes` are comments on photos
    the client did not pick."""
    picks = {0: "", 2: "Plus de lumière sur le visage"} if picks is None else picks
    session = proofing_session(n, quota=quota, **kwargs)
    ids = rush_ids(session)
    for index, comment in picks.items():
        services.set_pick(session, ids[index], True, user=session.client)
        if comment:
            services.set_comment(session, ids[index], comment, user=session.client)
    for index, comment in (notes or {}).items():
        services.set_comment(session, ids[index], comment, user=session.client)
    services.submit_selection(session, user=session.client)
    session.refresh_from_db()
    return session


def retouching_session(**kwargs) -> tuple[PhotoSession, list[RetouchJob]]:
    session = submitted_session(**kwargs)
    jobs = services.start_retouching(session, actor=None)
    session.refresh_from_db()
    return session, jobs
