"""What other parts of the site show on a session's studio page, without the Booker importing
them (the pattern of booker.teams.panels): the shop registers the orders tied to a session
(its extras, the prints of its finals) from its own AppConfig.ready; the studio page asks every
registered source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from booker.models import PhotoSession, User
from booker.teams.panels import PanelRow


@dataclass(frozen=True)
class SessionPanel:
    key: str
    title: str
    rows: list[PanelRow] = field(default_factory=list)
    empty: str = ""


# `source(session, user)` gives its panel for `user` (a person who runs the studio) on
# `session`'s studio page, or None when it has nothing to show.
SessionPanelSource = Callable[[PhotoSession, User], "SessionPanel | None"]
_sources: list[SessionPanelSource] = []


def register_session_panel(source: SessionPanelSource) -> None:
    """Have `source`'s panel on every session's studio page (registering twice counts once)."""
    if source not in _sources:
        _sources.append(source)


def session_panels(session: PhotoSession, user: User) -> list[SessionPanel]:
    panels = []
    for source in _sources:
        panel = source(session, user)
        if panel is not None:
            panels.append(panel)
    return panels
