"""Openings and seekers follow their organization when the tree changes.

Each keeps ``street_path`` and ``county_path`` — the committees above it, found when it was
made (``services._paths``) — for the street and county figures. ``organization_move`` rewrites
prefix copies of the moved subtree, but a street *above* a moved village is not under it: the
village's openings and seekers would keep counting for the street it left. This hook, run by
``organization_move`` in its transaction (``core.tree.register_move_hook``), recomputes both
for everything under the moved organization.
"""

from tongchou.core import tree
from tongchou.jobs.models import JobSeeker, Opening
from tongchou.organizations.models import Organization


def jobs_follow_move(old_path: str, new_path: str) -> int:
    """Recompute street and county under ``new_path``; returns how many rows changed."""
    from tongchou.jobs.services import _paths

    changed = 0
    for model in (Opening, JobSeeker):
        under = model.objects.filter(tree.subtree_q(new_path, "org_path"))
        places = set(under.order_by().values_list("org_path", flat=True).distinct())
        for org in Organization.objects.filter(path__in=places):
            street, county = _paths(org)
            changed += (
                model.objects.filter(org_path=org.path)
                .exclude(street_path=street, county_path=county)
                .update(street_path=street, county_path=county)
            )
    return changed
