"""The half-size decode made in strips (booker/halfsize.py) against LibRaw's own, and the
memory-saving resize and watermark against Pillow's plain calls."""

from pathlib import Path

import numpy as np
import pytest
import rawpy
from django.conf import settings
from PIL import Image

from bench.dng import write_dng
from booker.intake import halfsize, imaging

SAMPLES = Path(settings.STUDIO_SAMPLES_DIR) / "raw"
KODAK = SAMPLES / "kodak_dc50.kdc"
needs_samples = pytest.mark.skipif(
    not KODAK.is_file(), reason=f"sample RAW files not found in {SAMPLES}"
)


def libraw_half_size(path: Path, **options) -> np.ndarray:
    with rawpy.imread(str(path)) as raw:
        return raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8, **options)


def difference(ours: np.ndarray, theirs: np.ndarray) -> tuple[np.ndarray, int]:
    """Mean absolute difference per channel, and the largest, in 8-bit levels."""
    assert ours.shape == theirs.shape
    diff = np.abs(ours.astype(np.int16) - theirs.astype(np.int16))
    return diff.reshape(-1, 3).mean(axis=0), int(diff.max())


@needs_samples
def test_a_real_cameras_mosaic_is_binned_as_libraw_does_to_the_level():
    # The Kodak DC50 (GRBG, 768×512): rawpy does not show its colour matrix, so its proofs
    # stay on LibRaw; in the camera's own RGB, everything else of the arithmetic (Bayer
    # layout, black, white balance, green mix, auto-brightness, gamma) is compared.
    with rawpy.imread(str(KODAK)) as raw:
        ours = halfsize.half_size_rgb(raw, raw_colour=True)
    mean, largest = difference(ours, libraw_half_size(KODAK, output_color=rawpy.ColorSpace.raw))
    assert (mean < 0.05).all() and largest <= 1, (mean, largest)


@needs_samples
def test_a_camera_whose_colour_matrix_is_not_visible_is_left_to_libraw():
    with rawpy.imread(str(KODAK)) as raw:
        assert halfsize.half_size_rgb(raw) is None
    assert imaging.open_picture(KODAK, 2048).size == (384, 256)


@needs_samples
@pytest.mark.parametrize("flip", [3, 5, 6])
def test_a_turned_raw_comes_out_upright_as_libraw_turns_it(flip):
    with rawpy.imread(str(KODAK)) as raw:
        ours = Image.fromarray(halfsize.half_size_rgb(raw, raw_colour=True))
    upright = np.asarray(ours.transpose(imaging._FLIP_TO_TRANSPOSE[flip]))
    theirs = libraw_half_size(KODAK, output_color=rawpy.ColorSpace.raw, user_flip=flip)
    assert difference(upright, theirs)[1] <= 1


@pytest.mark.parametrize("seed", [1, 2])
def test_a_synthetic_dngs_binned_proof_has_libraws_colours_within_a_level(tmp_path, seed):
    # RGGB, black 512, a colour matrix and as-shot white balance: the sRGB path in full.
    path = write_dng(tmp_path / "IMG.DNG", 600, 400, preview="sony", seed=seed)
    with rawpy.imread(str(path)) as raw:
        ours = halfsize.half_size_rgb(raw)
    mean, largest = difference(ours, libraw_half_size(path))
    assert (mean < 0.1).all() and largest <= 1, (mean, largest)


def test_a_raw_whose_preview_is_too_small_is_binned_not_postprocessed(tmp_path, monkeypatch):
    path = write_dng(tmp_path / "IMG.DNG", 600, 400, preview="sony", seed=3)
    made = []
    real = halfsize.half_size_picture
    monkeypatch.setattr(halfsize, "half_size_picture",
                        lambda raw, edge: made.append(edge) or real(raw, edge))
    picture = imaging.open_picture(path, 2048)
    assert made == [2048] and picture.size == (300, 200)
    mean, largest = difference(np.asarray(picture), libraw_half_size(path))
    assert (mean < 0.1).all() and largest <= 1


@pytest.mark.parametrize(("width", "height"), [(800, 600), (600, 800), (1000, 404)])
def test_the_proof_scaled_as_the_strips_come_is_the_fitted_half_size_picture(
    tmp_path, width, height
):
    # Scaled down while binning (only the proof is held beside the sensor data): the same
    # pixels as binning the whole half-size picture and fitting it, within one level.
    path = write_dng(tmp_path / "IMG.DNG", width, height, preview=None, seed=6)
    with rawpy.imread(str(path)) as raw:
        streamed = halfsize.half_size_picture(raw, 250)
        whole = imaging.fit(Image.fromarray(halfsize.half_size_rgb(raw)), 250)
    assert streamed.size == whole.size and max(streamed.size) == 250
    diff = np.abs(np.asarray(streamed).astype(np.int16) - np.asarray(whole).astype(np.int16))
    assert diff.max() <= 1 and diff.mean() < 0.01


@pytest.mark.parametrize("size", [(3000, 2000), (2000, 3000), (2100, 2100), (4096, 2731)])
def test_the_banded_resize_gives_the_whole_resizes_pixels(size):
    rng = np.random.default_rng(5)
    img = Image.fromarray(rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8))
    proof = imaging.fit(img, 2048)
    scale = 2048 / max(size)
    whole = img.resize((round(size[0] * scale), round(size[1] * scale)),
                       Image.Resampling.LANCZOS, reducing_gap=2.0)
    assert proof.size == whole.size
    diff = np.abs(np.asarray(proof).astype(np.int16) - np.asarray(whole).astype(np.int16))
    assert diff.max() <= 1 and diff.mean() < 0.01


def test_the_watermark_is_the_same_blend_as_an_rgba_composite():
    rng = np.random.default_rng(6)
    pixels = rng.integers(0, 256, size=(300, 450, 3), dtype=np.uint8)
    img = Image.fromarray(pixels)
    composite = Image.alpha_composite(img.convert("RGBA"),
                                      imaging._mark_layer(img.size, "© Studio Booké"))
    marked = imaging.watermark(img, "© Studio Booké")
    assert marked.mode == "RGB"
    assert np.array_equal(np.asarray(marked), np.asarray(composite.convert("RGB")))
    assert not np.array_equal(np.asarray(marked), np.asarray(img)), "the mark is there"
    assert np.array_equal(np.asarray(img), pixels), "the proof given is left untouched"


def test_the_cluster_parent_draws_both_proof_watermarks_before_forking_its_workers(settings):
    from PIL import Image

    from booker.intake import imaging, ingest

    imaging._mark_bands.cache_clear()
    ingest.warm_up_before_fork()
    misses = imaging._mark_bands.cache_info().misses

    # A worker's first landscape and portrait proofs find the layers made in the parent.
    imaging.watermark(Image.new("RGB", (2048, 1365)), settings.STUDIO_WATERMARK)
    imaging.watermark(Image.new("RGB", (1365, 2048)), settings.STUDIO_WATERMARK)
    assert imaging._mark_bands.cache_info().misses == misses == 2
