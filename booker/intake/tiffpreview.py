"""Where a camera file keeps its embedded JPEG preview, found from its TIFF structure with a
few small reads — so that a RAW on S3 gives its preview for two ranged GETs (the header, the
JPEG) instead of a download of the whole 25–80 MB file.

DNG, CR2, NEF, ARW, ORF, PEF, RW2-style files are TIFF underneath: IFDs (tables of tags)
chained from the header and nested as SubIFDs. A preview is an IFD whose image is a JPEG,
given by JPEGInterchangeFormat/Length (513/514) or by one strip (273/279) with JPEG
compression (6 or 7). The RAW data itself can be JPEG-compressed too (lossless JPEG, in DNG
and CR2): it is told apart by its NewSubFileType (0: the main image), its photometric
interpretation (CFA or linear raw), and finally by Pillow, which refuses lossless JPEG.

Anything unexpected — not TIFF, a truncated or looping structure — gives no preview, and the
caller falls back on LibRaw reading the whole file: this module never fails a rush."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

ReadAt = Callable[[int, int], bytes]

BLOCK = 64 * 1024
# The first read from S3: most cameras write the preview just after the header, so one GET of
# this much usually holds the IFDs *and* the JPEG — one round trip (10–50 ms on S3) instead
# of two, for a few MB that are read anyway.
HEAD_READ = 4 * 1024 * 1024
MAX_IFDS = 24
MAX_ENTRIES = 1000

_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_CFA, _LINEAR_RAW = 32803, 34892


class Blocks:
    """`read_at(offset, length)` over a file of `size` bytes, by aligned blocks kept once read:
    the TIFF walk makes many tiny reads close together, each a round trip on S3."""

    def __init__(self, read_at: ReadAt, size: int, block: int = BLOCK, first_read: int = 0):
        self._read_at, self.size, self._block = read_at, size, block
        self._cache: dict[int, bytes] = {}
        self._first_read = min(size, first_read)

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise _Malformed(f"read past the end ({offset}+{length} > {self.size})")
        first, last = offset // self._block, (offset + length - 1) // self._block
        missing = [k for k in range(first, last + 1) if k not in self._cache]
        if missing and self._first_read:
            head, self._first_read = self._read_at(0, self._first_read), 0
            for k in range(0, -(-len(head) // self._block)):
                self._cache[k] = head[k * self._block:(k + 1) * self._block]
            missing = [k for k in range(first, last + 1) if k not in self._cache]
        if missing:
            # One request for the whole run of missing blocks.
            start = missing[0] * self._block
            end = min(self.size, (missing[-1] + 1) * self._block)
            data = self._read_at(start, end - start)
            for k in missing:
                at = k * self._block - start
                self._cache[k] = data[at:at + self._block]
        joined = b"".join(self._cache[k] for k in range(first, last + 1))
        at = offset - first * self._block
        return joined[at:at + length]

    def read_direct(self, offset: int, length: int) -> bytes:
        """A large read (the preview itself): from the blocks already read when they hold
        it, else one read, not cached."""
        if offset < 0 or length <= 0 or offset + length > self.size:
            raise _Malformed("preview outside the file")
        first, last = offset // self._block, (offset + length - 1) // self._block
        if all(k in self._cache for k in range(first, last + 1)):
            return self.read(offset, length)
        return self._read_at(offset, length)

    def head(self) -> bytes:
        """The bytes read so far from the start of the file without a gap (the first read):
        a download of the whole file can go on from there."""
        return b"".join(self.head_blocks())

    def head_blocks(self) -> Iterator[bytes]:
        """`head()` block by block, without joining them into one more copy."""
        k = 0
        while k in self._cache:
            yield self._cache[k]
            if len(self._cache[k]) < self._block:
                break
            k += 1

    def forget(self) -> None:
        """Drop the blocks read (megabytes for a first read): a decode needs the memory."""
        self._cache.clear()

    def file(self) -> io.BufferedReader:
        """The file as a seekable reader (for exifread), reading through the cache."""
        return io.BufferedReader(_BlocksIO(self), buffer_size=4096)


class _BlocksIO(io.RawIOBase):
    def __init__(self, blocks: Blocks):
        self._blocks, self._pos = blocks, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._blocks.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:
        length = min(len(buffer), max(0, self._blocks.size - self._pos))
        if not length:
            return 0
        data = self._blocks.read(self._pos, length)
        buffer[:length] = data
        self._pos += length
        return length


class _Malformed(Exception):
    pass


@dataclass(frozen=True)
class Preview:
    offset: int
    length: int
    width: int  # 0 when the IFD does not say
    height: int
    orientation: int  # IFD0's Orientation tag (1: upright)


def find_previews(blocks: Blocks) -> list[Preview]:
    """The file's JPEG previews, largest first (by pixels when known, then by bytes); []
    when the file is not TIFF-structured or its structure cannot be trusted."""
    try:
        return _walk(blocks)
    except (_Malformed, struct.error, KeyError, IndexError, ValueError):
        return []


def _walk(blocks: Blocks) -> list[Preview]:
    if blocks.size < 16:
        return []
    head = blocks.read(0, 8)
    if head[:4] == b"II*\x00":
        order = "<"
    elif head[:4] == b"MM\x00*":
        order = ">"
    else:
        return []
    (first,) = struct.unpack(order + "I", head[4:8])
    found: list[Preview] = []
    seen: set[int] = set()
    orientation = 1
    # (offset, depth): IFD0's chain at depth 0, SubIFDs one deeper.
    todo = [(first, 0)]
    while todo and len(seen) < MAX_IFDS:
        at, depth = todo.pop(0)
        if at == 0 or at in seen:
            continue
        seen.add(at)
        tags, following = _ifd(blocks, order, at)
        if at == first:
            orientation = tags.get(274, (1,))[0]
        if following:
            todo.append((following, depth))
        if depth < 2:
            todo.extend((sub, depth + 1) for sub in tags.get(330, ()))
        preview = _preview_of(tags, orientation)
        if preview is not None and preview.offset + preview.length <= blocks.size:
            found.append(preview)
    found.sort(key=lambda p: (p.width * p.height, p.length), reverse=True)
    return found


def _ifd(blocks: Blocks, order: str, at: int) -> tuple[dict[int, tuple[int, ...]], int]:
    (count,) = struct.unpack(order + "H", blocks.read(at, 2))
    if count > MAX_ENTRIES:
        raise _Malformed("too many entries")
    table = blocks.read(at + 2, count * 12 + 4)
    tags: dict[int, tuple[int, ...]] = {}
    for i in range(count):
        tag, typ, n, raw = struct.unpack(order + "HHI4s", table[i * 12:i * 12 + 12])
        if tag not in (254, 256, 257, 259, 262, 273, 274, 279, 330, 513, 514):
            continue
        size = _SIZES.get(typ)
        if size is None or n == 0 or n > 4096:
            continue
        data = raw if size * n <= 4 else blocks.read(struct.unpack(order + "I", raw)[0], size * n)
        if typ == 3:
            tags[tag] = struct.unpack(f"{order}{n}H", data[:2 * n])
        elif typ in (4, 13):
            tags[tag] = struct.unpack(f"{order}{n}I", data[:4 * n])
    (following,) = struct.unpack(order + "I", table[count * 12:count * 12 + 4])
    return tags, following


def _preview_of(tags: dict[int, tuple[int, ...]], orientation: int) -> Preview | None:
    kind = tags.get(254, (0,))[0]
    photometric = tags.get(262, (0,))[0]
    if photometric in (_CFA, _LINEAR_RAW):
        return None  # the sensor data, however it is compressed
    width, height = tags.get(256, (0,))[0], tags.get(257, (0,))[0]
    if 513 in tags and 514 in tags:
        offset, length = tags[513][0], tags[514][0]
    elif tags.get(259, (0,))[0] in (6, 7) and len(tags.get(273, ())) == 1 and 279 in tags:
        if kind == 0 and photometric not in (2, 6):
            return None  # a main image that is not plainly RGB/YCbCr: raw data
        offset, length = tags[273][0], tags[279][0]
    else:
        return None
    if length < 1024 or offset <= 0:
        return None
    return Preview(offset, length, width, height, orientation)
