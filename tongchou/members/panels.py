"""Sections other apps add to a member's page (transfers, mobility, attendance, study).

The member page lives here, but what it shows about transfers or attendance belongs to the apps
above members; each registers a ``Panel`` in its ``AppConfig.ready`` and this module never
imports them (dependencies point down). The same panels render on the member's own page
(portal), where ``viewer_is_member`` is true.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str  # rendered with the panel's context under ``panel``
    context: Callable  # (user, member, *, viewer_is_member: bool) -> dict | None (None: hide)
    order: int = 100


PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    PANELS[panel.key] = panel


def panels_for(user, member, *, viewer_is_member: bool = False) -> list[dict]:
    """The panels to show, each ``{"template": …, "context": …}``, in order."""
    shown = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(user, member, viewer_is_member=viewer_is_member)
        if context is not None:
            shown.append({"key": panel.key, "template": panel.template, "context": context})
    return shown
