"""Scope of pairs, and a pair's yearly summary read from the records both ways: a joint
session counts for both sides, bookings, trainings and exchanges are counted from their own
rows, days are clipped at the year's and the period's ends, and the flow report counts the
joint activities once (bookings and exchanges stay with their own sources)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from tongchou.pairing import flows as pairing_flows
from tongchou.pairing import selectors, services
from tongchou.regions.flows import FlowDirection
from tongchou.resources import flows as report
from tongchou.resources.tests.factories import book, make_room

from .factories import exchange, joint_session, make_pair, training_for

pytestmark = pytest.mark.django_db

U2R, R2U, WITHIN = (d.value for d in FlowDirection)


def _kind(summary, kind):
    return next(k for k in summary.kinds if k.kind == kind)


def test_a_pair_is_seen_from_either_side_and_above_and_missing_elsewhere(world):
    pair = make_pair(world, orgs=[world.b.street, world.a.village], actor=world.secretary_a)
    for user in (world.secretary_a, world.member_a, world.admin_a, world.admin_b, world.root):
        assert selectors.pair_get_for(user, pair.pk) == pair
        assert list(selectors.pair_list_for(user)) == [pair]
    only_a = make_pair(world)
    with pytest.raises(Http404):
        selectors.pair_get_for(world.admin_b, only_a.pk)
    with pytest.raises(Http404):
        selectors.pair_get_for(world.norole, pair.pk)
    assert list(selectors.pair_list_for(world.norole)) == []


def test_a_joint_session_counts_for_both_sides_in_its_direction(world):
    pair = make_pair(world)
    a = world.a
    joint_session(a.street, [a.village], dt.date(2025, 4, 10), present=a.members)
    joint_session(a.village, [a.street], dt.date(2025, 6, 1), present=a.members[:1])
    joint_session(a.village, [], dt.date(2025, 6, 2))  # the village's own: not joint
    joint_session(a.village, [world.b.street], dt.date(2025, 6, 3))  # a partner not paired
    # Seen from either side (the village's secretary, county A's admin): the same figures.
    for viewer in (world.secretary_a, world.admin_a):
        activities = _kind(selectors.pair_summary(pair, 2025, viewer=viewer), "activities")
        assert activities.flowed[U2R].uses == 1 and activities.flowed[U2R].people == 2
        assert activities.flowed[R2U].uses == 1 and activities.flowed[R2U].people == 1
        assert [r.flow.source for r in activities.rows] == ["session", "session"]
        links = [bool(r.url) for r in activities.rows]
        # A session opens where it lives: the street's is outside the village secretary's sight.
        assert links == ([False, True] if viewer == world.secretary_a else [True, True])


def test_promised_beside_flowed_from_bookings_trainings_and_exchanges(world):
    a = world.a
    room = make_room(world)  # street A's room, shared
    booking = book(world, room, people=25)  # village A books it: confirmed (auto)
    year = booking.starts_at.year
    pair = make_pair(world, start=dt.date(year - 1, 1, 1), end=dt.date(year + 1, 12, 31))
    training_for(a.street, a.members, dt.date(year, 3, 5), hours=Decimal("6"))
    exchange(a.street, a.village, dt.date(year, 5, 1), 10)
    exchange(a.village, a.street, dt.date(year, 7, 1), 5)
    for kind, direction, quantity, unit in (
        ("resources", "u2r", "2", "uses"),
        ("talent", "u2r", "20", "person_days"),
        ("talent", "r2u", "1", "people"),
        ("money", "u2r", "50000", "yuan"),
    ):
        services.pair_item_add(
            actor=world.admin_a,
            pair=pair,
            year=year,
            kind=kind,
            direction=direction,
            description="约定",
            quantity=quantity,
            unit=unit,
        )
    summary = selectors.pair_summary(pair, year, viewer=world.admin_a)
    resources = _kind(summary, "resources")
    assert resources.flowed[U2R].uses == 1
    assert resources.flowed[U2R].hours == 2 and resources.flowed[U2R].people == 25
    assert [(p.item.unit, p.flowed, p.met) for p in resources.promises] == [("uses", 1, False)]
    talent = _kind(summary, "talent")
    assert talent.flowed[U2R].people == 1 + 2  # one person stationed, two trained
    assert talent.flowed[U2R].person_days == 10
    assert talent.flowed[R2U].people == 1 and talent.flowed[R2U].person_days == 5
    assert [(p.item.direction, p.flowed) for p in talent.promises] == [("u2r", 10), ("r2u", 1)]
    assert sorted(r.flow.source for r in talent.rows) == ["assignment", "assignment", "training"]
    money = _kind(summary, "money")
    assert not money.has_records and money.promises[0].flowed is None
    # Out of the other county's sight, the rows stay but without links or names.
    pair_b_view = selectors.pair_summary(pair, year, viewer=world.member_a)
    rows = _kind(pair_b_view, "talent").rows
    assert all(r.url == "" for r in rows if r.flow.source != "booking")
    assert all("王农技" not in r.what for r in rows)


def test_days_are_clipped_to_the_year_and_the_pair_period(world):
    a = world.a
    pair = make_pair(world, start=dt.date(2025, 3, 1), end=dt.date(2026, 12, 31))
    exchange(a.street, a.village, dt.date(2025, 12, 20), 20)  # 12 days in 2025, 8 in 2026
    exchange(a.street, a.village, dt.date(2025, 2, 20), 15)  # Mar 1–6 inside the period
    joint_session(a.street, [a.village], dt.date(2025, 2, 28))  # before the pair began
    joint_session(a.street, [a.village], dt.date(2025, 12, 31))
    joint_session(a.street, [a.village], dt.date(2026, 1, 1))
    y2025 = selectors.pair_summary(pair, 2025)
    y2026 = selectors.pair_summary(pair, 2026)
    assert _kind(y2025, "talent").flowed[U2R].person_days == 12 + 6
    assert _kind(y2026, "talent").flowed[U2R].person_days == 8
    assert _kind(y2025, "activities").flowed[U2R].uses == 1
    assert _kind(y2026, "activities").flowed[U2R].uses == 1
    assert (y2025.start, y2025.end) == (dt.date(2025, 3, 1), dt.date(2025, 12, 31))
    assert selectors.pair_summary(pair, 2024).kinds[0].rows == []


def test_the_flow_report_counts_joint_activities_once_and_bookings_and_exchanges_not_again(world):
    a = world.a
    room = make_room(world)
    booking = book(world, room, people=25)
    year = booking.starts_at.year
    make_pair(world, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    # A second pair with the same two organizations: a record still counts once.
    make_pair(
        world,
        name="两联两帮",
        kind="two_links",
        start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31),
    )
    joint_session(a.street, [a.village], dt.date(year, 3, 3), present=a.members)
    training_for(a.street, a.members[:1], dt.date(year, 4, 4))
    exchange(a.street, a.village, dt.date(year, 5, 1), 10)
    joint_session(a.village, [world.b.street], dt.date(year, 3, 4))  # not paired
    query = report.year_query(a.county.path, year)
    result = report.report(query)
    assert result.by_kind[("joint_session", U2R)].uses == 1
    assert result.by_kind[("joint_session", U2R)].people == 2
    assert result.by_kind[("pair_training", U2R)].uses == 1
    assert result.by_kind[("room", U2R)].uses == 1  # the booking, by its own source only
    assert result.by_kind[("stationed", U2R)].uses == 1  # the exchange, by its own source
    pairing_only = report.report(query, sources=["pairing"])
    assert set(pairing_only.kinds) == {"joint_session", "pair_training"}
    assert pairing_only.total.uses == 2
    rows = report.drill(query, kind="joint_session", viewer=world.admin_a)
    assert [(r.source, r.provider, r.user) for r in rows] == [
        ("pairing", a.street.name, a.village.name)
    ]
    assert rows[0].url
    assert report.drill(query, kind="joint_session", viewer=world.admin_b)[0].url == ""
    # County B's report: nothing of county A's pair.
    assert (
        report.report(report.year_query(world.b.county.path, year), sources=["pairing"]).total.uses
        == 0
    )
    assert pairing_flows.PAIRING.key in report.SOURCES
