"""Reading one mail of the bounce mailbox: a delivery status notification (RFC 3464,
`multipart/report; report-type=delivery-status`), an auto-reply, or something else.

Only a permanent failure is a bounce: `Action: failed` with a `5.x.x` status. A delay
(`Action: delayed`, a `4.x.x` status) is the relay still trying; an out-of-office reply
reached its reader. Neither changes anything. What is none of these (a person writing to the
bounce address, a relay's plain-text bounce) is `Unreadable`: left in the mailbox for a human.

The returned copy of our email (its headers, `text/rfc822-headers`, or all of it,
`message/rfc822`) names the message it was: the `X-Booke-Ref` header booker.mail wrote, else
its Message-ID."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import parseaddr

from booker.mail import REF_HEADER


class Unreadable(Exception):
    """Neither a delivery status notification we can read nor an auto-reply."""


@dataclass(frozen=True)
class Bounce:
    """One recipient's permanent failure, as the recipient's server reported it."""

    recipient: str  # Final-Recipient (or Original-Recipient), lower case
    status: str  # "5.1.1"
    diagnostic: str  # "smtp; 550 5.1.1 <x@y>: Recipient address rejected: User unknown"
    ref: str = ""  # our X-Booke-Ref, when the returned headers kept it
    message_id: str = ""  # the returned email's Message-ID

    @property
    def detail(self) -> str:
        """What staff read on the timeline: the status and the server's own words."""
        diagnostic = re.sub(r"^\s*smtp\s*;\s*", "", self.diagnostic, flags=re.I)
        if self.status in diagnostic:
            return " ".join(diagnostic.split())
        return " ".join(f"{self.status} {diagnostic}".split())


@dataclass(frozen=True)
class Reading:
    """What a mail of the bounce mailbox says: the hard bounces it reports (none for a delay,
    an auto-reply or a success notice) and what it was, for the log."""

    kind: str  # "dsn" or "auto-reply"
    bounces: tuple[Bounce, ...] = ()


STATUS = re.compile(r"^\s*([245])\.\d{1,3}\.\d{1,3}")
# RFC 3834's Auto-Submitted, and the older headers of Exchange and common responders.
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")


def read(raw: bytes) -> Reading:
    """What `raw` (a whole mail, as fetched) reports. Raises Unreadable."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as error:  # the parser is lenient; this is bytes it cannot take at all
        raise Unreadable(f"not a mail: {error}") from error
    if _is_dsn(message):
        return Reading("dsn", tuple(_bounces(message)))
    if _is_auto_reply(message):
        return Reading("auto-reply")
    raise Unreadable(f"neither a delivery report nor an auto-reply: "
                     f"{message.get_content_type()}, subject {message.get('Subject', '')!r}")


def _is_dsn(message: Message) -> bool:
    return (message.get_content_type() == "multipart/report"
            and (message.get_param("report-type") or "").lower() == "delivery-status")


def _is_auto_reply(message: Message) -> bool:
    auto = (message.get("Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return True
    if any(message.get(name) for name in AUTO_REPLY_HEADERS):
        return True
    return (message.get("Precedence") or "").strip().lower() == "auto_reply"


def _bounces(message: Message) -> list[Bounce]:
    status_part = next((p for p in message.walk()
                        if p.get_content_type() == "message/delivery-status"), None)
    if status_part is None:
        raise Unreadable("a delivery report without its message/delivery-status part")
    blocks = _field_blocks(status_part)
    # The first block is about the message, each next one about one recipient.
    recipients = [b for b in blocks[1:] if b.get("Action") or b.get("Final-Recipient")]
    if not recipients:
        raise Unreadable("a delivery report naming no recipient")
    ref, message_id = _returned_ids(message)
    found = []
    for block in recipients:
        action = (block.get("Action") or "").strip().lower()
        status = (block.get("Status") or "").strip()
        match = STATUS.match(status)
        if match is None:
            raise Unreadable(f"a delivery report with the status {status!r}")
        if action != "failed" or match.group(1) != "5":
            continue  # delayed, delivered, relayed; or a failure the relay calls temporary
        recipient = _address(block.get("Final-Recipient") or block.get("Original-Recipient"))
        if not recipient:
            raise Unreadable("a failure without its recipient")
        found.append(Bounce(recipient, match.group(0).strip(),
                            " ".join(str(block.get("Diagnostic-Code") or "").split()),
                            ref, message_id))
    return found


def _field_blocks(part: Message) -> list[Message]:
    """The blocks of fields of a message/delivery-status part. Python's parser splits them
    into header-only messages; a part it kept as text (an odd transfer encoding) is split
    here the same way."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        return payload
    text = part.get_payload(decode=True) or b""
    chunks = re.split(r"\r?\n\s*\r?\n", text.decode("utf-8", errors="replace").strip())
    return [HeaderParser().parsestr(chunk + "\n") for chunk in chunks if chunk.strip()]


def _returned_ids(message: Message) -> tuple[str, str]:
    """Our reference and the Message-ID in the returned copy of the email, if any."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            headers = inner[0] if isinstance(inner, list) and inner else None
        elif kind == "text/rfc822-headers":
            text = part.get_payload(decode=True) or b""
            headers = HeaderParser().parsestr(text.decode("utf-8", errors="replace"))
        else:
            continue
        if headers is not None:
            return ((headers.get(REF_HEADER) or "").strip(),
                    (headers.get("Message-ID") or "").strip())
    return "", ""


def _address(field: str | None) -> str:
    """`rfc822; Anne@Example.test` → `anne@example.test`."""
    if not field:
        return ""
    value = str(field).split(";", 1)[-1]
    return parseaddr(value)[1].strip().lower()
