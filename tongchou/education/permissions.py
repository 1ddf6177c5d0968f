"""Who may write what in member education.

Courses and study records are written by secretaries and admins (``MANAGE_MEMBERS`` on the
organization concerned). A skills training is written by them too, or — for a training at a
member service station — by the station's staff (``mobility.permissions.staffs``), who may hold
no role at all. Reads: ``VIEW_MEMBERS`` scope on the row's ``org_path``; station staff also see
their station's trainings.
"""

from tongchou.organizations.permissions import Action, can


def staffed_station_ids(user) -> set[int]:
    """Stations the user works at (none for anonymous users)."""
    if user is None or not user.is_authenticated:
        return set()
    from tongchou.mobility.permissions import staffed_station_ids as staffed

    return set(staffed(user))


def staffs(user, station) -> bool:
    if station is None or user is None or not user.is_authenticated:
        return False
    from tongchou.mobility.permissions import staffs as mobility_staffs

    return mobility_staffs(user, station)


def can_use_education(user) -> bool:
    """The education pages: a role that sees members somewhere, or staff of a station."""
    return can(user, Action.VIEW_MEMBERS) or bool(staffed_station_ids(user))


def can_manage_training(user, *, org_path: str, station=None) -> bool:
    return can(user, Action.MANAGE_MEMBERS, org_path) or staffs(user, station)
