"""LibRaw's half-size decode of a Bayer RAW, redone in horizontal strips so that it never holds
a second full-size buffer.

`raw.postprocess(half_size=True)` copies the sensor data (24 MP × 16 bit: 48 MiB, which LibRaw
keeps) into a half-size 4-channel image (another 48 MiB) and then makes its 8-bit output
(18 MiB) from that: 114 MiB at once, what kept an ingest worker above its 150 MiB for RAWs
whose embedded preview is too small for a proof (Sony's 1620×1080). Here each 2×2 Bayer quad
becomes one RGB pixel, as LibRaw's half-size does, a strip of rows at a time: black levels
off, camera white balance, the two greens averaged, camera → sRGB matrix, LibRaw's automatic
brightness (the 99th percentile of the converted image becomes white) and its BT.709 gamma.
Two passes over the sensor data (the first for the brightness), so that no full-size float
or 16-bit image is ever made. `half_size_picture`, the ingest's, also scales the strips down
to the proof as they come: beside LibRaw's sensor data (freed when the caller closes the
RawPy) it holds only the proof (11 MiB at 2048 px) and a window of rows.

It is LibRaw's arithmetic, not a new rendering: measured against `postprocess(half_size=True,
use_camera_wb=True)` on the sample RAWs and the synthetic DNGs of `bench/dng.py`, the mean
difference is under one 8-bit level per channel (docs/benchmarks.md). What it does not cover
(X-Trans, Foveon, four-colour sensors, linear DNGs, non-square pixels, Fuji's rotated
sensors, a missing camera white balance, a colour matrix rawpy does not show or two that
disagree) is left to LibRaw: `half_size_rgb` and `half_size_picture` return None.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import rawpy
from PIL import Image

# Rows of the half-size picture made at once: 16 rows of 3000 px make ~3 MiB of float32
# temporaries in all, small beside the picture and big enough for numpy to be efficient.
STRIP_ROWS = 16

# LibRaw's defaults as rawpy's postprocess() passes them.
_GAMMA = (1 / 2.222, 4.5)  # BT.709: power 0.45, toe slope 4.5
_AUTO_BRIGHT_THRESHOLD = 0.01
_ADJUST_MAXIMUM_THRESHOLD = 0.75


def half_size_rgb(raw: rawpy.RawPy, raw_colour: bool = False) -> np.ndarray | None:
    """The RAW's half-size RGB picture (rows × columns × 3, 8 bits), as LibRaw's
    `postprocess(half_size=True, use_camera_wb=True, output_bps=8)` makes it, but not yet
    turned upright (`raw.sizes.flip` says how); None when this RAW is not a plain 2×2 Bayer
    mosaic with a known white balance and colour matrix (then use LibRaw). `raw_colour`:
    the camera's own RGB, as LibRaw's `output_color=raw` (to compare the rest of the
    arithmetic on a camera whose matrix rawpy does not show)."""
    plan = _Plan.of(raw, raw_colour)
    if plan is None:
        return None
    curve = _output_curve(plan)
    rgb = np.empty((plan.height, plan.width, 3), dtype=np.uint8)
    for top, strip in plan.strips():
        rgb[top:top + len(strip)] = curve[strip]
    return rgb


def half_size_picture(raw: rawpy.RawPy, long_edge: int) -> Image.Image | None:
    """`half_size_rgb`'s picture scaled down to `long_edge` as `imaging.fit` scales it
    (Lanczos; within one level of it), made as the strips come: each strip is resampled
    across at once, and bands of the proof's rows are resampled down from a window of those,
    so that the proof (11 MiB at 2048 px) is the only picture held beside LibRaw's sensor
    data. Not yet upright. The whole half-size picture when it is not larger than
    `long_edge`, or so much larger that `fit` would first reduce it by an integer factor."""
    plan = _Plan.of(raw)
    if plan is None:
        return None
    width, height = plan.width, plan.height
    scale = long_edge / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if scale >= 1 or width >= 4 * size[0] or height >= 4 * size[1]:
        return Image.fromarray(half_size_rgb(raw))
    curve = _output_curve(plan)
    out = Image.new("RGB", size)
    step = height / size[1]  # half-size rows per proof row
    reach = 3.0 * step + 2  # rows Lanczos reads on each side of a proof row's centre
    pending = np.empty((0, size[0], 3), dtype=np.uint8)  # resampled across, from row `first`
    first = done = 0
    for top, strip in plan.strips():
        across = Image.fromarray(curve[strip]).resize(
            (size[0], len(strip)), Image.Resampling.LANCZOS, box=(0, 0, width, len(strip)))
        pending = np.concatenate((pending, np.asarray(across)))
        available = top + len(strip)
        while done < size[1]:
            end = min(size[1], done + _PROOF_ROWS)
            needed = min(height, math.ceil(end * step + reach))
            if available < needed:
                break
            low = max(first, math.floor(done * step - reach))
            window = Image.fromarray(pending[low - first:needed - first])
            band = window.resize((size[0], end - done), Image.Resampling.LANCZOS,
                                 box=(0, done * step - low, size[0], end * step - low))
            out.paste(band, (0, done))
            done = end
            keep = max(first, math.floor(done * step - reach))
            pending, first = pending[keep - first:], keep
    return out


_PROOF_ROWS = 32


def _output_curve(plan: _Plan) -> np.ndarray:
    """The first pass: the converted picture's histogram, for LibRaw's automatic brightness,
    and the 8-bit output curve it gives."""
    histogram = np.zeros((3, 0x2000), dtype=np.int64)
    for _, strip in plan.strips():
        for c in range(3):
            histogram[c] += np.bincount((strip[..., c] >> 3).ravel(), minlength=0x2000)
    return _curve(_white_point(histogram, plan.width * plan.height))


class _Plan:
    """What LibRaw would use for this RAW: its Bayer layout, black levels, white balance
    multipliers and colour matrix."""

    def __init__(self, raw: rawpy.RawPy, positions: list[tuple[int, int, int]],
                 black: list[float], scale: list[float], matrix: np.ndarray | None):
        self.raw = raw
        visible = raw.raw_image_visible
        self.height, self.width = visible.shape[0] // 2, visible.shape[1] // 2
        self.positions = positions  # (row, column) in the quad → LibRaw's colour 0..3
        self.black = black
        self.scale = scale
        self.matrix = matrix

    @classmethod
    def of(cls, raw: rawpy.RawPy, raw_colour: bool = False) -> _Plan | None:
        if raw.raw_type != rawpy.RawType.Flat or raw.num_colors != 3:
            return None
        if raw.color_desc != b"RGBG":
            return None
        sizes = raw.sizes
        if sizes.pixel_aspect != 1.0 or sizes.height < 2 or sizes.width < 2:
            return None
        pattern = raw.raw_pattern
        if pattern is None or pattern.shape != (2, 2):
            return None  # X-Trans (6×6) and the like
        # The quad as LibRaw's half-size sees it: from the visible area's first pixel.
        positions = [(y, x, raw.raw_color(sizes.top_margin + y, sizes.left_margin + x))
                     for y in range(2) for x in range(2)]
        if sorted(c for _, _, c in positions) != [0, 1, 2, 3]:
            return None
        wb = [float(v) for v in raw.camera_whitebalance]
        if wb[0] <= 0.00001 or wb[2] <= 0.00001:
            return None  # no camera white balance: LibRaw would compute one itself
        if wb[1] == 0:
            wb[1] = 1.0
        if wb[3] == 0:
            wb[3] = wb[1]  # a 3-colour camera's second green is its green
        black = [float(v) for v in raw.black_level_per_channel]
        common_black = min(black[:3])
        maximum = float(raw.white_level)
        # LibRaw's adjust_maximum: a sensor that clips below its nominal white level
        # (measured on the data, black taken off) is scaled from where it really clips.
        data_max = _data_maximum(raw.raw_image_visible, positions, black)
        if maximum * _ADJUST_MAXIMUM_THRESHOLD < data_max < maximum:
            maximum = data_max
        maximum -= common_black
        if maximum <= 0:
            return None
        smallest = min(wb)
        scale = [w / smallest * 65535.0 / maximum for w in wb]
        if raw_colour:
            return cls(raw, positions, black, scale, None)
        matrix = _camera_to_srgb(raw)
        if matrix is None:
            return None
        return cls(raw, positions, black, scale, matrix.astype(np.float32))

    def strips(self):
        """(first row, strip as uint16 rows × columns × RGB) down the half-size picture,
        each value as LibRaw's convert_to_rgb leaves it (0..65535)."""
        visible = self.raw.raw_image_visible
        for top in range(0, self.height, STRIP_ROWS):
            bottom = min(top + STRIP_ROWS, self.height)
            rows = visible[2 * top:2 * bottom, :2 * self.width]
            planes: dict[int, np.ndarray] = {}
            for y, x, colour in self.positions:
                plane = rows[y::2, x::2].astype(np.float32)
                plane -= self.black[colour]
                np.maximum(plane, 0, out=plane)
                plane *= self.scale[colour]
                # LibRaw works in integers: truncated, clipped to 16 bits
                np.floor(plane, out=plane)
                np.minimum(plane, 65535, out=plane)
                planes[colour] = plane
            green = planes[1]
            green += planes[3]
            green *= 0.5
            np.floor(green, out=green)  # (G1 + G2) >> 1
            camera = np.stack((planes[0], green, planes[2]), axis=-1)
            del planes, green
            if self.matrix is not None:
                camera = camera @ self.matrix.T
            np.clip(camera, 0, 65535, out=camera)
            yield top, camera.astype(np.uint16)


