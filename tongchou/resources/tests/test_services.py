"""Booking rules: every bad input is a clear error naming its field, and nothing is written."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test.utils import override_settings
from django.utils import timezone

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.regions.flows import FlowDirection
from tongchou.resources import services
from tongchou.resources.models import Booking, BookingState
from tongchou.resources.tests.factories import at, book, make_room, workday

pytestmark = pytest.mark.django_db


def refused(code: str, call, field: str | None = None):
    before = (Booking.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ApplicationError) as info:
        call()
    assert info.value.code == code, info.value.message
    if field:
        assert info.value.field == field
    assert (Booking.objects.count(), AuditEvent.objects.count()) == before
    return info.value


def test_a_village_books_a_city_room_and_the_flow_is_urban_to_rural(world):
    room = make_room(world)
    booking = book(world, room)
    assert booking.state == BookingState.CONFIRMED
    assert booking.direction == FlowDirection.URBAN_TO_RURAL
    assert booking.minutes == 120
    assert booking.month == booking.starts_at.astimezone(
        timezone.get_current_timezone()
    ).date().replace(day=1)
    assert AuditEvent.objects.filter(object_type="resources.booking").count() == 1


def test_an_overlap_is_refused_with_409_including_buffers(world):
    room = make_room(world, buffer_before=30, buffer_after=30)
    book(world, room, start=(9, 0), end=(10, 0))
    exc = refused("slot_taken", lambda: book(world, room, start=(10, 15), end=(11, 0)))
    assert exc.status == 409
    # After the cleanup buffer the room is free again.
    book(world, room, start=(11, 0), end=(12, 0))


@pytest.mark.parametrize(
    ("code", "field", "kwargs"),
    [
        ("ends_before_start", "ends_at", {"start": (15, 0), "end": (14, 0)}),
        ("over_capacity", "people", {"people": 61}),
        ("invalid_people", "people", {"people": 0}),
        ("outside_opening_hours", "starts_at", {"start": (7, 0), "end": (9, 0)}),
        ("outside_opening_hours", "starts_at", {"start": (17, 0), "end": (19, 0)}),
    ],
)
def test_bad_bookings_are_refused(world, code, field, kwargs):
    room = make_room(world)
    refused(code, lambda: book(world, room, **kwargs), field)


def test_a_day_off_is_refused(world):
    room = make_room(world, opening_hours=[])
    day = dt.date(timezone.localdate().year + 1, 10, 1)  # National Day
    refused("day_off", lambda: book(world, room, day=day), "starts_at")


def test_an_adjusted_working_sunday_is_open():
    from tongchou.core.workdays import is_day_off

    assert is_day_off(dt.date(2026, 1, 3))  # a Saturday
    assert not is_day_off(dt.date(2026, 1, 4))  # Sunday worked (调休)


def test_the_calendar_is_replaceable(world):
    room = make_room(world)
    day = workday()
    with override_settings(EXTRA_DAYS_OFF=[day.isoformat()]):
        refused("day_off", lambda: book(world, room, day=day))


def test_lead_time_length_and_past(world):
    room = make_room(world, lead_hours=24 * 30, max_minutes=60)
    refused("lead_time", lambda: book(world, room), "starts_at")
    room2 = make_room(world, name="小会议室", max_minutes=60)
    refused("too_long", lambda: book(world, room2), "ends_at")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    refused("in_the_past", lambda: book(world, room2, day=yesterday, end=(14, 30)))


def test_the_monthly_quota_per_organization(world):
    room = make_room(world, monthly_quota=1)
    day = workday()
    book(world, room, day=day, start=(9, 0), end=(10, 0))
    refused("quota_reached", lambda: book(world, room, day=day, start=(14, 0), end=(15, 0)))
    # Another organization has its own quota.
    book(world, room, actor=world.admin_b, org=world.b.village, day=day)


def test_retired_under_repair_and_out_of_visibility(world):
    room = make_room(world, status="retired")
    refused("resource_retired", lambda: book(world, room), "resource")
    room = make_room(world, name="维修中的厅", status="repair")
    refused("resource_under_repair", lambda: book(world, room))
    county_only = make_room(world, name="县内共享厅", visibility="county")
    refused(
        "not_bookable",
        lambda: book(world, county_only, actor=world.admin_b, org=world.b.village),
        "resource",
    )
    # Inside the county it may be booked.
    book(world, county_only)


def test_listed_organizations_only(world):
    room = make_room(world, owner=world.b.street, bookers="listed", allowed_orgs=[world.joint_a])
    refused("not_bookable", lambda: book(world, room))
    # The owner's own subtree always may.
    book(world, room, actor=world.admin_b, org=world.b.village)
    listed = make_room(world, owner=world.b.street, bookers="listed", allowed_orgs=[world.a.street])
    book(world, listed)


def test_a_secretary_books_only_for_their_own_organization(world):
    room = make_room(world)
    with pytest.raises(PermissionDenied):
        book(world, room, org=world.b.village)
    with pytest.raises(PermissionDenied):
        book(world, room, actor=world.member_a)
    assert not Booking.objects.exists()


def test_a_request_holds_its_slot_until_declined_or_expired(world):
    room = make_room(world, auto_confirm=False, hold_hours=1)
    request = book(world, room)
    assert request.state == BookingState.REQUESTED and request.direction == ""
    refused("slot_taken", lambda: book(world, room, actor=world.admin_b, org=world.b.village))
    with pytest.raises(ApplicationError) as info:
        services.booking_decline(actor=world.admin_a, booking=request, reason="")
    assert info.value.code == "reason_required"
    services.booking_decline(actor=world.admin_a, booking=request, reason="当天另有安排")
    other = book(world, room, actor=world.admin_b, org=world.b.village)
    # An undecided request past its hold releases the slot.
    Booking.objects.filter(pk=other.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    third = book(world, room)
    other.refresh_from_db()
    assert other.state == BookingState.EXPIRED
    with pytest.raises(ApplicationError) as info:
        services.booking_confirm(actor=world.admin_a, booking=other)
    assert info.value.code == "stale_state"
    confirmed = services.booking_confirm(actor=world.admin_a, booking=third)
    assert confirmed.state == BookingState.CONFIRMED
    assert confirmed.direction == FlowDirection.URBAN_TO_RURAL


def test_only_the_owner_side_decides(world):
    room = make_room(world, auto_confirm=False)
    request = book(world, room)
    with pytest.raises(PermissionDenied):
        services.booking_confirm(actor=world.admin_b, booking=request)
    with pytest.raises(PermissionDenied):
        services.booking_confirm(actor=world.member_a, booking=request)


def test_cancelling_frees_the_slot_and_either_side_may(world):
    room = make_room(world)
    first = book(world, room)
    services.booking_cancel(actor=world.secretary_a, booking=first, reason="改期")
    second = book(world, room)
    services.booking_cancel(actor=world.admin_a, booking=second)
    with pytest.raises(ApplicationError):
        services.booking_cancel(actor=world.admin_a, booking=second)


def test_opening_hours_are_validated(world):
    with pytest.raises(ApplicationError) as info:
        make_room(world, opening_hours=[["18:00", "08:00"]] * 7)
    assert info.value.code == "invalid_opening_hours"
    with pytest.raises(ApplicationError) as info:
        make_room(world, opening_hours=[["8点", "18:00"]] * 7)
    assert info.value.field == "opening_hours"


def test_trainer_is_a_linked_member_or_an_outside_person(world):
    with pytest.raises(ApplicationError) as info:
        make_room(world, kind="trainer", capacity=None, name="讲师")
    assert info.value.code == "trainer_required"
    trainer = make_room(world, kind="trainer", capacity=None, member=world.a.members[0])
    assert trainer.trainer_label == world.a.members[0].name
    outside = make_room(
        world, kind="trainer", capacity=None, person_name="王教授", topics="乡村振兴、电商"
    )
    assert outside.member_id is None


def test_weekly_series_shows_conflicts_and_books_the_free_ones_or_none(world):
    room = make_room(world)
    day = workday(8)
    book(world, room, actor=world.admin_b, org=world.b.village, day=day + dt.timedelta(weeks=2))
    slots = services.occurrences(at(day, 14), at(day, 16), repeat="weekly", count=4)
    made, skipped = services.booking_series(
        actor=world.secretary_a,
        resource=room,
        organization=world.a.village,
        slots=slots,
        purpose="党课",
        people=20,
        mode="check",
    )
    assert len(skipped) >= 1 and skipped[0][2].code in ("slot_taken", "day_off")
    assert Booking.objects.filter(organization=world.a.village).count() == 0
    with pytest.raises(ApplicationError) as info:
        services.booking_series(
            actor=world.secretary_a,
            resource=room,
            organization=world.a.village,
            slots=slots,
            purpose="党课",
            people=20,
            mode="all",
        )
    assert info.value.code == "series_conflicts"
    assert Booking.objects.filter(organization=world.a.village).count() == 0
    made, skipped = services.booking_series(
        actor=world.secretary_a,
        resource=room,
        organization=world.a.village,
        slots=slots,
        purpose="党课",
        people=20,
        mode="free",
    )
    assert len(made) + len(skipped) == 4 and len(made) >= 1
    assert Booking.objects.filter(organization=world.a.village).count() == len(made)
    assert len({b.series for b in made}) == 1


def test_monthly_occurrences_take_the_last_day_of_short_months():
    start = dt.datetime(2027, 1, 31, 9, tzinfo=timezone.get_current_timezone())
    slots = services.occurrences(start, start + dt.timedelta(hours=1), repeat="monthly", count=3)
    assert [s.date() for s, _e in slots] == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
    ]


def test_the_deployment_totals_follow_confirmations_and_cancellations(world):
    from tongchou.resources import flows
    from tongchou.resources.models import FlowMonth

    room = make_room(world, auto_confirm=False)
    auto = make_room(world, name="自动确认的厅")
    first = book(world, auto, start=(9, 0), end=(10, 0))
    request = book(world, room, start=(14, 0), end=(16, 0))
    assert FlowMonth.objects.get().uses == 1  # the request does not count yet
    services.booking_confirm(actor=world.admin_a, booking=request)
    row = FlowMonth.objects.get()
    assert (row.uses, row.minutes, row.people) == (2, 180, 60)
    services.booking_cancel(actor=world.secretary_a, booking=first)
    year = timezone.localtime(request.starts_at).year
    root = flows.report(flows.year_query("", year))
    subtree = flows.report(flows.year_query(world.city.path, year))
    assert root.total == subtree.total and root.total.uses == 1
    # Rebuilt from the bookings: the same.
    kept = list(FlowMonth.objects.exclude(uses=0).values_list("month", "kind", "uses", "minutes"))
    assert services.flow_months_rebuild() == 1
    assert list(FlowMonth.objects.values_list("month", "kind", "uses", "minutes")) == kept
