"""django-q2 task entry points: thin wrappers around services, importable by dotted path. The
stable names the schedules point at (booker/schedules.py): keep them when the services move."""

from booker import services
from booker.archive import services as archive
from booker.intake import ingest, uploads


def ingest_rush(rush_id: int) -> str:
    rush = services.ingest_rush(rush_id)
    return "skipped" if rush is None else rush.ingest_status


def requeue_stalled_rushes() -> int:
    """Every minute (booker.schedules.SWEEPER)."""
    return ingest.requeue_stalled_rushes()


def archive_session(session_id: int, actor_id: int | None = None) -> str:
    """The photographer's "Archive now" (booker.archive.queue_archive)."""
    from .models import PhotoSession, User

    session = PhotoSession.objects.get(pk=session_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    report = archive.archive_in_slices(session, actor=actor)
    return (f"archived {report.archived}, reused {report.reused}, failed {len(report.failed)}"
            f"{' (stopped)' if report.stopped else ''}"
            f"{' (time up, queued again)' if report.unfinished else ''}")


def archive_due_sessions() -> str:
    """Daily (booker.schedules.ARCHIVE_DUE_SESSIONS)."""
    reports = archive.archive_due_sessions(deadline=archive.run_deadline())
    done = sum(1 for r in reports if r.complete)
    return f"{done} of {len(reports)} due sessions archived"


def check_restores() -> str:
    """Queued by a restore request, then every few minutes while a session is restoring
    (booker.schedules.RESTORE_CHECKS, on demand)."""
    progress = archive.check_restores(deadline=archive.run_deadline())
    done = sum(1 for p in progress if p.complete)
    waiting = sum(p.waiting for p in progress)
    return f"{done} of {len(progress)} restoring sessions back online; {waiting} files waiting"


def abort_stale_uploads() -> str:
    """Daily (booker.schedules.ABORT_STALE_UPLOADS)."""
    return f"{uploads.abort_stale_uploads()} stale upload(s) aborted"


def send_due_messages() -> str:
    """Every minute (booker.schedules.SEND_MESSAGES), and queued when messages are planned."""
    from booker.automation import sender

    counts = sender.send_due()
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing due"


def read_bounces() -> str:
    """Every 15 minutes (booker.schedules.READ_BOUNCES): the late bounces in the bounce
    mailbox, recorded on the emails they report."""
    from booker.bounces import reader

    if not reader.enabled():
        return "no bounce mailbox (BOOKE_BOUNCE_IMAP_HOST)"
    counts = reader.read_bounces()
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "no new mail"


def send_webhooks() -> str:
    """Every minute (booker.schedules.SEND_WEBHOOKS), and queued when deliveries are planned
    or replayed."""
    from booker.webhooks import services as webhooks

    missed = webhooks.plan_missed()
    counts = webhooks.send_due()
    if missed:
        counts["missed, planned"] = missed
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing due"


def plan_missed_events() -> str:
    """Every 5 minutes (booker.schedules.PLAN_MISSED_EVENTS)."""
    from booker.automation import planner

    return f"{planner.plan_missed_events()} missed event(s) planned"


def refresh_external_calendars() -> str:
    """Every 15 minutes (booker.schedules.REFRESH_CALENDARS)."""
    from booker.calendars import services as calendars

    counts = calendars.refresh_external_calendars()
    return f"{counts['refreshed']} calendar(s) refreshed, {counts['failed']} failed"


def expire_booking_holds() -> str:
    """Every minute (booker.schedules.EXPIRE_HOLDS)."""
    from booker.booking import services as booking

    return f"{booking.expire_holds()} hold(s) released"


def make_web_copies(session_id: int, final_ids: list[int] | None = None) -> str:
    """Queued when a session is delivered, or a final approved in a delivered session
    (booker.delivery.services.enqueue_web_copies)."""
    from booker.delivery import services as delivery

    report = delivery.make_web_copies(session_id, final_ids)
    return f"{report.made} web copies, {len(report.failed)} failed"


def send_campaign_batch(campaign_id: int) -> str:
    """Queued when a campaign is created, then once per batch (booker.marketing.sender)."""
    from booker.marketing import sender

    counts = sender.send_batch(campaign_id)
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing due"


def run_erasure(erasure_id: int) -> str:
    """Queued by a person's or a company's erasure (GDPR), and by its "Relancer"
    (booker.erasure)."""
    from booker import erasure

    record = erasure.run(erasure_id)
    return f"erasure {record.pk}: {record.status}"