# sRGB (D65) → XYZ, as LibRaw's xyz_rgb
_XYZ_RGB = np.array([[0.4124564, 0.3575761, 0.1804375],
                     [0.2126729, 0.7151522, 0.0721750],
                     [0.0193339, 0.1191920, 0.9503041]])


def _camera_to_srgb(raw: rawpy.RawPy) -> np.ndarray | None:
    """The matrix LibRaw's convert_to_rgb applies (its rgb_cam), which rawpy does not expose:
    the file's own matrix (a DNG's, rawpy's `color_matrix`), or one made from LibRaw's table
    for the camera (`rgb_xyz_matrix`, as its cam_xyz_coeff does). None when they disagree or
    neither is known: which one LibRaw uses then is not visible from here."""
    embedded = np.asarray(raw.color_matrix, dtype=np.float64)[:, :3]
    cam_xyz = np.asarray(raw.rgb_xyz_matrix, dtype=np.float64)[:3]
    from_table = None
    if cam_xyz.any():
        cam_rgb = cam_xyz @ _XYZ_RGB
        sums = cam_rgb.sum(axis=1, keepdims=True)
        if (sums > 0.00001).all():
            try:
                from_table = np.linalg.inv(cam_rgb / sums)
            except np.linalg.LinAlgError:
                from_table = None
    if embedded[0, 0] > 0.125:
        if from_table is None or np.allclose(embedded, from_table, atol=0.001):
            return embedded
        return None
    if from_table is not None and not embedded.any():
        return from_table
    return None


