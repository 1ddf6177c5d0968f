"""The REST API: booking with 409 on a held slot, rules as 400 naming the field, a series
checked then booked, the week, the free-time search and the flow report."""

import pytest
from django.utils import timezone

from tongchou.resources.models import Booking
from tongchou.resources.tests.factories import at, book, make_room, workday

pytestmark = pytest.mark.django_db


def _body(world, room, day, start=14, end=16, **kw):
    return {
        "resource": room.pk,
        "organization": world.a.village.pk,
        "starts_at": at(day, start).isoformat(),
        "ends_at": at(day, end).isoformat(),
        "purpose": "主题党日",
        "people": 30,
        **kw,
    }


def test_booking_then_409_for_the_held_slot(client, world):
    room = make_room(world)
    day = workday()
    client.force_login(world.secretary_a)
    first = client.post("/api/resources/bookings/", _body(world, room, day), "application/json")
    assert first.status_code == 201, first.json()
    assert first.json()["state"] == "confirmed" and first.json()["direction"] == "u2r"
    client.force_login(world.admin_b)
    body = _body(world, room, day, start=15, end=17, organization=world.b.village.pk)
    second = client.post("/api/resources/bookings/", body, "application/json")
    assert second.status_code == 409
    assert second.json()["code"] == "slot_taken" and second.json()["field"] == "starts_at"
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"people": 100}, "over_capacity", "people"),
        ({"start": 16, "end": 14}, "ends_before_start", "ends_at"),
        ({"start": 6, "end": 7}, "outside_opening_hours", "starts_at"),
    ],
)
def test_rules_answer_400_naming_the_field(client, world, change, code, field):
    room = make_room(world)
    client.force_login(world.secretary_a)
    start, end = change.pop("start", 14), change.pop("end", 16)
    body = _body(world, room, workday(), start=start, end=end, **change)
    response = client.post("/api/resources/bookings/", body, "application/json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not Booking.objects.exists()


def test_a_resource_out_of_reach_is_not_found_naming_the_field(client, world):
    room = make_room(world, owner=world.b.street, visibility="subtree")
    client.force_login(world.secretary_a)
    response = client.post(
        "/api/resources/bookings/", _body(world, room, workday()), "application/json"
    )
    assert response.status_code == 404 and response.json()["field"] == "resource"


def test_series_check_then_free_ones(client, world):
    room = make_room(world)
    day = workday(8)
    import datetime as dt

    book(world, room, actor=world.admin_b, org=world.b.village, day=day + dt.timedelta(weeks=1))
    client.force_login(world.secretary_a)
    body = _body(world, room, day, repeat="weekly", count=3, mode="check")
    check = client.post("/api/resources/bookings/series/", body, "application/json")
    assert check.status_code == 200
    skipped = check.json()["skipped"]
    assert skipped and check.json()["booked"] == []
    assert not Booking.objects.filter(organization=world.a.village).exists()
    body["mode"] = "all"
    refused = client.post("/api/resources/bookings/series/", body, "application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "series_conflicts"
    body["mode"] = "free"
    done = client.post("/api/resources/bookings/series/", body, "application/json")
    assert done.status_code == 201
    assert len(done.json()["booked"]) == 3 - len(skipped)


def test_week_and_free_search(client, world):
    room = make_room(world, owner=world.city)
    day = workday()
    book(world, room, day=day)
    client.force_login(world.admin_b)
    week = client.get(f"/api/resources/items/{room.pk}/week/", {"day": day.isoformat()}).json()
    busy = [b for d in week["days"] for b in d["busy"]]
    assert len(busy) == 1 and busy[0]["organization_name"] is None
    free = client.get(
        "/api/resources/items/",
        {"free_from": at(day, 15).isoformat(), "free_to": at(day, 17).isoformat()},
    ).json()
    assert free["count"] == 0
    free = client.get(
        "/api/resources/items/",
        {"free_from": at(day, 16).isoformat(), "free_to": at(day, 17).isoformat(), "capacity": 40},
    ).json()
    assert [r["id"] for r in free["results"]] == [room.pk]
    bad = client.get("/api/resources/items/", {"free_from": "soon", "free_to": "later"})
    assert bad.status_code == 400 and bad.json()["field"] == "free_from"


def test_flow_report(client, world):
    room = make_room(world)
    booking = book(world, room)
    year = timezone.localtime(booking.starts_at).year
    client.force_login(world.root)
    body = client.get("/api/resources/flows/", {"year": year}).json()
    totals = {row["direction"]: row for row in body["totals"]}
    assert totals["u2r"]["uses"] == 1 and totals["u2r"]["hours"] == 2.0
    assert totals["r2u"]["uses"] == 0
    assert body["kinds"] == [
        {"key": "room", "direction": "u2r", "uses": 1, "hours": 2.0, "people": 30, "person_days": 0}
    ]
    out = client.get("/api/resources/flows/", {"organization": 10**9}).json()
    assert out["code"] == "not_found" and out["field"] == "organization"


def test_lists_cost_the_same_queries_for_one_row_or_many(
    client, world, django_assert_max_num_queries
):
    room = make_room(world)
    for hour in (8, 10, 12, 14, 16):
        book(world, room, start=(hour, 0), end=(hour + 1, 0))
    client.force_login(world.admin_a)
    with django_assert_max_num_queries(8):
        assert client.get("/api/resources/bookings/").json()["count"] == 5
    with django_assert_max_num_queries(8):
        assert client.get("/api/resources/items/").json()["count"] == 1
    with django_assert_max_num_queries(14):
        assert client.get("/resources/bookings/").status_code == 200
