"""Every signal the Booker listens to, connected in one place: imported by BookerConfig.ready()
(booker/apps.py). Each receiver only calls the module that knows what to do.

The shop hears the Booker through its typed events (booker.events.subscribe), in its own
apps' receivers.py; the Booker's automation engine hears every event (booker/automation/
planner.py, subscribed below)."""

from django.apps import apps
from django.contrib.auth.signals import user_logged_in
from django.core.signals import setting_changed
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django_q.signals import post_spawn

from booker import schedules, session_limits, storage
from booker.automation import planner, retiming
from booker.automation import subjects as _subjects  # noqa: F401 -- registers "invitation"
from booker.automation.defaults import ensure_defaults
from booker.booking import selectors as booking_selectors
from booker.booking import services as booking
from booker.booking.availability import register_busy_source
from booker.calendars import selectors as calendar_selectors
from booker.calendars import services as calendars
from booker.crm import services as crm
from booker.delivery import services as delivery
from booker.events import Event, subscribe
from booker.intake import ingest
from booker.intake.sitters import register_sitter_source
from booker.webhooks import services as webhooks


@receiver(user_logged_in, dispatch_uid="booker.session_limits.signed_in")
def start_session_clocks(sender, request=None, user=None, **kwargs) -> None:
    session_limits.start_clocks(request)


@receiver(setting_changed, dispatch_uid="booker.storage.storages_changed")
def storages_changed(sender, *, setting: str, **kwargs) -> None:
    if setting == "STORAGES":  # tests swap the local disk for S3
        storage.storages_changed()


def _last_migrated_app():
    # post_migrate is sent once per app that has models, in INSTALLED_APPS order.
    return [config for config in apps.get_app_configs() if config.models_module][-1]


@receiver(post_migrate, dispatch_uid="booker.schedules.sync")
def sync_schedules(sender, using: str = "default", **kwargs) -> None:
    # The cluster's periodic tasks are data it needs, made by `migrate` (every deployment runs
    # it): once per run, after the last app, when every migration is applied.
    if sender is _last_migrated_app():
        schedules.sync(using=using)


@receiver(post_migrate, dispatch_uid="booker.automation.defaults")
def ensure_automation_defaults(sender, using: str = "default", plan=None, **kwargs) -> None:
    # The rules and templates the studio starts with (booker/automation/defaults.py): made
    # once, then the studio's to edit. `migrate` sends a plan (empty when nothing is left to
    # apply); `flush` sends none: a database emptied on purpose (a test that commits, about
    # to restore its own serialized rows) is left empty.
    if sender is _last_migrated_app() and using == "default" and plan is not None:
        ensure_defaults()


@receiver(post_spawn, dispatch_uid="booker.ingest.warm_up")
def warm_up_worker(sender, **kwargs) -> None:
    ingest.warm_up()


# A session moved or cancelled: its calendar event's SEQUENCE goes up, first, so that the
# .ics of the emails the engine then plans already carries it.
subscribe(Event.SESSION_RESCHEDULED, Event.SESSION_CANCELLED)(calendars.on_session_changed)

# The automation engine hears every event and plans its rules' messages; a session moved takes
# its reminders along, and so does a delivery whose downloads stay open longer.
subscribe(*Event)(planner.on_event)
subscribe(Event.SESSION_RESCHEDULED)(planner.on_rescheduled)
subscribe(Event.DELIVERY_EXTENDED)(retiming.on_delivery_extended)
# Every event goes out to the webhook endpoints that want it (booker/webhooks/).
subscribe(*Event)(webhooks.on_event)
# A booking wins the person's open lead in the CRM's pipeline.
subscribe(Event.BOOKING_CONFIRMED, Event.SESSION_BOOKED)(crm.on_booked)
# A request to book is a lead of its own, lost when turned down.
subscribe(Event.BOOKING_REQUESTED)(crm.on_booking_requested)
subscribe(Event.BOOKING_DECLINED, Event.BOOKING_CANCELLED)(crm.on_booking_turned_down)

# The web copies of a delivery are made by the worker as soon as it is delivered, and a final
# approved later gets its own: nobody opening the delivered photos waits for them.
subscribe(Event.SESSION_DELIVERED)(delivery.on_session_delivered)
subscribe(Event.JOB_DONE)(delivery.on_final_approved)


# The photographers' own calendars (booker/calendars) block booking slots (booker/booking),
# neither package importing the other; booking requests show, tentative, on their feed.
register_busy_source(calendar_selectors.busy_intervals)

calendars.register_feed_source(booking_selectors.feed_items)


# A booked session the studio moves, cancels or shoots in the admin: its online booking follows
# (the slot it blocks; a refund of everything paid; done).
@subscribe(Event.SESSION_RESCHEDULED)
def booking_follows_move(event) -> None:
    booking.session_moved(event.session_id)


@subscribe(Event.SESSION_CANCELLED)
def booking_follows_cancellation(event) -> None:
    booking.session_cancelled(event.session_id, actor_id=event.actor_id)


@subscribe(Event.SESSION_SHOT)
def booking_done(event) -> None:
    booking.session_shot(event.session_id)

# Who is in each photo of a headshot day (booker/intake/sitters.py) comes from the members'
# slots (booker/booking), the rushes' package importing nothing of the booking one.
register_sitter_source(booking_selectors.headshot_sitter_windows)
