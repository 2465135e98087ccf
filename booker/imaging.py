"""Turning a camera file into something a person can look at, without ever demosaicing a RAW
at full size: the camera's embedded JPEG preview when it is large enough, otherwise LibRaw's
half-size decode.

Errors become `UnreadableImage` with a reason a photographer understands."""

from __future__ import annotations

import io
import math
import unicodedata
import warnings
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import exifread
import rawpy
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

# LibRaw's `flip` code → the Pillow transpose that puts the picture upright.
_FLIP_TO_TRANSPOSE = {
    3: Image.Transpose.ROTATE_180,
    5: Image.Transpose.ROTATE_90,
    6: Image.Transpose.ROTATE_270,
}


class UnreadableImage(Exception):
    """The file cannot become a picture; `str(exc)` says why, in the studio's words."""


def _read_all(source: str | Path | BinaryIO) -> bytes:
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    return source.read()


_PLAIN_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"RIFF", b"GIF8")
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")


class _NotRaw(Exception):
    pass


def open_picture(source: str | Path | BinaryIO, long_edge: int) -> Image.Image:
    """An upright RGB picture whose long edge is at least `long_edge` where the file allows,
    decoded as cheaply as the file permits (the caller resizes to the exact size)."""
    data = _read_all(source)
    if not data:
        raise UnreadableImage("empty file")
    if data.startswith(_PLAIN_MAGIC):
        return _open_plain(data, long_edge)
    try:
        return _open_raw(data, long_edge)
    except _NotRaw as exc:
        # Plain TIFFs are pictures LibRaw refuses; anything else is not a photo at all.
        if data.startswith(_TIFF_MAGIC):
            return _open_plain(data, long_edge)
        raise UnreadableImage("not a RAW file") from exc


def _open_plain(data: bytes, long_edge: int) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            img = Image.open(io.BytesIO(data))
            img.draft("RGB", _draft_box(img.size, long_edge))
            img = ImageOps.exif_transpose(img)
            return img.convert("RGB")
        except UnidentifiedImageError as exc:
            raise UnreadableImage("not an image file") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            text = str(exc).lower()
            if "truncated" in text or "premature" in text or "broken data" in text:
                raise UnreadableImage("file is truncated") from exc
            raise UnreadableImage(f"image cannot be decoded ({exc})") from exc


def _draft_box(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """Pillow's draft keeps both sides at least the box's: give it the picture's shape, so a
    6000×4000 JPEG decodes at 3000×2000 for a 2048 px proof, not at full size."""
    scale = long_edge / max(size)
    return math.ceil(size[0] * scale), math.ceil(size[1] * scale)


def _open_raw(data: bytes, long_edge: int) -> Image.Image:
    try:
        with rawpy.imread(io.BytesIO(data)) as raw:
            preview = _embedded_preview(raw, long_edge)
            if preview is not None:
                return preview
            rgb = raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8)
            return Image.fromarray(rgb)
    except rawpy.LibRawFileUnsupportedError as exc:
        raise _NotRaw() from exc
    except (rawpy.LibRawIOError, rawpy.LibRawDataError) as exc:
        raise UnreadableImage("file is truncated") from exc
    except rawpy.LibRawError as exc:
        raise UnreadableImage(f"RAW file cannot be decoded ({type(exc).__name__})") from exc


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
        img.draft("RGB", _draft_box(img.size, long_edge))
        img = ImageOps.exif_transpose(img).convert("RGB")
    except (OSError, UnidentifiedImageError):
        return None  # a broken preview: the RAW data itself may still decode
    transpose = _FLIP_TO_TRANSPOSE.get(raw.sizes.flip)
    return img.transpose(transpose) if transpose is not None else img


def fit(img: Image.Image, long_edge: int) -> Image.Image:
    """Scale down (never up) so the long edge is `long_edge`."""
    img = img.copy()
    img.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
    return img


def read_metadata(data: bytes) -> tuple[datetime | None, str]:
    """Capture time (camera's local time, naive) and camera name, from EXIF or LibRaw."""
    captured: datetime | None = None
    camera = ""
    try:
        tags = exifread.process_file(io.BytesIO(data), details=False, stop_tag="DateTimeOriginal")
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
    if captured is None:
        try:
            with rawpy.imread(io.BytesIO(data)) as raw:
                captured = raw.other.timestamp or None
        except (rawpy.LibRawError, AttributeError):
            pass
    return captured, camera[:120]


def watermark(img: Image.Image, mark: str) -> Image.Image:
    """The studio's mark across the proof: visible enough to stop reuse, light enough to judge
    the picture."""
    base = img.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(14, base.width // 14)
    font, mark = _mark_font(size, mark)
    box = draw.textbbox((0, 0), mark, font=font)
    text_w, text_h = box[2] - box[0], box[3] - box[1]
    step_x, step_y = text_w + size * 2, text_h + size * 3
    for row, y in enumerate(range(-step_y, base.height + step_y, step_y)):
        offset = (row % 2) * step_x // 2
        for x in range(-step_x + offset, base.width + step_x, step_x):
            draw.text((x, y), mark, font=font, fill=(255, 255, 255, 70),
                      stroke_width=max(1, size // 20), stroke_fill=(0, 0, 0, 40))
    return Image.alpha_composite(base, layer).convert("RGB")


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
