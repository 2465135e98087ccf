"""Our migrations stay appliable to a database that already has earlier ones."""

from django.db.migrations.loader import MigrationLoader

OURS = ("booker", "shop", "editorial", "booke")


def test_no_migration_of_ours_depends_on_the_latest_migration_of_an_app():
    """("app", "__latest__") follows the app's newest migration: the day the app gets a new one,
    every database that applied ours refuses to migrate ("applied before its dependency"). CI's
    kept databases met it when the forked order app got its first migration of our own."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    moving = [
        f"{label}.{name} -> {dependency[0]}.__latest__"
        for (label, name), migration in loader.disk_migrations.items()
        if migration.__module__.startswith(OURS)
        for dependency in migration.dependencies
        if dependency[1] == "__latest__"
    ]
    assert moving == []
