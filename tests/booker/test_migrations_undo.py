"""The schedules' old data migrations undone and redone keep each schedule once (see
tests/booker/test_migrations.py). A module of its own: each of these tests migrates back and
forth for a minute or more, and `--dist loadfile` runs the two modules side by side."""

from __future__ import annotations

import pytest
from django.apps import apps as current
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.booker.test_migrations import SCHEDULES, migrate_to


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_old_schedule_migrations_undone_and_redone_neither_delete_nor_duplicate():
    Schedule = current.get_model("django_q", "Schedule")
    assert sorted(Schedule.objects.values_list("name", flat=True)) == sorted(SCHEDULES)

    # Before booker 0011 and payments 0003: their reverse used to delete the schedules.
    migrate_to([("booker", "0010_crm_roles"), ("payments", "0002_shop_manager_permissions")])
    assert sorted(Schedule.objects.values_list("name", flat=True)) == sorted(SCHEDULES)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # forward, without post_migrate
    assert sorted(Schedule.objects.values_list("name", flat=True)) == sorted(SCHEDULES)
