"""Issue 16's proof: a whole private client's story and a whole company's, told by email at
every step — through the real automation engine, a real django-q2 cluster (two workers, the
minute schedule and the tasks queued on each event all racing for the same outbox) and a real
SMTP server on loopback. Asserts what each mailbox receives, in order, and that nothing arrives
twice: not when sends are queued several times, not when an event is heard again, not when the
server refuses a message once and it is retried."""

from __future__ import annotations

import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.utils import timezone

from booker import roles, schedules, services
from booker.automation import planner, sender
from booker.automation.defaults import ensure_defaults
from booker.automation.models import Message
from booker.events import Happened
from booker.models import RetouchJob, SessionEvent
from tests.booker.factories_studio import jpeg, rush_ids
from tests.booker.mailbox import Mailbox
from tests.factories import CompanyFactory, MembershipFactory, user_with_role

# serialized_rollback: the rows the migrations made come back for the next test that commits
# (a flush without it would let post_migrate remake them under new ids).
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SITE = "https://studio.example.fr"
CLUSTER = "booke-notify"


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """A database URL the worker subprocess can open and that this test writes to: on
    PostgreSQL the test database itself; SQLite's in-memory test database is copied to a file
    the test switches to for its duration (the memory one is kept open, and back after)."""
    conn = connections["default"]
    settings_dict = conn.settings_dict
    if conn.vendor == "postgresql":
        user = settings_dict["USER"] or ""
        password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
        host = settings_dict["HOST"] or "localhost"
        yield (f"postgres://{user}{password}@{host}:{settings_dict['PORT'] or 5432}/"
               f"{settings_dict['NAME']}")
        return
    memory = settings_dict["NAME"]
    if not conn.is_in_memory_db():
        yield f"sqlite:///{memory}"
        return
    conn.ensure_connection()
    keeper = sqlite3.connect(memory, uri=True)  # the in-memory database lives while one is open
    path = tmp_path / "shared.sqlite3"
    target = sqlite3.connect(path)
    conn.connection.backup(target)
    target.close()
    BaseDatabaseWrapper.close(conn)
    settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        BaseDatabaseWrapper.close(conn)
        settings_dict["NAME"] = memory
        conn.ensure_connection()
        keeper.close()


