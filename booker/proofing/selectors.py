from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from booker.models import (
    Membership,
    PhotoSession,
    Rush,
    Selection,
    SelectionItem,
    User,
)
from booker.people.models import LEAD_ROLES
from booker.proofing.extras import Extras, extras, extras_per_sitter
from booker.sessions.access import PROOFS_VISIBLE_TO_CLIENT


@dataclass(frozen=True)
class ProofCard:
    """One photo in the client's gallery: everything the grid needs, no further query."""

    id: int
    filename: str
    width: int | None
    height: int | None
    picked: bool
    comment: str
    # Who is in the photo (a company's headshot day), else None.
    sitter_id: int | None = None
    # The photographer's section of the gallery ("Cérémonie"), blank: none.
    set_name: str = ""


# `gallery(..., sitter=EVERYONE)`: every photo, whoever sits in it.
EVERYONE = object()

# The gallery's filters: every photo, the client's picks, the photos they commented on.
SHOWS = ("all", "picked", "commented")

# The client's gallery order: the photographer's arrangement (booker.proofing.curation), then
# capture order for what was never arranged (every proof until the photographer curates, and
# rushes added later). The extras rule's "last picks" follow it too.
GALLERY_ORDER = (F("position").asc(nulls_last=True), "captured_at", "original_filename", "pk")

# A headshot day as its leads read it: person by person (by name, the photos without a sitter
# last), each person's photos in gallery order. The statuses' list (`sitter_statuses`) and the
# gallery's pages follow the same order, so a person's first page is known from the counts.
BY_SITTER = (Lower("sitter__first_name").asc(nulls_last=True), Lower("sitter__last_name").asc(),
             F("sitter_id").asc(nulls_last=True))

# Cards rendered per request: the first page with the session page, the rest as the client
# scrolls (portal:session-photos). Sized so the first HTML stays well under 150 KB.
PAGE_SIZE = 60


def client_proofs(session: PhotoSession, *, sitter: int | None | object = EVERYONE
                  ) -> QuerySet[Rush]:
    """The proofs the client may see: ready, not hidden by the photographer, only the photos
    of `sitter` (a user id) when given."""
    rows = Rush.objects.filter(session=session, ingest_status=Rush.Ingest.READY,
                               hidden_from_client=False)
    if sitter is not EVERYONE:
        rows = rows.filter(sitter_id=sitter)
    return rows


def gallery(session: PhotoSession, *, sitter: int | None | object = EVERYONE,
            show: str = "all", offset: int = 0, limit: int | None = None,
            by_sitter: bool = False) -> list[ProofCard]:
    """The proofs the client sees with their word on each, in one query, in gallery order
    (person by person first with `by_sitter`: `BY_SITTER`); only those `show` keeps
    ("picked", "commented"), from `offset`, at most `limit`."""
    items = SelectionItem.objects.filter(selection__session=session, rush=OuterRef("pk"))
    rows = client_proofs(session, sitter=sitter).annotate(
        picked=Exists(items.filter(picked=True)),
        comment=Subquery(items.values("comment")[:1]),
    )
    if show == "picked":
        rows = rows.filter(picked=True)
    elif show == "commented":
        rows = rows.filter(Exists(items.exclude(comment="")))
    order = (*BY_SITTER, *GALLERY_ORDER) if by_sitter else GALLERY_ORDER
    rows = rows.order_by(*order).values_list(
        "pk", "original_filename", "width", "height", "picked", "comment", "sitter_id",
        "set_name")
    rows = rows[offset:offset + limit] if limit is not None else rows[offset:]
    return [
        ProofCard(pk, name, w, h, picked, comment or "", sitter_id, set_name)
        for pk, name, w, h, picked, comment, sitter_id, set_name in rows
    ]


@dataclass(frozen=True)
class GalleryCounts:
    """The gallery's filter counts, over every photo the client sees, loaded or not."""

    all: int
    picked: int
    commented: int

    def of(self, show: str) -> int:
        return getattr(self, show if show in SHOWS else "all")


