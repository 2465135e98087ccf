"""The synthetic DNG generator: LibRaw reads its files as a camera's, and the ingest's decoder
takes the path the benchmark means to measure (embedded preview, or half-size decode)."""

import io
from datetime import datetime

import numpy as np
import pytest
import rawpy
from PIL import Image

from bench import dng
from booker import services
from booker.intake import imaging

W, H = 600, 400
VARIANTS = {"full": dng.FULL, "sony": dng.SONY, "none": None}  # sony: 162×108 here


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dng")
    return {
        name: dng.write_dng(folder / f"{name}.dng", W, H, preview=preview, seed=3)
        for name, preview in VARIANTS.items()
    }


@pytest.mark.parametrize("name", VARIANTS)
def test_libraw_reads_a_14_bit_rggb_sensor(files, name):
    with rawpy.imread(str(files[name])) as raw:
        # rawpy numbers the second green 3: RGGB reads [[R, G], [G2, B]].
        assert raw.raw_pattern.tolist() == [[0, 1], [3, 2]]
        assert raw.color_desc == b"RGBG"
        assert (raw.sizes.raw_width, raw.sizes.raw_height) == (W, H)
        assert (raw.sizes.width, raw.sizes.height, raw.sizes.flip) == (W, H, 0)
        assert raw.black_level_per_channel == [512] * 4
        assert raw.white_level == 16383
        assert 0 < raw.raw_image.min() and raw.raw_image.max() <= 16383
        assert raw.camera_whitebalance[1] == 1.0 and raw.camera_whitebalance[0] > 1.5
        rgb = raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8)
    assert rgb.shape == (H // 2, W // 2, 3)


def test_the_picture_is_a_landscape_in_the_right_colours(files):
    """A swapped CFA or a wrong matrix shows: the sky must come out blue, the meadow green,
    and the decode must match the camera's own preview."""
    with rawpy.imread(str(files["full"])) as raw:
        rgb = raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8).astype(float)
        preview = Image.open(io.BytesIO(raw.extract_thumb().data)).convert("RGB")
    sky, meadow = rgb[:20].mean(axis=(0, 1)), rgb[-20:].mean(axis=(0, 1))
    assert sky[2] > sky[0] + 30
    assert meadow[1] > meadow[0] + 20 and meadow[1] > meadow[2] + 20
    small = np.asarray(preview.resize((W // 2, H // 2)), float)
    assert np.corrcoef(small.mean(axis=2).ravel(), rgb.mean(axis=2).ravel())[0, 1] > 0.9


@pytest.mark.parametrize("name, size", [("full", (W, H)), ("sony", (162, 108))])
def test_the_preview_is_the_files_jpeg_thumbnail(files, name, size):
    with rawpy.imread(str(files[name])) as raw:
        thumb = raw.extract_thumb()
    assert thumb.format == rawpy.ThumbFormat.JPEG
    img = Image.open(io.BytesIO(thumb.data))
    assert (img.format, img.size) == ("JPEG", size)


def test_without_preview_there_is_no_thumbnail(files):
    with rawpy.imread(str(files["none"])) as raw, pytest.raises(rawpy.LibRawNoThumbnailError):
        raw.extract_thumb()


def is_the_preview(picture: Image.Image, path) -> bool:
    """The picture is the embedded JPEG (at any draft scale), not LibRaw's rendering of the
    sensor data, which differs by ~16 levels on average."""
    with rawpy.imread(str(path)) as raw:
        preview = Image.open(io.BytesIO(raw.extract_thumb().data)).convert("RGB")

    def small(img):
        return np.asarray(img.resize((150, 100), Image.Resampling.BOX), float)

    return np.abs(small(picture) - small(preview)).mean() < 2


@pytest.mark.parametrize(
    "name, size", [("full", (W, H)), ("sony", (W // 2, H // 2)), ("none", (W // 2, H // 2))]
)
def test_open_picture_takes_the_preview_only_when_it_is_big_enough(files, name, size):
    picture = imaging.open_picture(files[name], W)
    assert picture.size == size
    if name != "none":
        assert is_the_preview(picture, files[name]) == (name == "full")


def test_metadata_as_the_ingest_reads_it(files):
    captured, camera = imaging.read_metadata(files["full"].read_bytes())
    assert (captured, camera) == (datetime(2026, 6, 13, 14, 30, 3), "Booke Synthetic")


def test_same_seed_same_file_other_seed_other_picture(tmp_path):
    a = dng.write_dng(tmp_path / "a.dng", 64, 48, preview=None, seed=7).read_bytes()
    b = dng.write_dng(tmp_path / "b.dng", 64, 48, preview=None, seed=7).read_bytes()
    c = dng.write_dng(tmp_path / "c.dng", 64, 48, preview=None, seed=8).read_bytes()
    assert a == b
    assert a != c


def test_bad_sizes_are_refused(tmp_path):
    with pytest.raises(ValueError):
        dng.write_dng(tmp_path / "odd.dng", 601, 400)


def test_cli(tmp_path, capsys):
    out = tmp_path / "cli.dng"
    assert dng.run([str(out), "--width", "600", "--height", "400", "--preview", "sony"]) == 0
    assert "600x400 RGGB 14-bit  preview 162x108 JPEG" in capsys.readouterr().out
    with rawpy.imread(str(out)) as raw:
        assert Image.open(io.BytesIO(raw.extract_thumb().data)).size == (162, 108)


def test_24_mp_files_take_the_paths_the_benchmark_measures(tmp_path):
    """Full size, as `bench proofs` gets them (~5 s): a sensor-sized preview is the proof's
    source; a Sony-sized one is too small, so the sensor is binned at half size (LibRaw's
    arithmetic, booker/halfsize.py) and scaled down to the proof as it is binned."""
    full = dng.write_dng(tmp_path / "full.dng", preview=dng.FULL)
    sony = dng.write_dng(tmp_path / "sony.dng", preview=dng.SONY)
    assert 48e6 < sony.stat().st_size < full.stat().st_size < 53e6
    for path, thumb_size in ((full, (6000, 4000)), (sony, (1620, 1080))):
        with rawpy.imread(str(path)) as raw:
            assert raw.raw_pattern.tolist() == [[0, 1], [3, 2]]
            assert (raw.sizes.raw_width, raw.sizes.raw_height) == (6000, 4000)
            assert Image.open(io.BytesIO(raw.extract_thumb().data)).size == thumb_size
    picture = imaging.open_picture(full, services.PROOF_EDGE)
    assert picture.size == (3000, 2000)  # the JPEG draft decodes the preview at half size
    assert is_the_preview(picture, full)
    picture = imaging.open_picture(sony, services.PROOF_EDGE)
    assert picture.size == (2048, 1365)  # half size is 3000×2000: never held whole
    assert not is_the_preview(picture, sony)
