"""Turning a camera file into something a person can look at, without ever demosaicing a RAW
at full size: the camera's embedded JPEG preview when it is large enough, otherwise a
half-size decode (LibRaw's arithmetic, a strip at a time: booker/halfsize.py).

Errors become `UnreadableImage` with a reason a photographer understands."""

from __future__ import annotations

import functools
import io
import math
import unicodedata
import warnings
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import exifread
import rawpy
from django.utils.translation import gettext, gettext_noop
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from . import halfsize, tiffpreview

# LibRaw's `flip` code → the Pillow transpose that puts the picture upright.
_FLIP_TO_TRANSPOSE = {
    3: Image.Transpose.ROTATE_180,
    5: Image.Transpose.ROTATE_90,
    6: Image.Transpose.ROTATE_270,
}


class UnreadableImage(Exception):
    """The file cannot become a picture; `str(exc)` says why, in the studio's words (French:
    it is stored as the rush's failure reason and shown as it is)."""

    def __init__(self, reason: str):
        super().__init__(gettext(reason))


# The reasons, in English for the catalogue (gettext_noop), in French once raised. No
# exception text in them: a library's message is English, and a damaged file's can be long.
EMPTY = gettext_noop("empty file")
NOT_RAW = gettext_noop("not a RAW file")
NOT_IMAGE = gettext_noop("not an image file")
TRUNCATED = gettext_noop("file is truncated")
UNDECODABLE = gettext_noop("image cannot be decoded: the file is damaged")
RAW_UNDECODABLE = gettext_noop("RAW file cannot be decoded: the file is damaged")
TOO_LARGE = gettext_noop("the file claims a picture too large to be real: it is damaged")
REASONS = (EMPTY, NOT_RAW, NOT_IMAGE, TRUNCATED, UNDECODABLE, RAW_UNDECODABLE, TOO_LARGE)


_PLAIN_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"RIFF", b"GIF8")
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")


class _NotRaw(Exception):
    pass


def open_picture(source: str | Path | BinaryIO, long_edge: int) -> Image.Image:
    """An upright RGB picture whose long edge is at least `long_edge` where the file allows,
    decoded as cheaply as the file permits (the caller resizes to the exact size).

    Give it a path when there is one: LibRaw and Pillow then read from the file what they
    need, instead of a copy of the whole file in memory (a RAW is 25–80 MB)."""
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            head = fh.read(16)
        data: bytes | str = str(source)
    else:
        data = source.read()
        head = data[:16]
    if not head:
        raise UnreadableImage(EMPTY)
    if head.startswith(_PLAIN_MAGIC):
        return _open_plain(data, long_edge)
    try:
        return _open_raw(data, long_edge)
    except _NotRaw as exc:
        # Plain TIFFs are pictures LibRaw refuses; anything else is not a photo at all.
        if head.startswith(_TIFF_MAGIC):
            return _open_plain(data, long_edge)
        raise UnreadableImage(NOT_RAW) from exc


