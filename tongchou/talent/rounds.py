"""Matching rounds (人才供需匹配 in the app): a coordinator — an admin (``MANAGE_ORGS``) of a
committee or working committee (a county, a street) — runs the exact matcher
(``tongchou.talent.matching``) over the open needs not yet started and the talent of the
organization's subtree; the proposals are reviewed, adjusted (a pair removed, its talent
swapped, every rule checked again), then confirmed into planned exchanges.

    proposed ──confirm──▶ confirmed (exchanges made; both sides see them waiting on their home
       │                             page)
       └──discard──▶ discarded

Every write checks the actor's right, runs in one transaction and leaves an audit event.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit
from tongchou.core.errors import ApplicationError
from tongchou.core.geo import haversine_km
from tongchou.core.models import AuditAction
from tongchou.organizations.models import Organization, OrgKind
from tongchou.organizations.permissions import Action, can
from tongchou.talent import matching
from tongchou.talent.models import (
    Assignment,
    MatchRound,
    Need,
    NeedStatus,
    Proposal,
    RoundState,
    Talent,
)
from tongchou.talent.services import BUSY_STATES, MAX_KM, _make_assignment


def can_coordinate(actor, organization: Organization) -> bool:
    """An admin of a committee or working committee (a county, a street) runs rounds over it."""
    return organization.kind in (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE) and can(
        actor, Action.MANAGE_ORGS, organization.path
    )


def round_inputs(organization: Organization, *, today: dt.date):
    """The open needs (not started, slots left) and the talent that can be matched in the
    organization's subtree, as solver values; the model rows beside them, same order."""
    from tongchou.core import tree
    from tongchou.organizations.permissions import Scope
    from tongchou.talent import selectors

    q = tree.subtree_q(organization.path, "org_path")
    in_round = selectors.talent_scope_q(Scope(everything=False, paths=(organization.path,)))
    needs = list(
        Need.objects.filter(q, status=NeedStatus.OPEN, first_day__gte=today)
        .select_related("skill", "organization")
        .order_by("-priority", "first_day", "id")
    )
    left = selectors.slots_left([n.pk for n in needs])
    needs = [n for n in needs if left.get(n.pk, n.slots) > 0]
    talents = list(
        Talent.objects.filter(in_round, active=True, capacity__gt=0, home_lat__isnull=False)
        .select_related("member")
        .prefetch_related("skills", "availability", "regions")
        .order_by("id")
    )
    busy: dict[int, list[tuple[int, int]]] = {}
    for a in Assignment.objects.filter(
        talent__in=[t.pk for t in talents], state__in=BUSY_STATES
    ).only("talent_id", "first_day", "last_day"):
        busy.setdefault(a.talent_id, []).append((a.first_day.toordinal(), a.last_day.toordinal()))
    solver_talents, rows = [], []
    for t in talents:
        regions = tuple(r.code for r in t.regions.all())
        if t.max_km is None and not regions:
            continue  # no limit stated: not matched automatically
        solver_talents.append(
            matching.Talent(
                id=t.pk,
                skills=frozenset(s.code for s in t.skills.all()),
                lat=t.home_lat,
                lon=t.home_lon,
                max_km=float(t.max_km if t.max_km is not None else MAX_KM * 2),
                available=tuple(
                    (a.first_day.toordinal(), a.last_day.toordinal()) for a in t.availability.all()
                ),
                capacity=t.capacity,
                busy=tuple(busy.get(t.pk, ())),
                regions=regions,
            )
        )
        rows.append(t)
    solver_needs = [
        matching.Need(
            id=n.pk,
            skill=n.skill.code,
            lat=n.lat,
            lon=n.lon,
            first=n.first_day.toordinal(),
            last=n.last_day.toordinal(),
            slots=left.get(n.pk, n.slots),
            priority=n.priority,
            region=n.organization.region_id or "",
        )
        for n in needs
    ]
    return solver_talents, rows, solver_needs, needs


@transaction.atomic
def round_run(*, actor, organization: Organization, today: dt.date | None = None) -> MatchRound:
    if not can_coordinate(actor, organization):
        raise PermissionDenied
    today = today or timezone.localdate()
    s_talents, talents, s_needs, needs = round_inputs(organization, today=today)
    result = matching.solve(s_talents, s_needs)
    match = MatchRound.objects.create(
        organization=organization,
        org_path=organization.path,
        priority=result.priority,
        km=round(result.km, 3),
        talents=len(s_talents),
        needs=len(s_needs),
        unfilled=[
            {
                "need": needs[u.need].pk,
                "slots": u.slots,
                "reason": u.reason,
                "taken_by": [needs[k].pk for k in u.taken_by],
            }
            for u in result.unfilled
        ],
        created_by=actor,
    )
    Proposal.objects.bulk_create(
        [
            Proposal(round=match, talent=talents[p.talent], need=needs[p.need], km=p.km)
            for p in result.pairs
        ]
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=match,
        org_path=match.org_path,
        after={"pairs": len(result.pairs), "priority": result.priority, "km": match.km},
    )
    return match


def _open_round(actor, match: MatchRound) -> MatchRound:
    match = MatchRound.objects.select_for_update().get(pk=match.pk)
    if not can_coordinate(actor, match.organization):
        raise PermissionDenied
    if match.state != RoundState.PROPOSED:
        raise ApplicationError("wrong_state", _("该匹配轮次已确认或已放弃。"), field="state")
    return match


@transaction.atomic
def proposal_remove(*, actor, proposal: Proposal) -> None:
    match = _open_round(actor, proposal.round)
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=proposal,
        org_path=match.org_path,
        before={"talent": proposal.talent_id, "need": proposal.need_id, "km": proposal.km},
    )
    proposal.delete()


