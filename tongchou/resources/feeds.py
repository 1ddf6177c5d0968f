"""iCalendar feeds (RFC 5545): a resource's bookings, and an organization's (those it made and
those on resources it owns), each behind an unguessable token — a calendar application cannot
sign in. The token is shown only to those who keep the resource or manage the organization;
anyone holding it reads the feed, so it carries what those people may see, no personal data
(the booking organization and the purpose, never the person who booked).

Events from 90 days back to a year ahead, holding bookings only (requested ones marked
TENTATIVE); each event's UID is stable, so a calendar updates it in place."""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from icalendar import Calendar, Event

from tongchou.resources.models import Booking, BookingState, OrganizationFeed, Resource
from tongchou.resources.selectors import holding_q

PAST_DAYS = 90
AHEAD_DAYS = 366


def _token(value: str) -> str:
    value = str(value or "")
    if not (16 <= len(value) <= 64) or not all(c.isalnum() or c in "-_" for c in value):
        raise Http404
    return value


def resource_by_token(token: str) -> Resource:
    resource = Resource.objects.filter(feed_token=_token(token)).first()
    if resource is None:
        raise Http404
    return resource


def organization_by_token(token: str):
    feed = OrganizationFeed.objects.select_related("organization").filter(token=_token(token))
    feed = feed.first()
    if feed is None:
        raise Http404
    return feed.organization


def _window(rows):
    now = timezone.now()
    return (
        rows.filter(
            holding_q(now),
            starts_at__gte=now - dt.timedelta(days=PAST_DAYS),
            starts_at__lt=now + dt.timedelta(days=AHEAD_DAYS),
        )
        .select_related("resource", "organization")
        .order_by("starts_at", "id")
    )


def _calendar(name: str, bookings) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Tongchou//resources//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(dt.UTC)
    for b in bookings:
        event = Event()
        event.add("uid", f"booking-{b.pk}@tongchou")
        event.add("dtstamp", stamp)
        event.add("dtstart", b.starts_at.astimezone(dt.UTC))
        event.add("dtend", b.ends_at.astimezone(dt.UTC))
        event.add("summary", f"{b.resource.name}：{b.purpose}")
        event.add("location", b.resource.address or b.resource.name)
        event.add("description", f"{b.organization.name}，{b.people}人")
        event.add("status", "CONFIRMED" if b.state == BookingState.CONFIRMED else "TENTATIVE")
        event.add("last-modified", b.updated_at.astimezone(dt.UTC))
        cal.add_component(event)
    return cal.to_ical()


def resource_calendar(resource: Resource) -> bytes:
    return _calendar(resource.name, _window(Booking.objects.filter(resource=resource)))


def organization_calendar(organization) -> bytes:
    rows = Booking.objects.filter(Q(organization=organization) | Q(owner_path=organization.path))
    return _calendar(organization.name, _window(rows))
