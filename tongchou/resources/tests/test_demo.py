"""The resources demo on a small foundation demo: the city centre's rooms shared with the
villages, trainers (one a linked member), a season of bookings with flows both ways, and a
second run that changes nothing."""

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongchou.resources import demo, flows
from tongchou.resources.models import Booking, BookingState, Resource

pytestmark = pytest.mark.django_db


def test_populate_once_and_then_nothing():
    call_command("load_demo", members=1500, foundation_only=True, stdout=io.StringIO())
    today = timezone.localdate()
    counts = demo.populate(today=today, rng=random.Random(5))
    assert counts["共享资源"] == Resource.objects.count() >= 10
    assert Resource.objects.filter(kind="trainer", member__isnull=False).exists()
    assert (
        Resource.objects.filter(kind="room", region_id="640202001", visibility="all").count() >= 3
    )
    assert counts["资源预约"] == Booking.objects.count() >= 40
    confirmed = Booking.objects.filter(state=BookingState.CONFIRMED)
    assert set(confirmed.values_list("direction", flat=True)) >= {"u2r", "within"}
    assert Booking.objects.filter(state=BookingState.REQUESTED).exists()
    # Past and future: a season.
    assert Booking.objects.filter(starts_at__lt=timezone.now()).exists()
    assert Booking.objects.filter(starts_at__gt=timezone.now()).exists()
    season = flows.FlowQuery("", today - dt.timedelta(days=120), today + dt.timedelta(days=60))
    report = flows.report(season)
    assert report.total.uses >= 1
    before = (Resource.objects.count(), Booking.objects.count())
    assert demo.populate(today=today, rng=random.Random(5)) == {}
    assert (Resource.objects.count(), Booking.objects.count()) == before