def pair_check(talent: Talent, need: Need, *, busy=()) -> float:
    """The km of a pair the rules allow, or ApplicationError saying which rule it breaks."""
    if not talent.active or talent.capacity < 1:
        raise ApplicationError("talent_inactive", _("该人才已不在库中。"), field="talent")
    if not talent.skills.filter(pk=need.skill_id).exists():
        raise ApplicationError(
            "no_skill", _("%(name)s没有所需技能。") % {"name": talent.name}, field="talent"
        )
    if not talent.has_home:
        raise ApplicationError(
            "no_home", _("%(name)s未填写常住地经纬度。") % {"name": talent.name}, field="talent"
        )
    first, last = need.first_day.toordinal(), need.last_day.toordinal()
    value = matching.Talent(
        id=talent.pk,
        skills=frozenset(),
        lat=talent.home_lat,
        lon=talent.home_lon,
        max_km=float(talent.max_km if talent.max_km is not None else MAX_KM * 2),
        available=tuple(
            (a.first_day.toordinal(), a.last_day.toordinal()) for a in talent.availability.all()
        ),
        busy=tuple(busy),
        regions=tuple(r.code for r in talent.regions.all()),
    )
    place = matching.Need(
        need.pk, "", need.lat, need.lon, first, last, 1, 1, need.organization.region_id or ""
    )
    if not matching.covers(value, first, last):
        raise ApplicationError(
            "unavailable", _("%(name)s在该时段没空。") % {"name": talent.name}, field="talent"
        )
    km = haversine_km(value.lat, value.lon, need.lat, need.lon)
    if (talent.max_km is None and not value.regions) or km > value.max_km:
        raise ApplicationError(
            "too_far", _("%(name)s距离太远。") % {"name": talent.name}, field="talent"
        )
    if not matching.goes_to(value, place):
        raise ApplicationError(
            "too_far", _("%(name)s不去该地区服务。") % {"name": talent.name}, field="talent"
        )
    return round(km, 3)


@transaction.atomic
def proposal_swap(*, actor, proposal: Proposal, talent: Talent) -> Proposal:
    """Put another talent on the pair: every rule is checked again, including what the round
    already gives them (capacity, one slot a need, overlapping periods). When the other talent
    is at capacity in this round, the two pairs exchange their talents, if both new pairs hold."""
    match = _open_round(actor, proposal.round)
    need = proposal.need
    if talent.pk == proposal.talent_id:
        return proposal
    from tongchou.core import tree

    if not tree.covers([match.org_path], talent.scope_path):
        raise ApplicationError("out_of_round", _("该人才不在本轮范围内。"), field="talent")
    others = list(
        match.proposals.filter(talent=talent).exclude(pk=proposal.pk).select_related("need")
    )
    if any(p.need_id == need.pk for p in others):
        raise ApplicationError("duplicate", _("该人才已在此需求中。"), field="talent")
    km = pair_check(talent, need, busy=_busy(talent))
    partner = None
    if len(others) >= talent.capacity:
        # Exchange with one of their pairs: the displaced talent takes that need instead.
        current = proposal.talent
        mine = set(match.proposals.filter(talent=current).values_list("need_id", flat=True))
        for other in others:
            if other.need_id in mine:
                continue
            try:
                other_km = pair_check(current, other.need, busy=_busy(current))
            except ApplicationError:
                continue
            partner = other
            break
        if partner is None:
            raise ApplicationError(
                "capacity", _("%(name)s本轮已满额。") % {"name": talent.name}, field="talent"
            )
    before = {"talent": proposal.talent_id, "need": need.pk, "km": proposal.km}
    if partner is not None:
        partner.talent, partner.km, partner.adjusted = proposal.talent, other_km, True
    proposal.talent, proposal.km, proposal.adjusted = talent, km, True
    proposal.save()
    if partner is not None:
        partner.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=proposal,
        org_path=match.org_path,
        before=before,
        after={
            "talent": talent.pk,
            "need": need.pk,
            "km": km,
            "exchanged_with": partner.pk if partner else None,
        },
    )
    return proposal


def _busy(talent: Talent) -> list[tuple[int, int]]:
    return [
        (a.first_day.toordinal(), a.last_day.toordinal())
        for a in talent.assignments.filter(state__in=BUSY_STATES)
    ]


@transaction.atomic
def round_confirm(*, actor, match: MatchRound) -> list[Assignment]:
    """Every remaining pair becomes a planned exchange (the need's kind and period, from the
    talent's organization to the need's); both organizations see it waiting on their home page.
    A pair whose talent became busy meanwhile stops the whole confirmation, naming them."""
    match = _open_round(actor, match)
    made = []
    for p in match.proposals.select_related(
        "talent",
        "talent__member__organization",
        "talent__organization",
        "need",
        "need__organization",
    ).order_by("need_id", "id"):
        made.append(
            _make_assignment(
                actor=actor,
                talent=p.talent,
                kind=p.need.kind,
                from_org=p.talent.home_organization,
                to_org=p.need.organization,
                first_day=p.need.first_day,
                last_day=p.need.last_day,
                goals=p.need.description,
                need=p.need,
            )
        )
    match.state = RoundState.CONFIRMED
    match.save(update_fields=["state", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=match,
        org_path=match.org_path,
        after={"state": match.state, "assignments": [a.pk for a in made]},
    )
    return made


@transaction.atomic
def round_discard(*, actor, match: MatchRound) -> MatchRound:
    match = _open_round(actor, match)
    match.state = RoundState.DISCARDED
    match.save(update_fields=["state", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=match,
        org_path=match.org_path,
        after={"state": match.state},
    )
    return match
