"""A person's erasure runs in the worker (issue 21, GDPR; booker.erasure): the admin confirms,
records and queues; the account is shut at once; the job deletes the files then the data; a
failure leaves the record failed with its reason, relaunched from its admin page ("Relancer");
running it again is harmless. The erasure's data sections are tested in
tests/booker/test_personal_data_erasure.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import auth
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape

from booker import erasure, privacy, roles, storage
from booker.models import PersonalDataErasure, User
from booker.people import machine
from tests.booker.test_personal_data_erasure import (
    LIST,
    erase_by_admin,
    lea,
    still_there,
    stored_files,
)
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

__all__ = ["lea"]  # the fixture, shared

ERASURES = reverse("admin:booker_personaldataerasure_changelist")
Status = PersonalDataErasure.Status


def confirm(client, person: User):
    """The confirmation posted, the worker's job held back: (response, the queued jobs)."""
    data = {"action": "erase_personal_data", "_selected_action": [person.pk], "apply": "yes",
            "confirm": "on"}
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = client.post(LIST, data, follow=True)
    return response, queued


def flaky_storage(monkeypatch, fail_after: int) -> list[str]:
    """storage.erase_file deletes `fail_after` files, then the storage is out of reach until
    "back" is added to the returned list."""
    real = storage.erase_file
    deleted: list[str] = []

    def erase_file(tier: str, name: str, *, erasure) -> bool:
        if len(deleted) >= fail_after and "back" not in deleted:
            raise storage.StorageUnavailable()
        found = real(tier, name, erasure=erasure)
        if found:
            deleted.append(name)
        return found

    monkeypatch.setattr(storage, "erase_file", erase_file)
    return deleted


def relaunch(client, record: PersonalDataErasure):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(ERASURES, {"action": "relaunch", "_selected_action": [record.pk]},
                           follow=True)


def test_the_admin_queues_the_job_and_the_account_is_shut_before_it_runs(client, lea):
    person, session = lea
    person.set_password("mot-de-passe-léa")
    person.save()
    their_browser = client_class_login(person)
    files = stored_files(session)
    client.force_login(user_with_role(roles.PHOTOGRAPHER))

    response, queued = confirm(client, person)

    text = response.content.decode()
    assert "Effacement lancé" in text and "Voir la fiche de l&#x27;effacement" in text
    record = PersonalDataErasure.objects.get(person=person)
    assert record.status == Status.QUEUED and len(queued) == 1
    # Nothing erased yet, but the account can no longer log in, nor use its open session.
    assert stored_files(session) == files
    assert User.objects.get(pk=person.pk).email == person.email
    assert not User.objects.get(pk=person.pk).is_active
    assert not client.__class__().login(username=person.email, password="mot-de-passe-léa")
    assert not auth.get_user(their_browser).is_authenticated

    queued[0]()  # the worker (django-q2 is synchronous in the test settings)

    record.refresh_from_db()
    assert record.status == Status.DONE and record.finished_at is not None
    assert stored_files(session) == []
    assert User.objects.get(pk=person.pk).email == privacy.anonymised_email(person)


def client_class_login(person: User):
    from django.test import Client

    browser = Client()
    browser.force_login(person)
    assert auth.get_user(browser).is_authenticated
    return browser


def test_a_storage_failure_leaves_it_failed_with_the_reason_and_relaunch_finishes(
        client, lea, monkeypatch):
    person, session = lea
    files = stored_files(session)
    deleted = flaky_storage(monkeypatch, fail_after=4)
    client.force_login(user_with_role(roles.PHOTOGRAPHER))

    erase_by_admin(client, person)

    record = PersonalDataErasure.objects.get(person=person)
    assert record.status == Status.FAILED and record.finished_at is None
    assert "stockage" in record.failure.lower()
    assert len(deleted) == 4 and len(stored_files(session)) == len(files) - 4
    # The data waits for the files: nothing of it changed.
    assert User.objects.get(pk=person.pk).email == person.email
    page = client.get(reverse("admin:booker_personaldataerasure_change", args=[record.pk]))
    assert 'value="relaunch"' in page.content.decode()
    assert escape(record.failure) in page.content.decode()

    deleted.append("back")
    response = relaunch(client, record)

    assert "1 effacement relancé" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Status.DONE and record.failure == ""
    assert stored_files(session) == []
    # Every file counted once: the first run's four and the rest.
    assert sum(record.counts["files"].values()) == len(files)
    assert User.objects.get(pk=person.pk).email == privacy.anonymised_email(person)