@pytest.fixture
def mailbox():
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def world(shared_database, mailbox, tmp_path, settings, monkeypatch):
    """The studio's roles, rules and schedules (a committing test may follow one that emptied
    the database), and a qcluster of two workers on the shared database, sending to `mailbox`."""
    for role in roles.ALL_ROLES:
        Group.objects.get_or_create(name=role)
    ensure_defaults()
    schedules.sync()
    settings.WAGTAILADMIN_BASE_URL = SITE
    # This process queues tasks for the cluster instead of running them itself.
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "PREFIX", CLUSTER)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", CLUSTER)
    env = {
        **{k: v for k, v in os.environ.items() if k.startswith(("PATH", "HOME", "LANG"))},
        "DJANGO_SETTINGS_MODULE": "booke.settings.dev",
        "DATABASE_URL": shared_database,
        "EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "SITE_URL": SITE,
        "Q_NAME": CLUSTER,
        "Q_WORKERS": "2",
        "BOOKE_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "qcluster.log").open("w")
    cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield cluster
    finally:
        os.killpg(cluster.pid, signal.SIGINT)
        try:
            cluster.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()
        log.close()
        print((tmp_path / "qcluster.log").read_text()[-4000:])


def later(days: float) -> None:
    """The clock moves on by `days`: what was due then is due now, and the workers are asked."""
    shift = timedelta(days=days)
    for pk, due in Message.objects.values_list("pk", "due_at"):
        Message.objects.filter(pk=pk).update(due_at=due - shift)
    for pk, at in SessionEvent.objects.values_list("pk", "created_at"):
        SessionEvent.objects.filter(pk=pk).update(created_at=at - shift)
    nudge()


def nudge(times: int = 3) -> None:
    """Queue the sending task several times: the workers race for the same messages."""
    for _ in range(times):
        sender.kick()


def got(box: Mailbox, count: int, cluster, settle: float = 2.0) -> list[tuple[str, str]]:
    """(recipient, subject) of the next `count` messages, in the order the server got them."""
    received = box.new(count, settle=settle, alive=lambda: cluster.poll() is None)
    return [(", ".join(r.to), r.subject) for r in received]


def shoot_and_publish(session, n: int = 3) -> None:
    for i in range(n):
        added = services.add_rush(session, io.BytesIO(jpeg(i)), f"IMG_{i:04}.CR2", enqueue=False)
        services.ingest_rush(added.rush.pk)
    services.publish_proofs(session, actor=session.photographer)


def retouch_and_deliver(session, retoucher, photographer) -> list[RetouchJob]:
    jobs = services.start_retouching(session, actor=photographer)
    services.assign_jobs(jobs, retoucher, actor=photographer)
    return jobs


def finish(session, jobs, photographer) -> None:
    uploads = [(f"{job.rush.stem}-edit.jpg", io.BytesIO(jpeg(900 + job.pk, size=(80, 60))))
               for job in jobs]
    services.upload_finals(uploads, jobs=jobs, actor=photographer)
    for job in RetouchJob.objects.filter(session=session):
        services.move_job(job, RetouchJob.Status.DONE, actor=photographer)
    services.deliver(session, actor=photographer)


def test_a_private_client_is_told_every_step_once(world, mailbox):
    cluster = world
    photographer = user_with_role(roles.PHOTOGRAPHER, email="hugo@studio.test",
                                  first_name="Hugo")
    retoucher = user_with_role(roles.RETOUCHER, email="remi@studio.test", first_name="Rémi")
    claire = "claire@example.test"
    date = timezone.now() + timedelta(days=10)

    # The studio books a session for a new client: the confirmation and the invitation.
    session = services.create_session_for_new_client(
        email=claire, first_name="Claire", last_name="Martin", actor=photographer,
        title="Portrait de famille", photographer=photographer, scheduled_at=date)
    client = session.client
    nudge()
    assert sorted(got(mailbox, 2, cluster)) == [
        (claire, "Studio Booké SARL vous ouvre votre espace client"),
        (claire, f"Votre séance du {sender.context.when(date)} est confirmée"),
    ]
    # The client follows the invitation's link, chooses a password, lands on the session.
    invitation = next(r for r in mailbox.received if "espace client" in r.subject)
    link = re.search(rf"{re.escape(SITE)}(/accounts/invitation/[^/\s]+/)",
                     invitation.part("plain")).group(1)
    browser = Client()
    assert browser.get(link).status_code == 200
    landed = browser.post(link, {"new_password1": "Un-mot-de-passe-2026",
                                 "new_password2": "Un-mot-de-passe-2026"})
    assert landed.status_code == 302
    assert landed["Location"] == f"/portal/sessions/{session.pk}/"
    assert browser.get(landed["Location"]).status_code == 200
    # 48 hours before: the reminder.
    later(8.01)
    reminder = f"Rappel : votre séance {sender.context.when(date)}"
    assert got(mailbox, 1, cluster) == [(claire, reminder)]

    # Shot and published; the mail server refuses the first try: it comes once, later.
    mailbox.refuse_once.add(claire)
    shoot_and_publish(session)
    nudge()
    assert got(mailbox, 0, cluster) == []
    assert mailbox.refused == [claire]
    later(0.01)
    assert got(mailbox, 1, cluster) == [
        (claire, "Vos épreuves sont en ligne : choisissez vos photos")]
    proofs = Message.objects.get(session=session, rule__key="proofs-ready")
    assert (proofs.status, proofs.attempts) == ("sent", 2)

    # Three days without a pick: the reminder.
    later(3.01)
    assert got(mailbox, 1, cluster) == [(claire, "Vos photos vous attendent toujours")]

    # The selection: the client is thanked, the photographer told.
    for pk in rush_ids(session)[:2]:
        services.set_pick(session, pk, True, user=client)
    services.submit_selection(session, user=client)
    nudge()
    assert sorted(got(mailbox, 2, cluster)) == sorted([
        (claire, "Sélection bien reçue : Portrait de famille"),
        ("hugo@studio.test", "Sélection reçue : Portrait de famille (Claire Martin)"),
    ])

    # Retouch: the client is told it started, the retoucher gets the jobs.
    jobs = retouch_and_deliver(session, retoucher, photographer)
    nudge()
    assert sorted(got(mailbox, 2, cluster)) == sorted([
        (claire, "Vos photos sont en retouche"),
        ("remi@studio.test", "2 retouches pour vous : Portrait de famille"),
    ])
    # Delivered; the late-selection task never fires (the selection came first).
    finish(session, jobs, photographer)
    nudge()
    assert got(mailbox, 1, cluster) == [(claire, "Vos photos sont prêtes à télécharger")]
    # Ten days on: the review request.
    later(10.01)
    assert got(mailbox, 1, cluster) == [(claire, "Votre avis sur votre séance ?")]
    # Every event heard again and the sending queued again: nothing more.
    for event in SessionEvent.objects.all():
        planner.plan(Happened.of(event))
    nudge(5)
    assert got(mailbox, 0, cluster, settle=4) == []

    delivered = mailbox.received[-2]
    assert delivered.message["Reply-To"] and delivered.part("html") and delivered.part("plain")
    assert f"{SITE}/portal/sessions/{session.pk}/" in delivered.part("plain")
    assert "List-Unsubscribe" not in delivered.message
    review = mailbox.received[-1]
    assert str(review.message["List-Unsubscribe"]).strip().startswith(f"<{SITE}/accounts/")
    assert str(review.message["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
    assert not Message.objects.exclude(status__in=["sent", "skipped"]).exclude(
        rule__key__in=["delivery-expiring"]).exists()


def test_a_company_team_is_told_every_step_once(world, mailbox):
    cluster = world
    photographer = user_with_role(roles.PHOTOGRAPHER, email="hugo@studio.test",
                                  first_name="Hugo")
    retoucher = user_with_role(roles.RETOUCHER, email="remi@studio.test", first_name="Rémi")
    acme = CompanyFactory(name="ACME")
    ines = MembershipFactory(company=acme, role="admin", user__email="ines@acme.test",
                             user__first_name="Inès").user
    paul = MembershipFactory(company=acme, user__email="paul@acme.test",
                             user__first_name="Paul").user
    date = timezone.now() + timedelta(days=20)
    session = services.create_session(title="Portraits d'équipe", company=acme,
                                      photographer=photographer, scheduled_at=date)
    nudge()
    confirmed = f"Votre séance du {sender.context.when(date)} est confirmée"
    assert sorted(got(mailbox, 2, cluster)) == [("ines@acme.test", confirmed),
                                                ("paul@acme.test", confirmed)]
    team = mailbox.received[-1].part("plain")
    assert "toute l’équipe ACME" in team and "La séance de votre équipe" in team

    shoot_and_publish(session)
    nudge()
    ready = "Vos épreuves sont en ligne : choisissez vos photos"
    assert sorted(got(mailbox, 2, cluster)) == [("ines@acme.test", ready),
                                                ("paul@acme.test", ready)]
    # A member picks, the admin submits (a member may not): the managers get the receipt,
    # the photographer the news.
    for pk in rush_ids(session)[:2]:
        services.set_pick(session, pk, True, user=paul)
    services.submit_selection(session, user=ines)
    nudge()
    assert sorted(got(mailbox, 2, cluster)) == sorted([
        ("ines@acme.test", "Sélection bien reçue : Portraits d'équipe"),
        ("hugo@studio.test", "Sélection reçue : Portraits d'équipe (ACME)"),
    ])
    jobs = retouch_and_deliver(session, retoucher, photographer)
    nudge()
    assert sorted(got(mailbox, 3, cluster)) == sorted([
        ("ines@acme.test", "Vos photos sont en retouche"),
        ("paul@acme.test", "Vos photos sont en retouche"),
        ("remi@studio.test", "2 retouches pour vous : Portraits d'équipe"),
    ])
    finish(session, jobs, photographer)
    nudge()
    done = "Vos photos sont prêtes à télécharger"
    assert sorted(got(mailbox, 2, cluster)) == [("ines@acme.test", done),
                                                ("paul@acme.test", done)]
    # No review request to a company; the selection reminder never went (submitted first).
    later(11)
    assert got(mailbox, 0, cluster, settle=4) == []
    assert ines.pk and paul.pk


def test_notifications_due_while_the_mail_server_is_down_go_out_once_when_it_is_back(
        world, mailbox):
    """Issue 22, "SMTP down", through the real cluster: the server stops, three new clients
    are booked (six emails due), the workers try and keep them waiting; the server comes back
    on the same port; each of the six arrives once."""
    cluster = world
    photographer = user_with_role(roles.PHOTOGRAPHER, email="hugo@studio.test")
    mailbox.stop()
    clients = [f"client{i}@example.test" for i in range(3)]
    for i, email in enumerate(clients):
        services.create_session_for_new_client(
            email=email, first_name=f"Client{i}", last_name="Martin", actor=photographer,
            title=f"Portrait {i}", photographer=photographer,
            scheduled_at=timezone.now() + timedelta(days=10 + i))
    nudge()
    deadline = time.monotonic() + 30
    while not Message.objects.filter(status=Message.Status.FAILED).exists():
        assert time.monotonic() < deadline, "no worker tried to send"
        assert cluster.poll() is None, "the worker died"
        time.sleep(0.2)
    time.sleep(2)
    assert not Message.objects.filter(status=Message.Status.SENT).exists()
    assert "refused" in Message.objects.filter(status=Message.Status.FAILED).first().last_error

    mailbox.restart()
    later(0.01)
    arrived = got(mailbox, 6, cluster, settle=4)
    assert sorted(to for to, _ in arrived) == sorted(clients * 2)
    assert len(set(arrived)) == 6
    later(0.05)
    assert got(mailbox, 0, cluster, settle=4) == []
    # (the reminders 48 hours before each session are not due yet)
    due = Message.objects.filter(due_at__lte=timezone.now())
    assert set(due.values_list("status", flat=True)) == {Message.Status.SENT}
    assert due.count() == 6
