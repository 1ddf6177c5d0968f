"""Reads of service stations and mobile members, always through a user's scope.

A spell is seen by both of its sides: the home side (``home_path``), the inflow side (the inflow
organization's ``inflow_path`` or the station's organization's ``station_path``) — each through
the user's ``VIEW_MEMBERS`` scope — and by the staff of the station it is registered at. A member
sees their own spells through the portal, not here.
"""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tongchou.core import tree
from tongchou.core.lookups import pk_or_404
from tongchou.mobility.models import MobileMember, MobilityStatus, ServiceStation
from tongchou.mobility.permissions import staffed_station_ids
from tongchou.mobility.rules import lost_contact_q
from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, scope_for

SPELL_RELATED = ("member", "home_org", "inflow_org", "station", "destination_region")


def station_list_for(user) -> QuerySet[ServiceStation]:
    """Stations of organizations in the user's ``VIEW_ORGS`` scope, and those they staff."""
    scope = scope_for(user, Action.VIEW_ORGS)
    if scope.everything:
        return ServiceStation.objects.all()
    q = scope.q("org_path")
    staffed = staffed_station_ids(user)
    if staffed:
        q |= Q(pk__in=staffed)
    return ServiceStation.objects.filter(q)


def station_visible_to(user, station: ServiceStation) -> bool:
    """Whether ``station_get_for`` finds the station for the user (the same rule, no query
    beyond the cached roles and stations): pages link to a station only then."""
    scope = scope_for(user, Action.VIEW_ORGS)
    return scope.covers(station.org_path) or station.pk in staffed_station_ids(user)


def station_get_for(user, pk) -> ServiceStation:
    station = (
        station_list_for(user)
        .select_related("organization", "region")
        .filter(pk=pk_or_404(pk))
        .first()
    )
    if station is None:
        raise Http404
    return station


def _spell_scope(user) -> Q | None:
    """The condition for spells the user may see (None: every spell)."""
    scope = scope_for(user, Action.VIEW_MEMBERS)
    if scope.everything:
        return None
    q = scope.q("home_path") | scope.q("inflow_path") | scope.q("station_path")
    staffed = staffed_station_ids(user)
    if staffed:
        q |= Q(station_id__in=staffed)
    return q


def mobile_list_for(user, *, within: Organization | None = None) -> QuerySet[MobileMember]:
    """Spells whose home side or inflow side is in the user's ``VIEW_MEMBERS`` scope, or that
    are at a station the user staffs; ``within`` narrows to spells touching its subtree on
    either side."""
    spells = MobileMember.objects.all()
    q = _spell_scope(user)
    if q is not None:
        spells = spells.filter(q)
    if within is not None:
        spells = spells.filter(touching(within.path))
    return spells


def touching(path: str) -> Q:
    """Spells with either side inside the subtree at ``path``."""
    return (
        tree.subtree_q(path, "home_path")
        | tree.subtree_q(path, "inflow_path")
        | tree.subtree_q(path, "station_path")
    )


def mobile_get_for(user, pk) -> MobileMember:
    spell = mobile_list_for(user).select_related(*SPELL_RELATED).filter(pk=pk_or_404(pk)).first()
    if spell is None:
        raise Http404
    return spell


def open_spell_for(member) -> MobileMember | None:
    return (
        MobileMember.objects.filter(member=member, status=MobilityStatus.OPEN)
        .select_related(*SPELL_RELATED)
        .first()
    )


def spells_of_member(member) -> QuerySet[MobileMember]:
    """Every spell of a member, open and past, newest first (the member page's panel)."""
    return MobileMember.objects.filter(member=member).select_related(*SPELL_RELATED)


def inflow_side_of(member) -> tuple[list[str], set[int]]:
    """Paths of the inflow organization and of the station's organization, and the station id,
    of the member's open spell (empty when the member is not away or has no inflow side)."""
    row = (
        MobileMember.objects.filter(member=member, status=MobilityStatus.OPEN)
        .values_list("inflow_path", "station_path", "station_id")
        .first()
    )
    if row is None:
        return [], set()
    inflow_path, station_path, station_id = row
    paths = list(dict.fromkeys(p for p in (inflow_path, station_path) if p))
    return paths, ({station_id} if station_id else set())


def contacts_of(spell: MobileMember):
    return spell.contacts.select_related("by")


def station_spells(user, station: ServiceStation) -> QuerySet[MobileMember]:
    """The open spells at a station, as the user may see them."""
    return (
        mobile_list_for(user)
        .filter(station=station, status=MobilityStatus.OPEN)
        .select_related(*SPELL_RELATED)
    )


def stations_for_registration(user) -> QuerySet[ServiceStation]:
    """Active stations where the user may register arrivals: those they staff, and those of
    organizations where they manage members."""
    q = scope_for(user, Action.MANAGE_MEMBERS).q("org_path")
    staffed = staffed_station_ids(user)
    if staffed:
        q |= Q(pk__in=staffed)
    return ServiceStation.objects.filter(q, active=True)


def lost_spell_ids(pks) -> set[int]:
    """Which of these spells are out of contact (失联, mobility.rules), in one query: the
    flags of a list's page, a spell's page, the API."""
    pks = list(pks)
    if not pks:
        return set()
    lost = MobileMember.objects.filter(lost_contact_q(), pk__in=pks)
    return set(lost.values_list("pk", flat=True))


def arrivals_expected(stations: list[ServiceStation], *, limit: int = 20) -> list[MobileMember]:
    """Open spells heading into the stations' areas (destination region inside a station's
    region) that no inflow organization or station has registered yet: the people a station
    should expect and register (the home page's work list for its staff). Newest first."""
    codes = {s.region_id for s in stations if s.region_id}
    if not codes:
        return []
    heading = Q()
    for code in codes:
        heading |= Q(destination_region__code__startswith=code)
    return list(
        MobileMember.objects.filter(
            heading,
            status=MobilityStatus.OPEN,
            station__isnull=True,
            inflow_org__isnull=True,
            member__isnull=False,
        )
        .select_related("member", "home_org", "destination_region")
        .order_by("-since", "-id")[:limit]
    )


def open_spell_counts(stations: list[ServiceStation]) -> dict[int, int]:
    """Open spells registered at each station (one grouped query)."""
    rows = (
        MobileMember.objects.filter(station__in=stations, status=MobilityStatus.OPEN)
        .values("station_id")
        .annotate(n=Count("id"))
        .values_list("station_id", "n")
    )
    return dict(rows)
