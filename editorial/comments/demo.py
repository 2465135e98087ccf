"""Demo comments on the journal's posts: a few conversations already approved, one comment
waiting for the editor. Safe to run again: a comment is found by its post, author and text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from editorial.models import BlogPostPage

from .models import Comment

Status = Comment.Status
STUDIO_EDITOR = "editeur@booke.test"


@dataclass(frozen=True)
class DemoComment:
    post_slug: str
    name: str
    email: str
    body: str
    written: datetime
    status: str = Status.APPROVED
    reply_to: str = ""  # the email of the comment answered, on the same post


def _at(day: int, month: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, hour, 0))


COMMENTS = (
    DemoComment(
        "mariage-automne-domaine-des-tilleuls",
        "Camille",
        "camille.demo@example.test",
        "Merci pour ces images, on les regarde encore chaque semaine. La photo sous les "
        "platanes est déjà encadrée dans le salon !",
        _at(20, 10),
    ),
    DemoComment(
        "mariage-automne-domaine-des-tilleuls",
        "Claire Dubois",
        STUDIO_EDITOR,
        "Merci Camille, quel bonheur de l'apprendre. Au plaisir de vous revoir au studio !",
        _at(21, 10),
        reply_to="camille.demo@example.test",
    ),
    DemoComment(
        "mariage-automne-domaine-des-tilleuls",
        "Hugo",
        "hugo.demo@example.test",
        "Superbe lumière. Vous travaillez aussi en hiver, pour des mariages en petit comité ?",
        _at(2, 11),
    ),
    DemoComment(
        "coulisses-de-la-retouche",
        "Nadia",
        "nadia.demo@example.test",
        "Enfin un studio qui garde les grains de beauté ! C'est exactement ce que je cherchais.",
        _at(15, 11),
    ),
    DemoComment(
        "portraits-entreprise-une-matinee",
        "Marc",
        "marc.demo@example.test",
        "Combien de personnes pouvez-vous photographier en une matinée ? Nous sommes une "
        "trentaine.",
        _at(25, 11),
        status=Status.PENDING,
    ),
)


def seed(log: Callable[[str], None]) -> None:
    slugs = {demo.post_slug for demo in COMMENTS}
    posts = {post.slug: post for post in BlogPostPage.objects.filter(slug__in=slugs)}
    editor = get_user_model().objects.filter(email=STUDIO_EDITOR).first()
    made: dict[tuple[str, str], Comment] = {}
    for demo in COMMENTS:
        post = posts.get(demo.post_slug)
        if post is None:
            continue
        parent = made.get((demo.post_slug, demo.reply_to)) if demo.reply_to else None
        comment, created = Comment.objects.get_or_create(
            post=post,
            email=demo.email,
            body=demo.body,
            defaults={
                "parent": parent,
                "name": demo.name,
                "author": editor if demo.email == STUDIO_EDITOR else None,
                "status": demo.status,
                "created_at": demo.written,
                "approved_at": (
                    demo.written + timedelta(hours=2) if demo.status == Status.APPROVED else None
                ),
            },
        )
        made[(demo.post_slug, demo.email)] = comment
        if created:
            log(f"Comment by {demo.name} on {post.title}")
