"""django-q2 task entry points: thin wrappers around services, importable by dotted path."""

from . import services


def ingest_rush(rush_id: int) -> str:
    rush = services.ingest_rush(rush_id)
    return "skipped" if rush is None else rush.ingest_status
