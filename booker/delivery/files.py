"""Files as the client receives them: the name a final is saved under, the header that keeps
its accents, the signed S3 link. Views (booker/views/files.py) and the shop's print pages use
these after their own permission check."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from pathlib import PurePath
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured
from django.db.models.fields.files import FieldFile
from storages.backends.s3 import S3Storage

from booker.models import FinalPhoto

CHUNK = 1024 * 1024
# Proofs and thumbnails do not change once made; the browser may keep them while the client
# scrolls and swipes, but never share them (private).
PROOF_MAX_AGE = 60 * 60
# A signed link to a private file on S3 is good for 15 minutes at most (settings may say less).
SIGNED_URL_MAX_AGE = 15 * 60
# A browser that kept the redirect follows it before the link it holds has expired.
REDIRECT_MAX_AGE = SIGNED_URL_MAX_AGE - 60


def _ascii_fallback(name: str) -> str:
    """The name for clients that ignore filename*: accents dropped, anything else that might
    upset a header or a file system replaced."""
    decomposed = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9 ._()+-]", "_", decomposed).strip(" .")
    path = PurePath(fallback)
    return fallback if path.stem.strip("_") else f"download{path.suffix}"


def content_disposition(download_name: str, *, inline: bool = True) -> str:
    """RFC 6266: `filename` in plain ASCII for every client, plus `filename*` (RFC 8187,
    UTF-8) when the real name is not ASCII, so that "Léa & Hugo.jpg" keeps its accents."""
    kind = "inline" if inline else "attachment"
    # The client chose the rush's name: no folders, no control characters (no CR/LF in a
    # header S3 will echo), nothing empty.
    name = PurePath(download_name.replace("\\", "/")).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip() or "download"
    fallback = _ascii_fallback(name)
    header = f'{kind}; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def storage_url(
    fieldfile: FieldFile, download_name: str | None = None, inline: bool = True
) -> str:
    """Where a browser fetches a file that Django does not stream itself.

    On S3 this is a presigned GET, valid SIGNED_URL_MAX_AGE at most, that also tells S3 which
    Content-Type and Content-Disposition to answer with: a final is saved under the name the
    client knows, not the storage key. Call it only after the permission check: whoever holds
    the link gets the file until it expires."""
    storage = fieldfile.storage
    if not isinstance(storage, S3Storage):
        return storage.url(fieldfile.name)
    if not storage.querystring_auth:
        # An unsigned link to a private file would be readable by anyone who finds it.
        raise ImproperlyConfigured("Private files on S3 need querystring_auth=True.")
    params: dict[str, str] = {}
    content_type, _ = mimetypes.guess_type(download_name or fieldfile.name)
    if content_type:
        # Proofs are JPEGs whatever the original was; the browser must show them, not save.
        params["ResponseContentType"] = content_type
    if download_name or not inline:
        params["ResponseContentDisposition"] = content_disposition(
            download_name or PurePath(fieldfile.name).name, inline=inline
        )
    expire = min(storage.querystring_expire or SIGNED_URL_MAX_AGE, SIGNED_URL_MAX_AGE)
    return storage.url(fieldfile.name, parameters=params, expire=expire)


def client_filename(final: FinalPhoto) -> str:
    """The name the client knows: the rush's name from the gallery (IMG_0012) with the final's
    extension — not the retoucher's working name (IMG_0012-edit) nor the storage key."""
    return zip_entry_name(final.job.rush.original_filename, final.original_filename,
                        final.file.name)


def zip_entry_name(rush_filename: str, final_filename: str, key: str) -> str:
    suffix = PurePath(final_filename).suffix or PurePath(key).suffix
    return f"{PurePath(rush_filename).stem}{suffix.lower()}"


def unique_name(name: str, taken: set[str]) -> str:
    """Two cameras can both shoot an IMG_0001: a ZIP must not hold two entries of one name."""
    candidate, n = name, 1
    path = PurePath(name)
    while candidate.lower() in taken:
        n += 1
        candidate = f"{path.stem} ({n}){path.suffix}"
    taken.add(candidate.lower())
    return candidate
