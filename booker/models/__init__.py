from .crm import Lead, MarketingConsent
from .people import Company, Membership, User, UserManager, normalise_email
from .studio import (
    Delivery,
    DownloadLog,
    FinalPhoto,
    Package,
    PhotoSession,
    RetouchJob,
    Rush,
    Selection,
    SelectionItem,
    SessionEvent,
)
from .uploads import RushUpload

__all__ = [
    "Company",
    "Delivery",
    "DownloadLog",
    "FinalPhoto",
    "Lead",
    "MarketingConsent",
    "Membership",
    "Package",
    "PhotoSession",
    "RetouchJob",
    "Rush",
    "RushUpload",
    "Selection",
    "SelectionItem",
    "SessionEvent",
    "User",
    "UserManager",
    "normalise_email",
]
