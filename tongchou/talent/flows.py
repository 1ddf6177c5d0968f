"""Exchanges as flows between regions: the ledger (台账) both ways, per county and year.

Every exchange that took place (active, completed or ended early; planned ones have not flowed
yet) is one flow of one person from the sending organization's region to the receiving one's,
classed by the regions' urban/rural codes (``Region.urban_rural``; an organization whose region
carries no code falls back to its own ``urban_rural``): urban→rural, rural→urban, or within.
Person-days count the days served (first day to the last day, or the day it ended early),
inclusive, clipped to the year asked for.

``assignment_flows`` is a plain function returning plain rows, so the flow report of the
resources app can take exchanges in beside bookings and dispatches without knowing this app.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.talent.models import Assignment, AssignmentState

URBAN_TO_RURAL = "urban_to_rural"
RURAL_TO_URBAN = "rural_to_urban"
WITHIN = "within"
DIRECTIONS = {
    URBAN_TO_RURAL: _("城市→农村"),
    RURAL_TO_URBAN: _("农村→城市"),
    WITHIN: _("同类地区之间"),
}
FLOWED = (AssignmentState.ACTIVE, AssignmentState.COMPLETED, AssignmentState.ENDED_EARLY)


@dataclass(frozen=True)
class FlowRow:
    assignment_id: int
    kind: str
    from_org_id: int
    from_org: str
    to_org_id: int
    to_org: str
    direction: str
    first_day: dt.date
    last_day: dt.date
    people: int
    person_days: int


def _side(org) -> str:
    code = (org.region.urban_rural if org.region_id and org.region else "") or org.urban_rural
    return code or ""


def direction(from_org, to_org) -> str:
    a, b = _side(from_org), _side(to_org)
    if a == "urban" and b == "rural":
        return URBAN_TO_RURAL
    if a == "rural" and b == "urban":
        return RURAL_TO_URBAN
    return WITHIN


def assignment_flows(
    assignments: QuerySet[Assignment] | None = None,
    *,
    year: int | None = None,
    under_path: str | None = None,
) -> list[FlowRow]:
    """Flow rows of the exchanges that took place, optionally within one year (days clipped to
    it) and touching one subtree (either organization under ``under_path``)."""
    qs = assignments if assignments is not None else Assignment.objects.all()
    qs = qs.filter(state__in=FLOWED)
    if under_path:
        qs = qs.filter(
            tree.subtree_q(under_path, "from_path") | tree.subtree_q(under_path, "to_path")
        )
    start = end = None
    if year is not None:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        qs = qs.filter(first_day__lte=end).filter(
            Q(ended_on__gte=start) | Q(ended_on__isnull=True, last_day__gte=start)
        )
    rows = []
    for a in qs.select_related("from_org__region", "to_org__region").order_by("first_day", "id"):
        first, last = a.first_day, a.end_day
        if start is not None:
            first, last = max(first, start), min(last, end)
        if last < first:
            continue
        rows.append(
            FlowRow(
                assignment_id=a.pk,
                kind=a.kind,
                from_org_id=a.from_org_id,
                from_org=a.from_org.name,
                to_org_id=a.to_org_id,
                to_org=a.to_org.name,
                direction=direction(a.from_org, a.to_org),
                first_day=first,
                last_day=last,
                people=1,
                person_days=(last - first).days + 1,
            )
        )
    return rows


@dataclass
class Totals:
    people: int = 0
    person_days: int = 0


def ledger(rows: list[FlowRow]) -> dict:
    """Totals by direction and by (direction, kind): people are distinct exchanges."""
    by_direction: dict[str, Totals] = {d: Totals() for d in DIRECTIONS}
    by_kind: dict[tuple[str, str], Totals] = defaultdict(Totals)
    for r in rows:
        for t in (by_direction[r.direction], by_kind[(r.direction, r.kind)]):
            t.people += r.people
            t.person_days += r.person_days
    return {"by_direction": by_direction, "by_kind": dict(sorted(by_kind.items()))}
