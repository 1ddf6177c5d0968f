"""Reads of the jobs platform, always through the reader's scope (``permissions``); out of
scope is a 404 like missing.

Suggestions pair seekers and openings that share a skill and are within the seeker's reach:
the opening's place is in a region the seeker named, or — both points known — within their
``max_km`` by the haversine distance (``core.geo``). They are ordered by how many skills are
shared, then by distance: a list to act on for the people who help the seeker, never a
ranking of people, and no score is shown. A seeker who withdrew consent, or is no longer
looking, is never suggested.

Figures per county (and per street inside a county) are counted from the records: openings
and positions by the poster's county, seekers by their village's county, applications and
hires by the seeker's county (where the labour comes from), month by month.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from tongchou.core import tree
from tongchou.core.geo import haversine_km
from tongchou.core.lookups import one_or_404, pk_or_404
from tongchou.jobs.models import (
    OPEN_APPLICATION_STATES,
    Application,
    ApplicationState,
    JobSeeker,
    Opening,
    OpeningState,
)
from tongchou.jobs.permissions import application_read_q, can_use_jobs, opening_read_q
from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, scope_for
from tongchou.regions.models import RegionLevel
from tongchou.service.permissions import staffed_unit_ids

SUGGESTIONS = 30


# --- openings ----------------------------------------------------------------------------------


def opening_list_for(user) -> QuerySet[Opening]:
    q = opening_read_q(user)
    return Opening.objects.none() if q is None else Opening.objects.filter(q)


def opening_get_for(user, pk) -> Opening:
    return one_or_404(
        opening_list_for(user)
        .select_related("unit", "employer", "region", "created_by")
        .prefetch_related("skills"),
        pk,
    )


def opening_board(user) -> QuerySet[Opening]:
    """Open posts, for anyone who works with seekers: the post itself, not who applied."""
    if not can_use_jobs(user):
        return Opening.objects.none()
    return Opening.objects.filter(state=OpeningState.OPEN)


def opening_board_get(user, pk) -> Opening:
    """An opening to apply to: in scope, or open on the board."""
    q = opening_read_q(user)
    rows = Opening.objects.filter(Q(state=OpeningState.OPEN) | (q if q is not None else Q(pk=0)))
    if not can_use_jobs(user):
        rows = Opening.objects.none()
    return one_or_404(rows.select_related("unit", "employer", "region"), pk)


# --- seekers -----------------------------------------------------------------------------------


def seeker_list_for(user) -> QuerySet[JobSeeker]:
    return JobSeeker.objects.filter(scope_for(user, Action.VIEW_MEMBERS).q("org_path"))


def seeker_get_for(user, pk) -> JobSeeker:
    """In scope, or one who applied to an opening the user's side manages or reads."""
    base = seeker_list_for(user)
    q = opening_read_q(user)
    if q is not None and not scope_for(user, Action.VIEW_MEMBERS).everything:
        applied = Application.objects.filter(
            opening__in=Opening.objects.filter(q).values("pk")
        ).values("seeker_id")
        base = JobSeeker.objects.filter(Q(pk__in=base.values("pk")) | Q(pk__in=applied))
    return one_or_404(
        base.select_related("member", "organization", "consent_recorded_by").prefetch_related(
            "skills", "regions"
        ),
        pk,
    )


# --- applications ------------------------------------------------------------------------------


def application_list_for(user) -> QuerySet[Application]:
    q = application_read_q(user)
    return Application.objects.none() if q is None else Application.objects.filter(q)


def application_get_for(user, pk) -> Application:
    return one_or_404(
        application_list_for(user).select_related(
            "seeker", "seeker__member", "seeker__organization", "opening", "opening__unit",
            "opening__employer",
        ),
        pk,
    )  # fmt: skip


def history_of(application: Application) -> list:
    return list(application.events.select_related("actor").order_by("at", "id"))


# --- suggestions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    seeker: JobSeeker
    opening: Opening
    shared: tuple[str, ...]  # skill names in common
    km: float | None  # when both points are known


