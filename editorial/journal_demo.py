"""The demo journal's categories, ticked on its three posts.

Safe to run again: categories are found by slug, and a post gets a new revision only when its
categories differ from the demo's."""

from __future__ import annotations

from collections.abc import Callable

from .models import BlogCategory, BlogPostPage

Log = Callable[[str], None]

CATEGORIES = {
    "mariage": ("Mariage", "Nos reportages de mariage, des préparatifs à la première danse."),
    "portrait": ("Portrait", "Portraits de famille, d'artistes et de professionnels."),
    "entreprise": ("Entreprise", "Portraits d'équipe, événements et images pour les marques."),
    "coulisses": ("Coulisses", "Le studio côté atelier : lumière, matériel, retouche."),
}
POST_CATEGORIES = {
    "mariage-automne-domaine-des-tilleuls": ["mariage"],
    "portraits-entreprise-une-matinee": ["entreprise", "portrait"],
    "coulisses-de-la-retouche": ["coulisses", "portrait"],
}


def seed(log: Log) -> None:
    categories = {slug: _sync_category(slug, name, text, log)
                  for slug, (name, text) in CATEGORIES.items()}
    for post in BlogPostPage.objects.filter(slug__in=POST_CATEGORIES):
        wanted = {categories[slug] for slug in POST_CATEGORIES[post.slug]}
        if set(post.categories.all()) != wanted:
            post.categories.set(wanted)
            post.save_revision().publish()
            log(f"page « {post.title} » (updated: categories)")


def _sync_category(slug: str, name: str, description: str, log: Log) -> BlogCategory:
    category, created = BlogCategory.objects.get_or_create(
        slug=slug, defaults={"name": name, "description": description}
    )
    if created:
        log(f"blog category « {name} » created")
    elif (category.name, category.description) != (name, description):
        category.name, category.description = name, description
        category.save()
        log(f"blog category « {name} » updated")
    return category
