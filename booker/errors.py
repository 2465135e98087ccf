"""The refusals every domain of the Booker raises, with a message for the person who tried."""

from __future__ import annotations


class StudioError(Exception):
    """A refused action, with a message for the person who tried it."""


class IllegalTransition(StudioError):
    """A move its state machine does not allow."""
