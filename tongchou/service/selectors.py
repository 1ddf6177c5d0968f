"""Reads of needs, always through the reader's scope (``permissions.need_read_q``); a need out
of scope is a 404 like a missing one. Public reads (by tracking code, the resolved list, the
per-street figures) never carry names, phones or exact addresses."""

import datetime as dt

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from tongchou.core.lookups import pk_or_404
from tongchou.organizations.models import Organization
from tongchou.service.models import (
    DONE_STATES,
    OPEN_STATES,
    AllianceUnit,
    Household,
    Need,
    NeedEvent,
    NeedState,
    ProxyStation,
    Visit,
)
from tongchou.service.permissions import need_read_q, staffed_proxy_ids, staffed_unit_ids


def need_list_for(user) -> QuerySet[Need]:
    q = need_read_q(user)
    if q is None:
        return Need.objects.none()
    return Need.objects.filter(q)


def need_get_for(user, pk) -> Need:
    need = (
        need_list_for(user)
        .select_related("category", "organization", "unit", "rule", "rule__unit", "station")
        .filter(pk=pk_or_404(pk))
        .first()
    )
    if need is None:
        raise Http404
    return need


def need_by_code(code) -> Need:
    """The resident's own need. A code that does not exist and one that never did look the
    same (404, no hint)."""
    code = str(code or "").strip().upper()
    if not code or len(code) > 12:
        raise Http404
    need = Need.objects.select_related("category", "organization").filter(tracking_code=code)
    need = need.first()
    if need is None:
        raise Http404
    return need


def history_of(need: Need) -> list[NeedEvent]:
    """The need's events and those of every duplicate merged into it, in time order."""
    ids = [need.pk, *Need.objects.filter(merged_into=need).values_list("pk", flat=True)]
    return list(
        NeedEvent.objects.filter(need_id__in=ids).select_related("actor").order_by("at", "id")
    )


def overdue_q(today: dt.date) -> Q:
    return Q(state__in=OPEN_STATES, resolve_due__lt=today) | Q(
        state=NeedState.SUBMITTED, ack_due__lt=today
    )


def county_overdue(county_path: str, today: dt.date, limit: int = 50) -> list[Need]:
    """A county's overdue needs, the most overdue first. One short range of ``need_county_due``
    (county, state, resolve_due) per open state, each already in deadline order, merged here:
    the cost is the page, not the county's whole backlog (which one sorted query paid)."""
    keys: list[tuple[dt.date, int]] = []
    for state in OPEN_STATES:
        keys += (
            Need.objects.filter(county_path=county_path, state=state, resolve_due__lt=today)
            .order_by("resolve_due", "id")
            .values_list("resolve_due", "id")[:limit]
        )
    chosen = [pk for _, pk in sorted(keys)[:limit]]
    if not chosen:
        return []
    rows = Need.objects.filter(pk__in=chosen).select_related("category", "organization", "unit")
    return sorted(rows, key=lambda n: (n.resolve_due, n.pk))


def waiting_for(user, today: dt.date, limit: int = 10) -> dict:
    """The home page's "waiting for you": needs routed to the user's units still open, and
    overdue needs escalated to an organization where the user holds a role."""
    from tongchou.organizations.permissions import _role_paths

    units = staffed_unit_ids(user)
    unit_needs = []
    if units:
        unit_needs = list(
            Need.objects.filter(unit_id__in=units, state__in=OPEN_STATES)
            .select_related("category", "organization")
            .order_by("resolve_due", "id")[:limit]
        )
    paths = [p for ps in _role_paths(user).values() for p in ps] if user.is_authenticated else []
    escalated = []
    if paths:
        escalated = list(
            Need.objects.filter(escalated_to_path__in=paths, state__in=OPEN_STATES)
            .select_related("category", "organization")
            .order_by("resolve_due", "id")[:limit]
        )
    return {"unit_needs": unit_needs, "escalated": escalated}


def public_resolved(limit: int = 50) -> QuerySet[Need]:
    """Resolved needs for the public page: only the columns that are safe to show."""
    return (
        Need.objects.filter(state__in=DONE_STATES)
        .select_related("category", "organization")
        .only(
            "summary",
            "category__name",
            "organization__name",
            "resolution",
            "resolved_at",
            "rating",
            "state",
            "submitted_at",
        )
        .order_by("-resolved_at", "-id")[:limit]
    )


