"""The mobility section of a member's page (members.panels): the member's spells, open and
past, with both sides, and a "登记外出" button for whoever may register it."""

from tongchou.members.choices import MemberStatus
from tongchou.mobility import selectors
from tongchou.mobility.models import MobilityStatus
from tongchou.mobility.permissions import may_register_outflow

REGISTRABLE = (MemberStatus.NORMAL, MemberStatus.LOST_CONTACT, MemberStatus.MOBILE)


def mobility_panel(user, member, *, viewer_is_member: bool) -> dict | None:
    spells = list(selectors.spells_of_member(member))
    has_open = any(s.status == MobilityStatus.OPEN for s in spells)
    # On the member's own page the portal offers its own "going out" form.
    can_register = (
        not viewer_is_member
        and not has_open
        and not member.archived
        and member.status in REGISTRABLE
        and may_register_outflow(user, member)
    )
    if not spells and not can_register:
        return None
    visible = set()
    if not viewer_is_member and spells:
        visible = set(
            selectors.mobile_list_for(user)
            .filter(pk__in=[s.pk for s in spells])
            .values_list("pk", flat=True)
        )
    open_spells = [s.pk for s in spells if s.status == MobilityStatus.OPEN]
    return {
        "member": member,
        "spells": spells,
        # 失联 as the report says — for the sides to act on; not shown on the member's own page.
        "lost": set() if viewer_is_member else selectors.lost_spell_ids(open_spells),
        "linked": visible,  # spells whose page the viewer may open
        "can_register": can_register,
        "viewer_is_member": viewer_is_member,
    }
