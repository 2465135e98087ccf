"""The basket's periodic tasks, declared in the Booker's schedule registry (booker/schedules.py
finds this module by autodiscovery)."""

from booker.schedules import HOURLY, Scheduled, declare

ABANDONED_BASKETS = Scheduled(
    # Every hour: a basket left is noticed between 24 and 25 hours after its last change.
    "shop.basket.announce_abandoned_baskets", "shop.basket.tasks.announce_abandoned_baskets",
    HOURLY, after_minutes=30,
)

declare(ABANDONED_BASKETS)