def street_figures(street_paths: list[str] | None = None, *, today: dt.date) -> list[dict]:
    """Per street/township: received, resolved on time, overdue now, average rating."""
    rows = Need.objects.exclude(street_path="").exclude(state=NeedState.MERGED)
    if street_paths is not None:
        rows = rows.filter(street_path__in=street_paths)
    # Counted over columns of the street index (state is never null), not the id: the id is
    # not in that index, and PostgreSQL would read every row of the street to count it.
    figures = rows.values("street_path").annotate(
        received=Count("*"),
        on_time=Count("state", filter=Q(on_time=True)),
        overdue=Count("state", filter=overdue_q(today)),
        rating=Avg("rating"),
    )
    names = dict(
        Organization.objects.filter(path__in=[f["street_path"] for f in figures]).values_list(
            "path", "name"
        )
    )
    result = [{**f, "name": names.get(f["street_path"], "")} for f in figures]
    return sorted(result, key=lambda f: f["name"])


def street_by_month(street_path: str, *, year: int) -> list[dict]:
    """A street's needs by state, category and month of intake (local months; one range of
    ``need_street_time_sc``, which carries state and category). The month is a CASE over the
    twelve local month starts, evaluated by the database, not a date function per row."""
    from django.db.models import Case, IntegerField, Value, When
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    starts = [dt.datetime(year, m, 1, tzinfo=tz) for m in range(1, 13)]
    starts.append(dt.datetime(year + 1, 1, 1, tzinfo=tz))
    month = Case(
        *[When(submitted_at__lt=starts[m + 1], then=Value(m)) for m in range(12)],
        output_field=IntegerField(),
    )
    rows = (
        Need.objects.filter(
            street_path=street_path, submitted_at__gte=starts[0], submitted_at__lt=starts[12]
        )
        .annotate(m=month)
        .values("m", "state", "category_id")
        .annotate(n=Count("*"))
        .order_by("m", "state", "category_id")
    )
    return [
        {"month": starts[r["m"]], "state": r["state"], "category_id": r["category_id"], "n": r["n"]}
        for r in rows
    ]


