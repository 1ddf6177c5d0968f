"""Needs follow their village when the organization tree changes.

A need keeps three paths: ``org_path`` (its village/community), and ``street_path`` and
``county_path`` — the organizations above it seated in a township- and county-level division,
found at intake (``services.ancestors_by_level``). The first is a prefix copy that
``organization_move`` rewrites like every registered copy; the other two are not: moving a
village from street A to street B leaves street A's path where it was, so the need would still
count in A's figures and be escalated to A, while A's secretary can no longer open it. This
hook, called by ``organization_move`` in its transaction (``core.tree.register_move_hook``),
recomputes them for every need under the moved organization — history included, so that a
street's figures and its lists describe the same villages — and sends open needs already
escalated to the street or county they now belong to.
"""

from collections import defaultdict

from django.db.models import F

from tongchou.core import tree
from tongchou.organizations.models import Organization
from tongchou.regions.models import RegionLevel
from tongchou.service.models import OPEN_STATES, Need


def _levels(new_path: str) -> dict[str, str]:
    """Path → region level of the moved subtree and of everything above it (two queries)."""
    rows = Organization.objects.filter(tree.subtree_q(new_path)).values_list(
        "path", "region__level"
    )
    above = Organization.objects.filter(path__in=tree.ancestor_paths(new_path)).values_list(
        "path", "region__level"
    )
    return {**dict(above), **dict(rows)}


def _street_county(path: str, levels: dict[str, str]) -> tuple[str, str]:
    """Like ``services.ancestors_by_level``: the deepest township and county at or above."""
    street = county = ""
    for p in [*tree.ancestor_paths(path), path]:
        level = levels.get(p)
        if level == RegionLevel.TOWNSHIP:
            street = p
        elif level == RegionLevel.COUNTY:
            county = p
    return street, county


def needs_follow_move(old_path: str, new_path: str) -> int:
    """Recompute the street and county of the needs under ``new_path`` (the moved organization,
    its paths already rewritten); returns how many needs changed."""
    under = Need.objects.filter(tree.subtree_q(new_path, "org_path"))
    places = under.order_by().values_list("org_path", flat=True).distinct()
    levels = _levels(new_path)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in places:
        groups[_street_county(path, levels)].append(path)
    changed = 0
    for (street, county), paths in groups.items():
        changed += (
            Need.objects.filter(org_path__in=paths)
            .exclude(street_path=street, county_path=county)
            .update(street_path=street, county_path=county)
        )
    if changed:
        # Open needs already escalated go on waiting at the committee they now belong to.
        escalated = under.filter(state__in=OPEN_STATES)
        escalated.filter(escalation=1).exclude(street_path="").exclude(
            escalated_to_path=F("street_path")
        ).update(escalated_to_path=F("street_path"))
        escalated.filter(escalation=1, street_path="").update(
            escalation=2, escalated_to_path=F("county_path")
        )
        escalated.filter(escalation=2).exclude(escalated_to_path=F("county_path")).update(
            escalated_to_path=F("county_path")
        )
    return changed
