"""Pictures a print can be made of that the shop does not own: a public gallery's photo, say.

The generic print product ("Tirage photo") is linked from many gallery photos; the visitor
must frame and get the photo they clicked, not the product's placeholder, and the lab must
know which one was ordered. The shop cannot import editorial (dependencies point editorial →
shop), so it offers an extension point: an app registers a *source*, a callable `(key) →
Picture | None`, under a short name, usually from its `AppConfig.ready()` (editorial registers
"galerie"). A picture is then named by a reference "<source>-<key>" ("galerie-12"): in the
chooser's link (`?photo=`) and on the basket and order line (the IMAGE option)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Picture:
    """A public picture offered as a print."""

    ref: str  # "<source>-<key>": what the link and the basket line carry
    title: str
    preview_url: str  # a screen-size copy the crop is framed on (same proportions)
    thumb_url: str  # a small copy shown beside the basket and order line
    # The original's pixels, as the picture is seen (upright): the resolution check counts
    # these, not the screen copy's.
    width: int | None
    height: int | None
    product_id: int | None  # the print product it is sold as; the chooser checks it
    page_url: str = ""  # where it is shown (the chooser's "Retour")
    file: Any = None  # the original file (a FieldFile), what the lab prints

    @property
    def pixels(self) -> tuple[int | None, int | None]:
        return self.width, self.height


# `source(key, public_only=True)`: with public_only=False (the lab, for a line already paid)
# the picture is given even if its page was unpublished since.
PictureSource = Callable[..., "Picture | None"]

# Keyed by name, so that registering again (ready() runs more than once in some test set-ups)
# replaces a source instead of keeping two.
_sources: dict[str, PictureSource] = {}


def register_picture_source(name: str, source: PictureSource) -> None:
    """Answer references "<name>-<key>" with `source(key, public_only=…)`: the Picture, or None
    when it is gone (or not public, when public_only)."""
    if "-" in name:
        raise ValueError("A picture source's name cannot contain '-'.")
    _sources[name] = source


def unregister_picture_source(name: str) -> None:
    _sources.pop(name, None)


def picture_ref(source: str, key: object) -> str:
    return f"{source}-{key}"


def picture(ref: str | None, *, public_only: bool = True) -> Picture | None:
    """The picture `ref` names, or None (unknown source, gone, or not public when
    `public_only`)."""
    name, _, key = (ref or "").partition("-")
    source = _sources.get(name)
    if source is None or not key:
        return None
    return source(key, public_only=public_only)
