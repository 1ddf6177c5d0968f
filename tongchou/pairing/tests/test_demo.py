"""The pairing demo on a small foundation demo with the resources and talent demos run first:
pairs across the line with items for two years, joint sessions both ways, and summaries that
show real flows both ways; idempotent."""

import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongchou.pairing import demo, selectors
from tongchou.pairing.models import Pair
from tongchou.regions.flows import FlowDirection
from tongchou.resources import demo as resources_demo
from tongchou.talent import demo as talent_demo

pytestmark = pytest.mark.django_db


def test_populate_once_with_flows_both_ways():
    call_command("load_demo", members=1500, foundation_only=True, stdout=io.StringIO())
    today = timezone.localdate()
    resources_demo.populate(today=today, rng=random.Random(4))
    talent_demo.populate(today=today, rng=random.Random(6))
    counts = demo.populate(today=today, rng=random.Random(8))
    assert counts["结对共建"] == Pair.objects.count() >= 4
    assert counts["联合组织生活"] >= 12
    for pair in Pair.objects.all():
        assert {m.side for m in pair.members.all()} == {"urban", "rural"}
        assert pair.items.filter(year=today.year).exists()
    directions, kinds = set(), set()
    # Over this year and last (the season of records reaches back some months).
    for pair in Pair.objects.all():
        summaries = [selectors.pair_summary(pair, y) for y in (today.year - 1, today.year)]
        for kind in (k for s in summaries for k in s.kinds):
            for direction, measure in kind.flowed.items():
                if measure.uses:
                    directions.add(direction)
                    kinds.add(kind.kind)
    assert {FlowDirection.URBAN_TO_RURAL, FlowDirection.RURAL_TO_URBAN} <= directions
    assert {"activities", "resources", "talent"} <= kinds
    assert demo.populate(today=today, rng=random.Random(8)) == {}
