"""The organizational-life demo on a small foundation demo (with the mobility demo): every kind
held, gaps, attendance as the services would accept it, mobile members at stations,
idempotency."""

import io
import random

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from tongchou.mobility import demo as mobility_demo
from tongchou.mobility.models import MobileMember, MobilityStatus
from tongchou.organizations.models import OrgKind
from tongchou.orglife import demo, rules
from tongchou.orglife.models import Attendance, Session, SessionFormat, SessionKind

pytestmark = pytest.mark.django_db


def test_populate_once_with_realistic_gaps():
    call_command("load_demo", members=1500, foundation_only=True, stdout=io.StringIO())
    today = timezone.localdate()
    mobility_demo.populate(today=today, rng=random.Random(1))
    counts = demo.populate(today=today, rng=random.Random(2))
    assert counts["组织生活"] == Session.objects.count() > 1000
    assert counts["出席记录"] == Attendance.objects.count() > 10_000
    assert set(Session.objects.values_list("kind", flat=True)) == set(SessionKind.values)
    # Every session's kind is one its organization holds.
    for kind, org_kind in Session.objects.values_list("kind", "organization__kind").distinct():
        assert kind in rules.KINDS_HELD[org_kind]
    # Gaps: some branches held fewer theme days than months.
    theme_days = (
        Session.objects.filter(kind=SessionKind.THEME_DAY, organization__kind=OrgKind.BRANCH)
        .values("organization")
        .annotate(n=Count("id"))
    )
    assert min(r["n"] for r in theme_days) < 11 < max(r["n"] for r in theme_days)
    # Attendance as the services accept it: never for a session still to come, the held
    # date copied, statuses fitting the format.
    rows = Attendance.objects.all()
    assert not rows.filter(session__starts_at__gt=timezone.now()).exists()
    assert not rows.exclude(held_on=F("session__held_on")).exists()
    assert not rows.filter(session__format=SessionFormat.OFFLINE, status="online").exists()
    assert not rows.filter(session__format=SessionFormat.ONLINE, status="offline").exists()
    assert set(rows.values_list("status", flat=True)) == {"offline", "online", "excused", "absent"}
    assert Session.objects.filter(starts_at__gt=timezone.now()).exists()  # planned ones
    # … shown as planned, never counted as held: the expectations of the whole city add up
    # to the sessions that took place this year, the planned ones apart.
    from django.contrib.auth import get_user_model

    from tongchou.organizations.models import Organization
    from tongchou.orglife.selectors import expectation_summary_for, taken_place_q

    root = Organization.objects.get(parent=None)
    admin = get_user_model().objects.get(username="admin")
    summary = expectation_summary_for(admin, within=root, year=today.year)
    this_year = Session.objects.filter(held_on__year=today.year)
    held = sum(f.held for f in summary.totals.kinds.values())
    planned = sum(f.planned for f in summary.totals.kinds.values())
    assert held == this_year.filter(taken_place_q()).count()
    assert planned == this_year.exclude(taken_place_q()).count()
    # Mobile members attended at their station; it counts for them.
    mobile = MobileMember.objects.filter(status=MobilityStatus.OPEN, station__isnull=False)
    at_stations = rows.filter(session__station__isnull=False, member__in=mobile.values("member_id"))
    assert at_stations.filter(status__in=["online", "offline"]).exists()
    # Functional branches meet online and offline at once.
    assert (
        not Session.objects.filter(organization__sector__gt="")
        .exclude(format=SessionFormat.BOTH)
        .exists()
    )
    assert demo.populate(today=today, rng=random.Random(2)) == {}
    assert Session.objects.count() == counts["组织生活"]


def test_populate_without_the_foundation_demo_does_nothing():
    assert demo.populate(today=timezone.localdate(), rng=random.Random(1)) == {}
    assert not Session.objects.exists()