def gallery_counts(session: PhotoSession, *, sitter: int | None | object = EVERYONE
                   ) -> GalleryCounts:
    """How many photos the client sees, has picked, has commented on: one query."""
    # One selection per session: at most one item per rush, so the join counts each once.
    totals = client_proofs(session, sitter=sitter).aggregate(
        all=Count("pk", distinct=True),
        picked=Count("selection_items", filter=Q(selection_items__picked=True)),
        commented=Count("selection_items", filter=~Q(selection_items__comment="")),
    )
    return GalleryCounts(totals["all"], totals["picked"], totals["commented"])


@dataclass(frozen=True)
class GalleryPage:
    """One page of the client's gallery (`PAGE_SIZE` cards), numbered from 1."""

    cards: list[ProofCard]
    number: int
    has_next: bool
    # The set of the card just before this page (None on the first page): a page that
    # continues a section does not title it again.
    set_before: str | None = None
    # The card just before this page (None on the first page): whose photos it continues.
    card_before: ProofCard | None = None

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def gallery_page(session: PhotoSession, number: int, *,
                 sitter: int | None | object = EVERYONE, show: str = "all",
                 by_sitter: bool = False) -> GalleryPage:
    """Page `number` of the gallery under filter `show` (person by person with `by_sitter`):
    one query (one card more than the page tells whether another follows, one before it
    which set and whose photos it continues)."""
    number = max(1, number)
    if number == 1:
        cards = gallery(session, sitter=sitter, show=show, limit=PAGE_SIZE + 1,
                        by_sitter=by_sitter)
        return GalleryPage(cards[:PAGE_SIZE], 1, len(cards) > PAGE_SIZE)
    # From the card before the page, for its set.
    cards = gallery(session, sitter=sitter, show=show, offset=(number - 1) * PAGE_SIZE - 1,
                    limit=PAGE_SIZE + 2, by_sitter=by_sitter)
    before = cards[0].set_name if cards else None
    return GalleryPage(cards[1:PAGE_SIZE + 1], number, len(cards) > PAGE_SIZE + 1, before,
                       cards[0] if cards else None)


def gallery_cover(session: PhotoSession) -> Rush | None:
    """The photographer's cover photo, if the client may see it."""
    if session.cover_id is None:
        return None
    return client_proofs(session).filter(pk=session.cover_id).first()


def home_covers(user: User, sessions: list[PhotoSession]) -> dict[int, Rush]:
    """The cover of each of `sessions` (`user`'s, on the portal's home) that `user` may see,
    by session id: once the proofs are published, the photographer's cover if not hidden,
    and on a headshot day a plain member's only when they sit in it (the proof's own door,
    booker.sessions.access.rush_file_for, answers the same). Three queries at most, however
    many sessions."""
    wanted = {s.cover_id: s for s in sessions
              if s.cover_id is not None and s.status in PROOFS_VISIBLE_TO_CLIENT}
    if not wanted:
        return {}
    covers = {r.pk: r for r in Rush.objects.filter(
        pk__in=wanted, ingest_status=Rush.Ingest.READY, hidden_from_client=False,
    ).only("pk", "session_id", "original_filename", "width", "height", "sitter_id")}
    companies = {s.company_id for s in wanted.values() if s.company_id is not None}
    lead_of, with_sitters = set(), set()
    if companies:
        lead_of = set(Membership.objects.filter(
            company_id__in=companies, user_id=user.pk, role__in=LEAD_ROLES,
        ).values_list("company_id", flat=True))
        with_sitters = set(Rush.objects.filter(
            session__in=[s.pk for s in wanted.values() if s.company_id in companies - lead_of],
            sitter__isnull=False).values_list("session_id", flat=True).distinct())
    shown = {}
    for cover_id, session in wanted.items():
        cover = covers.get(cover_id)
        if cover is None or cover.session_id != session.pk:
            continue
        if session.pk in with_sitters and cover.sitter_id != user.pk:
            continue  # a headshot day's member sees only the photos they sit in
        shown[session.pk] = cover
    return shown


# --- Who picks what in a company's session ----------------------------------------------------


def has_sitters(session: PhotoSession) -> bool:
    """Whether each member picks among their own photos: a company's session whose photos
    have sitters (a headshot day, booker/intake/sitters.py). The package's quota is then each
    person's. Otherwise the team picks together, and the quota is the session's."""
    return session.company_id is not None and session.rushes.filter(
        sitter__isnull=False).exists()


