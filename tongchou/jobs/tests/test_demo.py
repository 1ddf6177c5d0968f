"""The jobs demo on a small foundation demo (with the service demo's alliance units)."""

import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongchou.jobs import demo
from tongchou.jobs.models import Application, ApplicationState, JobSeeker, Opening, OpeningState
from tongchou.jobs.tests.conftest import ensure_skills
from tongchou.service import demo as service_demo

pytestmark = pytest.mark.django_db


def test_populate_once_and_idempotent():
    call_command("load_demo", members=1500, foundation_only=True, stdout=io.StringIO())
    ensure_skills()
    today = timezone.localdate()
    service_demo.populate(today=today, rng=random.Random(3))
    counts = demo.populate(today=today, rng=random.Random(5))
    assert counts["招聘岗位"] == Opening.objects.count() > 10
    assert Opening.objects.filter(unit__name__contains="人力资源和社会保障局").exists()
    assert Opening.objects.filter(employer__isnull=False).exists()
    # Posted in the two urban districts only (大武口区, 惠农区).
    assert len(set(Opening.objects.values_list("county_path", flat=True))) == 2
    assert JobSeeker.objects.count() == demo.SEEKERS
    assert not JobSeeker.objects.filter(consent_on__isnull=True).exists()
    assert JobSeeker.objects.filter(consent_withdrawn_on__isnull=False, active=False).count() == 2
    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(ApplicationState.values), states
    assert (
        Opening.objects.filter(state=OpeningState.FILLED).exists()
        or Application.objects.filter(state=ApplicationState.HIRED).exists()
    )
    assert demo.populate(today=today, rng=random.Random(5)) == {}
