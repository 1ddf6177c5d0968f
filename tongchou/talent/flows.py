"""Exchanges as flows between regions: the ledger (台账) both ways, per county and year.

Every exchange that took place (active, completed or ended early; planned ones have not flowed
yet) is one flow of one person from the sending organization's region to the receiving one's,
classed by the regions' one rule (``regions.flows``: the regions' urban/rural codes, an
organization's own when its region has none): urban→rural, rural→urban, or within.
Person-days count the days served (first day to the last day, or the day it ended early),
inclusive.

Two readings of the same records:

* the ledger (``assignment_flows``, ``ledger``): the talent app's own page, per year with the
  days clipped to that year;
* ``EXCHANGES``, a source of the flow report of the resources app (registered in this app's
  ``AppConfig.ready``): an exchange counts in the month it started (the report's period holds
  its first day), one use and one person, with all its person-days; totals grouped in SQL
  over the facts each assignment stores (``direction``, ``month``, ``days``: set by the
  services when it is agreed and when it ends early), through one covering index.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.organizations.permissions import Action, scope_for
from tongchou.regions.flows import FlowDirection
from tongchou.resources import flows as report
from tongchou.talent.models import Assignment, AssignmentState, ExchangeKind

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
    for a in qs.select_related("from_org", "to_org").order_by("first_day", "id"):
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
                direction=a.direction,
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
    by_direction: dict[str, Totals] = {d: Totals() for d in FlowDirection.values}
    by_kind: dict[tuple[str, str], Totals] = defaultdict(Totals)
    for r in rows:
        for t in (by_direction[r.direction], by_kind[(r.direction, r.kind)]):
            t.people += r.people
            t.person_days += r.person_days
    return {"by_direction": by_direction, "by_kind": dict(sorted(by_kind.items()))}


# --- exchanges in the flow report (resources.flows) ------------------------------------------


def _started_in(query) -> QuerySet[Assignment]:
    """Exchanges that flowed and started in the query's period, touching its subtree."""
    # By the stored month, as bookings are: the report's periods are whole months, and the
    # flow index then answers a year without reading the table.
    qs = Assignment.objects.filter(state__in=FLOWED, month__gte=query.start, month__lt=query.end)
    if query.path:
        qs = qs.filter(
            tree.subtree_q(query.path, "from_path") | tree.subtree_q(query.path, "to_path")
        )
    return qs


def _exchange_totals(query: report.FlowQuery):
    labels = dict(ExchangeKind.choices)
    grouped = (
        _started_in(query)
        .order_by()
        .values_list("month", "kind", "direction")
        .annotate(n=Count("*"), days_served=Sum("days"))
    )
    for month, kind, flow_direction, n, days_served in grouped:
        yield report.FlowTotal(
            month=month,
            kind=kind,
            kind_label=str(labels.get(kind, kind)),
            direction=flow_direction,
            uses=n,
            hours=0,
            people=n,
            person_days=days_served or 0,
        )


def _exchange_rows(
    query: report.FlowQuery, *, month=None, kind=None, direction=None, limit=200, viewer=None
):
    qs = _started_in(query)
    if month is not None:
        qs = qs.filter(month=month)
    if kind:
        qs = qs.filter(kind=kind)
    if direction:
        qs = qs.filter(direction=direction)
    scope = scope_for(viewer, Action.VIEW_MEMBERS) if viewer is not None else None
    rows = []
    own = getattr(viewer, "pk", None)
    qs = qs.select_related("talent__member", "from_org", "to_org")
    for a in qs.order_by("-first_day", "-id")[:limit]:
        opens = scope is not None and (
            scope.covers(a.from_path)
            or scope.covers(a.to_path)
            or (own is not None and a.talent.member is not None and a.talent.member.user_id == own)
        )
        rows.append(
            report.FlowRow(
                source="exchanges",
                when=timezone.make_aware(dt.datetime.combine(a.first_day, dt.time())),
                until=a.end_day,
                kind_label=a.get_kind_display(),
                direction=a.direction,
                provider=a.from_org.name,
                user=a.to_org.name,
                what=str(a.talent) if opens else a.get_kind_display(),
                hours=0,
                people=1,
                person_days=a.days,
                url=reverse("talent:assignment_detail", args=[a.pk]) if opens else "",
            )
        )
    return rows


EXCHANGES = report.FlowSource(
    key="exchanges", label=_("交流任职"), totals=_exchange_totals, rows=_exchange_rows
)
