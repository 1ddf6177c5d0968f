"""Who sees which resource and booking: the sharing reaches a subtree, a county or everybody;
the owner's scope always sees it; a booking is seen by both sides' scopes; outside, 404."""

import pytest
from django.http import Http404
from django.utils import timezone

from tongchou.core import workdays
from tongchou.resources import selectors
from tongchou.resources.tests.factories import book, make_room

pytestmark = pytest.mark.django_db


def test_sharing_reaches_the_subtree_the_county_or_everybody(world):
    subtree = make_room(world, name="村内", owner=world.a.street, visibility="subtree")
    county = make_room(world, name="县内", owner=world.a.street, visibility="county")
    everybody = make_room(world, name="全域", owner=world.a.street, visibility="all")
    assert county.visible_path == world.a.county.path
    seen_by = {
        "secretary_a": set(selectors.resource_list_for(world.secretary_a)),
        "member_a": set(selectors.resource_list_for(world.member_a)),
        "admin_b": set(selectors.resource_list_for(world.admin_b)),
        "norole": set(selectors.resource_list_for(world.norole)),
    }
    assert seen_by["secretary_a"] == {subtree, county, everybody}
    assert seen_by["member_a"] == {subtree, county, everybody}
    assert seen_by["admin_b"] == {everybody}
    assert seen_by["norole"] == set()
    with pytest.raises(Http404):
        selectors.resource_get_for(world.admin_b, county.pk)
    # The city above both counties keeps an eye on everything inside it.
    from tongchou.core.tests.factories import UserFactory, grant

    city_admin = UserFactory(username="city_admin")
    grant(city_admin, world.city)
    assert set(selectors.resource_list_for(city_admin)) == {subtree, county, everybody}


def test_bookings_are_seen_by_both_sides(world):
    room = make_room(world, owner=world.city)
    booking = book(world, room)
    assert booking in selectors.booking_list_for(world.secretary_a)
    assert booking not in selectors.booking_list_for(world.admin_b)
    with pytest.raises(Http404):
        selectors.booking_get_for(world.admin_b, booking.pk)
    with pytest.raises(Http404):
        selectors.booking_get_for(world.admin_a, "not-a-number")


def test_free_search_skips_busy_and_retired(world):
    room = make_room(world)
    make_room(world, name="已停用的厅", status="retired")
    booking = book(world, room)
    start, end = booking.starts_at, booking.ends_at
    assert list(selectors.search_free(world.admin_b, kind="room")) == [room]
    assert list(selectors.search_free(world.admin_b, start=start, end=end)) == []
    assert list(selectors.search_free(world.admin_b, start=end, end=end + (end - start))) == [room]


def test_a_week_reads_the_calendar_once_whatever_its_days(world, django_assert_num_queries):
    """With the user's scope cached: the bookings in scope, the busy blocks and the calendar's
    corrections, once — not once a day (it was nine reads)."""
    room = make_room(world, closed_on_days_off=True)
    booking = book(world, room)
    day = timezone.localtime(booking.starts_at).date()
    selectors.week_for(world.admin_a, room, day)  # warm the user's cached scope
    with django_assert_num_queries(3):
        week = selectors.week_for(world.admin_a, room, day)
    assert sum(len(d["busy"]) for d in week["days"]) == 1
    assert [d["day_off"] for d in week["days"]] == [
        workdays.is_day_off(d["date"]) for d in week["days"]
    ]