def test_running_it_again_is_harmless(lea):
    person, _session = lea
    record = privacy.erase_person(person, actor=user_with_role("superuser"),
                                  files_confirmed=True)
    counts = record.counts

    assert erasure.run(record.pk).counts == counts
    assert PersonalDataErasure.objects.get(pk=record.pk).status == Status.DONE
    # A worker killed mid-run leaves its erasure running; the task's retry goes on from there
    # and finds the files already gone.
    stuck = PersonalDataErasure.objects.create(person=person, files_confirmed=True)
    assert machine.move(stuck, Status.RUNNING)

    finished = erasure.run(stuck.pk)

    assert finished.status == Status.DONE
    assert sum(finished.counts["files"].values()) == 0


def test_only_a_failed_erasure_is_relaunched_by_whoever_may_erase(client, lea, monkeypatch):
    person, _session = lea
    deleted = flaky_storage(monkeypatch, fail_after=0)
    photographer = user_with_role(roles.PHOTOGRAPHER)
    client.force_login(photographer)
    erase_by_admin(client, person)
    record = PersonalDataErasure.objects.get(person=person)
    assert record.status == Status.FAILED
    deleted.append("back")

    client.force_login(user_with_role(roles.RETOUCHER))
    relaunch(client, record)
    record.refresh_from_db()
    assert record.status == Status.FAILED
    with pytest.raises(privacy.ErasureRefused):
        erasure.retry(record, actor=user_with_role(roles.SHOP_MANAGER))

    client.force_login(photographer)
    relaunch(client, record)
    record.refresh_from_db()
    assert record.status == Status.DONE, record.failure
    page = client.get(reverse("admin:booker_personaldataerasure_change", args=[record.pk]))
    assert 'value="relaunch"' not in page.content.decode()
    with pytest.raises(privacy.ErasureRefused):
        erasure.retry(record, actor=photographer)


def test_an_erasure_stopped_without_a_word_can_be_relaunched_after_two_hours_and_finishes(
        client, lea):
    # The queue lost its job (or every attempt was killed): queued for ever, but for this.
    person, session = lea
    files = stored_files(session)
    assert files
    photographer = user_with_role(roles.PHOTOGRAPHER)
    client.force_login(photographer)
    confirm(client, person)  # the job is never run
    record = PersonalDataErasure.objects.get(person=person)
    assert record.status == Status.QUEUED and not erasure.may_retry(photographer, record)
    with pytest.raises(privacy.ErasureRefused):
        erasure.retry(record, actor=photographer)

    PersonalDataErasure.objects.filter(pk=record.pk).update(
        started_at=record.started_at - erasure.STUCK_AFTER - timedelta(minutes=1))
    record.refresh_from_db()
    page = client.get(reverse("admin:booker_personaldataerasure_change", args=[record.pk]))
    assert 'value="relaunch"' in page.content.decode()
    relaunch(client, record)
    record.refresh_from_db()
    assert record.status == Status.DONE, record.failure
    assert not erasure.is_stuck(record)
    assert still_there(files) == []


def test_a_second_erasure_of_the_same_person_waits_for_the_first(client, lea):
    person, _session = lea
    client.force_login(user_with_role(roles.PHOTOGRAPHER))
    confirm(client, person)

    response, queued = confirm(client, person)

    assert "déjà en cours" in response.content.decode()
    assert PersonalDataErasure.objects.filter(person=person).count() == 1 and not queued


def test_the_erasure_list_shows_status_counts_who_and_when(client, lea):
    person, _session = lea
    photographer = user_with_role(roles.PHOTOGRAPHER, first_name="Inès", last_name="Roux")
    client.force_login(photographer)
    erase_by_admin(client, person)
    record = PersonalDataErasure.objects.get()

    page = client.get(ERASURES)

    text = page.content.decode()
    assert "terminé" in text and str(photographer) in text
    rows = sum(record.counts["sections"].values())
    assert f'<td class="field-rows">{rows}</td>' in text
    assert f'<td class="field-files">{sum(record.counts["files"].values())}</td>' in text
