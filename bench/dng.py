"""Synthetic camera files for the benchmarks: a 14-bit Bayer DNG laid out as cameras write it,
in pure Python + numpy + Pillow.

    python -m bench dng OUT.dng [--width 6000 --height 4000 --preview full|sony|none --seed 0]

The file: IFD0 is the embedded JPEG preview (NewSubFileType 1, JPEG compression 7) with the
camera metadata (DNGVersion, Make/Model, ColorMatrix1, AsShotNeutral, EXIF IFD with
DateTimeOriginal); its SubIFD (tag 330) is the raw CFA image (NewSubFileType 0, RGGB,
BitsPerSample 16 holding 14-bit values, uncompressed strips, BlackLevel 512, WhiteLevel 16383).
Without a preview, IFD0 is the raw image itself. 24 MP uncompressed is ~48 MB, like a camera's
uncompressed RAW.

The picture is a landscape (sky, sun, clouds, hills, meadow, lake, trees, a house), different
for each seed and the same for the same seed. It is rendered once at half the sensor size in
linear sRGB: each 2×2 Bayer quad samples one scene pixel through a real-looking camera colour
matrix, plus shot and read noise per photosite; the preview is the same render, gamma-encoded
and resized to the preview size. LibRaw (rawpy) reads the preview as the file's JPEG thumbnail
and the raw data as RGGB."""

from __future__ import annotations

import argparse
import io
import struct
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from PIL import Image

FULL = "full"  # the preview is as large as the sensor (most cameras' DNG, Canon, Nikon...)
SONY = "sony"  # 27 % of the sensor, 1620×1080 at 24 MP: too small for a 2048 px proof (Sony ARW)

BLACK = 512
WHITE = 16383  # 14-bit
ROWS_PER_STRIP = 64
MAKE, MODEL = "Booke", "Synthetic"
CAPTURED = datetime(2026, 6, 13, 14, 30, 0)

# XYZ (D65) → camera, ×10000, shaped like a current full-frame Bayer sensor's matrix (LibRaw's
# adobe_coeff style): the raw data is not simply sRGB, so the decoder's colour path does real work.
COLOR_MATRIX = ((7374, -2389, -551), (-5435, 13162, 2519), (-1006, 1795, 6552))
_SRGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375],
     [0.2126729, 0.7151522, 0.0721750],
     [0.0193339, 0.1191920, 0.9503041]]
)

# TIFF field types
_BYTE, _ASCII, _SHORT, _LONG, _RATIONAL, _UNDEFINED, _SRATIONAL = 1, 2, 3, 4, 5, 7, 10


