"""The Booker's writes, in one place for the rest of the site: the shop, the portal's views,
commands and tests call `booker.services.X`. Each function lives in its domain package
(booker/<domain>/services.py, and the state machines in booker/<domain>/machine.py); this
module only gathers the public ones, so a caller need not know where a rule sits."""
from booker.automation.services import (
    emit_event,
    ensure_defaults,
    register_subject,
    retry_message,
    send_due_messages,
)
from booker.crm.services import (
    InvalidToken,
    TooManyRequests,
    check_rate,
    confirm_consent,
    one_click_unsubscribe_headers,
    record_lead,
    request_newsletter_consent,
    withdraw_consent,
)
from booker.delivery.services import (
    deliver,
    extend_downloads,
    log_download,
)
from booker.errors import (
    IllegalTransition,
    StudioError,
)
from booker.intake.ingest import (
    PROOF_EDGE,
    THUMB_EDGE,
    enqueue_ingest,
    ingest_rush,
)
from booker.intake.services import (
    AddedRush,
    add_rush,
    add_stored_rush,
    check_takes_rushes,
    retry_rushes,
    rush_filename,
)
from booker.people.services import (
    add_member,
    assign_role,
    ensure_user,
    invite_client,
    send_invitation,
)
from booker.proofing.services import (
    EXTRAS_PAID_EVENTS,
    extras_paid,
    publish_proofs,
    reopen_selection,
    set_comment,
    set_pick,
    submit_selection,
)
from booker.retouch.machine import (
    move_job,
)
from booker.retouch.services import (
    FINAL_FORMATS,
    FinalsReport,
    assign_jobs,
    final_pixel_size,
    final_refusal,
    match_final,
    start_retouching,
    upload_finals,
)
from booker.sessions.machine import (
    transition,
)
from booker.sessions.services import (
    cancel_session,
    create_session,
    record_event,
    reschedule_session,
)

__all__ = [
    "emit_event",
    "ensure_defaults",
    "register_subject",
    "retry_message",
    "send_due_messages",
    "AddedRush",
    "EXTRAS_PAID_EVENTS",
    "FINAL_FORMATS",
    "FinalsReport",
    "IllegalTransition",
    "InvalidToken",
    "PROOF_EDGE",
    "StudioError",
    "THUMB_EDGE",
    "TooManyRequests",
    "add_member",
    "add_rush",
    "add_stored_rush",
    "assign_jobs",
    "assign_role",
    "cancel_session",
    "check_rate",
    "check_takes_rushes",
    "confirm_consent",
    "create_session",
    "reschedule_session",
    "deliver",
    "extend_downloads",
    "enqueue_ingest",
    "ensure_user",
    "extras_paid",
    "final_pixel_size",
    "final_refusal",
    "ingest_rush",
    "invite_client",
    "log_download",
    "match_final",
    "move_job",
    "one_click_unsubscribe_headers",
    "publish_proofs",
    "record_event",
    "record_lead",
    "reopen_selection",
    "request_newsletter_consent",
    "retry_rushes",
    "rush_filename",
    "send_invitation",
    "set_comment",
    "set_pick",
    "start_retouching",
    "submit_selection",
    "transition",
    "upload_finals",
    "withdraw_consent",
]
