"""Mutated camera files for the ingest's fuzz test (issue 22, "Fuzzed RAWs"): from a few small
valid inputs, a seeded and so repeatable set of damaged copies — truncated, bytes flipped, TIFF
header fields lying about sizes and offsets, IFD chains that loop.

Small inputs only (600×400 DNGs, the smallest sample RAWs): the test decodes every mutant in a
real cluster, and a 24 MP file costs seconds a decode."""

from __future__ import annotations

import hashlib
import random
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.dng import write_dng

# The TIFF fields whose lies reach the decoders' arithmetic: where the pixels are, how many
# bytes, how large the picture is, how deep its samples, where the next tables are.
LYING_TAGS = {
    256: "ImageWidth", 257: "ImageLength", 258: "BitsPerSample", 273: "StripOffsets",
    277: "SamplesPerPixel", 278: "RowsPerStrip", 279: "StripByteCounts", 330: "SubIFDs",
    513: "JPEGInterchangeFormat", 514: "JPEGInterchangeFormatLength", 34665: "ExifIFD",
    50714: "BlackLevel", 50717: "WhiteLevel",
}
_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}


@dataclass(frozen=True)
class Entry:
    at: int  # the 12-byte entry's offset in the file
    tag: int
    type: int
    count: int


@dataclass(frozen=True)
class Layout:
    endian: str
    entries: list[Entry]
    next_links: list[int]  # offsets of the 4-byte "next IFD" fields
    ifds: list[int]  # offsets of the IFDs found


def layout(data: bytes) -> Layout | None:
    """The TIFF structure of a file (IFD0's chain, SubIFDs, EXIF), or None when not TIFF."""
    if data[:4] == b"II*\x00":
        e = "<"
    elif data[:4] == b"MM\x00*":
        e = ">"
    else:
        return None
    entries: list[Entry] = []
    links: list[int] = []
    seen: set[int] = set()
    todo = [struct.unpack(e + "I", data[4:8])[0]]
    while todo and len(seen) < 32:
        at = todo.pop(0)
        if at in seen or at + 2 > len(data):
            continue
        seen.add(at)
        (n,) = struct.unpack(e + "H", data[at:at + 2])
        if at + 2 + 12 * n + 4 > len(data) or n > 500:
            continue
        for i in range(n):
            where = at + 2 + 12 * i
            tag, typ, count = struct.unpack(e + "HHI", data[where:where + 8])
            entries.append(Entry(where, tag, typ, count))
            if tag in (330, 34665) and typ in (4, 13) and count >= 1:
                value_at = where + 8
                if count * 4 > 4:
                    (value_at,) = struct.unpack(e + "I", data[where + 8:where + 12])
                for k in range(min(count, 8)):
                    if value_at + 4 * k + 4 <= len(data):
                        todo.append(struct.unpack(e + "I", data[value_at + 4 * k:
                                                                 value_at + 4 * k + 4])[0])
        link = at + 2 + 12 * n
        links.append(link)
        (following,) = struct.unpack(e + "I", data[link:link + 4])
        if following:
            todo.append(following)
    return Layout(e, entries, links, sorted(seen))


