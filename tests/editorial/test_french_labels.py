"""The CMS speaks French to editors: every field and StreamField block of our editorial models
has a label of its own, marked for translation, never the English one Django and Wagtail make
up from the attribute's name ("Cover image", "Body", "Hero title", "Caption")."""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, override
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.fields import StreamField


def editorial_models() -> list[type[models.Model]]:
    labels = {
        config.label for config in apps.get_app_configs() if config.name.startswith("editorial")
    }
    return [model for model in apps.get_models() if model._meta.app_label in labels]


def own_fields(model: type[models.Model]) -> Iterator[models.Field]:
    """The fields an editor may see: declared on the model, editable, none of the links no form
    shows (ids, a page's parent link, an inline's ParentalKey, taggit's tag rows)."""
    if issubclass(model, TaggedItemBase):
        return
    for field in (*model._meta.local_fields, *model._meta.local_many_to_many):
        if field.auto_created or not field.editable or field.primary_key:
            continue
        if isinstance(field, ParentalKey):
            continue
        yield field


def labelled(label: object) -> bool:
    """Given, and marked for translation (a lazy gettext), not made up from the name: Django
    keeps the verbose_name given to a field in _verbose_name (None when it made one up)."""
    return isinstance(label, Promise)


def unlabelled_blocks(block: blocks.Block, path: str) -> Iterator[str]:
    children: dict[str, blocks.Block] = {}
    if isinstance(block, (blocks.StructBlock, blocks.StreamBlock)):
        children = dict(block.child_blocks)
    elif isinstance(block, blocks.ListBlock):
        children = {"(item)": block.child_block}
    for name, child in children.items():
        if name != "(item)" and not labelled(child.meta.label):
            yield f"{path}.{name}"
        yield from unlabelled_blocks(child, f"{path}.{name}")


def test_the_walk_sees_the_editorial_models():
    names = {model.__name__ for model in editorial_models()}
    assert {"HomePage", "BlogPostPage", "GalleryPage", "GalleryPhoto"} <= names


def test_every_editorial_field_has_a_label_of_its_own():
    english = [
        f"{model.__name__}.{field.name}"
        for model in editorial_models()
        for field in own_fields(model)
        if not labelled(field._verbose_name)
    ]
    assert not english, f"verbose_name=_(…) missing on: {english}"


def test_every_streamfield_block_has_a_label_of_its_own():
    english = [
        missing
        for model in editorial_models()
        for field in own_fields(model)
        if isinstance(field, StreamField)
        for missing in unlabelled_blocks(field.stream_block, f"{model.__name__}.{field.name}")
    ]
    assert not english, f"label=_(…) missing on: {english}"


def test_every_editorial_model_is_named_singular_and_plural():
    # Django's plural is the singular plus "s": "page d'accueils", "galerie à la unes".
    english = [
        model.__name__
        for model in editorial_models()
        if not (
            labelled(model._meta.original_attrs.get("verbose_name"))
            and labelled(model._meta.original_attrs.get("verbose_name_plural"))
        )
    ]
    assert not english, f"verbose_name / verbose_name_plural missing on: {english}"


def test_the_gallerys_add_button_names_one_photo():
    from editorial.models import GalleryPage

    with override("fr"):
        panel = next(
            child
            for child in GalleryPage.content_panels
            if getattr(child, "relation_name", None) == "photos"
        )
        assert str(panel.label) == "photo"
        assert gettext("Add %(label)s") % {"label": panel.label} == "Ajouter : photo"
