"""Who may act on mobile members and service stations.

Station staff are named from the accounts the editor already manages (``accounts_in_scope``):
making someone staff puts their account in the station's organization, so naming any account
by its username would let an admin pull a stranger's account into their reach.

Secretaries and admins act through their roles (``organizations.permissions``): the home side
with ``MANAGE_MEMBERS`` on the member's organization, the inflow side with ``MANAGE_MEMBERS`` on
the inflow organization or the station's organization. Station staff (``ServiceStation.staff``)
need no role: they see their station and the mobile members registered at it, register arrivals
there and record contacts and returns for those spells. A member acts on their own record only.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from tongchou.mobility.models import MobileMember, ServiceStation
from tongchou.organizations.permissions import Action, can, has_any_role


def staffed_station_ids(user) -> set[int]:
    """Ids of the active stations the user works at (one query, cached on the user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    cached = user.__dict__.get("_tongchou_station_ids")
    if cached is None:
        cached = set(
            ServiceStation.objects.filter(staff=user, active=True).values_list("pk", flat=True)
        )
        user.__dict__["_tongchou_station_ids"] = cached
    return cached


def staffs(user, station: ServiceStation) -> bool:
    return station.pk in staffed_station_ids(user)


def may_use_mobility(user) -> bool:
    """Any role, or work at a station: who may open the mobility pages and endpoints."""
    return has_any_role(user) or bool(staffed_station_ids(user))


def is_the_member(user, member) -> bool:
    return member is not None and user.is_authenticated and member.user_id == user.pk


def may_manage_station(user, station: ServiceStation) -> bool:
    return can(user, Action.MANAGE_ORGS, station.org_path)


def may_register_at_station(user, station: ServiceStation) -> bool:
    return staffs(user, station) or can(user, Action.MANAGE_MEMBERS, station.org_path)


def may_register_outflow(user, member) -> bool:
    return is_the_member(user, member) or can(user, Action.MANAGE_MEMBERS, member.org_path)


def may_act_on_spell(user, spell: MobileMember) -> bool:
    """Record contacts, a return or the end of a spell: either side, or the station's staff."""
    if spell.station_id and spell.station_id in staffed_station_ids(user):
        return True
    return any(
        can(user, Action.MANAGE_MEMBERS, path)
        for path in (spell.home_path, spell.inflow_path, spell.station_path)
        if path
    )


def may_return(user, spell: MobileMember) -> bool:
    """A return is also registered by the member themself ("I am back")."""
    return may_act_on_spell(user, spell) or is_the_member(user, spell.member)


# --- which accounts an admin may name as station staff -----------------------------------------

_account_scope: list[Callable[[object], QuerySet]] = []


def register_account_scope(accounts_for: Callable[[object], QuerySet]) -> None:
    """Say which accounts a user manages (``accounts.selectors.account_list_for``). The accounts
    app sits above this one and plugs its rule in at start-up (``accounts.apps``)."""
    _account_scope[:] = [accounts_for]


def accounts_in_scope(user) -> QuerySet:
    """The accounts ``user`` manages; none if no rule was plugged in (refuse, never guess)."""
    if not _account_scope:
        return get_user_model().objects.none()
    return _account_scope[0](user)
