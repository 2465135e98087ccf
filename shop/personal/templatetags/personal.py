"""`{% personal_photo line as photo %}`: what a basket or order line shows of its photo.

The thumbnail link is signed here, for a page whose view already decided who sees the line
(the request's own basket, the customer's own order, the dashboard); the tag checks again
that the line is one of those before it signs anything."""

from __future__ import annotations

from django import template

from .. import selectors, views

register = template.Library()


def _may_see(request, line) -> bool:
    if request is None or not request.user.is_authenticated:
        basket = getattr(request, "basket", None)
        return basket is not None and getattr(line, "basket_id", None) == basket.id
    user = request.user
    if user.is_staff and user.has_perm("partner.dashboard_access"):
        return True
    if getattr(line, "basket_id", None) is not None:
        return line.basket_id == getattr(request.basket, "id", None)
    order = getattr(line, "order", None)
    return order is not None and order.user_id == user.pk


@register.simple_tag(takes_context=True)
def personal_photo(context, line) -> dict | None:
    photo = selectors.line_photo(line)
    if photo is None:
        crop = selectors.line_crop(line)
        # A gallery photo: its own copy, still shown once its gallery is offline (paid for).
        picture = selectors.line_picture(line, public_only=False)
        if picture is not None:
            return {"thumb_url": picture.thumb_url, "crop": (crop or selectors.FULL_FRAME)
                    .as_percent(), "filename": picture.title}
        # A print of a catalogue photo: its own picture.
        return {"thumb_url": None, "crop": crop.as_percent()} if crop else None
    if not _may_see(context.get("request"), line):
        return None
    return {
        "thumb_url": views.thumb_url(photo.rush_id),
        "crop": photo.crop.as_percent(),
        "filename": photo.filename,
    }


@register.simple_tag(takes_context=True)
def personal_prints(context, order) -> list[dict]:
    """The order's lines that are prints with a photo or crop, each with what to show."""
    rows = []
    for line in order.lines.prefetch_related("attributes__option"):
        photo = personal_photo(context, line)
        if photo is not None:
            rows.append({"line": line, "photo": photo})
    return rows
