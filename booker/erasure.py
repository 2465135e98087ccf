"""GDPR erasures run by the worker (issue 21): a person's (booker.privacy) or a company's
(booker.company_privacy). A wedding of 2,000 RAWs on S3 is thousands of deletes: no web
request holds that, so the admin only checks, records and queues.

The record (PersonalDataErasure) says where the job stands (booker.people.machine.ERASURE):
queued → running → done, or failed with its reason, queued again from its admin page
("Relancer"). A run deletes the files one by one first (storage.erase_file, which logs each and
skips a file already gone), then erases the data sections in one transaction: a run stopped
half way (storage down, worker killed) changed nothing in the database and the next run
finishes the job. A person's account is deactivated as soon as the erasure is queued."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from booker import company_privacy, privacy, storage
from booker.errors import StudioError
from booker.models import Company, Membership, PersonalDataErasure, User
from booker.people import machine, personal_data
from booker.people.selectors import runs_the_studio
from booker.privacy import ErasureRefused

log = logging.getLogger(__name__)

Status = PersonalDataErasure.Status
TASK = "booker.tasks.run_erasure"


def _no_files() -> dict[str, int]:
    return {storage.ORIGINALS: 0, storage.PROOFS: 0, storage.ARCHIVE: 0}


def _queue(record: PersonalDataErasure) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(TASK, record.pk, task_name=f"erasure-{record.pk}"))


def _refuse_unconfirmed(files: list, files_confirmed: bool) -> None:
    if files and not files_confirmed:
        raise ErasureRefused(gettext("Confirm the deletion of the files first: their "
                                     "originals are deleted from every storage too."))


def _under_way(**subject) -> bool:
    return PersonalDataErasure.objects.filter(**subject).exclude(status=Status.DONE).exists()


def request_person(person: User, *, actor: User, files_confirmed: bool,
                   queue: bool = True) -> PersonalDataErasure:
    """Check, record and queue the erasure of `person`; their account can no longer log in
    from now on (a logged-in session of theirs ends at its next request)."""
    if not privacy.may_erase(actor, person):
        raise ErasureRefused(gettext("You may not erase this person's data."))
    _refuse_unconfirmed(privacy.files_of(person), files_confirmed)
    if _under_way(person=person):
        raise ErasureRefused(gettext("An erasure of this person is already under way: see "
                                     "its record (relaunch it there if it failed)."))
    with transaction.atomic():
        record = PersonalDataErasure.objects.create(person=person, erased_by=actor,
                                                    files_confirmed=files_confirmed)
        User.objects.filter(pk=person.pk).update(is_active=False)
        if queue:
            _queue(record)
    return record


def may_erase_company(actor: User) -> bool:
    """Whoever runs the studio (photographers, superusers) erases a company."""
    return runs_the_studio(actor)


def erasable_members(company: Company, actor: User) -> list[User]:
    """The company's members the studio may erase with it: those who belong to no other
    company (their account is someone else's too otherwise), and whom `actor` may erase."""
    members = (User.objects.filter(memberships__company=company)
               .exclude(pk__in=Membership.objects.exclude(company=company).values("user_id"))
               .order_by("email"))
    return [m for m in members if privacy.may_erase(actor, m)]


def request_company(company: Company, *, actor: User, files_confirmed: bool,
                    members: Iterable[User] = (), queue: bool = True
                    ) -> PersonalDataErasure:
    """Check, record and queue the erasure of `company`, and of each of `members` (each its
    own erasure and record, as if erased from the user list)."""
    if not may_erase_company(actor):
        raise ErasureRefused(gettext("You may not erase this company's data."))
    _refuse_unconfirmed(company_privacy.files_of(company), files_confirmed)
    members = list(members)
    allowed = {m.pk for m in erasable_members(company, actor)}
    if any(m.pk not in allowed for m in members):
        raise ErasureRefused(gettext("Only members who belong to no other company can be "
                                     "erased with it."))
    if _under_way(company=company):
        raise ErasureRefused(gettext("An erasure of this company is already under way: see "
                                     "its record (relaunch it there if it failed)."))
    with transaction.atomic():
        record = PersonalDataErasure.objects.create(company=company, erased_by=actor,
                                                    files_confirmed=files_confirmed)
        # The company first: its sessions' scrub reads its members' names.
        if queue:
            _queue(record)
        for member in members:
            request_person(member, actor=actor, files_confirmed=files_confirmed, queue=queue)
    return record


# Past this, a queued or running erasure is taken for stopped: the worker's attempts
# (Q_CLUSTER: 3 of at most 10 minutes, 15 minutes apart) are all over long before.
STUCK_AFTER = timedelta(hours=2)


def is_stuck(record: PersonalDataErasure, now: datetime | None = None) -> bool:
    """Queued or running, but started so long ago that no worker is on it any more (the
    queue lost it, or every attempt was killed): it would otherwise never finish."""
    now = now or timezone.now()
    return (record.status in (Status.QUEUED, Status.RUNNING)
            and record.started_at < now - STUCK_AFTER)


def may_retry(actor: User, record: PersonalDataErasure) -> bool:
    if record.status != Status.FAILED and not is_stuck(record):
        return False
    if record.person_id is not None:
        return privacy.may_erase(actor, record.person)
    return may_erase_company(actor)


def retry(record: PersonalDataErasure, *, actor: User) -> None:
    """"Relancer": a failed erasure, or one stopped without a word (is_stuck), queued again;
    what the last run erased is skipped. Its start is now: it is not stuck again at once."""
    if not may_retry(actor, record):
        raise ErasureRefused(gettext("Only a failed erasure, or one stopped for over two hours, "
                                     "can be relaunched, by whoever may erase."))
    with transaction.atomic():
        if record.status != Status.FAILED and not machine.move(
                record, Status.FAILED, failure=gettext("Stopped without finishing.")):
            raise ErasureRefused(gettext("This erasure has moved on in the meantime."))
        if not machine.move(record, Status.QUEUED, failure="", started_at=timezone.now()):
            raise ErasureRefused(gettext("This erasure has moved on in the meantime."))
        _queue(record)


def _reason(error: Exception) -> str:
    # The storage's refusals are written for the studio; anything else, by its kind.
    if isinstance(error, StudioError):
        return str(error)
    return f"{type(error).__name__}: {error}"[:1000]


def run(record_id: int) -> PersonalDataErasure:
    """The worker's job: files first, then the data in one transaction. Anything that stops it
    leaves the record failed with the reason; done or failed records are left alone (a failed
    one waits for "Relancer")."""
    record = (PersonalDataErasure.objects.select_related("person", "company")
              .get(pk=record_id))
    if record.status not in (Status.QUEUED, Status.RUNNING):
        return record
    if not machine.move(record, Status.RUNNING):
        return record
    deleted = {**_no_files(), **(record.counts.get("files") or {})}
    try:
        if record.company is not None:
            files = company_privacy.files_of(record.company)
        elif record.person is not None:
            files = privacy.files_of(record.person)
        else:
            raise ErasureRefused(gettext("The person or company of this erasure no longer "
                                         "exists."))
        for tier, name in files:
            if storage.erase_file(tier, name, erasure=record):
                deleted[tier] += 1
        with transaction.atomic():
            if record.company is not None:
                sections = personal_data.erase_company(record.company)
            else:
                sections = personal_data.erase(record.person)
            machine.move(record, Status.DONE, failure="", finished_at=timezone.now(),
                         counts={"sections": sections, "files": deleted})
            _log_done(record)
    except Exception as error:  # every failure is the record's, for the studio to read
        log.exception("Erasure %s failed.", record.pk)
        record.refresh_from_db()
        machine.move(record, Status.FAILED, failure=_reason(error),
                     counts={**record.counts, "files": deleted})
    return record


def _log_done(record: PersonalDataErasure) -> None:
    """The account's or company's admin history says it was erased, by whom, and how much."""
    subject = record.company or record.person
    if record.erased_by_id is None or subject is None:
        return
    summary = gettext("Personal data erased (GDPR): %(rows)d rows erased or anonymised, "
                      "%(files)d files deleted.") % {
        "rows": sum(record.counts["sections"].values()),
        "files": sum(record.counts["files"].values())}
    LogEntry.objects.log_actions(record.erased_by_id, [subject], CHANGE, summary,
                                 single_object=True)


def erase_person_now(person: User, *, actor: User, files_confirmed: bool
                     ) -> PersonalDataErasure:
    """The erasure of `person` in this process (tests, commands)."""
    record = request_person(person, actor=actor, files_confirmed=files_confirmed, queue=False)
    return run(record.pk)


def erase_company_now(company: Company, *, actor: User, files_confirmed: bool,
                      members: Iterable[User] = ()) -> PersonalDataErasure:
    """The erasure of `company` (and of `members`) in this process (tests, commands)."""
    members = list(members)
    record = request_company(company, actor=actor, files_confirmed=files_confirmed,
                             members=members, queue=False)
    record = run(record.pk)
    for member_record in PersonalDataErasure.objects.filter(
            person__in=[m.pk for m in members], status=Status.QUEUED):
        run(member_record.pk)
    return record