def _data_maximum(visible: np.ndarray, positions, black: list[float]) -> float:
    """The brightest photosite, black taken off (LibRaw's data_maximum), in strips."""
    highest = 0.0
    for top in range(0, visible.shape[0], 2 * STRIP_ROWS):
        rows = visible[top:top + 2 * STRIP_ROWS]
        for y, x, colour in positions:
            plane = rows[y::2, x::2]
            if plane.size:
                highest = max(highest, float(plane.max()) - black[colour])
    return highest


def _white_point(histogram: np.ndarray, pixels: int) -> int:
    """LibRaw's automatic brightness: the level above which 1 % of the pixels lie, in the
    brightest channel (histogram bins of 8 levels)."""
    threshold = int(pixels * _AUTO_BRIGHT_THRESHOLD)
    white = 0
    for c in range(3):
        # Counting down from the top bin to bin 33, the first where the running total passes
        # the threshold (LibRaw's loop); 32 when none does.
        above = np.cumsum(histogram[c][0x1FFF:32:-1])
        passed = np.nonzero(above > threshold)[0]
        white = max(white, 0x1FFF - int(passed[0]) if passed.size else 32)
    return white << 3


@functools.lru_cache(maxsize=8)
def _curve(white: int) -> np.ndarray:
    """LibRaw's output curve (gamma_curve, mode 2) for this white point, as an 8-bit lookup
    table of its 65536 levels."""
    power, slope = _GAMMA
    g = _gamma_parameters(power, slope)
    levels = np.arange(0x10000, dtype=np.float64) / white
    with np.errstate(divide="ignore", invalid="ignore"):
        encoded = np.where(levels < g[3], levels * g[1],
                           np.power(levels, g[0]) * (1 + g[4]) - g[4])
    curve = np.where(levels < 1, np.floor(0x10000 * encoded), 0xFFFF)
    return (np.clip(curve, 0, 0xFFFF).astype(np.uint32) >> 8).astype(np.uint8)


def _gamma_parameters(power: float, slope: float) -> list[float]:
    """dcraw's gamma_curve: where the linear toe meets the power curve, and its offset."""
    g = [power, slope, 0.0, 0.0, 0.0]
    bounds = [0.0, 0.0]
    bounds[1 if g[1] >= 1 else 0] = 1.0
    if g[1] and (g[1] - 1) * (g[0] - 1) <= 0:
        for _ in range(48):
            g[2] = (bounds[0] + bounds[1]) / 2
            if g[0]:
                side = (math.pow(g[2] / g[1], -g[0]) - 1) / g[0] - 1 / g[2] > -1
            else:
                side = g[2] / math.exp(1 - 1 / g[2]) < g[1]
            bounds[1 if side else 0] = g[2]
        g[3] = g[2] / g[1]
        if g[0]:
            g[4] = g[2] * (1 / g[0] - 1)
    return g
