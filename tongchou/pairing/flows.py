"""Pairing activities in the flow report (``resources.flows``), counted once.

Of the records a pair's summary reads, bookings and exchanges are already sources of the
report (``bookings``, ``exchanges``); counting them again here would count them twice. What no
other source counts are the joint activities themselves:

* ``joint_session`` (联合组织生活): a session held by one organization together with a partner
  it is paired with, on a day inside a pair's period — one use from the holder to the partner,
  with the members present as people;
* ``pair_training`` (结对培训): a training held by one organization with participants of an
  organization it is paired with, inside a pair's period — one use per training and receiving
  organization, its hours and the participants as people.

A joint session in a booked room is two facts, both real and of different kinds: the room's use
(``bookings``) and the joint activity (here). Organizations in two pairs at once count a record
once. Pairs are few (a county has tens), and their joint activities tens a year each: the source
reads the pairs, then the matching sessions and trainings in a few queries over the paired
organizations only, and groups them in Python (not in SQL like the large sources).
"""

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongchou.organizations.permissions import Action, scope_for
from tongchou.pairing import records
from tongchou.pairing.models import PairMember
from tongchou.resources import flows as report

KINDS = {"session": "joint_session", "training": "pair_training"}
LABELS = {"joint_session": _("联合组织生活"), "pair_training": _("结对培训")}


def _links() -> tuple[dict[int, str], dict[frozenset, list[tuple[dt.date, dt.date]]]]:
    """Every paired organization (id → path), and for each two organizations paired together
    the periods of their pairs."""
    by_pair: dict[int, list[tuple[int, str]]] = defaultdict(list)
    periods: dict[int, tuple[dt.date, dt.date]] = {}
    rows = PairMember.objects.values_list(
        "pair_id", "organization_id", "org_path", "pair__starts_on", "pair__ends_on"
    )
    for pair_id, org_id, path, starts_on, ends_on in rows:
        by_pair[pair_id].append((org_id, path))
        periods[pair_id] = (starts_on, ends_on)
    paths: dict[int, str] = {}
    links: dict[frozenset, list] = defaultdict(list)
    for pair_id, members in by_pair.items():
        for org_id, path in members:
            paths[org_id] = path
            for other, _path in members:
                if other != org_id:
                    links[frozenset((org_id, other))].append(periods[pair_id])
    return paths, links


def _paired(flow: records.Flow, links) -> bool:
    return any(
        start <= flow.day <= end
        for start, end in links.get(frozenset((flow.provider_id, flow.user_id)), ())
    )


def pairing_flows(query: report.FlowQuery) -> list[records.Flow]:
    """The joint sessions and trainings between paired organizations in the query's period,
    either side in its subtree."""
    paths, links = _links()
    if not links:
        return []
    last = query.end - dt.timedelta(days=1)
    found = records.joint_sessions(set(paths), query.start, last)
    found += records.trainings_between(paths, query.start, last)
    return [
        f
        for f in found
        if _paired(f, links)
        and (
            not query.path
            or f.provider_path.startswith(query.path)
            or f.user_path.startswith(query.path)
        )
    ]


def _totals(query: report.FlowQuery):
    grouped: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0])
    for f in pairing_flows(query):
        cell = grouped[(f.day.replace(day=1), KINDS[f.source], f.direction)]
        cell[0] += f.uses
        cell[1] += f.hours
        cell[2] += f.people
    for (month, kind, direction), (uses, hours, people) in sorted(grouped.items()):
        yield report.FlowTotal(
            month=month,
            kind=kind,
            kind_label=str(LABELS[kind]),
            direction=direction,
            uses=uses,
            hours=hours,
            people=people,
        )


def _rows(
    query: report.FlowQuery, *, month=None, kind=None, direction=None, limit=200, viewer=None
):
    scope = scope_for(viewer, Action.VIEW_MEMBERS) if viewer is not None else None
    rows = []
    for f in pairing_flows(query):
        code = KINDS[f.source]
        if month is not None and f.day.replace(day=1) != month:
            continue
        if (kind and code != kind) or (direction and f.direction != direction):
            continue
        opens = scope is not None and scope.covers(f.record_path)
        name = "orglife:detail" if f.source == "session" else "education:training_detail"
        rows.append(
            report.FlowRow(
                source="pairing",
                when=timezone.make_aware(dt.datetime.combine(f.day, dt.time())),
                kind_label=str(LABELS[code]),
                direction=f.direction,
                provider=f.provider,
                user=f.user,
                what=f.what,
                hours=f.hours,
                people=f.people,
                url=reverse(name, args=[f.record_id]) if opens else "",
            )
        )
    rows.sort(key=lambda r: r.when, reverse=True)
    return rows[:limit]


PAIRING = report.FlowSource(key="pairing", label=_("结对共建"), totals=_totals, rows=_rows)