def read_by_libraw(path: str | Path) -> bool:
    """Whether `open_picture` offers this file to LibRaw: anything but an empty file and the
    plain formats Pillow reads (TIFFs too: most RAWs are TIFF-shaped, LibRaw tries first)."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    return bool(head) and not head.startswith(_PLAIN_MAGIC)


def _as_file(data: bytes | str) -> BinaryIO | str:
    """What rawpy.imread and Image.open take: a path as it is, bytes as a file."""
    return data if isinstance(data, str) else io.BytesIO(data)


def _open_plain(data: bytes | str, long_edge: int) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # Not `with`: closing a Pillow image frees its pixels, and this one may be
            # returned as it is. Pillow closes a file it opened once the frame is loaded.
            img = Image.open(_as_file(data))
            img.draft("RGB", _draft_box(img.size, long_edge))
            img.load()
            return _upright_rgb(img)
        except UnidentifiedImageError as exc:
            raise UnreadableImage(NOT_IMAGE) from exc
        except Image.DecompressionBombError as exc:
            # A flipped bit in a header's size: Pillow refuses before allocating.
            raise UnreadableImage(TOO_LARGE) from exc
        except (OSError, SyntaxError, ValueError) as exc:
            text = str(exc).lower()
            if "truncated" in text or "premature" in text or "broken data" in text:
                raise UnreadableImage(TRUNCATED) from exc
            raise UnreadableImage(UNDECODABLE) from exc


def _upright_rgb(img: Image.Image) -> Image.Image:
    """Turned upright and in RGB, copying the frame only when something changes (each copy
    of a 24 MP frame is 96 MB, of its draft 24 MB)."""
    if img.getexif().get(0x0112, 1) != 1:
        img = ImageOps.exif_transpose(img)
    if img.mode != "RGB":
        img = img.convert("RGB")
    return img


def _draft_box(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """Pillow's draft keeps both sides at least the box's: give it the picture's shape, so a
    6000×4000 JPEG decodes at 3000×2000 for a 2048 px proof, not at full size."""
    scale = long_edge / max(size)
    return math.ceil(size[0] * scale), math.ceil(size[1] * scale)


def _open_raw(data: bytes | str, long_edge: int) -> Image.Image:
    try:
        # From a path LibRaw reads the file itself; from bytes, rawpy hands it a copy.
        with rawpy.imread(_as_file(data)) as raw:
            preview = _embedded_preview(raw, long_edge)
            if preview is not None:
                return preview
            # LibRaw's half-size decode, redone a strip at a time beside the sensor data
            # and scaled down to the proof as the strips come (booker/halfsize.py), instead
            # of LibRaw's second full-size buffer and a full-size frame.
            picture = halfsize.half_size_picture(raw, long_edge)
            transpose = _FLIP_TO_TRANSPOSE.get(raw.sizes.flip)
            if picture is None:  # a sensor it does not cover (X-Trans, linear DNG…)
                rgb = raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8)
        # LibRaw's own buffers (the sensor data, its half-size image) are freed by now:
        # Pillow's copies are not made while they are still held.
        if picture is None:
            return Image.fromarray(rgb)
        return picture.transpose(transpose) if transpose is not None else picture
    except rawpy.LibRawFileUnsupportedError as exc:
        raise _NotRaw() from exc
    except (rawpy.LibRawIOError, rawpy.LibRawDataError) as exc:
        raise UnreadableImage(TRUNCATED) from exc
    except rawpy.LibRawError as exc:
        raise UnreadableImage(RAW_UNDECODABLE) from exc


def _embedded_preview(raw: rawpy.RawPy, long_edge: int) -> Image.Image | None:
    try:
        thumb = raw.extract_thumb()
    except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
        return None
    if thumb.format != rawpy.ThumbFormat.JPEG:
        return None  # a tiny bitmap, never big enough for a proof
    try:
        img = Image.open(io.BytesIO(thumb.data))
        if max(img.size) < long_edge:
            return None
        # JPEG's decoder scales by 1/2, 1/4, 1/8 as it decodes: a 6000×4000 preview is
        # decoded straight to 3000×2000 for a 2048 px proof, never held at full size.
        img.draft("RGB", _draft_box(img.size, long_edge))
        img.load()
        img = _upright_rgb(img)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None  # a broken preview: the RAW data itself may still decode
    transpose = _FLIP_TO_TRANSPOSE.get(raw.sizes.flip)
    return img.transpose(transpose) if transpose is not None else img


# TIFF's Orientation tag → the transpose that puts the picture upright (as LibRaw's flip).
_ORIENTATION_TO_TRANSPOSE = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_270,
    8: Image.Transpose.ROTATE_90,
}


def tiff_preview(blocks: tiffpreview.Blocks, long_edge: int) -> Image.Image | None:
    """The embedded JPEG preview of a TIFF-structured RAW, decoded as `_embedded_preview`
    does, read from only the bytes it needs; None when there is none large enough (then
    LibRaw reads the whole file)."""
    tried = 0
    for preview in tiffpreview.find_previews(blocks):
        if preview.width and max(preview.width, preview.height) < long_edge:
            continue  # the IFD says it is too small: no need to fetch it
        if tried == 2:
            break  # two JPEGs that would not do: leave it to LibRaw
        tried += 1
        data = blocks.read_direct(preview.offset, preview.length)
        if not data.startswith(b"\xff\xd8"):
            continue
        try:
            img = Image.open(io.BytesIO(data))
            if max(img.size) < long_edge:
                continue
            img.draft("RGB", _draft_box(img.size, long_edge))
            img.load()  # lossless JPEG (sensor data) fails here
            img = _upright_rgb(img)
        except (OSError, UnidentifiedImageError, SyntaxError, ValueError,
                Image.DecompressionBombError):
            continue
        transpose = _ORIENTATION_TO_TRANSPOSE.get(preview.orientation)
        return img.transpose(transpose) if transpose is not None else img
    return None


def fit(img: Image.Image, long_edge: int) -> Image.Image:
    """Scale down (never up) so the long edge is `long_edge`; a new picture, or the same one
    when it is small enough already."""
    scale = long_edge / max(img.size)
    if scale >= 1:
        return img
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    if img.width < 2 * _REDUCING_GAP * size[0] and img.height < 2 * _REDUCING_GAP * size[1]:
        # Not large enough for the integer reduction below: plain Lanczos, made a band of
        # columns at a time. Pillow resamples horizontally first, into an intermediate
        # picture as wide as the result and as tall as the source (a 3000×2000 frame: 16 MiB
        # beside the frame and the result); band by band it is 1/8 of that. Each band reads
        # the source columns its filter needs beyond its box: the result is the whole's.
        return _banded_resize(img, size)
    # reducing_gap: a cheap integer reduction first, then Lanczos (what Image.thumbnail does)
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=_REDUCING_GAP)


_REDUCING_GAP = 2.0
_BANDS = 8


def _banded_resize(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`img.resize(size, LANCZOS)` a band of columns at a time (measured equal to the whole
    resize within one level; bands of rows are not, by up to 30 levels on noise)."""
    width, height = size
    if width < 2 * _BANDS:
        return img.resize(size, Image.Resampling.LANCZOS)
    out = Image.new(img.mode, size)
    step = img.width / width  # source columns per result column
    bounds = [round(width * i / _BANDS) for i in range(_BANDS + 1)]
    for left, right in zip(bounds, bounds[1:], strict=False):
        box = (left * step, 0, right * step, img.height)
        out.paste(img.resize((right - left, height), Image.Resampling.LANCZOS, box=box),
                  (left, 0))
    return out


