"""The mobility demo on a small foundation demo: stations, linked spells, flags, idempotency."""

import io
import random

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from tongchou.mobility import demo
from tongchou.mobility.filters import lost_contact_q
from tongchou.mobility.models import MobileMember, MobilityStatus, ServiceStation

pytestmark = pytest.mark.django_db


def test_populate_once_through_the_services():
    call_command("load_demo", members=1500, foundation_only=True, stdout=io.StringIO())
    today = timezone.localdate()
    counts = demo.populate(today=today, rng=random.Random(1))
    assert counts["服务站"] == 4 and ServiceStation.objects.count() == 4
    spells = MobileMember.objects.all()
    assert counts["流动党员"] == spells.filter(member__isnull=False).count() >= 100
    assert spells.filter(member__isnull=True).count() == counts["区外流入党员"] == 8
    open_ = spells.filter(status=MobilityStatus.OPEN)
    assert open_.filter(station__isnull=False, member__isnull=False).exists()  # linked
    assert open_.filter(inflow_org__isnull=True, station__isnull=True).exists()  # no inflow
    assert open_.filter(lost_contact_q(), station__isnull=False).exists()  # not reached
    assert spells.filter(status=MobilityStatus.RETURNED).exists()
    assert not spells.filter(since__gt=today).exists()
    staff = get_user_model().objects.get(username="station_staff")
    assert staff.check_password("demo12345") and staff.stations.count() == 1
    assert demo.populate(today=today, rng=random.Random(1)) == {}
    assert MobileMember.objects.count() == spells.count()
    # One truth: 流动 exactly for the members with an open spell, nobody else away.
    from tongchou.members.models import Member

    away = set(Member.objects.filter(archived=False, status="mobile").values_list("pk", flat=True))
    with_spell = set(open_.filter(member__isnull=False).values_list("member_id", flat=True))
    assert away == with_spell and away
    assert not Member.objects.filter(status="lost_contact").exists()


def test_populate_without_the_foundation_demo_does_nothing():
    assert demo.populate(today=timezone.localdate(), rng=random.Random(1)) == {}
    assert not ServiceStation.objects.exists()
