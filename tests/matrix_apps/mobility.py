"""Permission-matrix entries for the mobility app's URLs (merged into tests.matrix.REGISTRY).

Side A's station and spell are in county A (the admin's scope), side B's in county B (out of
scope: 404). Both are built lazily from the world and cached on it."""

import datetime as dt

from django.utils import timezone

from tests.matrix import LOGIN, Check, Entry, api_get, api_post, none, page_get, page_post, side
from tests.world import World
from tongchou.mobility.models import (
    MobileMember,
    MobilityContact,
    ServiceStation,
    StationKind,
)


def _station(world: World, in_scope: bool) -> ServiceStation:
    key = f"_mobility_station_{'a' if in_scope else 'b'}"
    if key not in world.__dict__:
        s = side(world, in_scope)
        world.__dict__[key] = ServiceStation.objects.create(
            name=f"{s.street.name}党员服务站",
            kind=StationKind.CITY_STREET,
            organization=s.street,
            org_path=s.street.path,
            region=s.street_region,
        )
    return world.__dict__[key]


def _spell(world: World, in_scope: bool) -> MobileMember:
    """An open spell of the side's first member, registered at the side's station."""
    key = f"_mobility_spell_{'a' if in_scope else 'b'}"
    if key not in world.__dict__:
        s = side(world, in_scope)
        station = _station(world, in_scope)
        member = s.members[0]
        world.__dict__[key] = MobileMember.objects.create(
            member=member,
            home_org=s.village,
            home_path=s.village.path,
            destination_region=s.street_region,
            since=dt.date(2024, 3, 1),
            reason="work",
            station=station,
            station_path=station.org_path,
        )
    return world.__dict__[key]


def station(world: World, in_scope: bool) -> dict:
    return {"pk": _station(world, in_scope).pk}


def spell(world: World, in_scope: bool) -> dict:
    return {"pk": _spell(world, in_scope).pk}


def _today() -> str:
    return timezone.localdate().isoformat()


def contact_body(world: World, in_scope: bool) -> dict:
    return {"on": _today(), "channel": "phone", "note": "通话"}


def return_body(world: World, in_scope: bool) -> dict:
    return {"on": _today()}


def end_body(world: World, in_scope: bool) -> dict:
    return {"on": _today(), "note": "组织关系已转入流入地"}


def _page_action(valid_body) -> tuple[Check, ...]:
    """POST only: an empty form comes back with its errors (400); a valid one redirects."""
    return (
        Check("get", LOGIN, 405, 405, 405, json=False),
        page_post(400, no_role=404),
        page_post(302, no_role=404, body=valid_body),
    )


ENTRIES: dict[str, Entry] = {
    # ---------------------------------------------------------------------- pages: spells
    # Lists and registration forms need a role (or a station to work at): 403 without.
    "mobility:list": Entry(none, (page_get(out=None),)),
    # Empty POSTs re-render the form with its errors.
    "mobility:outflow": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "mobility:inflow": Entry(none, (page_get(out=None), page_post(200, out=None))),
    # A spell is seen by either side in scope (or its station's staff); else it is missing.
    "mobility:detail": Entry(spell, (page_get(no_role=404),)),
    "mobility:contact": Entry(spell, _page_action(contact_body)),
    "mobility:return": Entry(spell, _page_action(return_body)),
    "mobility:end": Entry(spell, _page_action(end_body)),
    # ---------------------------------------------------------------------- pages: stations
    "mobility:stations": Entry(none, (page_get(out=None),)),
    "mobility:station_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "mobility:station_detail": Entry(station, (page_get(no_role=404),)),
    "mobility:station_edit": Entry(station, (page_get(no_role=404), page_post(200, no_role=404))),
    # ---------------------------------------------------------------------- API
    "api-mobility-station-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-mobility-station-detail": Entry(station, (api_get(), Check("patch", 401, 403, 200, 404))),
    "api-mobility-spell-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-mobility-spell-detail": Entry(spell, (api_get(),)),
    # No ID number: a 400 naming the field.
    "api-mobility-spell-inflow": Entry(none, (api_post(400, out=None),)),
    "api-mobility-spell-return": Entry(spell, (api_post(400), api_post(200, body=return_body))),
    "api-mobility-spell-end": Entry(spell, (api_post(400), api_post(200, body=end_body))),
    "api-mobility-spell-contacts": Entry(spell, (api_post(400), api_post(201, body=contact_body))),
}

# Models whose rows a refused request must not change (added to the matrix's state check).
STATE_MODELS: tuple = (ServiceStation, MobileMember, MobilityContact)
