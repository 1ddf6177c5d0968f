"""The rules of organizational life that services, selectors and the demo share.

Which organizations hold which sessions, and how often each kind is usually held (三会一课:
支部党员大会 quarterly, 支委会 monthly, 党小组会 monthly, 党课 quarterly; 主题党日 monthly).

Decisions (documented here, applied everywhere):

* Branches (党支部) hold every kind; general branches (党总支) every kind but group meetings;
  Party groups (党小组) hold group meetings only; committees and working committees
  (党委、党工委) may record lectures and theme days they organize (a street's 党课), which
  count for them but are expected of no one.
* Expectations apply to branches and general branches (general meeting, committee meeting,
  lecture, theme day) and to Party groups (group meeting). A branch without groups registered
  as organizations is not expected to hold group meetings; those it records are shown as held.
* Members' organizational relation sits at a branch, never at a group, so a group's session
  takes attendance from the members of the group's branch.
"""

from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.organizations.models import OrgKind
from tongchou.orglife.models import SessionKind

MONTHLY = "monthly"
QUARTERLY = "quarterly"
FREQUENCY_LABELS = {MONTHLY: _("每月一次"), QUARTERLY: _("每季度一次")}

ALL_KINDS = frozenset(SessionKind.values)
KINDS_HELD: dict[str, frozenset[str]] = {
    OrgKind.BRANCH: ALL_KINDS,
    OrgKind.GENERAL_BRANCH: ALL_KINDS - {SessionKind.GROUP_MEETING},
    OrgKind.GROUP: frozenset({SessionKind.GROUP_MEETING}),
    OrgKind.COMMITTEE: frozenset({SessionKind.LECTURE, SessionKind.THEME_DAY}),
    OrgKind.WORKING_COMMITTEE: frozenset({SessionKind.LECTURE, SessionKind.THEME_DAY}),
}

_BRANCH_EXPECTATIONS = {
    SessionKind.GENERAL_MEETING: QUARTERLY,
    SessionKind.COMMITTEE_MEETING: MONTHLY,
    SessionKind.LECTURE: QUARTERLY,
    SessionKind.THEME_DAY: MONTHLY,
}
EXPECTED: dict[str, dict[str, str]] = {
    OrgKind.BRANCH: _BRANCH_EXPECTATIONS,
    OrgKind.GENERAL_BRANCH: _BRANCH_EXPECTATIONS,
    OrgKind.GROUP: {SessionKind.GROUP_MEETING: MONTHLY},
}
HOLDER_KINDS = tuple(EXPECTED)  # organizations expected to hold organizational life

# The order kinds are shown in.
KIND_ORDER = (
    SessionKind.GENERAL_MEETING,
    SessionKind.COMMITTEE_MEETING,
    SessionKind.GROUP_MEETING,
    SessionKind.LECTURE,
    SessionKind.THEME_DAY,
)


def frequency_of(kind: str) -> str:
    for expectations in EXPECTED.values():
        if kind in expectations:
            return expectations[kind]
    return ""


def membership_path(org_path: str, org_kind: str) -> str:
    """The subtree whose members attend an organization's sessions: its own, except for a
    Party group, whose members' relation is at its branch (the group's parent)."""
    if org_kind == OrgKind.GROUP and tree.depth(org_path) > 1:
        return org_path[: -tree.SEGMENT]
    return org_path
