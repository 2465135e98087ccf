"""The studio's models, defined in their domain packages (booker/<domain>/models.py) and
gathered here: Django loads an app's models from this module, and the rest of the code and
the migrations know them as `booker.models.X`."""

from booker.automation.models import EmailTemplate, Message, Rule, StaffTask
from booker.booking.models import (
    Booking,
    BookingQuestion,
    BusyTime,
    DateOverride,
    HeadshotDay,
    HeadshotSlot,
    SessionType,
    WeeklyHours,
)
from booker.calendars.models import CalendarFeed, ExternalBusy, ExternalCalendar
from booker.crm.models import Contact, ContactNote, ContactTask, Lead, MarketingConsent
from booker.delivery.models import Delivery, DownloadLog, HiddenPhoto, PhotoTag, ShareLink
from booker.intake.models import Rush, RushUpload
from booker.marketing.models import Campaign, CampaignSend, Segment, SegmentCondition
from booker.people.models import (
    Company,
    Invitation,
    Membership,
    PersonalDataErasure,
    TeamInvitation,
    User,
    UserManager,
    normalise_email,
)
from booker.proofing.models import Selection, SelectionItem
from booker.retouch.models import FinalPhoto, FinalVersion, RetouchJob
from booker.sessions.models import Package, PhotoSession, SessionEvent
from booker.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "Booking",
    "Campaign",
    "CampaignSend",
    "Segment",
    "SegmentCondition",
    "HeadshotDay",
    "HeadshotSlot",
    "BookingQuestion",
    "BusyTime",
    "CalendarFeed",
    "ExternalBusy",
    "ExternalCalendar",
    "Company",
    "Contact",
    "ContactNote",
    "ContactTask",
    "DateOverride",
    "Delivery",
    "DownloadLog",
    "EmailTemplate",
    "FinalPhoto",
    "FinalVersion",
    "HiddenPhoto",
    "Invitation",
    "Lead",
    "MarketingConsent",
    "Membership",
    "TeamInvitation",
    "Message",
    "Package",
    "PersonalDataErasure",
    "PhotoSession",
    "PhotoTag",
    "RetouchJob",
    "Rule",
    "Rush",
    "RushUpload",
    "Selection",
    "SelectionItem",
    "SessionEvent",
    "SessionType",
    "ShareLink",
    "StaffTask",
    "User",
    "UserManager",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WeeklyHours",
    "normalise_email",
]
