"""Who may record organizational life.

Sessions are written by whoever manages the organization's members (secretaries and admins:
``Action.MANAGE_MEMBERS`` on the organization) and, for a session held at a member service
station, by that station's staff (the session then belongs to the station's organization).
Reads follow members: ``Action.VIEW_MEMBERS`` on the session's organization, or staffing its
station.
"""

from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, can


def _staffs(user, station) -> bool:
    from tongchou.mobility.permissions import staffs

    return station is not None and staffs(user, station)


def staffed_station_ids(user) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    from tongchou.mobility.permissions import staffed_station_ids as ids

    return set(ids(user))


def can_hold_at(user, organization: Organization, station=None) -> bool:
    """May ``user`` record a session of ``organization`` (held at ``station`` if given)?"""
    if can(user, Action.MANAGE_MEMBERS, organization.path):
        return True
    return (
        station is not None
        and station.organization_id == organization.pk
        and _staffs(user, station)
    )


def can_manage(user, session) -> bool:
    """May ``user`` change this session and its attendance?"""
    if can(user, Action.MANAGE_MEMBERS, session.org_path):
        return True
    return session.station_id is not None and _staffs(user, session.station)


def can_record_somewhere(user) -> bool:
    """Does the user manage members anywhere, or staff a station (the "new session" button)?"""
    return can(user, Action.MANAGE_MEMBERS) or bool(staffed_station_ids(user))


def can_view_somewhere(user) -> bool:
    return can(user, Action.VIEW_MEMBERS) or bool(staffed_station_ids(user))
