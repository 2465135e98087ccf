"""A worker's write that outlives a database restart (issue 22, "Database restarted").

A request that meets a restart fails and the next one reconnects (CONN_HEALTH_CHECKS). A task
cannot start over so lightly: an ingest holds its claim on the rush and has made the proof
when it comes to write the row; failing there would leave the rush `processing` until its
lease runs out (minutes) and make the proof again. Its state change is a compare-and-set on the
claim, in one transaction, so running it again is harmless: the lost connection is dropped and
the write is tried again once the database answers, within a bound.

Only outside a transaction: inside one, what came before the failure is gone with the
connection, and only the caller's caller may start it again."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

log = logging.getLogger(__name__)

T = TypeVar("T")

# A restart takes seconds; a managed database's failover, up to a minute. Past that the task
# fails as before, and the broker's redelivery or the ingest's sweep takes over.
WITHIN_SECONDS = 60.0
FIRST_PAUSE, LONGEST_PAUSE = 0.2, 5.0


def through_restart(write: Callable[[], T], *, within: float = WITHIN_SECONDS,
                    using: str = DEFAULT_DB_ALIAS) -> T:
    """`write()`, again after a lost connection until the database answers or `within`
    seconds have passed. `write` must be safe to run twice (a compare-and-set, its own
    transaction): the first run may have committed before its answer was lost."""
    connection = connections[using]
    deadline = time.monotonic() + within
    pause = FIRST_PAUSE
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError) as exc:
            if connection.in_atomic_block or time.monotonic() + pause > deadline:
                raise
            log.warning("database unreachable (%s): writing again in %.1f s",
                        str(exc).strip().splitlines()[0] if str(exc).strip() else exc, pause)
        # A connection the server dropped is useless: the next query opens a new one.
        try:
            connection.close()
        except (OperationalError, InterfaceError):
            pass
        time.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE)
