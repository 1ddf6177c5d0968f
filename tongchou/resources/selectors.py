"""Reads of shared resources and bookings, always through the user's scope.

A resource is visible to a user when its owner is inside the user's scope (they keep it, or
oversee who does), or when its sharing reaches one of the user's organizations: shared with
everyone (``visible_path`` empty), or with a subtree holding one of the user's roles
(``visible_path`` is that organization's path or one of its ancestors' — one ``IN`` over the
few ancestor paths of the user's roles). A booking is visible to the scope of either side: the
organization that booked it and the owner of the resource. Outside that, 404 like missing.
"""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tongchou.core import tree, workdays
from tongchou.core.lookups import pk_or_404
from tongchou.organizations.permissions import Action, scope_for
from tongchou.resources.models import (
    Booking,
    BookingState,
    OrganizationFeed,
    Resource,
    ResourcePhoto,
    ResourceStatus,
)


def visibility_q(scope) -> Q:
    if scope.everything:
        return Q()
    if scope.is_empty:
        return Q(pk__in=[])
    reached = {a for p in scope.paths for a in [*tree.ancestor_paths(p), p]}
    return scope.q("owner_path") | Q(visible_path="") | Q(visible_path__in=sorted(reached))


def resource_list_for(user) -> QuerySet[Resource]:
    return Resource.objects.filter(visibility_q(scope_for(user, Action.VIEW_ORGS)))


def resource_get_for(user, pk) -> Resource:
    resource = (
        resource_list_for(user)
        .select_related("owner", "region", "member")
        .filter(pk=pk_or_404(pk))
        .first()
    )
    if resource is None:
        raise Http404
    return resource


def photo_get_for(user, resource_pk, pk) -> ResourcePhoto:
    """A photo of a resource the user may see; 404 otherwise, like a missing one."""
    resource = resource_get_for(user, resource_pk)
    photo = ResourcePhoto.objects.filter(resource=resource, pk=pk_or_404(pk)).first()
    if photo is None:
        raise Http404
    photo.resource = resource
    return photo


def holding_q(now: dt.datetime | None = None, prefix: str = "") -> Q:
    """Bookings that hold their slot now: confirmed, or requested and not yet expired."""
    now = now or timezone.now()
    return Q(**{f"{prefix}state": BookingState.CONFIRMED}) | Q(
        **{f"{prefix}state": BookingState.REQUESTED, f"{prefix}expires_at__gt": now}
    )


def booking_list_for(user) -> QuerySet[Booking]:
    scope = scope_for(user, Action.VIEW_ORGS)
    if scope.everything:
        return Booking.objects.all()
    return Booking.objects.filter(scope.q("org_path") | scope.q("owner_path"))


def booking_get_for(user, pk) -> Booking:
    booking = (
        booking_list_for(user)
        .select_related("resource", "resource__region", "organization", "booked_by")
        .filter(pk=pk_or_404(pk))
        .first()
    )
    if booking is None:
        raise Http404
    return booking


def own_bookings(user) -> QuerySet[Booking]:
    """What the person booked themselves (their page at /me/)."""
    if user is None or not user.is_authenticated:
        return Booking.objects.none()
    return Booking.objects.filter(booked_by=user)


def busy_between(resource: Resource, start: dt.datetime, end: dt.datetime) -> QuerySet[Booking]:
    """Holding bookings whose blocked time (buffers included) meets [start, end)."""
    return Booking.objects.filter(
        holding_q(),
        resource=resource,
        block_start__lt=end,
        block_end__gt=start,
    ).order_by("block_start")


def week_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    monday = day - dt.timedelta(days=day.weekday())
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=7)