@dataclass(frozen=True)
class Seat:
    """Where a person sits in a session's selection."""

    user_id: int
    # Submits the selection: the private client, or a company's admin or approver.
    leads: bool
    # The quota is each sitter's (`has_sitters`).
    per_sitter: bool

    @property
    def own_only(self) -> bool:
        """A member of a headshot day's session sees, picks and comments only their photos."""
        return self.per_sitter and not self.leads

    @property
    def sitter(self) -> int | object:
        """Whose photos this person's gallery shows (`gallery(sitter=...)`)."""
        return self.user_id if self.own_only else EVERYONE


def is_lead(session: PhotoSession, user: User) -> bool:
    """Whether `user` speaks for the session's owner: the client of a private session, an
    admin or approver of the company's (booker.people.models.LEAD_ROLES)."""
    if session.company_id is None:
        return session.client_id == user.pk
    return Membership.objects.filter(
        company_id=session.company_id, user_id=user.pk, role__in=LEAD_ROLES).exists()


def seat(session: PhotoSession, user: User) -> Seat:
    """Where `user` sits in `session`'s selection (they may see the session: `session_for`)."""
    if session.company_id is None:
        return Seat(user.pk, leads=True, per_sitter=False)
    return Seat(user.pk, leads=is_lead(session, user), per_sitter=has_sitters(session))


def picked_by_sitter(session: PhotoSession) -> list[tuple[int | None, int]]:
    """The picks as (sitter id, rush id), in gallery order."""
    return list(
        SelectionItem.objects.filter(selection__session=session, picked=True)
        .order_by(F("rush__position").asc(nulls_last=True), "rush__captured_at",
                  "rush__original_filename", "rush__pk")
        .values_list("rush__sitter_id", "rush_id")
    )


def selection_rule(session: PhotoSession) -> Extras:
    """THE extras rule applied to the session's current picks: per sitter on a headshot day
    (`has_sitters`), else for the whole selection. The submission, the payment check and the
    shop's extras line all ask this."""
    pairs = picked_by_sitter(session)
    if has_sitters(session):
        return extras_per_sitter(session, pairs)
    return extras(session, [rush_id for _sitter, rush_id in pairs])


def sitter_rule(session: PhotoSession, sitter_id: int | None) -> Extras:
    """The extras rule on one person's picks (a headshot day's member)."""
    return extras(session, SelectionItem.objects.filter(
        selection__session=session, picked=True, rush__sitter_id=sitter_id).count())


@dataclass(frozen=True)
class SitterGroup:
    """One person's photos in a headshot day's gallery, as its leads see them."""

    sitter: User | None
    cards: list[ProofCard]
    rule: Extras

    @property
    def key(self) -> str:
        return str(self.sitter.pk) if self.sitter else "none"


def sitter_groups(session: PhotoSession, cards: list[ProofCard]) -> list[SitterGroup]:
    """The gallery's cards by person (by name; the photos without a sitter last), each with
    its picks measured against the quota."""
    by_sitter: dict[int | None, list[ProofCard]] = {}
    for card in cards:
        by_sitter.setdefault(card.sitter_id, []).append(card)
    people = {u.pk: u for u in User.objects.filter(pk__in=[k for k in by_sitter if k])}
    groups = [
        SitterGroup(people.get(sitter_id), group,
                    extras(session, sum(1 for c in group if c.picked)))
        for sitter_id, group in by_sitter.items()
    ]
    return sorted(groups, key=_by_name)


@dataclass(frozen=True)
class SitterStatus:
    """One person of a headshot day as its leads see them beside the gallery: how many photos,
    how many picked (against the quota: `rule`) and commented, and on which page of the
    person-by-person gallery their photos start under each filter (`first_page`)."""

    sitter_id: int | None
    name: str
    photos: int
    picked: int
    commented: int
    rule: Extras
    # The photos before this person's, under each filter ("all", "picked", "commented").
    before: dict[str, int]

    @property
    def key(self) -> str:
        return str(self.sitter_id) if self.sitter_id is not None else "none"

    def count(self, show: str) -> int:
        return {"picked": self.picked, "commented": self.commented}.get(show, self.photos)

    def first_page(self, show: str) -> int:
        return self.before.get(show, self.before["all"]) // PAGE_SIZE + 1


