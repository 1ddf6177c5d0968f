"""Who may see and change a pair.

* Seeing a pair (its members, items and yearly summary): anyone whose ``VIEW_ORGS`` scope
  covers any of its member organizations — the members themselves and their upper committees,
  on both sides of the line. Out of scope is a 404, the same as missing.
* Changing it (fields, members, items): ``MANAGE_MEMBERS`` over any one of its members (the
  secretaries and admins of a member or above) — the same right that keeps a resource or writes
  an exchange. Creating one: the creator manages at least one of the organizations it joins.
* The summary's drill-down links a record only when the viewer could open it where it lives
  (``selectors``): a session or a training needs ``VIEW_MEMBERS`` on its organization, an
  exchange on either side, a booking ``VIEW_ORGS`` on either side.
"""

from collections.abc import Iterable

from tongchou.organizations.permissions import Action, can, scope_for

VIEW = Action.VIEW_ORGS
MANAGE = Action.MANAGE_MEMBERS


def can_use_pairs(user) -> bool:
    return can(user, VIEW)


def can_keep_pairs(user) -> bool:
    return can(user, MANAGE)


def manages_any(user, paths: Iterable[str]) -> bool:
    scope = scope_for(user, MANAGE)
    return any(scope.covers(p) for p in paths)


def can_manage_pair(user, pair) -> bool:
    return manages_any(user, pair.members.values_list("org_path", flat=True))
