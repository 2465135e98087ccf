"""booker/reconnect.py: a worker's write is tried again after a lost connection (issue 22,
"database restarted"), within a bound, and never inside a transaction it cannot replay."""

import pytest
from django.db import OperationalError, transaction

from booker import reconnect
from booker.reconnect import through_restart


class Clock:
    """time.monotonic and time.sleep as the module sees them: sleeping moves the clock."""

    def __init__(self) -> None:
        self.now, self.pauses = 1000.0, []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


@pytest.fixture
def pauses(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(reconnect, "time", clock)
    return clock.pauses


def failing(times: int):
    calls = []

    def write() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("server closed the connection unexpectedly")
        return "written"

    return write, calls


def test_a_write_that_lost_its_connection_is_written_once_the_database_answers(pauses):
    write, calls = failing(3)
    assert through_restart(write) == "written"
    assert len(calls) == 4
    assert pauses == [0.2, 0.4, 0.8]  # growing, so a long outage is not hammered


def test_a_database_away_for_longer_than_the_bound_fails_the_write(pauses):
    write, calls = failing(100)
    with pytest.raises(OperationalError):
        through_restart(write, within=10)
    assert sum(pauses) <= 10
    assert len(calls) == len(pauses) + 1


@pytest.mark.django_db
def test_inside_a_transaction_the_write_is_not_replayed(pauses):
    # What ran before it in the transaction is gone with the connection.
    write, calls = failing(1)
    with pytest.raises(OperationalError), transaction.atomic():
        through_restart(write)
    assert len(calls) == 1 and pauses == []
