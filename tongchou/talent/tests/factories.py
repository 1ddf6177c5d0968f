"""Talent rows for tests: made through the services where the rules matter, directly where a
test only needs a row to exist."""

import datetime as dt

from django.utils import timezone

from tongchou.talent import services
from tongchou.talent.models import (
    Assignment,
    AssignmentState,
    MatchRound,
    Need,
    Proposal,
    Skill,
    Talent,
    WorkLogEntry,
)


def ensure_taxonomy() -> None:
    """The seeded skills again, for tests after a transactional test flushed the tables."""
    import importlib

    seed = importlib.import_module("tongchou.talent.migrations.0002_seed_skills")
    for order, (code, name, name_en) in enumerate(seed.SKILLS, start=1):
        Skill.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order * 10}
        )


def skill(code: str = "agri-tech") -> Skill:
    return Skill.objects.get(code=code)


def make_expert(org, *, name="王农技", skills=("agri-tech",), lat=39.0, lon=106.4, max_km=50):
    talent = Talent.objects.create(
        kind="expert",
        expert_name=name,
        organization=org,
        org_path=org.path,
        max_km=max_km,
        home_lat=lat,
        home_lon=lon,
    )
    talent.skills.set([skill(c) for c in skills])
    return talent


def make_member_talent(member, *, skills=("agri-tech",), lat=39.0, lon=106.4, max_km=50):
    talent = Talent.objects.create(
        kind="member",
        member=member,
        organization=member.organization,
        org_path=member.org_path,
        max_km=max_km,
        home_lat=lat,
        home_lon=lon,
    )
    talent.skills.set([skill(c) for c in skills])
    year = timezone.localdate().year
    talent.availability.create(first_day=dt.date(year, 1, 1), last_day=dt.date(year + 5, 12, 31))
    return talent


def make_need(org, *, code="agri-tech", first=None, days=10, slots=1, priority=2, lat=39.05):
    first = first or timezone.localdate() + dt.timedelta(days=30)
    return Need.objects.create(
        organization=org,
        org_path=org.path,
        title="枸杞病虫害防治",
        skill=skill(code),
        first_day=first,
        last_day=first + dt.timedelta(days=days),
        lat=lat,
        lon=106.4,
        slots=slots,
        priority=priority,
    )


def create_assignment(**fields) -> Assignment:
    """An assignment written directly (any state), with the flow facts the services stamp."""
    assignment = services.stamp_flow_facts(Assignment(**fields))
    assignment.save()
    return assignment


def make_assignment(talent, from_org, to_org, *, state=AssignmentState.ACTIVE, first=None):
    first = first or timezone.localdate().replace(month=1, day=1)
    a = create_assignment(
        talent=talent,
        kind="stationed",
        from_org=from_org,
        from_path=from_org.path,
        to_org=to_org,
        to_path=to_org.path,
        first_day=first,
        last_day=first + dt.timedelta(days=90),
        state=state,
    )
    WorkLogEntry.objects.create(assignment=a, day=first, text="走访农户12户")
    return a


def make_round(org, talent, need) -> MatchRound:
    match = MatchRound.objects.create(
        organization=org,
        org_path=org.path,
        priority=need.priority,
        km=5.56,
        talents=1,
        needs=1,
        unfilled=[{"need": need.pk, "slots": 1, "reason": "taken", "taken_by": []}],
    )
    Proposal.objects.create(round=match, talent=talent, need=need, km=5.56)
    return match
