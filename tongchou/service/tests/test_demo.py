"""The service demo on a small foundation demo: every state present, idempotent."""

import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongchou.service import demo
from tongchou.service.models import AllianceUnit, Household, Need, NeedState

pytestmark = pytest.mark.django_db


def test_populate_once_and_idempotent():
    call_command("load_demo", members=1500, foundation_only=True, stdout=io.StringIO())
    today = timezone.localdate()
    counts = demo.populate(today=today, rng=random.Random(3))
    assert counts["群众诉求"] == Need.objects.exclude(intake="visit").count() == demo.NEEDS
    states = set(Need.objects.values_list("state", flat=True))
    assert states == set(NeedState.values)
    assert AllianceUnit.objects.filter(kind="hospital").exists()
    assert AllianceUnit.objects.filter(name__contains="人力资源和社会保障局").exists()
    assert Need.objects.filter(unit__isnull=False).count() > demo.NEEDS * 0.9
    assert Household.objects.count() == counts["联系户"] > 0
    assert Need.objects.filter(intake="visit").exists()
    assert demo.populate(today=today, rng=random.Random(3)) == {}
