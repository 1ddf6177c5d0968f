"""A booking as the place and time of a session or a training (nothing typed twice).

``orglife`` (a session) and ``education`` (a training) sit below this app, so they ask
``core.prefill``; this module is what the resources app registers there (``SESSIONS`` and
``TRAININGS``, in ``ResourcesConfig.ready``). Their create forms open with ``?booking=<id>``:
``booking_asked`` reads it through the scope (a booking the user may not record at is ignored),
``session_initial`` / ``training_initial`` prefill the form, and after the record is created
``attach_session`` / ``attach_training`` link it to the booking, so a cancellation later reaches
its organizer (the home page's waiting list)."""

from django.http import Http404
from django.utils import timezone

from tongchou.core import prefill
from tongchou.core.validators import parse_id
from tongchou.organizations.permissions import can
from tongchou.resources import permissions, selectors, services
from tongchou.resources.models import HOLDING, Booking


def booking_asked(request) -> Booking | None:
    pk = parse_id(request.GET.get("booking"))
    if pk is None:
        return None
    try:
        booking = selectors.booking_get_for(request.user, pk)
    except Http404:
        return None
    if booking.state not in HOLDING or not can(request.user, permissions.MANAGE, booking.org_path):
        return None
    return booking


def session_initial(booking: Booking) -> dict:
    return {
        "organization": booking.organization.code,
        "starts_at": timezone.localtime(booking.starts_at),
        "format": "offline",
        "place": services.place_of(booking),
        "topic": booking.purpose,
    }


def training_initial(booking: Booking) -> dict:
    hours = round(booking.minutes / 60, 1) if booking.minutes else None
    if hours is None:
        hours = round((booking.ends_at - booking.starts_at).total_seconds() / 3600, 1)
    return {
        "organization": booking.organization.code,
        "held_on": timezone.localtime(booking.starts_at).date(),
        "place": services.place_of(booking),
        "title": booking.purpose,
        "hours": hours,
        "trainer": booking.resource.trainer_label if booking.kind == "trainer" else "",
    }


def attach_session(*, actor, obj: Booking, record) -> None:
    services.booking_link(actor=actor, booking=obj, session=record)


def attach_training(*, actor, obj: Booking, record) -> None:
    services.booking_link(actor=actor, booking=obj, training=record)


def booker(obj: Booking):
    return obj.organization


SESSIONS = prefill.Source(
    asked=booking_asked, initial=session_initial, organization=booker, attach=attach_session
)
TRAININGS = prefill.Source(
    asked=booking_asked, initial=training_initial, organization=booker, attach=attach_training
)