def read_metadata(source: bytes | str | Path | BinaryIO) -> tuple[datetime | None, str]:
    """Capture time (camera's local time, naive) and camera name, from EXIF or LibRaw
    (LibRaw only from bytes or a path: given a file object, EXIF alone)."""
    captured: datetime | None = None
    camera = ""
    try:
        # EXIF sits at the start of the file: from a path, only that much is read.
        if isinstance(source, bytes | str | Path):
            with io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb") as fh:
                tags = exifread.process_file(fh, details=False, stop_tag="DateTimeOriginal")
        else:
            tags = exifread.process_file(source, details=False, stop_tag="DateTimeOriginal")
    except Exception:  # noqa: BLE001 -- metadata is a nicety; a broken EXIF never fails a rush
        tags = {}
    make = str(tags.get("Image Make", "")).strip()
    model = str(tags.get("Image Model", "")).strip()
    camera = model if model.startswith(make) else f"{make} {model}".strip()
    stamp = tags.get("EXIF DateTimeOriginal") or tags.get("Image DateTime")
    if stamp:
        try:
            captured = datetime.strptime(str(stamp).strip(), "%Y:%m:%d %H:%M:%S")
        except ValueError:
            captured = None
    if captured is None and isinstance(source, bytes | str | Path):
        raw_source = io.BytesIO(source) if isinstance(source, bytes) else str(source)
        try:
            with rawpy.imread(raw_source) as raw:
                captured = raw.other.timestamp or None
        except (rawpy.LibRawError, AttributeError):
            pass
    return captured, camera[:120]


def watermark(img: Image.Image, mark: str) -> Image.Image:
    """The studio's mark across the proof: visible enough to stop reuse, light enough to judge
    the picture."""
    # Blended into one RGB copy, a band of rows at a time, with the layer's alpha as the
    # mask: the same pixels as an RGBA alpha_composite, without its three proof-sized
    # pictures (11 MiB each at 2048 px).
    out = img.convert("RGB") if img.mode != "RGB" else img.copy()
    grey, alpha = _mark_bands(out.size, mark)
    width, height = out.size
    for top in range(0, height, _MARK_ROWS):
        box = (0, top, width, min(height, top + _MARK_ROWS))
        band = grey.crop(box)
        out.paste(Image.merge("RGB", (band, band, band)), box, alpha.crop(box))
    return out


_MARK_ROWS = 128


@functools.lru_cache(maxsize=4)
def _mark_bands(size: tuple[int, int], mark: str) -> tuple[Image.Image, Image.Image]:
    """The mark's layer, kept as its grey and its alpha: 1 byte each per pixel where the
    RGBA layer takes 4 (the mark is white and black, so its R, G and B are equal). Drawing
    it (18 stroked texts on a proof) costs as much as decoding a preview; nearly every
    proof of a shoot has one of two sizes (landscape, portrait), so a worker draws each
    once, and keeps 5 MiB for each rather than 11. Never modified once made."""
    grey, _, _, alpha = _mark_layer(size, mark).split()
    return grey, alpha


def _mark_layer(size: tuple[int, int], mark: str) -> Image.Image:
    """The mark drawn on a transparent layer."""
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    width, height = size
    text_size = max(14, width // 14)
    font, mark = _mark_font(text_size, mark)
    box = draw.textbbox((0, 0), mark, font=font)
    text_w, text_h = box[2] - box[0], box[3] - box[1]
    step_x, step_y = text_w + text_size * 2, text_h + text_size * 3
    for row, y in enumerate(range(-step_y, height + step_y, step_y)):
        offset = (row % 2) * step_x // 2
        for x in range(-step_x + offset, width + step_x, step_x):
            draw.text((x, y), mark, font=font, fill=(255, 255, 255, 70),
                      stroke_width=max(1, text_size // 20), stroke_fill=(0, 0, 0, 40))
    return layer


_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def _mark_font(size: int, mark: str) -> tuple[ImageFont.ImageFont | ImageFont.FreeTypeFont, str]:
    for path in _FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size), mark
    # Pillow's built-in font has no accents: write "Booke" rather than a missing glyph.
    ascii_mark = unicodedata.normalize("NFKD", mark).encode("ascii", "ignore").decode()
    return ImageFont.load_default(size=size), ascii_mark


def to_jpeg(img: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()
