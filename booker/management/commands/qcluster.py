"""django-q2's `qcluster`, with what the cluster's parent does before it forks its workers, and
a parent that stops on TERM sent to the whole process group.
Overrides django_q's command of the same name: booker comes before django_q in
INSTALLED_APPS, and Django takes the first app's command."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time

from django.conf import settings
from django.db import connections
from django_q.cluster import Cluster
from django_q.management.commands.qcluster import Command as QclusterCommand

from booker import schedules
from booker.intake import ingest

log = logging.getLogger(__name__)


class StoppingCluster(Cluster):
    """django-q2's cluster, whose parent always stops.

    Its parent stops the sentinel by setting a shared Event. When TERM reaches the whole
    process group (systemd's KillMode=control-group, `kill -- -PGID`), the sentinel and the
    workers die by it at once; a process that died while waiting on that Event never takes
    its wake-up, and the parent's `Event.set()` waits for it for ever, deaf to further
    signals. Here the stop runs in a thread and the parent waits for it at most
    BOOKER_WORKER_STOP_SECONDS; past that, or at a second signal, it ends what is left of
    the cluster and exits. A task cut short is run again (the broker redelivers what was not
    acknowledged; the tasks are idempotent)."""

    def sig_handler(self, signum, frame) -> None:
        if getattr(self, "_stopping", False):
            self._exit_now(signum)
        self._stopping = True
        stopper = threading.Thread(target=self.stop, name="qcluster-stop", daemon=True)
        stopper.start()
        deadline = time.monotonic() + settings.BOOKER_WORKER_STOP_SECONDS
        while stopper.is_alive() and time.monotonic() < deadline:
            stopper.join(0.1)
            sentinel = self.sentinel
            if stopper.is_alive() and sentinel is not None and not sentinel.is_alive():
                # The sentinel is gone and the stop still waits: it waits for the dead.
                self._exit_now(signum)
        if stopper.is_alive():
            log.warning("qcluster: the cluster did not stop within %ss after %s; ending it",
                        settings.BOOKER_WORKER_STOP_SECONDS, signal.Signals(signum).name)
            self._exit_now(signum)

    def _exit_now(self, signum: int) -> None:
        for child in multiprocessing.active_children():
            child.kill()
        # Not sys.exit: the interpreter's exit would join the dead sentinel again.
        os._exit(128 + signum)


class Command(QclusterCommand):
    def handle(self, *args, **options):
        # The schedules the cluster runs, as declared: a deployment that starts the cluster
        # without running `migrate` (or after someone deleted one) still has them.
        schedules.sync()
        connections.close_all()  # not inherited by the forked processes
        ingest.warm_up_before_fork()
        # As django_q's own command, with the cluster above.
        settings.SECRET_KEY  # noqa: B018 -- signing needs it: fail before forking without it
        if options.get("cluster_name"):
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        cluster = StoppingCluster()
        cluster.start()
        if options.get("run_once", False):
            cluster.stop()
