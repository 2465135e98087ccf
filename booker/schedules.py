"""The cluster's periodic tasks (django-q2 `Schedule` rows), declared in code: the one way a
schedule comes to exist.

Each app declares its own in a `schedules.py` module (this one holds the Booker's, after the
registry); the registry finds them by autodiscovery, so the Booker never imports the shop.

    from booker.schedules import DAILY, Scheduled, declare

    declare(Scheduled("shop.payments.send_invoice_reminders",
                      "shop.payments.tasks.send_invoice_reminders", DAILY, at=time(9, 0)))

`sync()` runs after every `migrate` (booker/receivers.py, once per run, after all apps) and
when the cluster starts (booker/management/commands/qcluster.py). For each declared schedule:

- missing: made, its first run by the entry's rule (`at`: the next such local time;
  `after_minutes`: that long from now; neither: at once);
- present: what the code owns is corrected if it drifted: the task (`func`) and how often
  (`schedule_type`, `minutes`, `cron`). What the studio owns is left alone: when it runs next
  (`next_run`: move a daily task's hour in the admin) and whether it runs (`repeats`: 0 pauses
  it; a paused schedule stays paused), its hook, args and target cluster;
- present twice or more (two runs of the task each time): the oldest row is kept, the others
  deleted.

Nothing else is deleted: a deleted schedule comes back at the next `migrate` or cluster start.
To stop one for good, pause it (repeats 0) or remove its declaration.

An `on_demand` entry exists only while something needs it (the restore checks, while a
session is restoring): `sync()` never makes it, only corrects it; its owner calls
`ensure(name)` and `drop(name)`.

Names and func paths are those of the rows existing databases already have: renaming one here
would leave the old row running beside a new one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django_q.models import Schedule

log = logging.getLogger(__name__)

# django-q2's Schedule.schedule_type codes (django_q.models.Schedule.MINUTES, …), repeated here
# so that a declaration needs no model import (schedules.py modules are read at any time).
MINUTES, HOURLY, DAILY, WEEKLY, MONTHLY, CRON = "I", "H", "D", "W", "M", "C"


@dataclass(frozen=True)
class Scheduled:
    """One periodic task: its row's name, the task's dotted path, how often, and when first."""

    name: str
    func: str
    schedule_type: str
    minutes: int | None = None  # for MINUTES
    cron: str | None = None  # for CRON
    at: time | None = None  # first run at the next such local time (settings.TIME_ZONE)
    after_minutes: int | None = None  # first run that long after it is made
    on_demand: bool = False  # made by ensure(), removed by drop(); never by sync()

    def __post_init__(self) -> None:
        if self.schedule_type == MINUTES and not self.minutes:
            raise ValueError(f"{self.name}: a MINUTES schedule needs `minutes`")
        if self.schedule_type == CRON and not self.cron:
            raise ValueError(f"{self.name}: a CRON schedule needs `cron`")

    def first_run(self, now: datetime | None = None) -> datetime:
        now = now or timezone.now()
        if self.at is not None:
            tz = ZoneInfo(settings.TIME_ZONE)
            local = now.astimezone(tz)
            run = datetime.combine(local.date(), self.at, tzinfo=tz)
            return run if run > local else datetime.combine(
                local.date() + timedelta(days=1), self.at, tzinfo=tz)
        if self.after_minutes:
            return now + timedelta(minutes=self.after_minutes)
        return now

    def owned_fields(self) -> dict[str, object]:
        """What the code decides, corrected on drift (see the module's docstring)."""
        return {"func": self.func, "schedule_type": self.schedule_type,
                "minutes": self.minutes, "cron": self.cron}


_declared: dict[str, Scheduled] = {}
_discovered = False


def declare(*entries: Scheduled) -> None:
    """Add schedules to the registry; called at import by each app's `schedules.py`."""
    for entry in entries:
        known = _declared.get(entry.name)
        if known is not None and known != entry:
            raise ValueError(f"Schedule {entry.name!r} is declared twice, differently")
        _declared[entry.name] = entry


def declared() -> dict[str, Scheduled]:
    """Every declared schedule, by name (after importing every app's `schedules.py`)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("schedules")
        _discovered = True
    return dict(_declared)


def get(name: str) -> Scheduled:
    try:
        return declared()[name]
    except KeyError:
        raise LookupError(f"No schedule {name!r} is declared (in an app's schedules.py)") from None


def _model() -> type[Schedule]:
    from django_q.models import Schedule

    return Schedule


def _reconcile(entry: Scheduled, using: str, *, create: bool) -> str:
    """Bring the rows named `entry.name` to one, as declared. Returns what was done."""
    rows = list(_model().objects.using(using).filter(name=entry.name).order_by("pk"))
    if not rows:
        if not create:
            return "absent"
        _model().objects.using(using).create(
            name=entry.name, repeats=-1, next_run=entry.first_run(), **entry.owned_fields()
        )
        return "created"
    kept, extra = rows[0], rows[1:]
    done = "unchanged"
    if extra:
        _model().objects.using(using).filter(pk__in=[r.pk for r in extra]).delete()
        log.warning("schedule %s was there %d times: extra rows deleted", entry.name, len(rows))
        done = "deduplicated"
    drift = {k: v for k, v in entry.owned_fields().items() if getattr(kept, k) != v}
    if kept.next_run is None and kept.repeats != 0:
        drift["next_run"] = entry.first_run()  # a row without one never runs
    if drift:
        for field, value in drift.items():
            setattr(kept, field, value)
        kept.save(update_fields=list(drift))
        log.info("schedule %s corrected: %s", entry.name, ", ".join(drift))
        done = "corrected"
    return done


def _has_table(using: str) -> bool:
    return _model()._meta.db_table in connections[using].introspection.table_names()


def sync(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """Make the declared schedules exist once each, as declared (module docstring). Safe to
    run any number of times. Returns what was done, by name."""
    if not router.allow_migrate_model(using, _model()) or not _has_table(using):
        return {}  # django_q not migrated (yet) on this database
    with transaction.atomic(using=using):
        return {
            name: _reconcile(entry, using, create=not entry.on_demand)
            for name, entry in sorted(declared().items())
        }


def ensure(name: str, using: str = DEFAULT_DB_ALIAS) -> str:
    """Make the declared schedule `name` exist (once, as declared): for on-demand ones."""
    return _reconcile(get(name), using, create=True)


def drop(name: str, using: str = DEFAULT_DB_ALIAS) -> int:
    """Remove an on-demand schedule. Returns how many rows went."""
    if not get(name).on_demand:
        raise ValueError(f"{name} is not on demand: pause it (repeats 0) rather than drop it")
    deleted, _ = _model().objects.using(using).filter(name=name).delete()
    return deleted


# --- The Booker's schedules ----------------------------------------------------------------------

SWEEPER = Scheduled(
    # Queue again the rushes nobody works on any more (booker.intake.ingest).
    "booker: requeue stalled rushes", "booker.tasks.requeue_stalled_rushes", MINUTES, minutes=1,
)
ARCHIVE_DUE_SESSIONS = Scheduled(
    # At night, when nobody uploads: copies to the archive share the bucket's bandwidth.
    "booker.archive_due_sessions", "booker.tasks.archive_due_sessions", DAILY, at=time(3, 0),
)
ABORT_STALE_UPLOADS = Scheduled(
    # Before the archive's run, at an hour when nobody is uploading: the parts of every tab
    # closed for good would otherwise stay in the bucket, paid for.
    "booker.abort_stale_uploads", "booker.tasks.abort_stale_uploads", DAILY, at=time(2, 30),
)
RESTORE_CHECKS = Scheduled(
    # Only while a session is restoring (booker.archive.services): S3 restores take hours. A
    # check stops taking files at settings.BOOKER_ARCHIVE_RUN_SECONDS, under these 10 minutes,
    # so that two checks never overlap.
    "booker.check_restores", "booker.tasks.check_restores", MINUTES, minutes=10,
    after_minutes=10, on_demand=True,
)

SEND_MESSAGES = Scheduled(
    # The automation engine's outbox (booker.automation.sender): what a rule planned for later
    # (a reminder, a review request) and what failed and waits for its retry. Messages due at
    # once are also sent by a task queued when they are planned.
    "booker.send_due_messages", "booker.tasks.send_due_messages", MINUTES, minutes=1,
)

REFRESH_CALENDARS = Scheduled(
    # The photographers' own calendars (booker.calendars): their events block booking slots, so
    # a meeting added there stops being bookable within a quarter of an hour.
    "booker.refresh_external_calendars", "booker.tasks.refresh_external_calendars", MINUTES,
    minutes=15,
)

EXPIRE_HOLDS = Scheduled(
    # A slot chosen online and not paid within BOOKER_HOLD_MINUTES goes back on offer.
    "booker.expire_booking_holds", "booker.tasks.expire_booking_holds", MINUTES, minutes=1,
)

PLAN_MISSED_EVENTS = Scheduled(
    # Events committed whose planning was lost (the process died right after the commit):
    # their messages are planned a few minutes late rather than never.
    "booker.plan_missed_events", "booker.tasks.plan_missed_events", MINUTES, minutes=5,
)

SEND_WEBHOOKS = Scheduled(
    # Outbound webhooks (booker.webhooks): the retries waiting their turn, and whatever the
    # task queued when a delivery was planned did not send.
    "booker.send_webhooks", "booker.tasks.send_webhooks", MINUTES, minutes=1,
)

READ_BOUNCES = Scheduled(
    # The late bounces (booker.bounces): relays report a failed delivery hours after accepting
    # the email, so a quarter of an hour's delay on the timeline costs nothing. Does nothing
    # while BOOKE_BOUNCE_IMAP_HOST is empty.
    "booker.read_bounces", "booker.tasks.read_bounces", MINUTES, minutes=15,
)

declare(SWEEPER, ARCHIVE_DUE_SESSIONS, ABORT_STALE_UPLOADS, RESTORE_CHECKS, SEND_MESSAGES,
        REFRESH_CALENDARS, EXPIRE_HOLDS, PLAN_MISSED_EVENTS, SEND_WEBHOOKS, READ_BOUNCES)
