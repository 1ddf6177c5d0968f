"""Who sees and works which needs.

* Role holders read the needs placed in their ``VIEW_MEMBERS`` scope (``org_path``) and write
  them with ``MANAGE_MEMBERS`` there (secretaries, admins; the street and county above see
  escalated needs because they are inside their subtree anyway).
* Staff of an alliance unit read and work only the needs routed to their unit — no role needed.
* Staff of a member service station read the needs their station took in.
* Staff of a city-service proxy station (城市服务代办站) file needs at their station and read
  the needs filed there; the village's secretaries and admins above manage the station.
* A resident reads their own need by its tracking code, nothing else.
"""

from django.db.models import Q

from tongchou.organizations.permissions import Action, can, scope_for


def staffed_unit_ids(user) -> set[int]:
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    cached = user.__dict__.get("_tongchou_unit_ids")
    if cached is None:
        from tongchou.service.models import AllianceUnit

        cached = set(
            AllianceUnit.objects.filter(staff=user, active=True).values_list("pk", flat=True)
        )
        user.__dict__["_tongchou_unit_ids"] = cached
    return cached


def staffed_station_ids(user) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    from tongchou.mobility.permissions import staffed_station_ids as staffed

    return set(staffed(user))


def staffed_proxy_ids(user) -> set[int]:
    """Ids of the active proxy stations the user works at (one query, cached on the user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    cached = user.__dict__.get("_tongchou_proxy_ids")
    if cached is None:
        from tongchou.service.models import ProxyStation

        cached = set(
            ProxyStation.objects.filter(staff=user, active=True).values_list("pk", flat=True)
        )
        user.__dict__["_tongchou_proxy_ids"] = cached
    return cached


def can_manage_proxy(user, station) -> bool:
    """Add and edit a proxy station: the village's secretaries and admins, and those above."""
    return can(user, Action.MANAGE_MEMBERS, station.org_path)


def can_file_at_proxy(user, station) -> bool:
    """File a need with the station as intake: its staff, or the managers over its village."""
    return station.pk in staffed_proxy_ids(user) or can_manage_proxy(user, station)


def need_read_q(user) -> Q | None:
    """The ``Q`` of the needs ``user`` may read, or None for nothing."""
    scope = scope_for(user, Action.VIEW_MEMBERS)
    if scope.everything:
        return Q()
    q = None if scope.is_empty else scope.q("org_path")
    units = staffed_unit_ids(user)
    if units:
        q = Q(unit_id__in=units) if q is None else q | Q(unit_id__in=units)
    stations = staffed_station_ids(user)
    if stations:
        q = Q(station_id__in=stations) if q is None else q | Q(station_id__in=stations)
    proxies = staffed_proxy_ids(user)
    if proxies:
        q = Q(proxy_station_id__in=proxies) if q is None else q | Q(proxy_station_id__in=proxies)
    return q


def can_use_needs(user) -> bool:
    return (
        can(user, Action.VIEW_MEMBERS)
        or bool(staffed_unit_ids(user))
        or bool(staffed_station_ids(user))
        or bool(staffed_proxy_ids(user))
    )


def can_intake(user) -> bool:
    return can(user, Action.MANAGE_MEMBERS) or bool(staffed_station_ids(user))


def can_manage_place(user, need) -> bool:
    """Route, reassign, merge, close: the secretaries and admins over the need's place."""
    return can(user, Action.MANAGE_MEMBERS, need.org_path)


def can_work(user, need) -> bool:
    """Accept, start, resolve: the unit the need is routed to, or the place's managers."""
    if need.unit_id is not None and need.unit_id in staffed_unit_ids(user):
        return True
    return can_manage_place(user, need)
