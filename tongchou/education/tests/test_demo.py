"""The education demo on a small foundation demo (after the mobility demo, as the loader runs
them): courses, study records within the rules, trainings with participants, idempotency."""

import io
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone

from tongchou.education import demo
from tongchou.education.models import Course, StudyRecord, Training
from tongchou.mobility import demo as mobility_demo

pytestmark = pytest.mark.django_db


def test_populate_once():
    call_command("load_demo", members=1500, foundation_only=True, stdout=io.StringIO())
    today = timezone.localdate()
    mobility_demo.populate(today=today, rng=random.Random(1))
    counts = demo.populate(today=today, rng=random.Random(2))
    assert counts["课程"] == Course.objects.count() == 12
    assert set(Course.objects.values_list("mode", flat=True)) == {"online", "offline"}
    records = StudyRecord.objects.all()
    assert counts["学习记录"] + counts["参训人次"] == records.count()
    span = records.aggregate(first=Min("studied_on"), last=Max("studied_on"))
    assert span["first"].year == today.year - 1 and span["last"] <= today
    assert records.aggregate(m=Max("hours"))["m"] <= Decimal(24)
    assert not records.filter(hours__lte=0).exists()
    # A county's course is studied only inside that county.
    for record in records.filter(course__isnull=False).select_related("course")[:500]:
        assert record.org_path.startswith(record.course.org_path)
    trainings = Training.objects.all()
    assert counts["技能培训"] == trainings.count() >= 10
    assert trainings.filter(station__isnull=False).exists()
    assert trainings.filter(station__isnull=True).exists()
    assert {"电商直播", "农机维修"} <= set(trainings.values_list("skill", flat=True))
    # Mobile members trained at a station, their hours filed at home.
    away = records.filter(training__station__isnull=False, member__mobility__status="open")
    assert away.exclude(org_path__startswith=away.first().training.org_path).exists()
    assert demo.populate(today=today, rng=random.Random(2)) == {}
    assert StudyRecord.objects.count() == records.count()


def test_populate_without_the_foundation_demo_does_nothing():
    assert demo.populate(today=timezone.localdate(), rng=random.Random(1)) == {}
    assert not Course.objects.exists()
