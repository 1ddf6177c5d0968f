"""The transfers section of a member's page (and of the member's own page in the portal)."""

from tongchou.members.panels import Panel
from tongchou.transfers import permissions, selectors
from tongchou.transfers.models import OPEN_STATES

PANEL_LIMIT = 20


def context(user, member, *, viewer_is_member: bool = False) -> dict | None:
    transfers = list(selectors.transfers_of_member(member)[:PANEL_LIMIT])
    has_open = any(t.state in OPEN_STATES for t in transfers)
    can_request = not member.archived and not has_open and permissions.may_request(user, member)
    if not transfers and not can_request:
        return None
    return {
        "member": member,
        "transfers": transfers,
        "can_request": can_request,
        "viewer_is_member": viewer_is_member,
    }


member_panel = Panel(
    key="transfers", template="transfers/_member_panel.html", context=context, order=20
)
