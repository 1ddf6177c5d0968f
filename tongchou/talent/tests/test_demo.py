"""The talent demo on a small foundation demo: 40 talents, 30 village needs, a season of
exchanges both ways, a proposed round; deterministic and idempotent."""

import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongchou.regions.flows import FlowDirection
from tongchou.talent import demo, flows
from tongchou.talent.models import Assignment, AssignmentState, MatchRound, Need, Talent

pytestmark = pytest.mark.django_db


def _rows():
    return (
        list(Talent.objects.order_by("pk").values_list("member_id", "expert_name", "max_km")),
        list(Need.objects.order_by("pk").values_list("organization_id", "skill_id", "first_day")),
        list(Assignment.objects.order_by("pk").values_list("talent_id", "to_org_id", "state")),
    )


def test_populate_once_and_deterministically(django_db_blocker):
    call_command("load_demo", members=1500, foundation_only=True, stdout=io.StringIO())
    today = timezone.localdate()
    counts = demo.populate(today=today, rng=random.Random(7))
    assert counts["人才"] == Talent.objects.count() == 40
    assert counts["人才需求"] == Need.objects.count() == 30
    assert Talent.objects.filter(returning=True).count() == 4
    assert Talent.objects.filter(kind="expert").exclude(phone_enc="").count() == 12
    states = set(Assignment.objects.values_list("state", flat=True))
    assert AssignmentState.ACTIVE in states or AssignmentState.COMPLETED in states
    directions = {r.direction for r in flows.assignment_flows()}
    assert {FlowDirection.URBAN_TO_RURAL, FlowDirection.RURAL_TO_URBAN} <= directions
    assert MatchRound.objects.count() == 1
    assert counts["匹配建议"] == MatchRound.objects.get().proposals.count() > 0
    first = _rows()
    assert demo.populate(today=today, rng=random.Random(7)) == {}
    assert _rows() == first