def reach(seeker: JobSeeker, opening: Opening) -> tuple[bool, float | None]:
    """Is the opening within the seeker's reach, and how far (km) when both points are known.
    ``seeker.regions`` must be prefetched (codes are compared as prefixes)."""
    km = None
    if seeker.has_point and opening.has_point:
        km = haversine_km(seeker.lat, seeker.lon, opening.lat, opening.lon)
    codes = [r.code for r in seeker.regions.all()]
    if any(opening.region_id.startswith(code) for code in codes):
        return True, km
    if seeker.max_km is not None and km is not None and km <= seeker.max_km:
        return True, km
    return False, km


def _order(items: list[Suggestion]) -> list[Suggestion]:
    return sorted(
        items,
        key=lambda s: (
            -len(s.shared),
            s.km if s.km is not None else float("inf"),
            s.seeker.pk,
            s.opening.pk,
        ),
    )


def suggestions_for_opening(user, opening: Opening, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Seekers in the user's scope who share a skill with the opening, can start before it
    ends and are within reach; those already applied are left out."""
    return _suggest_seekers(seeker_list_for(user), opening)[:limit]


def suggestion_count_for_opening(opening: Opening) -> int:
    """How many seekers anywhere would be suggested: a number for the opening's side, who do
    not see the seekers themselves before they apply."""
    return len(_suggest_seekers(JobSeeker.objects.all(), opening))


def _suggest_seekers(seekers: QuerySet[JobSeeker], opening: Opening) -> list[Suggestion]:
    if opening.state != OpeningState.OPEN:
        return []
    skills = {s.pk: s for s in opening.skills.all()}
    seekers = (
        seekers.filter(
            active=True,
            consent_withdrawn_on__isnull=True,
            skills__in=list(skills),
            available_from__lte=opening.last_day,
        )
        .exclude(applications__opening=opening)
        .distinct()
        .select_related("member", "organization")
        .prefetch_related("skills", "regions")
    )
    found = []
    for seeker in seekers:
        ok, km = reach(seeker, opening)
        if not ok:
            continue
        shared = tuple(str(s) for s in seeker.skills.all() if s.pk in skills)
        found.append(Suggestion(seeker, opening, shared, km))
    return _order(found)


def suggestions_for_seeker(
    user, seeker: JobSeeker, limit: int = SUGGESTIONS, today: dt.date | None = None
) -> list[Suggestion]:
    """Open openings sharing a skill with the seeker, within reach, not over before the seeker
    can start, not applied to yet. Empty once the seeker stopped looking or withdrew consent."""
    if not seeker.active or not seeker.consenting:
        return []
    today = today or timezone.localdate()
    skills = {s.pk: s for s in seeker.skills.all()}
    openings = (
        opening_board(user)
        .filter(
            skills__in=list(skills),
            last_day__gte=max(today, seeker.available_from),
        )
        .exclude(applications__seeker=seeker)
        .distinct()
        .select_related("unit", "employer", "region")
        .prefetch_related("skills")
    )
    found = []
    for opening in openings:
        ok, km = reach(seeker, opening)
        if not ok:
            continue
        shared = tuple(str(s) for s in opening.skills.all() if s.pk in skills)
        found.append(Suggestion(seeker, opening, shared, km))
    return _order(found)[:limit]


# --- waiting for me ----------------------------------------------------------------------------


def waiting_for(user, limit: int = 10) -> dict:
    """What waits for this person: applications to their unit's (or their organizations')
    openings still to be answered; and, for village managers, seekers of theirs who are
    looking and have no application under way (to be helped to one)."""
    from tongchou.organizations.permissions import can

    result: dict = {"to_answer": [], "idle_seekers": []}
    if user is None or not user.is_authenticated:
        return result
    units = staffed_unit_ids(user)
    manage = scope_for(user, Action.MANAGE_MEMBERS)
    q = None
    if units:
        q = Q(opening__unit_id__in=units)
    if not manage.is_empty and not manage.everything:
        q = manage.q("opening_path") if q is None else q | manage.q("opening_path")
    if q is not None:
        result["to_answer"] = list(
            Application.objects.filter(q, state__in=OPEN_APPLICATION_STATES)
            .select_related("seeker", "seeker__member", "opening")
            .order_by("applied_on", "id")[:limit]
        )
    if can(user, Action.MANAGE_MEMBERS) and not manage.everything:
        result["idle_seekers"] = list(
            JobSeeker.objects.filter(manage.q("org_path"), active=True)
            .exclude(applications__state__in=OPEN_APPLICATION_STATES)
            .select_related("member", "organization")
            .order_by("available_from", "id")[:limit]
        )
    return result


# --- figures -----------------------------------------------------------------------------------


def figure_counties(user) -> list[Organization]:
    """Counties whose figures the user may read: those under their scope, and those their
    scope lies in (a village secretary reads their county's totals). Totals, no people."""
    scope = scope_for(user, Action.VIEW_MEMBERS)
    counties = Organization.objects.filter(region__level=RegionLevel.COUNTY).order_by("path")
    if scope.everything:
        return list(counties)
    if scope.is_empty:
        return []
    inside = list(counties.filter(scope.q("path")))
    above = [
        c
        for c in counties.filter(path__in={p for s in scope.paths for p in tree.ancestor_paths(s)})
    ]
    return sorted({c.pk: c for c in inside + above}.values(), key=lambda c: c.path)


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _month(value) -> int:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.month


def figures(*, field: str, paths: list[str], year: int) -> dict[str, dict]:
    """For each path of ``field`` (``county_path`` or ``street_path``): openings, positions,
    seekers, applications and hires in ``year``, in total and by month (1–12)."""
    start, end = _year_range(year)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    empty = {
        "openings": 0, "positions": 0, "seekers": 0, "applications": 0, "hires": 0,
    }  # fmt: skip
    out = {p: {**empty, "months": {m: dict(empty) for m in range(1, 13)}} for p in paths}

    def add(rows, key: str, path_key: str, value_key: str = "n") -> None:
        for row in rows:
            box = out.get(row[path_key])
            if box is None or row["month"] is None:
                continue
            value = row[value_key] or 0
            box[key] += value
            box["months"][_month(row["month"])][key] += value

    openings = (
        Opening.objects.filter(**{f"{field}__in": paths}, created_at__gte=start, created_at__lt=end)
        .annotate(month=TruncMonth("created_at"))
        .values(field, "month")
        .annotate(n=Count("id"), p=Sum("positions"))
        .order_by()
    )
    openings = list(openings)
    add(openings, "openings", field)
    add(openings, "positions", field, "p")
    seekers = (
        JobSeeker.objects.filter(
            **{f"{field}__in": paths}, created_at__gte=start, created_at__lt=end
        )
        .annotate(month=TruncMonth("created_at"))
        .values(field, "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    add(seekers, "seekers", field)
    seeker_field = f"seeker__{field}"
    applications = (
        Application.objects.filter(
            **{f"{seeker_field}__in": paths}, applied_on__gte=first, applied_on__lte=last
        )
        .annotate(month=TruncMonth("applied_on"))
        .values(seeker_field, "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    add(applications, "applications", seeker_field)
    hires = (
        Application.objects.filter(
            **{f"{seeker_field}__in": paths},
            state=ApplicationState.HIRED,
            decided_on__gte=first,
            decided_on__lte=last,
        )
        .annotate(month=TruncMonth("decided_on"))
        .values(seeker_field, "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    add(hires, "hires", seeker_field)
    return out


def county_figures(user, *, year: int) -> list[dict]:
    counties = figure_counties(user)
    data = figures(field="county_path", paths=[c.path for c in counties], year=year)
    return [{"organization": c, **data[c.path]} for c in counties]


def street_figures(county: Organization, *, year: int) -> list[dict]:
    streets = list(
        Organization.objects.filter(
            tree.subtree_q(county.path),
            region__level=RegionLevel.TOWNSHIP,
            parent__region__level=RegionLevel.COUNTY,
        ).order_by("path")
    )
    data = figures(field="street_path", paths=[s.path for s in streets], year=year)
    return [{"organization": s, **data[s.path]} for s in streets]


def figure_county_get(user, pk) -> Organization:
    county = next((c for c in figure_counties(user) if c.pk == pk_or_404(pk)), None)
    if county is None:
        raise Http404
    return county
