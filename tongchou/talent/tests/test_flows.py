"""Exchanges in the flow report of the resources app: one rule of direction for both apps, the
report of a county counting a booking and an exchange side by side (person-days for the
exchange), the drill-down rows of both, and scope."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tongchou.regions.flows import FlowDirection
from tongchou.resources import flows as report
from tongchou.resources.models import ResourceKind
from tongchou.resources.tests.factories import book, make_room
from tongchou.talent import flows
from tongchou.talent.models import AssignmentState, ExchangeKind
from tongchou.talent.tests.factories import create_assignment, make_expert

pytestmark = pytest.mark.django_db


def _exchange(talent, from_org, to_org, first, days, **fields):
    values = {"kind": "stationed", "state": AssignmentState.ACTIVE}
    values.update(fields)
    return create_assignment(
        talent=talent,
        from_org=from_org,
        from_path=from_org.path,
        to_org=to_org,
        to_path=to_org.path,
        first_day=first,
        last_day=first + dt.timedelta(days=days - 1),
        **values,
    )


@pytest.fixture
def flowed(world):
    """Street A (urban) lends village A (rural) its room for 2 hours and 30 people, and sends
    王农技 to stay there 31 days from the 5th of the booking's month; county B sends one of
    its own to its village (outside county A entirely); a planned exchange has not flowed."""
    booking = book(world, make_room(world))
    first = timezone.localtime(booking.starts_at).date().replace(day=5)
    exchange = _exchange(make_expert(world.a.street), world.a.street, world.a.village, first, 31)
    other = _exchange(
        make_expert(world.b.street, name="张大姐"), world.b.street, world.b.village, first, 10
    )
    _exchange(
        make_expert(world.a.street, name="李规划"),
        world.a.street,
        world.a.village,
        first,
        5,
        state=AssignmentState.PLANNED,
    )
    return booking, exchange, other, first


def test_the_registry_holds_the_exchanges_and_kinds_never_collide():
    assert report.SOURCES["exchanges"] is flows.EXCHANGES
    assert set(ExchangeKind.values).isdisjoint(ResourceKind.values)


def test_a_booking_and_an_exchange_between_the_same_places_flow_the_same_way(world, flowed):
    booking, exchange, _other, _first = flowed
    assert booking.direction == FlowDirection.URBAN_TO_RURAL
    assert exchange.direction == booking.direction
    (row,) = [r for r in flows.assignment_flows() if r.assignment_id == exchange.pk]
    assert row.direction == booking.direction


def test_the_county_report_counts_the_booking_and_the_exchange_with_its_person_days(
    client, world, flowed
):
    booking, exchange, _other, first = flowed
    client.force_login(world.admin_a)
    response = client.get(
        reverse("resources:flows"), {"year": first.year, "org": world.a.county.pk}
    )
    result = response.context["report"]
    u2r = result.totals[FlowDirection.URBAN_TO_RURAL]
    assert (u2r.uses, u2r.hours, u2r.people, u2r.person_days) == (2, 2, 31, 31)
    assert FlowDirection.RURAL_TO_URBAN not in result.totals  # nothing flowed upward
    month = first.replace(day=1)
    room = result.by_kind[(ResourceKind.ROOM, FlowDirection.URBAN_TO_RURAL)]
    stay = result.by_kind[(ExchangeKind.STATIONED, FlowDirection.URBAN_TO_RURAL)]
    assert (room.uses, room.people, room.person_days) == (1, 30, 0)
    assert (stay.uses, stay.hours, stay.people, stay.person_days) == (1, 0, 1, 31)
    assert result.by_month[(month, FlowDirection.URBAN_TO_RURAL)].uses == 2
    page = response.content.decode()
    assert 'data-kind="stationed"' in page and 'data-kind="room"' in page
    assert "驻村帮扶" in page and "交流任职" in page
    # The same over the API (for an organization in scope).
    body = client.get(
        "/api/resources/flows/", {"year": first.year, "organization": world.a.county.pk}
    ).json()
    assert sorted(
        (k["key"], k["direction"], k["uses"], k["person_days"]) for k in body["kinds"]
    ) == [
        ("room", "u2r", 1, 0),
        ("stationed", "u2r", 1, 31),
    ]
    # The whole deployment: county B's exchange too (the bookings' monthly totals beside).
    client.force_login(world.root)
    everything = client.get(reverse("resources:flows"), {"year": first.year}).context["report"]
    assert everything.totals[FlowDirection.URBAN_TO_RURAL].person_days == 41
    assert everything.totals[FlowDirection.URBAN_TO_RURAL].uses == 3


def test_an_exchange_ended_early_counts_the_days_served(world):
    talent = make_expert(world.a.village, name="返乡青年")
    first = dt.date(2025, 3, 1)
    _exchange(
        talent,
        world.a.village,
        world.a.street,
        first,
        31,
        kind="city_training",
        state=AssignmentState.ENDED_EARLY,
        ended_on=dt.date(2025, 3, 10),
    )
    result = report.report(report.year_query(world.a.county.path, 2025), sources=["exchanges"])
    up = result.totals[FlowDirection.RURAL_TO_URBAN]
    assert (up.uses, up.people, up.person_days) == (1, 1, 10)
    assert result.by_month[(dt.date(2025, 3, 1), FlowDirection.RURAL_TO_URBAN)].person_days == 10


def test_the_drill_down_lists_both_and_links_what_the_viewer_may_open(client, world, flowed):
    booking, exchange, _other, first = flowed
    params = {"year": first.year, "direction": "u2r"}
    client.force_login(world.admin_a)
    rows = client.get(reverse("resources:flow_rows"), params).context["rows"]
    assert sorted((r.source, r.url, r.person_days) for r in rows) == [
        ("bookings", reverse("resources:booking_detail", args=[booking.pk]), 0),
        ("exchanges", reverse("talent:assignment_detail", args=[exchange.pk]), 31),
    ]
    (row,) = [r for r in rows if r.source == "exchanges"]
    assert (row.what, row.provider, row.user) == (
        "王农技",
        world.a.street.name,
        world.a.village.name,
    )
    assert client.get(row.url).status_code == 200
    by_kind = client.get(reverse("resources:flow_rows"), {**params, "kind": "stationed"})
    assert [r.source for r in by_kind.context["rows"]] == ["exchanges"]
    # A plain member of village A sees the report of their branch, but exchanges are members'
    # business: the row stays, without the person's name or the link (which would not open).
    client.force_login(world.member_a)
    params["org"] = world.a.village.pk  # their branch (it leads a joint branch: two scopes)
    rows = client.get(reverse("resources:flow_rows"), params).context["rows"]
    (row,) = [r for r in rows if r.source == "exchanges"]
    assert row.url == "" and row.what == "驻村帮扶" and row.person_days == 31
    page = client.get(reverse("resources:flow_rows"), params).content.decode()
    assert "王农技" not in page
    assert client.get(reverse("talent:assignment_detail", args=[exchange.pk])).status_code == 404


def test_an_exchange_outside_the_viewers_subtree_is_not_counted(client, world, flowed):
    _booking, _exchange_a, other, first = flowed
    client.force_login(world.admin_b)
    result = client.get(reverse("resources:flows"), {"year": first.year}).context["report"]
    assert result.total.uses == 1 and result.total.person_days == 10  # their own only
    client.force_login(world.admin_a)
    result = client.get(reverse("resources:flows"), {"year": first.year}).context["report"]
    assert result.total.person_days == 31
    rows = client.get(reverse("resources:flow_rows"), {"year": first.year}).context["rows"]
    assert {r.source for r in rows} == {"bookings", "exchanges"}
    assert reverse("talent:assignment_detail", args=[other.pk]) not in {r.url for r in rows}
    assert "张大姐" not in {r.what for r in rows}
