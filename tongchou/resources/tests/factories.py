"""Resources and bookings for tests, and a future working day to book on."""

import datetime as dt

from django.utils import timezone

from tongchou.core.workdays import is_day_off
from tongchou.resources import services
from tongchou.resources.models import Resource

WEEKDAYS_8_TO_18 = [["08:00", "18:00"]] * 5 + [None, None]


def workday(after_days: int = 7) -> dt.date:
    """The first working day at least ``after_days`` from today (days off skipped)."""
    day = timezone.localdate() + dt.timedelta(days=after_days)
    while is_day_off(day):
        day += dt.timedelta(days=1)
    return day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def make_room(world, *, actor=None, owner=None, **fields) -> Resource:
    """A meeting room of street A (urban), shared with the whole deployment."""
    values = {
        "kind": "room",
        "name": "党群服务中心多功能厅",
        "capacity": 60,
        "visibility": "all",
        "auto_confirm": True,
        "opening_hours": WEEKDAYS_8_TO_18,
        "address": "长胜街道1号",
    }
    values.update(fields)
    return services.resource_create(
        actor=actor or world.root, owner=owner or world.a.street, **values
    )


def book(world, resource, *, actor=None, org=None, day=None, start=(14, 0), end=(16, 0), **kw):
    day = day or workday()
    values = {"purpose": "主题党日", "people": 30}
    values.update(kw)
    return services.booking_request(
        actor=actor or world.secretary_a,
        resource=resource,
        organization=org or world.a.village,
        starts_at=at(day, *start),
        ends_at=at(day, *end),
        **values,
    )


def png_upload(name: str = "room.png", size=(32, 24), color=(200, 30, 30)):
    """A small real PNG, as a browser would upload it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")
