"""Resources flowing both ways (资源双向流动): the flow report, generated from the records.

Every use of something one organization offers another is a *flow* from the provider's region
to the user's region, classed by the regions' one rule (``regions.flows``): urban→rural
(``u2r``), rural→urban (``r2u``) or within one class (``within``). The report sums flows per
month, by direction and by kind — uses, hours, people, person-days — for one organization's
subtree (a county, a street, a branch: a flow counts when either side is inside it), and
drills down to the rows.

Sources plug in through a small registry, so the report never changes when another app adds
its flows: bookings and trainer dispatches here, exchange assignments from the talent app
(``talent.flows.EXCHANGES``), joint activities of paired organizations from the pairing app
(``pairing.flows.PAIRING``).

The contract of a source (``FlowSource``):

* ``key``: a stable short name (``"bookings"``); ``label``: what the report calls it.
* ``totals(query) -> Iterable[FlowTotal]``: aggregated *in SQL* over the source's own records
  for ``query`` (``FlowQuery``: ``path`` — the subtree, ``""`` for everything — and the
  half-open period ``[start, end)`` of dates). One ``FlowTotal`` per (month, kind, direction):
  ``month`` is the first day of the month (local time), ``kind`` a short code and
  ``kind_label`` its label, ``direction`` one of ``regions.flows.FlowDirection``, ``uses`` a
  count, ``hours``, ``people`` and ``person_days`` sums (0 where meaningless: bookings have no
  person-days, exchanges no hours). Kind codes are distinct across sources. Only facts that
  happened count (for bookings: confirmed ones; for exchanges: active, completed or ended
  early); direction is the provider→user direction by the regions' rule.
* ``rows(query, *, month, kind, direction, limit, viewer) -> list[FlowRow]``: the records
  behind one cell of the report (any of month/kind/direction may be None: not filtered),
  newest first, at most ``limit``; each ``FlowRow`` names the provider and the user, when,
  hours, people, person-days and a link (``url``) to the record. The link (and anything
  personal in ``what``) is given only when ``viewer`` may open the record: a booking is in the
  scope of whoever may see the report (either side in their ``VIEW_ORGS`` scope); an exchange
  needs ``VIEW_MEMBERS`` over either side, so for others the row stays but without the link
  or the person's name.

Register a source in the app's ``AppConfig.ready`` with ``flows.register(source)``.
Performance: for the whole deployment the booking source reads ``FlowMonth``, the monthly
totals by kind and direction that the booking services keep in the same transaction as each
confirmation or cancellation (a few hundred rows for a province's year, against a million
bookings; ``services.flow_months_rebuild`` regenerates them from the bookings). A subtree
reads the bookings through one covering index (``booking_flow``: state, month, kind,
direction, minutes, people) and the path indexes: a county's year is a few tens of thousands
of index entries; the month is stored at confirmation, not computed.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.regions.flows import FlowDirection


@dataclass(frozen=True)
class FlowQuery:
    path: str  # "" for everything
    start: dt.date
    end: dt.date  # exclusive


@dataclass(frozen=True)
class FlowTotal:
    month: dt.date
    kind: str
    kind_label: str
    direction: str
    uses: int
    hours: float
    people: int
    person_days: int = 0


@dataclass(frozen=True)
class FlowRow:
    source: str
    when: dt.datetime
    kind_label: str
    direction: str
    provider: str
    user: str
    what: str
    hours: float
    people: int
    url: str = ""
    person_days: int = 0
    until: dt.date | None = None  # a flow over days (an exchange): ``when`` … ``until``


@dataclass(frozen=True)
class FlowSource:
    key: str
    label: object
    totals: Callable[[FlowQuery], Iterable[FlowTotal]]
    rows: Callable[..., list[FlowRow]]


SOURCES: dict[str, FlowSource] = {}


def register(source: FlowSource) -> None:
    SOURCES[source.key] = source


# --- the booking source ----------------------------------------------------------------------


def _booking_qs(query: FlowQuery):
    from tongchou.resources.models import Booking, BookingState

    rows = Booking.objects.filter(
        state=BookingState.CONFIRMED, month__gte=query.start, month__lt=query.end
    )
    if query.path:
        rows = rows.filter(
            tree.subtree_q(query.path, "org_path") | tree.subtree_q(query.path, "owner_path")
        )
    return rows


def _booking_totals(query: FlowQuery) -> Iterable[FlowTotal]:
    from tongchou.resources.models import FlowMonth, ResourceKind

    labels = dict(ResourceKind.choices)
    if not query.path:  # the whole deployment: the monthly totals the services keep
        grouped = (
            FlowMonth.objects.filter(month__gte=query.start, month__lt=query.end)
            .exclude(uses=0)
            .values_list("month", "kind", "direction", "uses", "minutes", "people")
        )
    else:
        grouped = (
            _booking_qs(query)
            .order_by()
            .values_list("month", "kind", "direction")
            .annotate(n=Count("*"), m=Sum("minutes"), p=Sum("people"))
        )
    for month, kind, direction, n, minutes, people in grouped:
        yield FlowTotal(
            month=month,
            kind=kind,
            kind_label=str(labels.get(kind, kind)),
            direction=direction,
            uses=n,
            hours=(minutes or 0) / 60,
            people=people or 0,
        )


def _booking_rows(
    query: FlowQuery, *, month=None, kind=None, direction=None, limit=200, viewer=None
):
    rows = _booking_qs(query)
    if month is not None:
        rows = rows.filter(month=month)
    if kind:
        rows = rows.filter(kind=kind)
    if direction:
        rows = rows.filter(direction=direction)
    rows = rows.select_related("resource", "resource__owner", "organization").order_by(
        "-starts_at", "-id"
    )
    return [
        FlowRow(
            source="bookings",
            when=b.starts_at,
            kind_label=b.get_kind_display(),
            direction=b.direction,
            provider=b.resource.owner.name,
            user=b.organization.name,
            what=b.resource.name,
            hours=b.minutes / 60,
            people=b.people,
            url=reverse("resources:booking_detail", args=[b.pk]),
        )
        for b in rows[:limit]
    ]


BOOKINGS = FlowSource(
    key="bookings", label=_("资源预约与师资派送"), totals=_booking_totals, rows=_booking_rows
)


# --- the report ------------------------------------------------------------------------------


@dataclass
class Cell:
    uses: int = 0
    hours: float = 0.0
    people: int = 0
    person_days: int = 0

    def add(self, total: FlowTotal) -> None:
        self.uses += total.uses
        self.hours += total.hours
        self.people += total.people
        self.person_days += total.person_days


@dataclass
class Report:
    query: FlowQuery
    months: list[dt.date]
    directions: list[tuple[str, str]]
    by_month: dict = field(default_factory=dict)  # (month, direction) -> Cell
    by_kind: dict = field(default_factory=dict)  # (kind, direction) -> Cell
    kinds: dict = field(default_factory=dict)  # kind -> label
    kind_sources: dict = field(default_factory=dict)  # kind -> its source's label
    totals: dict = field(default_factory=dict)  # direction -> Cell
    total: Cell = field(default_factory=Cell)

    def month_rows(self):
        return [
            (m, [self.by_month.get((m, d), Cell()) for d, _label in self.directions])
            for m in self.months
        ]

    def kind_rows(self):
        """(kind, label, source label, cells by direction), the sources in registry order."""
        return [
            (
                k,
                label,
                self.kind_sources.get(k, ""),
                [self.by_kind.get((k, d), Cell()) for d, _l in self.directions],
            )
            for k, label in self.kinds.items()
        ]

    def direction_rows(self):
        return [(d, label, self.totals.get(d, Cell())) for d, label in self.directions]


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months, m = [], start.replace(day=1)
    while m < end:
        months.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    return months


def year_query(path: str, year: int) -> FlowQuery:
    return FlowQuery(path=path, start=dt.date(year, 1, 1), end=dt.date(year + 1, 1, 1))


def report(query: FlowQuery, sources: Iterable[str] | None = None) -> Report:
    result = Report(
        query=query,
        months=months_between(query.start, query.end),
        directions=[(d.value, str(d.label)) for d in FlowDirection],
    )
    keys = list(sources) if sources is not None else list(SOURCES)
    by_month, by_kind, totals = defaultdict(Cell), defaultdict(Cell), defaultdict(Cell)
    for key in keys:
        for t in SOURCES[key].totals(query):
            by_month[(t.month, t.direction)].add(t)
            by_kind[(t.kind, t.direction)].add(t)
            totals[t.direction].add(t)
            result.total.add(t)
            result.kinds.setdefault(t.kind, t.kind_label)
            result.kind_sources.setdefault(t.kind, str(SOURCES[key].label))
    result.by_month, result.by_kind, result.totals = dict(by_month), dict(by_kind), dict(totals)
    return result


def drill(
    query: FlowQuery, *, month=None, kind=None, direction=None, limit=200, viewer=None
) -> list[FlowRow]:
    """The rows behind a cell, from every source, newest first; ``viewer`` decides which rows
    carry their link (see the contract above)."""
    rows: list[FlowRow] = []
    for source in SOURCES.values():
        rows.extend(
            source.rows(
                query, month=month, kind=kind, direction=direction, limit=limit, viewer=viewer
            )
        )
    rows.sort(key=lambda r: r.when, reverse=True)
    return rows[:limit]


def this_year() -> int:
    return timezone.localdate().year
