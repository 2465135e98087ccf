"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, in order, as a mailbox
would: envelope recipients and the parsed message (headers, MIME parts). It can refuse an
address once ("451 try again later"), as a busy server does, to prove retries."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    to: list[str]
    message: EmailMessage
    # The envelope sender (MAIL FROM): where the recipient's server sends a bounce.
    sender: str = ""

    @property
    def subject(self) -> str:
        return " ".join(str(self.message["Subject"]).split())

    def part(self, kind: str) -> str:
        body = self.message.get_body(preferencelist=(kind,))
        return body.get_content() if body is not None else ""


class _Handler:
    def __init__(self, box: Mailbox):
        self.box = box

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self.box.lock:
            if address in self.box.refuse_once:
                self.box.refuse_once.discard(address)
                self.box.refused.append(address)
                return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.box.lock:
            self.box.received.append(Received(list(envelope.rcpt_tos), message,
                                              envelope.mail_from or ""))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.refuse_once: set[str] = set()
        self.refused: list[str] = []
        self.port = free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._seen = 0

    def start(self) -> Mailbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def restart(self) -> Mailbox:
        """The server back on the same port after `stop` (a mail server that was down)."""
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        return self.start()

    def new(self, count: int, *, timeout: float = 60, settle: float = 2.0,
            alive=lambda: True) -> list[Received]:
        """The next `count` messages received (waiting up to `timeout`), after `settle` seconds
        more to catch any extra one: the caller asserts the exact list."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) - self._seen >= count:
                    break
            assert alive(), "the worker died"
            time.sleep(0.2)
        time.sleep(settle)
        with self.lock:
            fresh = self.received[self._seen:]
            self._seen = len(self.received)
        return fresh