def truncated(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    # Inside the header and tables as often as inside the pixels: the tables are where the
    # decoders trust what they read.
    where = rng.choice(["header", "tables", "anywhere", "near the end"])
    if where == "header":
        cut = rng.randrange(1, 16)
    elif where == "tables":
        cut = rng.randrange(16, min(len(data), 4096))
    elif where == "near the end":
        cut = len(data) - rng.randrange(1, 64)
    else:
        cut = rng.randrange(1, len(data))
    return data[:cut], f"truncated at {cut} of {len(data)}"


def flipped(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    out = bytearray(data)
    count = rng.choice([1, 2, 8, 64, 512])
    # Half the flips in the first 4 KiB (header, tables), the rest anywhere.
    for _ in range(count):
        span = min(len(out), 4096) if rng.random() < 0.5 else len(out)
        out[rng.randrange(span)] ^= 1 << rng.randrange(8)
    return bytes(out), f"{count} bits flipped"


def lying(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    lay = layout(data)
    if lay is None:
        return None
    candidates = [en for en in lay.entries if en.tag in LYING_TAGS]
    if not candidates:
        return None
    en = rng.choice(candidates)
    size = len(data)
    value = rng.choice([0, 1, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, size, size + 1, size * 7,
                        size - 1, 65535 * 4])
    out = bytearray(data)
    e = lay.endian
    if rng.random() < 0.25:
        # The count lies instead: an array of a billion offsets.
        count = rng.choice([0, 0xFFFF, 0x3FFFFFFF, 0xFFFFFFFF])
        out[en.at + 4:en.at + 8] = struct.pack(e + "I", count)
        what = f"{LYING_TAGS[en.tag]} count {count}"
    elif _SIZES.get(en.type, 1) * en.count <= 4:
        # The value itself is in the entry: every one of its values lies.
        width = _SIZES.get(en.type, 1)
        fmt = {1: "B", 2: "H", 4: "I", 8: "Q"}[width if width in (1, 2, 4) else 4]
        for k in range(max(1, min(en.count, 4 // width))):
            out[en.at + 8 + k * width:en.at + 8 + (k + 1) * width] = struct.pack(
                e + fmt, value & ((1 << (8 * width)) - 1))
        what = f"{LYING_TAGS[en.tag]} = {value}"
    else:
        # The values are elsewhere: the entry's offset to them lies.
        out[en.at + 8:en.at + 12] = struct.pack(e + "I", value)
        what = f"{LYING_TAGS[en.tag]} values at {value}"
    return bytes(out), what


def looping(data: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    lay = layout(data)
    if lay is None or not lay.next_links:
        return None
    out = bytearray(data)
    link = rng.choice(lay.next_links)
    target = rng.choice(lay.ifds)
    out[link:link + 4] = struct.pack(lay.endian + "I", target)
    what = f"next IFD at {link} loops to {target}"
    sub = [en for en in lay.entries if en.tag in (330, 34665) and en.count == 1]
    if sub and rng.random() < 0.5:
        # A SubIFD pointing back at the table that holds it.
        en = rng.choice(sub)
        out[en.at + 8:en.at + 12] = struct.pack(lay.endian + "I", lay.ifds[0])
        what += f", {LYING_TAGS[en.tag]} back to IFD0"
    return bytes(out), what


MUTATIONS = {"truncated": truncated, "flipped": flipped, "lying": lying, "looping": looping}
# Lies and loops are what a byte flip rarely produces: weighted up.
WEIGHTS = {"truncated": 3, "flipped": 3, "lying": 4, "looping": 1}


@dataclass(frozen=True)
class Mutant:
    name: str
    data: bytes
    source: str
    mutation: str
    what: str


def inputs(folder: Path, samples: Path | None) -> list[tuple[str, str, bytes]]:
    """(label, extension, bytes) of the valid files the mutants come from."""
    found = []
    for label, preview, seed in (("dng-preview", (600, 400), 1), ("dng-bare", None, 2)):
        path = write_dng(folder / f"{label}.dng", 600, 400, preview=preview, seed=seed)
        found.append((label, "DNG", path.read_bytes()))
    if samples is not None and samples.is_dir():
        # The smallest of the real cameras' files (under 1 MB): their makers' own layouts.
        for path in sorted(samples.iterdir(), key=lambda p: p.stat().st_size):
            if path.stat().st_size <= 1024 * 1024:
                found.append((path.stem, path.suffix.lstrip(".").upper(), path.read_bytes()))
    return found


def mutants(sources: list[tuple[str, str, bytes]], count: int = 300,
            seed: int = 22) -> Iterator[Mutant]:
    """`count` distinct mutants (the import skips a file it already has), the same ones for
    the same seed; the sources in turn."""
    rng = random.Random(seed)
    kinds = [k for k, w in WEIGHTS.items() for _ in range(w)]
    seen = {hashlib.sha256(data).digest() for _, _, data in sources}
    made = 0
    while made < count:
        label, ext, data = sources[made % len(sources)]
        kind = rng.choice(kinds)
        result = MUTATIONS[kind](data, rng)
        if result is None:
            continue
        mutated, what = result
        digest = hashlib.sha256(mutated).digest()
        if digest in seen or not mutated:
            continue
        seen.add(digest)
        yield Mutant(f"FUZZ_{made:04}.{ext}", mutated, label, kind, what)
        made += 1