def write_dng(
    path: str | Path,
    width: int = 6000,
    height: int = 4000,
    preview: tuple[int, int] | str | None = FULL,
    seed: int = 0,
) -> Path:
    """Write the DNG and return its path. `preview` is (width, height), FULL (the sensor's
    size), SONY (27 % of it: 1620×1080 at 6000×4000) or None (no embedded preview at all)."""
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise ValueError("width and height must be even and at least 16 (2×2 Bayer quads)")
    preview_size = _preview_size(preview, width, height)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    scene = _scene(width // 2, height // 2, seed)  # linear sRGB, one pixel per Bayer quad
    cfa = _mosaic(scene, seed)
    jpeg = _preview_jpeg(scene, preview_size, seed) if preview_size else b""
    del scene
    _write(path, cfa, jpeg, preview_size, CAPTURED + timedelta(seconds=seed))
    return path


def _preview_size(preview, width: int, height: int) -> tuple[int, int] | None:
    if preview is None or preview == "none":
        return None
    if preview == FULL:
        return width, height
    if preview == SONY:
        return round(width * 0.27), round(height * 0.27)  # 1620×1080 for 6000×4000
    pw, ph = (int(v) for v in preview)
    if pw < 1 or ph < 1:
        raise ValueError(f"bad preview size {preview!r}")
    return pw, ph


# ---------------------------------------------------------------------------------------------
# The scene


def _scene(w: int, h: int, seed: int) -> np.ndarray:
    """A (h, w, 3) float32 landscape in linear sRGB, 1.0 = diffuse white (the sun is brighter
    and clips, as it would). Coordinates are in picture heights: x in [0, w/h], y in [0, 1]."""
    rng = np.random.default_rng(seed)  # the layout: the same scene at any size
    grain = np.random.default_rng([seed, 1])  # textures, whose draws depend on the size
    f32 = np.float32
    x = ((np.arange(w, dtype=f32) + 0.5) / h)[None, :]
    y = ((np.arange(h, dtype=f32) + 0.5) / h)[:, None]
    aspect = w / h
    px = 1.0 / h
    horizon = rng.uniform(0.55, 0.66)

    def rows(top: float, bottom: float) -> slice:
        return slice(max(0, int(top * h)), min(h, int(np.ceil(bottom * h)) + 1))

    def cols(left: float, right: float) -> slice:
        return slice(max(0, int(left * h)), min(w, int(np.ceil(right * h)) + 1))

    def paint(rs: slice, cs: slice, alpha: np.ndarray, color) -> None:
        if rs.start >= rs.stop or cs.start >= cs.stop:
            return
        a = alpha[..., None].astype(f32)
        region = img[rs, cs]
        region *= 1 - a
        region += a * np.asarray(color, dtype=f32)

    def edge(signed: np.ndarray) -> np.ndarray:
        """Anti-aliased coverage from a signed distance (negative inside), in pixels."""
        return np.clip(0.5 - signed / px, 0, 1)

    # Sky: deep blue overhead to a pale haze at the horizon.
    zenith = np.array([0.045, 0.11, 0.34]) * rng.uniform(0.85, 1.15, 3)
    haze = np.array([0.62, 0.66, 0.70]) * rng.uniform(0.9, 1.05)
    t = np.clip(y / horizon, 0, 1)[..., None] ** 1.5
    img = np.empty((h, w, 3), f32)
    img[:] = (zenith + (haze - zenith) * t).astype(f32)

    # The sun and its glow (the disk clips: highlights a camera cannot hold).
    sx, sy = rng.uniform(0.15, 0.85) * aspect, rng.uniform(0.12, horizon - 0.22)
    rs = rows(0, horizon)
    d2 = (x - sx) ** 2 + (y[rs] - sy) ** 2
    glow = 0.4 * np.exp(-d2 / 0.12**2) + 0.15 * np.exp(-d2 / 0.35**2)
    img[rs] += glow[..., None] * np.array([1.0, 0.85, 0.6], f32)
    rs, cs = rows(sy - 0.03, sy + 0.03), cols(sx - 0.03, sx + 0.03)
    d = np.sqrt((x[:, cs] - sx) ** 2 + (y[rs] - sy) ** 2)
    paint(rs, cs, edge(d - 0.025), (4.0, 3.7, 3.2))

    # Clouds: soft elliptic puffs in clusters.
    for _ in range(rng.integers(3, 7)):
        cx, cy = rng.uniform(0, aspect), rng.uniform(0.05, horizon - 0.15)
        for _ in range(rng.integers(3, 7)):
            px_, py_ = cx + rng.normal(0, 0.06), cy + rng.normal(0, 0.015)
            rx, ry = rng.uniform(0.04, 0.12), rng.uniform(0.015, 0.04)
            rs, cs = rows(py_ - 3 * ry, py_ + 3 * ry), cols(px_ - 3 * rx, px_ + 3 * rx)
            alpha = 0.55 * np.exp(-(((x[:, cs] - px_) / rx) ** 2 + ((y[rs] - py_) / ry) ** 2))
            shade = 0.75 + 0.25 * np.clip((py_ - y[rs]) / ry, -1, 1)
            paint(rs, cs, alpha, (0.9, 0.9, 0.93))
            img[rs, cs] *= (1 - alpha * (1 - shade))[..., None]

    # Hills: three ridges, the far ones paler (aerial perspective).
    for depth, (top, rock) in enumerate(
        ((0.20, (0.20, 0.24, 0.30)), (0.12, (0.16, 0.22, 0.16)), (0.06, (0.10, 0.16, 0.07)))
    ):
        xs = x[0]
        ridge = np.full_like(xs, horizon - top)
        for octave in range(4):
            freq = rng.uniform(1.5, 3.0) * 2.2**octave
            ridge += (0.06 / 1.9**octave) * np.sin(freq * xs + rng.uniform(0, 2 * np.pi))
        mix = 0.55 - 0.22 * depth
        color = np.array(rock) * (1 - mix) + haze * mix
        rs = rows(ridge.min() - 0.01, horizon + 0.02)
        yy = y[rs]
        alpha = edge(ridge[None, :] - yy)
        shade = (1.0 + 0.35 * np.clip((yy - ridge[None, :]) / 0.1, 0, 1))[..., None]
        region = img[rs]
        region *= (1 - alpha)[..., None]
        region += alpha[..., None] * (color / shade).astype(f32)

    # Meadow to the bottom, textured at two scales, brighter and warmer near the camera.
    rs = rows(horizon, 1.0)
    gh = rs.stop - rs.start
    near = np.clip((y[rs] - horizon) / (1 - horizon), 0, 1)[..., None]
    grass = (np.array([0.07, 0.13, 0.04]) * (1 - near) + np.array([0.12, 0.2, 0.05]) * near)
    coarse, fine = _noise(grain, w, gh, max(2, h // 40)), _noise(grain, w, gh, max(2, h // 330))
    texture = coarse * 0.18 + fine * 0.10
    img[rs] = (grass * (1 + texture[..., None])).astype(f32)
    img[rs.start: rs.start + 2] = img[rs.start - 2: rs.start]  # no seam under the hills

    # A lake on the meadow, mirroring the sky's haze.
    lx, ly = rng.uniform(0.2, 0.8) * aspect, horizon + rng.uniform(0.04, 0.08)
    lrx, lry = rng.uniform(0.25, 0.45), rng.uniform(0.02, 0.04)
    rs, cs = rows(ly - lry, ly + lry), cols(lx - lrx, lx + lrx)
    dist = np.sqrt(((x[:, cs] - lx) / lrx) ** 2 + ((y[rs] - ly) / lry) ** 2)
    ripple = 1 + 0.08 * np.sin(y[rs] * 900 + np.sin(x[:, cs] * 40))
    water = (haze * 0.55)[None, None, :] * ripple[..., None]
    a = edge((dist - 1) * lry)[..., None]
    img[rs, cs] = img[rs, cs] * (1 - a) + water.astype(f32) * a

    # A house: wall, roof, windows.
    hx, hy = rng.uniform(0.1, 0.9) * aspect, horizon + rng.uniform(0.1, 0.16)
    hw_, hh_ = 0.09, 0.06
    wall = np.array([0.55, 0.45, 0.32]) * rng.uniform(0.8, 1.2, 3)
    rs, cs = rows(hy - hh_, hy), cols(hx - hw_, hx + hw_)
    sd = np.maximum(np.abs(x[:, cs] - hx) - hw_, np.abs(y[rs] - (hy - hh_ / 2)) - hh_ / 2)
    paint(rs, cs, edge(sd), wall)
    for wx in (-0.05, 0.0, 0.05):
        sd = np.maximum(np.abs(x[:, cs] - hx - wx) - 0.012, np.abs(y[rs] - hy + 0.035) - 0.012)
        paint(rs, cs, edge(sd), (0.03, 0.03, 0.04))
    rs, cs = rows(hy - hh_ - 0.06, hy - hh_ + 0.005), cols(hx - hw_ - 0.02, hx + hw_ + 0.02)
    roof_sd = np.maximum(
        (hy - hh_ - 0.055) + np.abs(x[:, cs] - hx) * 0.55 - y[rs], y[rs] - (hy - hh_ + 0.003)
    )
    roof_sd = np.maximum(roof_sd, np.abs(x[:, cs] - hx) - hw_ - 0.02)
    paint(rs, cs, edge(roof_sd), (0.30, 0.07, 0.04))

    # Trees, far to near, bigger as they come closer; lit from the sun's side.
    bases = np.sort(rng.uniform(horizon + 0.04, 1.02, rng.integers(4, 9)))
    for base in bases:
        scale = 0.05 + 0.3 * (base - horizon) / (1 - horizon)
        tx = rng.uniform(0, aspect)
        rs, cs = rows(base - scale * 0.45, base), cols(tx - scale * 0.05, tx + scale * 0.05)
        sd = np.maximum(np.abs(x[:, cs] - tx) - scale * 0.04, np.abs(y[rs] - base) - scale * 0.45)
        paint(rs, cs, edge(sd), (0.07, 0.045, 0.025))
        r, cy = scale * 0.35, base - scale * 0.7
        rs, cs = rows(cy - r, cy + r), cols(tx - r, tx + r)
        dx, dy = x[:, cs] - tx, y[rs] - cy
        dist = np.sqrt(dx**2 + (dy * 1.15) ** 2)
        lit = np.clip(0.6 + 0.8 * (dx * np.sign(sx - tx) - dy) / r, 0.25, 1.4)
        leaves = np.array([0.05, 0.11, 0.03]) * rng.uniform(0.8, 1.25)
        tex = 1 + 0.25 * _noise(grain, cs.stop - cs.start, rs.stop - rs.start, max(2, h // 250))
        a = edge(dist - r)[..., None]
        img[rs, cs] = img[rs, cs] * (1 - a) + (leaves * (lit * tex)[..., None]).astype(f32) * a

    # Lens vignetting.
    r2 = ((x - aspect / 2) / aspect) ** 2 + (y - 0.5) ** 2
    img *= (1 - 0.35 * r2)[..., None]
    return img


def _noise(rng: np.random.Generator, w: int, h: int, cell: int) -> np.ndarray:
    """Smooth value noise in [-1, 1] with features about `cell` pixels wide."""
    small = rng.uniform(-1, 1, (max(2, h // cell + 2), max(2, w // cell + 2))).astype(np.float32)
    return np.asarray(Image.fromarray(small, "F").resize((w, h), Image.Resampling.BICUBIC))


# ---------------------------------------------------------------------------------------------
# Sensor and preview


def _camera_matrix() -> np.ndarray:
    """linear sRGB → camera RGB, scaled so that the white's strongest channel is 1."""
    cam = (np.array(COLOR_MATRIX) / 10000) @ _SRGB_TO_XYZ
    return cam / (cam @ np.ones(3)).max()


def _as_shot_neutral() -> np.ndarray:
    neutral = _camera_matrix() @ np.ones(3)
    return neutral / neutral.max()


def _mosaic(scene: np.ndarray, seed: int) -> np.ndarray:
    """The (2h, 2w) uint16 RGGB sensor data, 14-bit, for a (h, w, 3) linear scene."""
    h, w, _ = scene.shape
    cam = scene @ (_camera_matrix().T * 0.8).astype(np.float32)  # 1.25 = clipping
    span = WHITE - BLACK
    cfa = np.empty((2 * h, 2 * w), np.float32)
    for (dy, dx), c in (((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 2)):
        cfa[dy::2, dx::2] = cam[..., c]
    del cam
    np.clip(cfa, 0, None, out=cfa)
    cfa *= span
    # Shot noise (~3.7 electrons per DN at base ISO) and ~2.5 DN of read noise.
    sigma = np.sqrt(cfa / 3.7 + 2.5**2)
    sigma *= np.random.default_rng(seed + 1).standard_normal(cfa.shape, dtype=np.float32)
    cfa += sigma
    del sigma
    cfa += BLACK
    np.clip(cfa, 0, WHITE, out=cfa)
    return np.rint(cfa).astype("<u2")


def _srgb8(linear: np.ndarray) -> np.ndarray:
    lut_in = np.linspace(0, 1, 4096)
    lut = np.where(
        lut_in <= 0.0031308, 12.92 * lut_in, 1.055 * lut_in ** (1 / 2.4) - 0.055
    )
    lut = np.rint(lut * 255).astype(np.uint8)
    idx = np.clip(linear * 4095, 0, 4095).astype(np.uint16)
    return lut[idx]


def _preview_jpeg(scene: np.ndarray, size: tuple[int, int], seed: int) -> bytes:
    """The camera's rendering of the same scene (a touch more contrast), as its JPEG. A fine
    luminance grain gives the JPEG a camera-like weight (~2 MB at 24 MP rather than 1)."""
    toned = np.clip(scene * 1.05, 0, 1) ** np.float32(1.08)
    img = Image.fromarray(_srgb8(toned), "RGB")
    if img.size != size:
        img = img.resize(size, Image.Resampling.BICUBIC, reducing_gap=3.0)
    grain = np.random.default_rng(seed + 2).standard_normal((size[1], size[0], 1), np.float32)
    grain *= 1.5
    pixels = np.asarray(img, np.float32) + grain
    np.clip(pixels, 0, 255, out=pixels)
    img = Image.fromarray(pixels.astype(np.uint8), "RGB")
    del grain, pixels
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, subsampling=1)  # 4:2:2, as cameras do
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# TIFF/DNG


def _pack(typ: int, values) -> tuple[int, bytes]:
    if typ == _ASCII:
        data = values.encode("ascii") + b"\0"
        return len(data), data
    if typ == _UNDEFINED:
        return len(values), bytes(values)
    if typ in (_RATIONAL, _SRATIONAL):
        flat = [v for pair in values for v in pair]
        return len(values), struct.pack(f"<{len(flat)}{'I' if typ == _RATIONAL else 'i'}", *flat)
    fmt = {_BYTE: "B", _SHORT: "H", _LONG: "I"}[typ]
    return len(values), struct.pack(f"<{len(values)}{fmt}", *values)


def _ifd(entries: dict[int, tuple[int, object]], at: int) -> bytes:
    """One IFD written at file offset `at` (even), its out-of-line values right after it."""
    items = sorted(entries.items())
    data_at = at + 2 + 12 * len(items) + 4
    body, data = bytearray(struct.pack("<H", len(items))), bytearray()
    for tag, (typ, values) in items:
        count, payload = _pack(typ, values)
        if len(payload) <= 4:
            body += struct.pack("<HHI", tag, typ, count) + payload.ljust(4, b"\0")
        else:
            if len(data) % 2:
                data += b"\0"
            body += struct.pack("<HHII", tag, typ, count, data_at + len(data))
            data += payload
    body += struct.pack("<I", 0) + data
    return bytes(body + b"\0" * (len(body) % 2))


def _rational(value: float, den: int = 10000) -> tuple[int, int]:
    return round(value * den), den


def _write(
    path: Path,
    cfa: np.ndarray,
    jpeg: bytes,
    preview_size: tuple[int, int] | None,
    captured: datetime,
) -> None:
    height, width = cfa.shape
    stamp = captured.strftime("%Y:%m:%d %H:%M:%S")
    camera = {
        271: (_ASCII, MAKE),
        272: (_ASCII, MODEL),
        274: (_SHORT, (1,)),
        305: (_ASCII, "Booke bench.dng"),
        306: (_ASCII, stamp),
        50706: (_BYTE, (1, 4, 0, 0)),  # DNGVersion
        50707: (_BYTE, (1, 3, 0, 0)),  # DNGBackwardVersion
        50708: (_ASCII, f"{MAKE} {MODEL}"),  # UniqueCameraModel
        50721: (_SRATIONAL, [(v, 10000) for row in COLOR_MATRIX for v in row]),  # ColorMatrix1
        50728: (_RATIONAL, [_rational(v) for v in _as_shot_neutral()]),  # AsShotNeutral
        50778: (_SHORT, (21,)),  # CalibrationIlluminant1: D65
        34665: (_LONG, (0,)),  # ExifIFD, offset filled in below
    }
    exif = {
        33434: (_RATIONAL, [(1, 250)]),  # ExposureTime
        33437: (_RATIONAL, [(56, 10)]),  # FNumber
        34855: (_SHORT, (100,)),  # ISO
        36864: (_UNDEFINED, b"0231"),  # ExifVersion
        36867: (_ASCII, stamp),  # DateTimeOriginal
        36868: (_ASCII, stamp),  # DateTimeDigitized
        37386: (_RATIONAL, [(35, 1)]),  # FocalLength
    }
    strips = range(0, height, ROWS_PER_STRIP)
    row_bytes = width * 2
    raw = {
        254: (_LONG, (0,)),  # NewSubFileType: the main image
        256: (_LONG, (width,)),
        257: (_LONG, (height,)),
        258: (_SHORT, (16,)),
        259: (_SHORT, (1,)),  # uncompressed
        262: (_SHORT, (32803,)),  # CFA
        273: (_LONG, [0] * len(strips)),  # StripOffsets, filled in below
        277: (_SHORT, (1,)),
        278: (_LONG, (ROWS_PER_STRIP,)),
        279: (_LONG, [min(ROWS_PER_STRIP, height - r) * row_bytes for r in strips]),
        284: (_SHORT, (1,)),
        33421: (_SHORT, (2, 2)),  # CFARepeatPatternDim
        33422: (_BYTE, (0, 1, 1, 2)),  # CFAPattern: RGGB
        50710: (_BYTE, (0, 1, 2)),  # CFAPlaneColor
        50711: (_SHORT, (1,)),  # CFALayout: rectangular
        50713: (_SHORT, (1, 1)),  # BlackLevelRepeatDim
        50714: (_LONG, (BLACK,)),  # BlackLevel
        50717: (_LONG, (WHITE,)),  # WhiteLevel
    }
    if preview_size:
        pw, ph = preview_size
        ifd0 = camera | {
            254: (_LONG, (1,)),  # NewSubFileType: reduced-resolution preview
            256: (_LONG, (pw,)),
            257: (_LONG, (ph,)),
            258: (_SHORT, (8, 8, 8)),
            259: (_SHORT, (7,)),  # JPEG
            262: (_SHORT, (6,)),  # YCbCr
            273: (_LONG, (0,)),  # StripOffsets, filled in below
            277: (_SHORT, (3,)),
            278: (_LONG, (ph,)),
            279: (_LONG, (len(jpeg),)),
            284: (_SHORT, (1,)),
            330: (_LONG, (0,)),  # SubIFDs: the raw image, filled in below
            530: (_SHORT, (2, 1)),  # YCbCrSubSampling 4:2:2
        }
        sub = raw
    else:
        ifd0, sub = camera | raw, None
    sensor = sub if sub is not None else ifd0

    def layout() -> tuple[list[bytes], int]:
        """IFD0, EXIF IFD, raw SubIFD, then the preview, then the sensor data."""
        blocks, at = [], 8
        for entries in (ifd0, exif, sub):
            if entries is None:
                continue
            if entries is exif:
                ifd0[34665] = (_LONG, (at,))
            if entries is sub:
                ifd0[330] = (_LONG, (at,))
            blocks.append(_ifd(entries, at))
            at += len(blocks[-1])
        if preview_size:
            ifd0[273] = (_LONG, (at,))
            at += len(jpeg) + len(jpeg) % 2
        at += -at % 16  # sensor data on a 16-byte boundary
        sensor[273] = (_LONG, [at + r * row_bytes for r in strips])
        return blocks, at

    layout()  # sizes do not depend on the offsets: a second pass writes the real ones
    blocks, data_at = layout()
    with path.open("wb") as out:
        out.write(b"II*\0" + struct.pack("<I", 8))
        for block in blocks:
            out.write(block)
        if preview_size:
            out.write(jpeg + b"\0" * (len(jpeg) % 2))
        out.write(b"\0" * (data_at - out.tell()))
        out.write(memoryview(np.ascontiguousarray(cfa, "<u2")).cast("B"))


# ---------------------------------------------------------------------------------------------
# CLI


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench dng", description="Write a synthetic 14-bit Bayer DNG."
    )
    parser.add_argument("out", type=Path, help="the .dng file to write")
    parser.add_argument("--width", type=int, default=6000)
    parser.add_argument("--height", type=int, default=4000)
    parser.add_argument(
        "--preview",
        choices=(FULL, SONY, "none"),
        default=FULL,
        help="embedded JPEG: sensor-sized (full), 27%% of it (sony: 1620x1080 at 24 MP) or none",
    )
    parser.add_argument("--seed", type=int, default=0, help="picks the scene")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        path = write_dng(args.out, args.width, args.height, args.preview, args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    size = _preview_size(args.preview, args.width, args.height)
    preview = f"{size[0]}x{size[1]} JPEG" if size else "none"
    print(
        f"{path}  {args.width}x{args.height} RGGB 14-bit  preview {preview}"
        f"  {path.stat().st_size / 1e6:.1f} MB  in {time.perf_counter() - started:.2f} s"
    )
    return 0
