"""Reads of the talent pool, needs, exchanges and matching rounds, always through a scope.

* profiles and needs: the ``VIEW_MEMBERS`` scope on their ``org_path``;
* an exchange: visible if either organization is in the viewer's ``VIEW_MEMBERS`` scope (both
  sides and their upper committees see it);
* a matching round: its coordinator's organization in scope.
A member also sees their own profile and exchanges (``*_of_member``), nothing more. Out of scope
is a 404, the same as missing.
"""

from django.db.models import Count, Q, QuerySet

from tongchou.core.lookups import one_or_404
from tongchou.organizations.permissions import Action, scope_for
from tongchou.talent.models import (
    Assignment,
    AssignmentState,
    MatchRound,
    Need,
    Proposal,
    Skill,
    Talent,
)


def skill_list() -> QuerySet[Skill]:
    return Skill.objects.filter(active=True)


def talent_scope_q(scope) -> Q:
    """A member's profile is where the member is now (their record's path, so a transfer
    moves it); an expert's where the registering organization is."""
    if scope.everything:
        return Q()
    if scope.is_empty:
        return Q(pk__in=[])
    return Q(member__isnull=True) & scope.q("org_path") | Q(member__isnull=False) & scope.q(
        "member__org_path"
    )


def talent_list_for(user) -> QuerySet[Talent]:
    return Talent.objects.filter(talent_scope_q(scope_for(user, Action.VIEW_MEMBERS)))


def talent_get_for(user, pk) -> Talent:
    """In scope, or the user's own profile."""
    own = Talent.objects.filter(member__user_id=user.pk) if user.is_authenticated else None
    base = talent_list_for(user)
    if own is not None:
        base = Talent.objects.filter(Q(pk__in=base.values("pk")) | Q(pk__in=own.values("pk")))
    return one_or_404(
        base.select_related("member", "organization").prefetch_related(
            "skills", "availability", "regions"
        ),
        pk,
    )


def talent_of_member(member) -> Talent | None:
    return (
        Talent.objects.filter(member=member)
        .prefetch_related("skills", "availability", "regions")
        .first()
    )


def need_list_for(user) -> QuerySet[Need]:
    return Need.objects.filter(scope_for(user, Action.VIEW_MEMBERS).q("org_path"))


def need_get_for(user, pk) -> Need:
    return one_or_404(need_list_for(user).select_related("organization", "skill"), pk)


def slots_left(need_ids) -> dict[int, int]:
    """Slots of each need not yet taken by an exchange (ended-early ones give theirs back)."""
    needs = Need.objects.filter(pk__in=list(need_ids)).annotate(
        taken=Count("assignments", filter=~Q(assignments__state=AssignmentState.ENDED_EARLY))
    )
    return {n.pk: max(0, n.slots - n.taken) for n in needs}


def assignment_list_for(user) -> QuerySet[Assignment]:
    scope = scope_for(user, Action.VIEW_MEMBERS)
    if scope.everything:
        return Assignment.objects.all()
    if scope.is_empty:
        return Assignment.objects.none()
    return Assignment.objects.filter(scope.q("from_path") | scope.q("to_path"))


def assignment_get_for(user, pk) -> Assignment:
    """In scope (either side), or the user's own."""
    base = assignment_list_for(user)
    if user.is_authenticated:
        own = Assignment.objects.filter(talent__member__user_id=user.pk)
        base = Assignment.objects.filter(Q(pk__in=base.values("pk")) | Q(pk__in=own.values("pk")))
    return one_or_404(
        base.select_related("talent", "talent__member", "from_org", "to_org", "need"), pk
    )


def assignments_of_member(member) -> QuerySet[Assignment]:
    return Assignment.objects.filter(talent__member=member).select_related("from_org", "to_org")


def waiting_assignments_for(user) -> QuerySet[Assignment]:
    """Planned exchanges to or from organizations the user manages: what the home page lists
    as waiting (a matching round confirmed them, or a manager wrote them)."""
    scope = scope_for(user, Action.MANAGE_MEMBERS)
    if scope.is_empty or scope.everything:
        return Assignment.objects.none()
    return Assignment.objects.filter(
        scope.q("from_path") | scope.q("to_path"), state=AssignmentState.PLANNED
    )


def round_list_for(user) -> QuerySet[MatchRound]:
    return MatchRound.objects.filter(scope_for(user, Action.VIEW_MEMBERS).q("org_path"))


def round_get_for(user, pk) -> MatchRound:
    return one_or_404(round_list_for(user).select_related("organization", "created_by"), pk)


def proposal_get_for(user, round_pk, pk) -> Proposal:
    match = round_get_for(user, round_pk)
    return one_or_404(match.proposals.select_related("round", "talent", "need"), pk)
