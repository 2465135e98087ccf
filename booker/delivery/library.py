"""The company's brand library (/portal/entreprise/<slug>/photos/): every final delivered to a
company, found by person, event, date and tag; hidden from the members by an admin; downloaded
in two sizes, each download logged.

Who gets in is asked at every request, from the company's slug and the person's membership
now (a removed member is refused at their next request); which finals come out goes through
the one rule of who sees a session's files (`sessions_with_files_for`), then the library's
own: a hidden final exists for the company's admins only."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from PIL import Image, ImageCms, ImageOps

from booker.delivery.models import DownloadLog, HiddenPhoto, PhotoTag
from booker.intake import imaging
from booker.models import FinalPhoto, Membership, PhotoSession, RetouchJob, Rush, User
from booker.people.models import LEAD_ROLES
from booker.sessions.access import (
    FINALS_VISIBLE_TO_CLIENT,
    SessionFiles,
    hidden_finals,
    sessions_with_files_for,
)
from booker.sessions.models import DEFAULT_USAGE_RIGHTS, Package

Size = DownloadLog.Size
# The web copy's long side: enough for a full-width banner on a retina screen, a tenth of
# the weight of a 24 MP final.
WEB_EDGE = 2048
WEB_QUALITY = 88
# A page of the grid: divides evenly into rows of 2, 3 and 4 (phone, tablet, desktop).
PAGE_SIZE = 24
# How many tags one photo may carry, and how long one may be (PhotoTag.name).
MAX_TAGS = 12
TAG_LENGTH = PhotoTag._meta.get_field("name").max_length
# The size's name in the address, in the words the page shows (French, as every address).
SIZE_SLUGS = {"web": Size.WEB, "impression": Size.PRINT}


# --- Who is in -------------------------------------------------------------------------------


def library_membership(user: User, slug: str) -> Membership:
    """`user`'s membership of the company whose library is at `slug`, read now, or 404: the
    library of a company one does not (or no longer) belong to does not exist for them."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such company.")
    membership = (
        Membership.objects.filter(company__slug=slug, user=user).select_related("company").first()
    )
    if membership is None:
        raise Http404("No such company.")
    return membership


def manages_library(membership: Membership) -> bool:
    """Company admins hide and tag photos; approvers and members only find and download."""
    return membership.role == Membership.Role.ADMIN


# --- What is in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibrarySearch:
    """What the library's search form asks; empty fields ask nothing."""

    person: str = ""
    event: str = ""
    tag: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.person or self.event or self.tag or self.date_from or self.date_to)


def library_finals(membership: Membership, search: LibrarySearch | None = None) -> QuerySet:
    """The finals delivered to the membership's company that its person may see, newest
    session first, each with what its card shows (sitter, session, package, tags) fetched in
    the same few queries whatever the number: one for the page, one for the tags.

    Approved finals of the company's delivered (or archived) sessions, through the one rule
    of who sees a session's files; a hidden final only for the company's admins, annotated
    `is_hidden` for them to see it marked."""
    company = membership.company
    sessions = (
        sessions_with_files_for(membership.user, SessionFiles.FINALS)
        .filter(company=company, status__in=FINALS_VISIBLE_TO_CLIENT)
        .values("pk")
    )
    finals = (
        FinalPhoto.objects.filter(
            job__session__in=sessions, job__status=RetouchJob.Status.DONE,
        )
        .annotate(
            is_hidden=Exists(HiddenPhoto.objects.filter(final=OuterRef("pk"))),
            shot_on=TruncDate(Coalesce("job__session__scheduled_at",
                                       "job__session__delivery__delivered_at")),
        )
        .select_related("job__rush__sitter", "job__session__package",
                        "job__session__delivery")
        .prefetch_related("tags")
        .order_by("-shot_on", "-job__session_id", "job__rush__original_filename", "pk")
    )
    if not manages_library(membership):
        finals = finals.filter(is_hidden=False)
    if membership.role not in LEAD_ROLES:
        # On a headshot day a plain member gets the photos they sit in, not their
        # colleagues' (the gallery's and the files' rule, booker.sessions.access.finals_for).
        headshots = Rush.objects.filter(session=OuterRef("job__session"), sitter__isnull=False)
        finals = finals.annotate(headshot_day=Exists(headshots)).exclude(
            Q(headshot_day=True) & ~Q(job__rush__sitter=membership.user))
    return _searched(finals, company.pk, search) if search and search.active else finals


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", text.strip()) if w][:5]


def _searched(finals: QuerySet, company_id: int, search: LibrarySearch) -> QuerySet:
    for word in _words(search.person):
        # Who is in the photo (a headshot day's sitter); for the other sessions, the person
        # named in the session's title ("Portrait de Léa Martin") or its private client.
        finals = finals.filter(
            Q(job__rush__sitter__first_name__icontains=word)
            | Q(job__rush__sitter__last_name__icontains=word)
            | Q(job__rush__sitter__email__icontains=word)
            | Q(job__rush__sitter__isnull=True, job__session__title__icontains=word)
            | Q(job__session__client__first_name__icontains=word)
            | Q(job__session__client__last_name__icontains=word)
        )
    for word in _words(search.event):
        # The session's title, or the kind of session it was booked as.
        finals = finals.filter(
            Q(job__session__title__icontains=word)
            | Q(job__session__booking__session_type__name__icontains=word)
        )
    if search.date_from:
        finals = finals.filter(shot_on__gte=search.date_from)
    if search.date_to:
        finals = finals.filter(shot_on__lte=search.date_to)
    if search.tag:
        # The company's own tags only: a tag of another company never matches.
        finals = finals.filter(tags__in=_tags_named(company_id, [search.tag]).values())
    return finals


