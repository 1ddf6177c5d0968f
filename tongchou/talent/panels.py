"""The talent section of a member's page (and of the member's own page at /me/)."""

from tongchou.organizations.permissions import Action, can
from tongchou.talent import selectors


def member_panel(user, member, *, viewer_is_member: bool) -> dict | None:
    talent = selectors.talent_of_member(member)
    assignments = list(selectors.assignments_of_member(member).order_by("-first_day")[:10])
    can_add = not viewer_is_member and can(user, Action.MANAGE_MEMBERS, member.org_path)
    if talent is None and not assignments and not viewer_is_member and not can_add:
        return None
    return {
        "talent": talent,
        "assignments": assignments,
        "member": member,
        "viewer_is_member": viewer_is_member,
        "can_add": can_add and talent is None,
    }
