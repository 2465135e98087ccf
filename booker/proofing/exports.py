"""The client's picks, in the forms a photographer's RAW software understands.

Pure functions: they take the picks (what `selectors.picks` returns, or any objects with the
same few attributes) and return text or bytes; the admin only wraps them in responses.

The point of each export is to find the picks again among the RAWs on the photographer's disk,
so everything is keyed on the file's *stem* (`IMG_0012` for `IMG_0012.CR2`): the proofs are
JPEGs, the RAWs are not, the stem is what they share."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

from booker.csvsafe import safe_row


class _RushLike(Protocol):
    original_filename: str


class PickLike(Protocol):
    """A `SelectionItem` with its rush — or anything shaped like one."""

    rush: _RushLike
    picked: bool
    comment: str


@dataclass(frozen=True)
class Pick:
    filename: str
    picked: bool
    comment: str

    @property
    def stem(self) -> str:
        return stem_of(self.filename)


def stem_of(filename: str) -> str:
    # Uploads from Windows may carry backslashes; the stem is the last component's.
    return PurePath(filename.replace("\\", "/")).stem


def as_picks(items: Iterable[PickLike]) -> list[Pick]:
    """Plain values, sorted by file name, so every export lists the same files in one order."""
    picks = [Pick(i.rush.original_filename, bool(i.picked), i.comment or "") for i in items]
    return sorted(picks, key=lambda p: (p.filename.lower(), p.filename))


def _picked_by_stem(items: Iterable[PickLike]) -> dict[str, list[Pick]]:
    """Picked files grouped by stem: a RAW+JPEG pair is one photo, and one sidecar serves both."""
    grouped: dict[str, list[Pick]] = {}
    for pick in as_picks(items):
        if pick.picked:
            grouped.setdefault(pick.stem, []).append(pick)
    return grouped


# --- Lightroom / Capture One filename search ------------------------------------------------


def search_string(items: Iterable[PickLike]) -> str:
    """`IMG_0012, IMG_0040`: paste into Lightroom Classic's Library filter (Text, Filename,
    Contains), which reads commas as "or" between terms. Spaces would make "and", and a word
    OR would be one more term to contain."""
    return ", ".join(_picked_by_stem(items))


def capture_one_names(items: Iterable[PickLike]) -> str:
    """The picks' stems, one a line (CRLF: Windows' Notepad too). Capture One's filters read
    one text term, with no "or" between names: its way to many files is a Smart Album matching
    *any* of its rules, one "File Name contains" rule a line of this list, or the sidecars
    (`xmp_zip`) for proprietary RAWs."""
    return "".join(f"{stem}\r\n" for stem in _picked_by_stem(items))


def picks_keyword(session_pk: int) -> str:
    """A keyword to keep the client's choice in the catalogue once found by the filename search
    (DNG and JPEG take no sidecar): one word, no space or comma that Lightroom would split."""
    return f"choix-client-{session_pk}"


# --- CSV --------------------------------------------------------------------------------------

# Column names and yes/no stay English whatever the interface language: scripts and
# spreadsheets read them.
CSV_HEADER = ("filename", "stem", "picked", "comment")


def picks_csv(items: Iterable[PickLike]) -> str:
    """One row per photo the client picked or commented on."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for pick in as_picks(items):
        # Comments (and file names) are typed by clients: no cell may run as a formula.
        writer.writerow(
            safe_row([pick.filename, pick.stem, "yes" if pick.picked else "no", pick.comment])
        )
    return out.getvalue()


# --- XMP sidecars -----------------------------------------------------------------------------

XMP_RATING = 5


def xmp_label() -> str:
    """The colour label the sidecars give the picks: one of Lightroom's default label set
    (Red, Yellow, Green, Blue, Purple), "Green" unless the studio set BOOKER_XMP_LABEL to the
    name its own label set uses. Lightroom shows a label it does not know as white."""
    from django.conf import settings

    return settings.BOOKER_XMP_LABEL
# Characters XML 1.0 forbids (control codes other than tab/newline/return) would make the
# whole sidecar unreadable; a comment pasted from somewhere may carry them.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xmp_sidecar(comment: str = "") -> str:
    """An XMP packet marking a photo as picked: 5 stars, the studio's colour label
    (`xmp_label`), the client's comment as its description. Lightroom reads it next to a
    proprietary RAW of the same stem (Metadata → Read Metadata from Files); for DNG and JPEG it
    reads the file's own metadata instead, so the filename search is the way there."""
    comment = _XML_FORBIDDEN.sub("", comment).strip()
    description = ""
    if comment:
        description = (
            "   <dc:description>\n"
            "    <rdf:Alt>\n"
            f'     <rdf:li xml:lang="x-default">{escape(comment)}</rdf:li>\n'
            "    </rdf:Alt>\n"
            "   </dc:description>\n"
        )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Booke">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'    xmp:Rating="{XMP_RATING}"\n'
        f"    xmp:Label={quoteattr(xmp_label())}>\n"
        f"{description}"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>\n'
    )


def xmp_zip(items: Iterable[PickLike]) -> bytes:
    """A ZIP of `<stem>.xmp`, one per picked photo: unzip it into the RAW folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for stem, picks in _picked_by_stem(items).items():
            # Two files of one stem (RAW + JPEG) share the sidecar: keep both comments.
            comments = list(dict.fromkeys(p.comment.strip() for p in picks if p.comment.strip()))
            archive.writestr(f"{stem}.xmp", xmp_sidecar("\n".join(comments)).encode("utf-8"))
    return buffer.getvalue()