def sitter_statuses(session: PhotoSession) -> list[SitterStatus]:
    """Every person of a headshot day's gallery in `BY_SITTER` order, with their counts: one
    query, however many people and photos (the leads' page, each pick's answer)."""
    rows = (
        client_proofs(session)
        .values("sitter_id", "sitter__first_name", "sitter__last_name", "sitter__email")
        .annotate(photos=Count("pk", distinct=True),
                  picked=Count("selection_items", filter=Q(selection_items__picked=True)),
                  commented=Count("selection_items", filter=~Q(selection_items__comment="")))
        .order_by(*BY_SITTER)
    )
    out, seen = [], {"all": 0, "picked": 0, "commented": 0}
    for row in rows:
        name = " ".join(filter(None, (row["sitter__first_name"], row["sitter__last_name"])))
        out.append(SitterStatus(
            row["sitter_id"], name or row["sitter__email"] or "", row["photos"], row["picked"],
            row["commented"], extras(session, row["picked"]), dict(seen)))
        seen = {"all": seen["all"] + row["photos"], "picked": seen["picked"] + row["picked"],
                "commented": seen["commented"] + row["commented"]}
    return out


def _by_name(group: SitterGroup) -> tuple[bool, str, int]:
    if group.sitter is None:
        return True, "", 0
    return False, group.sitter.get_full_name().lower(), group.sitter.pk


def company_picks(company_id: int) -> QuerySet[SelectionItem]:
    """Who picked which photo in a company's sessions, latest first (the team's activity log:
    a member for themselves, or a lead for the team)."""
    return (
        SelectionItem.objects.filter(selection__session__company_id=company_id, picked=True,
                                     picked_by__isnull=False)
        .select_related("picked_by", "rush", "selection__session")
        .order_by("-updated_at", "-pk")
    )


def selection_of(session: PhotoSession) -> Selection | None:
    """The session's selection row (who submitted it and when), if proofs were published."""
    return Selection.objects.filter(session=session).select_related("submitted_by").first()


def extras_for(session: PhotoSession, picked: int) -> Extras | None:
    """The extra photos of a selection of `picked` (the extras rule), or None when there are
    none to pay for."""
    rule = extras(session, picked)
    return rule if rule.count else None


def extra_picks(session: PhotoSession) -> list[int]:
    """The rush ids of the picks beyond the package (the extras rule: the last ones in gallery
    order; on a headshot day, each person's last ones beyond their quota)."""
    return list(selection_rule(session).rush_ids)


def selection_extras(session: PhotoSession) -> Extras:
    """The extras rule applied to the session's current picks."""
    return selection_rule(session)


def extras_unit_price(session_id: int) -> Decimal | None:
    """The price of one extra photo of a session, by the extras rule (the shop's extras line is
    priced with it); None when the package sells none or the session is gone."""
    session = (
        PhotoSession.objects.only("quota", "extra_photo_price").filter(pk=session_id).first()
    )
    return None if session is None else extras(session, 0).unit_price


def pick_count(session: PhotoSession) -> int:
    return SelectionItem.objects.filter(selection__session=session, picked=True).count()


def picks(session: PhotoSession) -> QuerySet[SelectionItem]:
    return (
        SelectionItem.objects.filter(selection__session=session)
        .filter(Q(picked=True) | ~Q(comment=""))
        .select_related("rush")
        .order_by("rush__original_filename")
    )


@dataclass(frozen=True)
class SessionMoney:
    """What the Booker itself knows of a session's money, for the studio page: the package's
    price, the extras the current picks owe (THE extras rule) and the online booking's deposit
    (None: the session was not booked online). Orders are the shop's (its session panel)."""

    package_price: Decimal | None
    extras: Extras
    deposit: Decimal | None = None
    deposit_paid: Decimal | None = None
    refunded: Decimal | None = None


def session_money(session: PhotoSession) -> SessionMoney:
    booking = getattr(session, "booking", None)
    return SessionMoney(
        package_price=session.package.price if session.package_id else None,
        extras=selection_rule(session),
        deposit=booking.deposit if booking else None,
        deposit_paid=booking.deposit_paid if booking else None,
        refunded=booking.refunded if booking else None,
    )
