"""The Booker's reads, always scoped to who is asking, gathered for the rest of the site. Each
lives in its domain package (booker/<domain>/selectors.py; who may see what in
booker/sessions/access.py)."""
from booker.delivery.selectors import (
    delivered_finals,
    delivery_for,
)
from booker.intake.selectors import (
    ingest_counts,
    originals_by_tier,
    studio_rushes,
    with_ingest_counts,
)
from booker.people.selectors import (
    memberships_of,
    retouchers,
    role_names,
    runs_the_studio,
)
from booker.proofing.extras import (
    Extras,
    extras,
    photos_paid_for,
)
from booker.proofing.selectors import (
    ProofCard,
    extra_picks,
    extras_for,
    extras_unit_price,
    gallery,
    pick_count,
    picks,
    selection_extras,
)
from booker.retouch.selectors import (
    back_office_jobs,
    jobs_of,
    session_jobs,
)
from booker.sessions.access import (
    CLIENT_STATUSES,
    FINALS_VISIBLE_TO_CLIENT,
    JOB_HOLDING_ROLES,
    PROOFS_VISIBLE_TO_CLIENT,
    SessionFiles,
    final_file_for,
    may_see_session_files,
    receives_session,
    rush_file_for,
    sees_every_session,
    session_for,
    sessions_visible_to,
    sessions_with_files_for,
    studio_sessions,
    works_on_session,
)
from booker.sessions.selectors import (
    CLIENT_STATUS_TEXT,
    back_office_sessions,
)

__all__ = [
    "CLIENT_STATUSES",
    "CLIENT_STATUS_TEXT",
    "Extras",
    "FINALS_VISIBLE_TO_CLIENT",
    "JOB_HOLDING_ROLES",
    "PROOFS_VISIBLE_TO_CLIENT",
    "ProofCard",
    "SessionFiles",
    "back_office_jobs",
    "back_office_sessions",
    "delivered_finals",
    "delivery_for",
    "extra_picks",
    "extras",
    "extras_for",
    "extras_unit_price",
    "final_file_for",
    "gallery",
    "ingest_counts",
    "jobs_of",
    "may_see_session_files",
    "memberships_of",
    "originals_by_tier",
    "photos_paid_for",
    "pick_count",
    "picks",
    "receives_session",
    "retouchers",
    "role_names",
    "runs_the_studio",
    "rush_file_for",
    "sees_every_session",
    "selection_extras",
    "session_for",
    "session_jobs",
    "sessions_visible_to",
    "sessions_with_files_for",
    "studio_rushes",
    "studio_sessions",
    "with_ingest_counts",
    "works_on_session",
]
