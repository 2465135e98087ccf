"""The bounce mailbox, read by the worker every 15 minutes (booker.schedules.READ_BOUNCES).

Each unread mail is fetched without marking it (BODY.PEEK), read (booker.bounces.dsn) and its
hard bounces recorded; only then is it flagged \\Seen, so a run that dies halfway reads the
rest next time, and a run twice records once (recording is idempotent besides). A mail that
cannot be read stays unread for a human, flagged with a keyword so the next runs skip it
instead of logging it every quarter of an hour; one mail's failure never stops the batch."""

from __future__ import annotations

import imaplib
import logging
import ssl

from django.conf import settings

from booker.bounces import services
from booker.bounces.dsn import Unreadable, read

log = logging.getLogger(__name__)

# The IMAP keyword on a mail left for a human (dovecot, Gmail, Courier… keep keywords).
UNREADABLE = "BookeUnreadable"
# At most this many mails a run: a flood of bounces is read over several runs.
BATCH = 500
TIMEOUT = 30


def enabled() -> bool:
    return bool(getattr(settings, "BOOKE_BOUNCE_IMAP_HOST", ""))


def connect() -> imaplib.IMAP4:
    """Logged in to the bounce mailbox, its folder selected."""
    host, port = settings.BOOKE_BOUNCE_IMAP_HOST, settings.BOOKE_BOUNCE_IMAP_PORT
    security = settings.BOOKE_BOUNCE_IMAP_SSL
    if security == "ssl":
        imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT)
    else:
        imap = imaplib.IMAP4(host, port, timeout=TIMEOUT)
        if security == "starttls":
            imap.starttls(ssl_context=ssl.create_default_context())
    try:
        imap.login(settings.BOOKE_BOUNCE_IMAP_USER, settings.BOOKE_BOUNCE_IMAP_PASSWORD)
        typ, data = imap.select(settings.BOOKE_BOUNCE_IMAP_FOLDER)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot open {settings.BOOKE_BOUNCE_IMAP_FOLDER}: {data}")
    except Exception:
        _close(imap)
        raise
    return imap


def read_bounces() -> dict[str, int]:
    """Read the new mails of the bounce mailbox and record their hard bounces. Returns the
    count of each outcome ("campaign", "message", "unmatched", "not a bounce",
    "unreadable", "failed")."""
    if not enabled():
        return {}
    counts: dict[str, int] = {}
    imap = connect()
    try:
        typ, data = imap.uid("SEARCH", None, "UNSEEN", "UNKEYWORD", UNREADABLE)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"search refused: {data}")
        for uid in (data[0] or b"").split()[:BATCH]:
            outcome = _one(imap, uid)
            counts[outcome] = counts.get(outcome, 0) + 1
    finally:
        _close(imap)
    return counts


def _one(imap: imaplib.IMAP4, uid: bytes) -> str:
    try:
        raw = _fetch(imap, uid)
        reading = read(raw)
        recorded = [services.record(bounce) for bounce in reading.bounces]
    except Unreadable as why:
        log.warning("bounce mailbox: mail %s left for a human: %s", uid.decode(), why)
        _flag(imap, uid, UNREADABLE)
        return "unreadable"
    except Exception:  # a database or IMAP error: this mail is tried again next run
        log.exception("bounce mailbox: mail %s could not be processed", uid.decode())
        return "failed"
    _flag(imap, uid, "\\Seen")
    if not reading.bounces:
        return "not a bounce"
    matched = [kind for kind in recorded if kind]
    return matched[0] if matched else "unmatched"


def _fetch(imap: imaplib.IMAP4, uid: bytes) -> bytes:
    typ, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    for item in data or []:
        if typ == "OK" and isinstance(item, tuple) and len(item) == 2:
            return item[1]
    raise imaplib.IMAP4.error(f"fetch of {uid.decode()} returned {typ} {data!r:.200}")


def _flag(imap: imaplib.IMAP4, uid: bytes, flag: str) -> None:
    try:
        typ, data = imap.uid("STORE", uid, "+FLAGS", f"({flag})")
        if typ != "OK":
            log.warning("bounce mailbox: could not flag mail %s %s: %s", uid.decode(), flag, data)
    except imaplib.IMAP4.error:
        log.exception("bounce mailbox: could not flag mail %s %s", uid.decode(), flag)


def _close(imap: imaplib.IMAP4) -> None:
    try:
        imap.logout()
    except Exception:  # nosec B110 # the connection is going anyway
        pass
