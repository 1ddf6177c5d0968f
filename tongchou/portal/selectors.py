"""The member's own record: the one linked to the signed-in login (Member.user), nothing else.
A member has no scope beyond their own record."""

from tongchou.members.models import Member


def own_member(user) -> Member | None:
    """The member record linked to this login, or None (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return None
    if "_tongchou_portal_member" not in user.__dict__:
        user.__dict__["_tongchou_portal_member"] = (
            Member.objects.select_related("organization", "organization__region", "home_region")
            .filter(user_id=user.pk)
            .first()
        )
    return user.__dict__["_tongchou_portal_member"]


def forget_own_member(user) -> None:
    """After a write that changes the record (organization, status), read it afresh."""
    user.__dict__.pop("_tongchou_portal_member", None)


def summary_for(member: Member, *, today) -> dict:
    """What the member's own page and ``GET /api/me/member/`` show besides the panels: the open
    transfer, the open spell away from home and this year's study hours (facts)."""
    from tongchou.education.selectors import study_summary_for_member
    from tongchou.mobility.selectors import open_spell_for
    from tongchou.transfers.models import OPEN_STATES
    from tongchou.transfers.selectors import transfers_of_member

    open_transfer = transfers_of_member(member).filter(state__in=list(OPEN_STATES)).first()
    return {
        "open_transfer": open_transfer,
        "open_spell": open_spell_for(member),
        "study": study_summary_for_member(member, today.year),
    }