def week_for(user, resource: Resource, day: dt.date) -> dict:
    """A resource's week, Monday first: free/busy for everyone who may see it; who booked a
    block only when the booking is in the user's scope."""
    start, end = week_bounds(day)
    visible_ids = set(
        booking_list_for(user)
        .filter(resource=resource, block_start__lt=end, block_end__gt=start)
        .values_list("pk", flat=True)
    )
    blocks = list(
        busy_between(resource, start, end)
        .only(
            "pk",
            "starts_at",
            "ends_at",
            "block_start",
            "block_end",
            "state",
            "purpose",
            "organization__name",
        )
        .select_related("organization")
    )
    calendar = workdays.load_calendar() if resource.closed_on_days_off else None  # one read
    days = []
    for i in range(7):
        day_start = start + dt.timedelta(days=i)
        day_end = day_start + dt.timedelta(days=1)
        date = day_start.date()
        rows = [
            {
                "booking": b,
                "start": max(timezone.localtime(b.block_start), day_start),
                "end": min(timezone.localtime(b.block_end), day_end),
                "shown": b.pk in visible_ids,
            }
            for b in blocks
            if b.block_start < day_end and b.block_end > day_start
        ]
        days.append(
            {
                "date": date,
                "opening": opening_on(resource, date),
                "day_off": calendar is not None and not calendar.is_workday(date),
                "busy": rows,
            }
        )
    return {"start": start.date(), "end": (end - dt.timedelta(days=1)).date(), "days": days}


def opening_on(resource: Resource, day: dt.date) -> tuple[dt.time, dt.time] | None:
    """The day's opening hours, or None when closed; every hour when none are set."""
    hours = resource.opening_hours or []
    if not hours:
        return dt.time.min, dt.time.max
    if len(hours) != 7:
        return None
    entry = hours[day.weekday()]
    if not entry:
        return None
    return dt.time.fromisoformat(entry[0]), dt.time.fromisoformat(entry[1])


def fits_opening(resource: Resource, start: dt.datetime, end: dt.datetime) -> bool:
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if resource.closed_on_days_off:
        day = local_start.date()
        while day <= local_end.date():
            if workdays.is_day_off(day):
                return False
            day += dt.timedelta(days=1)
    if not resource.opening_hours:
        return True
    if local_start.date() != local_end.date() and local_end.time() != dt.time.min:
        return False
    window = opening_on(resource, local_start.date())
    if window is None:
        return False
    close = local_end.time() if local_end.time() != dt.time.min else dt.time.max
    return window[0] <= local_start.time() and close <= window[1]


def region_range_q(code: str, field: str = "region_id") -> Q:
    """Regions whose code starts with ``code`` (digits only): one index range."""
    return Q(**{f"{field}__gte": code, f"{field}__lte": code + "9" * (12 - len(code))})


def search_free(
    user,
    *,
    kind: str = "",
    topic: str = "",
    region: str = "",
    capacity: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> QuerySet[Resource]:
    """Resources in use, visible to the user, matching the filters, and — with a time range —
    with no holding booking overlapping it (buffers of existing bookings included). Opening
    hours and days off are checked on the rows shown (``fits_opening``)."""
    rows = resource_list_for(user).filter(status=ResourceStatus.IN_USE)
    if kind:
        rows = rows.filter(kind=kind)
    if topic:
        rows = rows.filter(topics__icontains=topic)
    if region:
        rows = rows.filter(region_range_q(region))
    if capacity:
        rows = rows.filter(capacity__gte=capacity)
    if start is not None and end is not None:
        busy = Booking.objects.filter(
            holding_q(),
            resource=OuterRef("pk"),
            block_start__lt=end,
            block_end__gt=start,
        )
        rows = rows.filter(~Exists(busy))
    return rows


def organization_feed_for(organization) -> OrganizationFeed:
    feed, _created = OrganizationFeed.objects.get_or_create(organization=organization)
    return feed


def bookings_awaiting(user) -> QuerySet[Booking]:
    """Requests on resources the user keeps, still holding their slot: to confirm or decline."""
    scope = scope_for(user, Action.MANAGE_MEMBERS)
    if scope.is_empty:
        return Booking.objects.none()
    return Booking.objects.filter(
        scope.q("owner_path"),
        state=BookingState.REQUESTED,
        expires_at__gt=timezone.now(),
    )


def cancelled_for_organizer(user, *, today: dt.date) -> QuerySet[Booking]:
    """Cancelled bookings whose organizational-life session or training this person recorded
    and which has not happened yet: the organizer must find another place."""
    if user is None or not user.is_authenticated:
        return Booking.objects.none()
    return Booking.objects.filter(
        Q(session__created_by=user, session__held_on__gte=today)
        | Q(training__created_by=user, training__held_on__gte=today),
        state=BookingState.CANCELLED,
    )
