"""The embedded preview found from a RAW's TIFF structure with a few small reads; anything odd
gives no preview (LibRaw then reads the whole file), never an error."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from booker.intake import imaging, tiffpreview


def blocks_of(data: bytes, reads: list | None = None) -> tiffpreview.Blocks:
    def read_at(offset: int, length: int) -> bytes:
        if reads is not None:
            reads.append((offset, length))
        return data[offset:offset + length]

    return tiffpreview.Blocks(read_at, len(data))


def jpeg(size: tuple[int, int], color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=80)
    return out.getvalue()


def tiff(ifds: list[dict[int, tuple[int, tuple]]], blobs: list[bytes], order: str = "<",
         sub: dict[int, list[int]] | None = None) -> bytes:
    """A little-endian TIFF: IFD i chained to i+1, except those listed as SubIFDs of another
    (sub = {parent: [children]}); `(513, (4, ("blob", k)))` points at blob k."""
    sub = sub or {}
    children = {c for cs in sub.values() for c in cs}
    chain = [i for i in range(len(ifds)) if i not in children]
    header = (b"II*\x00" if order == "<" else b"MM\x00*")
    sizes = [2 + 12 * (len(ifd) + (1 if i in sub else 0)) + 4 for i, ifd in enumerate(ifds)]
    at, offsets = 8, []
    for size in sizes:
        offsets.append(at)
        at += size
    blob_at = []
    for blob in blobs:
        blob_at.append(at)
        at += len(blob)
    out = bytearray(header + struct.pack(order + "I", offsets[chain[0]]))
    for i, ifd in enumerate(ifds):
        entries = dict(ifd)
        if i in sub:
            entries[330] = (4, tuple(offsets[c] for c in sub[i]))
        out += struct.pack(order + "H", len(entries))
        for tag in sorted(entries):
            typ, values = entries[tag]
            values = tuple(blob_at[v[1]] if isinstance(v, tuple) else v for v in values)
            fmt = "H" if typ == 3 else "I"
            packed = struct.pack(f"{order}{len(values)}{fmt}", *values)
            assert len(packed) <= 4, "keep test values inline"
            out += struct.pack(order + "HHI", tag, typ, len(values)) + packed.ljust(4, b"\0")
        following = 0
        if i in chain and chain.index(i) + 1 < len(chain):
            following = offsets[chain[chain.index(i) + 1]]
        out += struct.pack(order + "I", following)
    for blob in blobs:
        out += blob
    return bytes(out)


def test_the_largest_jpeg_preview_is_found_and_decoded_upright_from_ifd0s_orientation():
    small, large = jpeg((300, 200)), jpeg((3000, 2000), (10, 200, 10))
    data = tiff(
        [{254: (4, (1,)), 274: (3, (6,)), 513: (4, (("blob", 0),)), 514: (4, (len(small),))},
         {254: (4, (1,)), 256: (4, (3000,)), 257: (4, (2000,)), 259: (3, (7,)),
          262: (3, (6,)), 273: (4, (("blob", 1),)), 279: (4, (len(large),))}],
        [small, large], sub={0: [1]},
    )
    found = tiffpreview.find_previews(blocks_of(data))
    assert [(p.width, p.length, p.orientation) for p in found] == [
        (3000, len(large), 6), (0, len(small), 6)]
    picture = imaging.tiff_preview(blocks_of(data), 2048)
    # Orientation 6: the camera was held upright; the landscape preview is turned to portrait
    # (decoded by JPEG draft at no less than the proof's 2048 px).
    assert picture.size[0] < picture.size[1] and max(picture.size) >= 2048
    assert picture.getpixel((10, 10))[1] > 150  # the large one, not the red thumbnail


def test_sensor_data_compressed_as_jpeg_is_never_taken_for_a_preview():
    raw_as_jpeg = jpeg((3000, 2000))
    data = tiff([{254: (4, (0,)), 259: (3, (7,)), 262: (3, (32803,)),
                  273: (4, (("blob", 0),)), 279: (4, (len(raw_as_jpeg),))}], [raw_as_jpeg])
    assert tiffpreview.find_previews(blocks_of(data)) == []


def test_a_preview_the_ifd_says_is_too_small_is_not_even_fetched():
    thumb = jpeg((1620, 1080))
    data = tiff([{254: (4, (1,)), 256: (4, (1620,)), 257: (4, (1080,)),
                  513: (4, (("blob", 0),)), 514: (4, (len(thumb),))}], [thumb])
    reads: list = []
    assert imaging.tiff_preview(blocks_of(data, reads), 2048) is None
    assert all(offset + length <= tiffpreview.BLOCK for offset, length in reads), reads


@pytest.mark.parametrize("damage", ["truncated", "loop", "not tiff", "points outside"])
def test_a_damaged_structure_gives_no_preview_and_no_error(damage):
    big = jpeg((2400, 1600))
    data = tiff([{254: (4, (1,)), 513: (4, (("blob", 0),)), 514: (4, (len(big),))}], [big])
    if damage == "truncated":
        data = data[:20]
    elif damage == "loop":
        data = tiff([{254: (4, (1,))}, {254: (4, (1,))}], [])
        data = data[:8 + 2 + 12 + 0] + struct.pack("<I", 8) + data[8 + 2 + 12 + 4:]
    elif damage == "not tiff":
        data = b"\x00" * 64 + data
    else:
        data = data[:-len(big) // 2]  # the preview runs past the end of the file
    assert imaging.tiff_preview(blocks_of(data), 2048) is None


def test_blocks_fetch_a_run_of_missing_blocks_in_one_read_and_never_twice():
    data = bytes(range(256)) * 2048  # 512 KiB
    reads: list = []
    blocks = blocks_of(data, reads)
    assert blocks.read(100, 10) == data[100:110]
    assert blocks.read(60_000, 10_000) == data[60_000:70_000]  # spans blocks 0 and 1
    assert blocks.read(5, 5) == data[5:10]
    assert reads == [(0, tiffpreview.BLOCK), (tiffpreview.BLOCK, tiffpreview.BLOCK)]
    exif = blocks.file()
    exif.seek(65_530)
    assert exif.read(20) == data[65_530:65_550]


def test_a_first_read_fetches_the_head_at_once_and_serves_the_preview_from_it():
    big = jpeg((2400, 1600))
    data = tiff([{254: (4, (1,)), 513: (4, (("blob", 0),)), 514: (4, (len(big),))}], [big])
    data += bytes(3 * 1024 * 1024)  # the sensor data after the preview
    reads: list = []
    blocks = tiffpreview.Blocks(lambda at, n: reads.append((at, n)) or data[at:at + n],
                                len(data), first_read=2 * 1024 * 1024)
    assert imaging.tiff_preview(blocks, 2048) is not None
    assert reads == [(0, 2 * 1024 * 1024)]