def library_final(membership: Membership, final_id: int) -> FinalPhoto:
    """One final of the library, as `library_finals` would list it to this person: 404 for a
    final of another company, not delivered, or hidden from a member."""
    final = library_finals(membership).filter(pk=final_id).first()
    if final is None:
        raise Http404("No such photo.")
    return final


def hidden_from(user: User, session: PhotoSession) -> QuerySet[HiddenPhoto]:
    """The session's finals its company's admins have hidden, as far as `user` is concerned
    (the one rule, booker.sessions.access.hidden_finals, which every file door applies)."""
    return HiddenPhoto.objects.filter(final__in=hidden_finals(user, session))


def company_tags(membership: Membership) -> list[str]:
    return list(
        PhotoTag.objects.filter(company=membership.company, finals__isnull=False)
        .distinct().order_by("name").values_list("name", flat=True)
    )


def usage_rights(final: FinalPhoto) -> str:
    """The terms of the package the session was sold with (the studio's default wording
    when it was sold without one)."""
    package: Package | None = final.job.session.package
    return package.usage_rights if package is not None else DEFAULT_USAGE_RIGHTS


# --- Admins' changes -------------------------------------------------------------------------


def set_hidden(membership: Membership, final: FinalPhoto, hidden: bool) -> None:
    """Hide a final from the company's members, or show it again. The wanted state is sent,
    not a toggle: a double click never flips it back."""
    if not manages_library(membership):
        raise PermissionError("Only the company's admins hide photos.")
    if hidden:
        HiddenPhoto.objects.get_or_create(final=final, defaults={"hidden_by": membership.user})
    else:
        HiddenPhoto.objects.filter(final=final).delete()


def parse_tags(text: str) -> list[str]:
    """A comma list as typed ("équipe, Salon 2026, équipe") → distinct names, trimmed, kept in
    the case first typed."""
    names: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())[:TAG_LENGTH]
        if name and name.lower() not in names:
            names[name.lower()] = name
    return list(names.values())[:MAX_TAGS]


@transaction.atomic
def set_tags(company_id: int, final: FinalPhoto, names: list[str]) -> list[PhotoTag]:
    """Give `final` exactly these tags of its company (made when new); what the admins type in
    the library, and what the studio's admin sets."""
    existing = _tags_named(company_id, names)
    tags = []
    for name in names:
        tag = existing.get(name.casefold())
        if tag is None:
            try:
                with transaction.atomic():
                    tag = PhotoTag.objects.create(company_id=company_id, name=name)
            except IntegrityError:  # made meanwhile by another admin
                tag = _tags_named(company_id, [name])[name.casefold()]
        tags.append(tag)
    final.tags.set(tags)
    return tags


def _tags_named(company_id: int, names: list[str]) -> dict[str, PhotoTag]:
    """The company's tags among `names`, by their case-folded name. Compared here rather than
    with `iexact`: SQLite folds the case of ASCII letters only, "ÉQUIPE" would not find
    "équipe" (a company has tens of tags, not thousands)."""
    wanted = {name.casefold() for name in names}
    return {
        tag.name.casefold(): tag
        for tag in PhotoTag.objects.filter(company_id=company_id)
        if tag.name.casefold() in wanted
    }


# --- Sizes -----------------------------------------------------------------------------------


def web_key(final: FinalPhoto) -> str:
    """Where the web copy is kept in the proofs storage: named after the final's content, so
    a final replaced by a new upload gets a new copy, never the old one."""
    return f"library/web/{final.pk}-{final.sha256[:16]}.jpg"


def web_copy(final: FinalPhoto) -> FieldFile:
    """The final for screens (long side WEB_EDGE px at most, JPEG, sRGB), made on the first
    ask and kept beside the proofs: the next download is a plain file."""
    field = Rush._meta.get_field("proof")
    storage = field.storage
    key = web_key(final)
    if not storage.exists(key):
        with final.file.storage.open(final.file.name, "rb") as handle:
            data = render_web(handle)
        key = storage.save(key, ContentFile(data))
    return FieldFile(None, field, key)


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def render_web(source: io.BufferedIOBase) -> bytes:
    """A JPEG whose long side is WEB_EDGE (never enlarged), upright, converted to sRGB from
    the profile the final carries (Adobe RGB, Display P3…) so colours stay right in every
    browser, and tagged sRGB."""
    with Image.open(source) as img:
        img.draft("RGB", _draft_box(img.size))
        img = ImageOps.exif_transpose(img)
        profile = img.info.get("icc_profile")
        if profile:
            try:
                img = ImageCms.profileToProfile(
                    img, ImageCms.ImageCmsProfile(io.BytesIO(profile)), _SRGB,
                    outputMode="RGB",
                )
            except (ImageCms.PyCMSError, OSError):
                pass  # a broken profile: the pixels as they are rather than no copy at all
        if img.mode != "RGB":
            img = img.convert("RGB")
        img = imaging.fit(img, WEB_EDGE)
        out = io.BytesIO()
        img.save(out, "JPEG", quality=WEB_QUALITY, optimize=True, progressive=True,
                 icc_profile=_SRGB.tobytes())
        return out.getvalue()


def _draft_box(size: tuple[int, int]) -> tuple[int, int]:
    # A JPEG decodes at 1/2, 1/4, 1/8 when that stays above the box: a 6000 px final is read
    # at 3000 px, not at full size, for a 2048 px copy.
    scale = WEB_EDGE / max(size)
    return (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))
