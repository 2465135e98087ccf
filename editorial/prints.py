"""Gallery photos as prints: what the shop's print chooser frames and the lab prints when a
visitor clicks "Commander ce tirage" under a photo of a public gallery.

The shop cannot import editorial; editorial hands it this source (shop.personal.pictures),
registered in apps.py."""

from __future__ import annotations

from shop.personal.pictures import Picture, picture_ref

SOURCE = "galerie"
# The lightbox's own large picture (templates/editorial/includes/lightbox_photo.html): the
# chooser frames on the rendition the gallery already made, not a new one.
SCREEN = "max-1600x1600|format-jpeg"
THUMB = "max-200x200|format-jpeg"


def photo_ref(photo) -> str:
    """How a gallery photo is named in the print chooser's link and on the basket line."""
    return picture_ref(SOURCE, photo.pk)


def gallery_picture(key: str, *, public_only: bool = True) -> Picture | None:
    """The photo of a live, public gallery `key` names, as a picture to print; None when it
    is gone, its page unpublished or private, or it is sold as no product. The lab
    (public_only=False) gets a photo already paid for even if its gallery went offline."""
    from .models import GalleryPage, GalleryPhoto

    if not key.isdigit():
        return None
    photos = GalleryPhoto.objects.filter(pk=int(key))
    if public_only:
        photos = photos.filter(
            page__in=GalleryPage.objects.live().public(), print_product__isnull=False
        )
    photo = photos.select_related("image", "page").first()
    if photo is None:
        return None
    image = photo.image
    screen = image.get_rendition(SCREEN)
    width, height = image.width, image.height
    # The rendition is upright (EXIF orientation applied); the original's recorded size may
    # not be: keep the original's pixel count in the shape the visitor sees.
    if width and height and (screen.width > screen.height) != (width > height) \
            and screen.width != screen.height:
        width, height = height, width
    return Picture(
        ref=photo_ref(photo),
        title=photo.caption or image.title,
        preview_url=screen.url,
        thumb_url=image.get_rendition(THUMB).url,
        width=width,
        height=height,
        product_id=photo.print_product_id,
        page_url=photo.page.url or "",
        file=image.file,
    )
