"""Reads of pairs, always through a scope, and a pair's yearly summary.

A pair is seen by whoever's ``VIEW_ORGS`` scope covers any of its members (the members and
their upper committees, both sides); out of scope is a 404, the same as missing.

The yearly summary (``pair_summary``) puts, for each kind of item and each direction, what was
promised (the pair's items for that year) beside what flowed — read from the records between the
members (``records``: joint sessions, bookings, trainings, exchanges) on the days of that year
inside the pair's period. Nothing is typed twice: the figures and the drill-down rows are the
records themselves. Money has no records yet (there is no funds app): promised money is shown,
and the summary says that no fund records exist.
"""

import datetime as dt
import decimal
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongchou.core.lookups import pk_or_404
from tongchou.organizations.permissions import Action, scope_for
from tongchou.pairing import records
from tongchou.pairing.models import ItemKind, ItemUnit, Pair, PairItem, PairMember
from tongchou.regions.flows import FlowDirection


def pair_list_for(user) -> QuerySet[Pair]:
    scope = scope_for(user, Action.VIEW_ORGS)
    if scope.everything:
        return Pair.objects.all()
    if scope.is_empty:
        return Pair.objects.none()
    return Pair.objects.filter(
        pk__in=PairMember.objects.filter(scope.q("org_path")).values("pair_id")
    )


def with_members(queryset: QuerySet[Pair]) -> QuerySet[Pair]:
    return queryset.prefetch_related(
        Prefetch(
            "members",
            queryset=PairMember.objects.select_related("organization").order_by("side", "org_path"),
        )
    )


def pair_get_for(user, pk) -> Pair:
    pair = with_members(pair_list_for(user)).filter(pk=pk_or_404(pk)).first()
    if pair is None:
        raise Http404
    return pair


def member_get(pair: Pair, pk) -> PairMember:
    member = pair.members.filter(pk=pk_or_404(pk)).select_related("organization").first()
    if member is None:
        raise Http404
    return member


def item_get(pair: Pair, pk) -> PairItem:
    item = pair.items.filter(pk=pk_or_404(pk)).first()
    if item is None:
        raise Http404
    return item


def years_of(pair: Pair) -> list[int]:
    return list(range(pair.starts_on.year, pair.ends_on.year + 1))


def default_year(pair: Pair) -> int:
    this = timezone.localdate().year
    return min(max(this, pair.starts_on.year), pair.ends_on.year)


# --- the yearly summary ----------------------------------------------------------------------


@dataclass
class Measure:
    uses: int = 0
    hours: float = 0.0
    people: int = 0
    person_days: int = 0

    def add(self, flow: records.Flow) -> None:
        self.uses += flow.uses
        self.hours += flow.hours
        self.people += flow.people
        self.person_days += flow.person_days

    def value(self, unit: str):
        """The figure in a promise's unit (None for money: no records)."""
        return {
            ItemUnit.USES: self.uses,
            ItemUnit.HOURS: round(self.hours, 1),
            ItemUnit.PEOPLE: self.people,
            ItemUnit.PERSON_DAYS: self.person_days,
        }.get(unit)


@dataclass(frozen=True)
class Promise:
    item: PairItem
    flowed: object  # a number in the item's unit, or None (money)

    @property
    def met(self) -> bool | None:
        if self.flowed is None:
            return None
        return decimal.Decimal(str(self.flowed)) >= self.item.quantity


@dataclass(frozen=True)
class Row:
    """One counted record, as the drill-down shows it."""

    flow: records.Flow
    source_label: str
    what: str
    url: str


@dataclass
class KindSummary:
    kind: str
    label: str
    flowed: dict = field(default_factory=dict)  # direction -> Measure
    promises: list = field(default_factory=list)  # [Promise]
    rows: list = field(default_factory=list)  # [Row]
    has_records: bool = True  # money: False (no fund records yet)
    cells: list = field(default_factory=list)  # [(direction, label, Measure)], every direction


@dataclass
class Summary:
    pair: Pair
    year: int
    start: dt.date | None  # the days of the year inside the pair's period (None: none)
    end: dt.date | None
    directions: list
    kinds: list  # [KindSummary]

    @property
    def records(self) -> int:
        return sum(len(k.rows) for k in self.kinds)


SOURCE_LABELS = {
    "session": (_("联合组织生活"), "orglife:detail"),
    "booking": (_("资源预约"), "resources:booking_detail"),
    "training": (_("技能培训"), "education:training_detail"),
    "assignment": (_("交流任职"), "talent:assignment_detail"),
}


def _row(flow: records.Flow, viewer) -> Row:
    label, url_name = SOURCE_LABELS[flow.source]
    if flow.source == "booking":
        opens = scope_for(viewer, Action.VIEW_ORGS)
        may = opens.covers(flow.provider_path) or opens.covers(flow.user_path)
    elif flow.source == "assignment":
        scope = scope_for(viewer, Action.VIEW_MEMBERS)
        may = any(scope.covers(p) for p in flow.record_path.split("|"))
    else:
        may = scope_for(viewer, Action.VIEW_MEMBERS).covers(flow.record_path)
    what = flow.what
    if flow.source == "assignment" and may and flow.person:
        what = f"{flow.person} · {flow.what}"
    return Row(
        flow=flow,
        source_label=str(label),
        what=what,
        url=reverse(url_name, args=[flow.record_id]) if may else "",
    )


def pair_flows(pair: Pair, start: dt.date, end: dt.date) -> list[records.Flow]:
    """Every record between the pair's members from ``start`` to ``end`` (inclusive)."""
    members = {m.organization_id: m.org_path for m in pair.members.all()}
    ids = set(members)
    return (
        records.joint_sessions(ids, start, end)
        + records.bookings_between(ids, start, end)
        + records.trainings_between(members, start, end)
        + records.exchanges_between(ids, start, end)
    )


def pair_summary(pair: Pair, year: int, *, viewer=None) -> Summary:
    """Promised beside flowed, per item kind and direction, for one year of the pair."""
    start = max(dt.date(year, 1, 1), pair.starts_on)
    end = min(dt.date(year, 12, 31), pair.ends_on)
    if end < start:
        start = end = None
    flows = pair_flows(pair, start, end) if start else []
    directions = [(d.value, str(d.label)) for d in FlowDirection]
    kinds: dict[str, KindSummary] = {
        k.value: KindSummary(k.value, str(k.label), has_records=k != ItemKind.MONEY)
        for k in ItemKind
    }
    for flow in sorted(flows, key=lambda f: (f.day, f.source, f.record_id)):
        summary = kinds[flow.kind]
        summary.flowed.setdefault(flow.direction, Measure()).add(flow)
        summary.rows.append(_row(flow, viewer))
    for item in pair.items.filter(year=year).order_by("kind", "-direction", "id"):
        summary = kinds[item.kind]
        measure = summary.flowed.get(item.direction, Measure())
        flowed = measure.value(item.unit) if summary.has_records else None
        summary.promises.append(Promise(item, flowed))
    for summary in kinds.values():
        summary.cells = [(d, label, summary.flowed.get(d, Measure())) for d, label in directions]
    return Summary(pair, year, start, end, directions, list(kinds.values()))
