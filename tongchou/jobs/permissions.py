"""Who sees and works which openings, seekers and applications.

* Openings: role holders read those posted in their ``VIEW_MEMBERS`` scope (``org_path``: the
  alliance unit's registering organization, or the enterprise's own Party organization) and
  manage them with ``MANAGE_MEMBERS`` there; staff of an alliance unit read and manage their
  unit's openings — no role needed.
* Open openings are also a board: anyone who may work with seekers (a role that sees members,
  or a unit's staff) sees the posts that are open, to suggest them to seekers and apply. The
  board shows the post, never who applied.
* Seekers: the ``VIEW_MEMBERS`` scope on their village (``org_path``): the village secretary
  manages the village's seekers, the street and county above see them. An opening's side sees
  the seekers who applied to it (their name, masked phone, skills), nothing more.
* Applications: seen from both sides — the opening's (its unit's staff, the poster's scope) and
  the seeker's (the village's scope). The opening's side moves them to interview and decides;
  the seeker's side applies and withdraws.
"""

from django.db.models import Q

from tongchou.organizations.permissions import Action, can, scope_for
from tongchou.service.permissions import staffed_unit_ids


def opening_read_q(user) -> Q | None:
    scope = scope_for(user, Action.VIEW_MEMBERS)
    if scope.everything:
        return Q()
    q = None if scope.is_empty else scope.q("org_path")
    units = staffed_unit_ids(user)
    if units:
        q = Q(unit_id__in=units) if q is None else q | Q(unit_id__in=units)
    return q


def can_use_jobs(user) -> bool:
    return can(user, Action.VIEW_MEMBERS) or bool(staffed_unit_ids(user))


def can_post(user) -> bool:
    return can(user, Action.MANAGE_MEMBERS) or bool(staffed_unit_ids(user))


def can_manage_opening(user, opening) -> bool:
    if opening.unit_id is not None and opening.unit_id in staffed_unit_ids(user):
        return True
    return can(user, Action.MANAGE_MEMBERS, opening.org_path)


def can_post_for_unit(user, unit) -> bool:
    return unit.pk in staffed_unit_ids(user) or can(user, Action.MANAGE_MEMBERS, unit.org_path)


def sees_whole_seeker(user, seeker) -> bool:
    """The village's side (its scope) sees the whole record; an opening's side, reaching a
    seeker only through an application, sees who they are for the post — never where they
    live, the village's notes or who recorded their consent."""
    return can(user, Action.VIEW_MEMBERS, seeker.org_path)


def can_manage_seeker(user, seeker) -> bool:
    return can(user, Action.MANAGE_MEMBERS, seeker.org_path)


def application_read_q(user) -> Q | None:
    scope = scope_for(user, Action.VIEW_MEMBERS)
    if scope.everything:
        return Q()
    q = None
    if not scope.is_empty:
        q = scope.q("opening_path") | scope.q("seeker_path")
    units = staffed_unit_ids(user)
    if units:
        unit_q = Q(opening__unit_id__in=units)
        q = unit_q if q is None else q | unit_q
    return q
