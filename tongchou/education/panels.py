"""The education section of a member's page (and of the member's own page, portal)."""

from django.utils import timezone

from tongchou.education import selectors
from tongchou.organizations.permissions import Action, can


def member_panel(user, member, *, viewer_is_member: bool) -> dict:
    context = selectors.member_education_for(member, year=timezone.localdate().year)
    context["can_record"] = not viewer_is_member and can(
        user, Action.MANAGE_MEMBERS, member.org_path
    )
    context["member"] = member
    context["viewer_is_member"] = viewer_is_member
    return context
