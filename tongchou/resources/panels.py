"""The resources section of the member's own page (/me/): where their organization meets next
(its upcoming bookings) and the bookings they made themselves. Not on the member page that a
secretary sees (their bookings are on the resource pages)."""

from django.db.models import Q
from django.utils import timezone

from tongchou.resources.models import Booking, BookingState

SHOWN = 8


def member_panel(user, member, *, viewer_is_member: bool) -> dict | None:
    if not viewer_is_member:
        return None
    now = timezone.now()
    rows = (
        Booking.objects.filter(
            Q(organization_id=member.organization_id) | Q(booked_by=user),
            state__in=[BookingState.REQUESTED, BookingState.CONFIRMED],
            ends_at__gte=now,
        )
        .select_related("resource", "organization")
        .order_by("starts_at", "id")[:SHOWN]
    )
    rows = list(rows)
    if not rows:
        return None
    return {"bookings": rows, "user": user}