def unit_figures(unit: AllianceUnit, *, today: dt.date) -> dict:
    """A unit's workload (open, overdue) and its on-time record — about the unit, not people."""
    rows = Need.objects.filter(unit=unit)
    return rows.aggregate(
        open=Count("id", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("id", filter=overdue_q(today)),
        resolved=Count("id", filter=Q(state__in=DONE_STATES)),
        on_time=Count("id", filter=Q(on_time=True)),
        rating=Avg("rating"),
    )


def unit_list_for(user) -> QuerySet[AllianceUnit]:
    from tongchou.organizations.permissions import Action, scope_for

    scope = scope_for(user, Action.VIEW_ORGS)
    q = None if scope.is_empty else scope.q("org_path")
    units = staffed_unit_ids(user)
    if units:
        q = Q(pk__in=units) if q is None else q | Q(pk__in=units)
    if scope.everything:
        q = Q()
    return AllianceUnit.objects.filter(q) if q is not None else AllianceUnit.objects.none()


def unit_get_for(user, pk) -> AllianceUnit:
    unit = unit_list_for(user).filter(pk=pk_or_404(pk)).first()
    if unit is None:
        raise Http404
    return unit


def household_list_for(user) -> QuerySet[Household]:
    """Households in the user's ``VIEW_MEMBERS`` scope, and those the user is the contact
    member of (a member with no role sees their own households only)."""
    from tongchou.organizations.permissions import Action, scope_for

    scope = scope_for(user, Action.VIEW_MEMBERS)
    if scope.everything:
        return Household.objects.all()
    q = Q(contact__user_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    if not scope.is_empty:
        q |= scope.q("org_path")
    return Household.objects.filter(q)


def not_visited(user, *, months: int, today: dt.date) -> QuerySet[Household]:
    """Households with no visit for ``months`` months, oldest first: a list to act on."""
    since = today - dt.timedelta(days=30 * months)
    return (
        household_list_for(user)
        .filter(Q(last_visited_on__isnull=True) | Q(last_visited_on__lt=since))
        .order_by("last_visited_on", "id")
    )


def reassign_units(user, need: Need, *, show_all: bool = False) -> QuerySet[AllianceUnit]:
    """The units a need may be reassigned to, for the form: the active units serving its
    category in a region covering its place (or with no region named), those registered or
    staffed in the reader's scope (``unit_list_for``), and the unit it is routed to now;
    ``show_all`` lists every active unit (the service accepts any)."""
    units = AllianceUnit.objects.filter(active=True).order_by("name", "id")
    if show_all:
        return units
    code = need.region_code or ""
    covering = [code[:i] for i in range(1, len(code) + 1)]
    serves = Q(categories=need.category_id) & (Q(regions__in=covering) | Q(regions__isnull=True))
    near = unit_list_for(user).values("pk")
    ids = AllianceUnit.objects.filter(serves).values("pk")
    return units.filter(Q(pk__in=ids) | Q(pk__in=near) | Q(pk=need.unit_id or 0))


def intake_places_for(user) -> QuerySet[Organization]:
    """Villages and communities where ``user`` may take in a need for a resident: those they
    manage, or any when they staff a member service station (the page's rule)."""
    from tongchou.organizations.models import OrgStatus
    from tongchou.organizations.permissions import Action, scope_for
    from tongchou.regions.models import RegionLevel
    from tongchou.service.permissions import staffed_station_ids

    places = Organization.objects.filter(status=OrgStatus.ACTIVE, region__level=RegionLevel.VILLAGE)
    if staffed_station_ids(user):
        return places
    return places.filter(scope_for(user, Action.MANAGE_MEMBERS).q("path"))


def visit_get_for(user, pk) -> Visit:
    """A visit to a household the user may read (404 otherwise)."""
    visit = (
        Visit.objects.filter(household__in=household_list_for(user).values("pk"), pk=pk_or_404(pk))
        .select_related("household__organization", "member")
        .first()
    )
    if visit is None:
        raise Http404
    return visit


# --- city-service proxy stations ------------------------------------------------------------


def proxy_station_list_for(user) -> QuerySet[ProxyStation]:
    """Stations in the user's ``VIEW_MEMBERS`` scope (by their village), and those the user
    works at (staff need no role)."""
    from tongchou.organizations.permissions import Action, scope_for

    scope = scope_for(user, Action.VIEW_MEMBERS)
    if scope.everything:
        return ProxyStation.objects.all()
    q = Q(pk__in=[]) if scope.is_empty else scope.q("org_path")
    staffed = staffed_proxy_ids(user)
    if staffed:
        q |= Q(pk__in=staffed)
    return ProxyStation.objects.filter(q)


def proxy_station_get_for(user, pk) -> ProxyStation:
    station = (
        proxy_station_list_for(user)
        .select_related("organization", "region")
        .filter(pk=pk_or_404(pk))
    ).first()
    if station is None:
        raise Http404
    return station


def proxy_station_needs(user, station: ProxyStation) -> QuerySet[Need]:
    """The needs filed at ``station`` that ``user`` may read (its staff: all of them)."""
    return need_list_for(user).filter(proxy_station=station)


def proxy_station_counts(user, station: ProxyStation) -> dict[str, int]:
    """How many of the station's needs are in each state (one grouped query)."""
    rows = (
        proxy_station_needs(user, station).order_by().values_list("state").annotate(n=Count("id"))
    )
    return dict(rows.values_list("state", "n"))


def proxy_station_waiting(user, station: ProxyStation, *, today: dt.date, limit: int = 20) -> dict:
    """The station's "waiting for me": resolved needs whose resident has not answered yet
    (staff relay the result and help them confirm or reopen with the tracking code), needs
    reopened by the resident, and open needs past their deadline (staff chase the unit)."""
    needs = proxy_station_needs(user, station).select_related("category", "organization", "unit")
    return {
        "to_relay": list(
            needs.filter(state=NeedState.RESOLVED).order_by("resolved_at", "id")[:limit]
        ),
        "reopened": list(
            needs.filter(state=NeedState.REOPENED).order_by("resolve_due", "id")[:limit]
        ),
        "overdue": list(needs.filter(overdue_q(today)).order_by("resolve_due", "id")[:limit]),
    }
