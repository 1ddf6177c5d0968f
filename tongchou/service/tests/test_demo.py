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


def test_proxy_stations_in_villages_with_needs_in_every_state():
    from tongchou.service import selectors
    from tongchou.service.models import ProxyStation

    call_command("load_demo", members=1500, foundation_only=True, stdout=io.StringIO())
    today = timezone.localdate()
    demo.populate(today=today, rng=random.Random(3))
    counts = demo.populate_proxy(today=today, rng=random.Random(4))
    stations = list(ProxyStation.objects.all())
    assert counts["城市服务代办站"] == len(stations) >= 4
    assert all(s.region.level == 5 and s.opening_hours for s in stations)
    filed = Need.objects.filter(intake="proxy")
    assert counts["代办诉求"] == filed.count() == len(stations) * demo.PROXY_NEEDS_PER_STATION
    assert set(filed.values_list("state", flat=True)) == set(demo.PROXY_STATES)
    # 社保 goes to the 人社 bureau, 医保 to the 医疗保障局 (routing rules of the demo).
    social = filed.filter(category__code="social_security").select_related("unit").first()
    assert social is not None and "人力资源和社会保障局" in social.unit.name
    medical = filed.filter(category__code="medical_insurance").select_related("unit").first()
    assert medical is not None and "医疗保障局" in medical.unit.name
    # The station staffer sees exactly the needs of their station.
    from django.contrib.auth import get_user_model

    staffer = get_user_model().objects.get(username="proxy_staff")
    station = ProxyStation.objects.get(staff=staffer)
    assert set(selectors.need_list_for(staffer).values_list("pk", flat=True)) == set(
        station.needs.values_list("pk", flat=True)
    )
    from tongchou.demo.generate import demo_logins

    assert "proxy_staff" in {login.username for login in demo_logins()}
    assert demo.populate_proxy(today=today, rng=random.Random(4)) == {}
