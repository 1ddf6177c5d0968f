"""The router's lookups agree with the rule order read literally: the deepest region first,
then a rule naming the category, then the lowest id."""

import random

from tongchou.service.models import RoutingRule
from tongchou.service.services import Router


def _literal(rules, category_id, region_code):
    ordered = sorted(rules, key=lambda r: (-len(r.region_id or ""), r.category_id is None, r.pk))
    for rule in ordered:
        if rule.category_id is not None and rule.category_id != category_id:
            continue
        if rule.region_id and not region_code.startswith(rule.region_id):
            continue
        return rule
    return None


def test_router_agrees_with_the_literal_order():
    rng = random.Random(9)
    codes = ["64", "6402", "640202", "640205", "640202001", "640202001201", "640205001201"]
    for _ in range(200):
        rules = [
            RoutingRule(
                pk=rng.randrange(1, 10_000),
                category_id=rng.choice([None, 1, 2, 3]),
                region_id=rng.choice([None, *codes]),
                unit_id=1,
            )
            for _ in range(rng.randrange(0, 12))
        ]
        router = Router(rules)
        for category_id in (1, 2, 3, 4):
            for code in [*codes, "", "65", "6402029"]:
                assert router.route(category_id, code) is _literal(rules, category_id, code)
