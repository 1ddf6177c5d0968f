"""Who was expected at a session (应到), who attended (实到), and whom a session may name as its
host, minute-taker or lecturer. Reads; the caller fetched the sessions through the scoped
selectors.

**Expected (应到)** — decided here, applied to the pages, the API and the attendance service
alike, and stated on the session page:

* the members whose organizational relation was in the session's organization on the session
  date (a general branch: its whole subtree; ``rules.membership_path``), who had joined the
  Party by then. "On that date" follows the transfer records: someone received later is not
  counted, someone transferred out later is (the relation was still here);
* excluding those the rules excuse: a member away that day in a mobility spell whose inflow
  organization or member service station had registered them — they take part in
  organizational life where they are, and their attendance there counts in their own record
  (``models``); a member away with no inflow side stays expected at home (nobody else looks
  after them: see the "no one left behind" report);
* only for the sessions all members attend (支部党员大会, 党课, 主题党日: ``ROSTER_SESSIONS``) of
  organizations with a roster of their own (党支部, 党总支: ``ROSTER_KINDS``). A committee
  meeting (支委会) is the committee members' (not registered here), a Party group's members are
  registered at its branch, and a committee's lecture or theme day invites whom it chooses, so
  those sessions have no 应到: only who attended.

A member moved by editing their record rather than by a transfer counts where they are now; a
member archived since (for a reason other than a transfer) counts if recorded on the sheet.

**Attended (实到)**: expected members recorded present, online or offline. Others recorded
present (a mobile member who flowed in, a member from elsewhere) are counted apart.

Cost: a fixed number of queries for any number of sessions (the list pages read a page at
once): the sessions' attendance, the active members of their organizations (the subtree
index), the transfers completed since the earliest date (path indexes), the members who left
since, and their mobility spells.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongchou.core import tree
from tongchou.members.models import Member
from tongchou.organizations.models import OrgKind
from tongchou.organizations.permissions import Action, can, scope_for
from tongchou.orglife import rules
from tongchou.orglife.models import PRESENT, Attendance, AttendanceStatus, Session, SessionKind

ROSTER_KINDS = frozenset({OrgKind.BRANCH, OrgKind.GENERAL_BRANCH})
ROSTER_SESSIONS = frozenset(
    {SessionKind.GENERAL_MEETING, SessionKind.LECTURE, SessionKind.THEME_DAY}
)
PEOPLE_OPTIONS_LIMIT = 300


@dataclass(frozen=True)
class Turnout:
    expected: int | None  # 应到; None: no roster (支委会, a group's, a committee's session)
    attended: int  # 实到: expected members present (no roster: everyone present)
    excused: int  # expected members excused
    absent: int  # expected members absent
    unrecorded: int  # expected members not on the sheet yet
    others_present: int  # present but not expected (inflow mobile members, visitors)
    recorded: int  # rows on the sheet

    @property
    def rate(self) -> int | None:
        """实到 ÷ 应到 in whole percent (a fact of the session, never a person's score)."""
        if not self.expected:
            return None
        return round(100 * self.attended / self.expected)


def has_roster(session: Session) -> bool:
    return session.kind in ROSTER_SESSIONS and session.organization.kind in ROSTER_KINDS


def _roster_path(session: Session) -> str:
    return rules.membership_path(session.org_path, session.organization.kind)


def _day_after(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def expected_by_session(
    sessions: list[Session], recorded: set[int] | None = None
) -> dict[int, set[int]]:
    """{session id: ids of the members expected} for the sessions that have a roster (their
    ``organization`` loaded). ``recorded``: the members on their sheets, when the caller has
    read them already."""
    from tongchou.mobility.models import MobileMember
    from tongchou.transfers.models import Transfer, TransferState

    roster = [s for s in sessions if has_roster(s)]
    if not roster:
        return {}
    paths = {s.pk: _roster_path(s) for s in roster}
    earliest = min(s.held_on for s in roster)
    latest = max(s.held_on for s in roster)
    everywhere = tree.union_q(paths.values(), "org_path")

    facts: dict[int, tuple[str, dt.date]] = {
        pk: (path, joined)
        for pk, path, joined in Member.objects.filter(everywhere, archived=False)
        .order_by()
        .values_list("pk", "org_path", "admission_date")
    }
    # Where each member was before the transfers completed since the earliest date: the
    # transfers in date order, so a member's first one after a day says where they were then.
    moves: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    transfers = (
        Transfer.objects.filter(
            tree.union_q(paths.values(), "from_path") | tree.union_q(paths.values(), "to_path"),
            state=TransferState.COMPLETED,
            completed_at__gte=_day_after(earliest),
            member__isnull=False,
        )
        .order_by("completed_at", "pk")
        .values_list("member_id", "completed_at", "from_path")
    )
    for member_id, completed_at, from_path in transfers:
        moves[member_id].append((completed_at, from_path))
    if recorded is None:
        recorded = set(
            Attendance.objects.filter(session__in=roster).values_list("member_id", flat=True)
        )
    others = (set(moves) | recorded) - set(facts)
    if others:
        for pk, path, joined in (
            Member.objects.filter(pk__in=others)
            .order_by()
            .values_list("pk", "org_path", "admission_date")
        ):
            facts[pk] = (path, joined)

    # Away that day with an inflow side registered: excused at home.
    away: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    spells = (
        MobileMember.objects.filter(member_id__in=list(facts), since__lte=latest)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=earliest))
        .filter(Q(inflow_org__isnull=False) | Q(station__isnull=False))
        .order_by()
        .values_list("member_id", "since", "ended_on", "inflow_registered_on")
    )
    for member_id, since, ended_on, registered_on in spells:
        away[member_id].append((max(since, registered_on or since), ended_on))

    def where_on(member_id: int, day: dt.date, now_path: str) -> str:
        cutoff = _day_after(day)
        for completed_at, from_path in moves.get(member_id, ()):
            if completed_at >= cutoff:
                return from_path
        return now_path

    def excused_on(member_id: int, day: dt.date) -> bool:
        return any(
            start <= day and (end is None or end > day) for start, end in away.get(member_id, ())
        )

    expected: dict[int, set[int]] = {}
    for session in roster:
        path, day = paths[session.pk], session.held_on
        expected[session.pk] = {
            pk
            for pk, (now_path, joined) in facts.items()
            if joined <= day
            and where_on(pk, day, now_path).startswith(path)
            and not excused_on(pk, day)
        }
    return expected


def expected_members(session: Session) -> set[int]:
    """Ids of the members expected at one session (empty without a roster)."""
    return expected_by_session([session]).get(session.pk, set())


def turnout_for(sessions: list[Session]) -> dict[int, Turnout]:
    """应到/实到 of each session (``organization`` loaded), in a fixed number of queries."""
    sessions = list(sessions)
    if not sessions:
        return {}
    rows: dict[int, dict[int, str]] = defaultdict(dict)
    for session_id, member_id, status in Attendance.objects.filter(
        session__in=sessions
    ).values_list("session_id", "member_id", "status"):
        rows[session_id][member_id] = status
    recorded = {pk for sheet in rows.values() for pk in sheet}
    expected = expected_by_session(sessions, recorded)
    result = {}
    for session in sessions:
        sheet = rows.get(session.pk, {})
        present = {pk for pk, status in sheet.items() if status in PRESENT}
        if session.pk not in expected:
            result[session.pk] = Turnout(
                expected=None,
                attended=len(present),
                excused=sum(1 for s in sheet.values() if s == AttendanceStatus.EXCUSED),
                absent=sum(1 for s in sheet.values() if s == AttendanceStatus.ABSENT),
                unrecorded=0,
                others_present=0,
                recorded=len(sheet),
            )
            continue
        due = expected[session.pk]
        result[session.pk] = Turnout(
            expected=len(due),
            attended=len(present & due),
            excused=sum(1 for pk in due if sheet.get(pk) == AttendanceStatus.EXCUSED),
            absent=sum(1 for pk in due if sheet.get(pk) == AttendanceStatus.ABSENT),
            unrecorded=sum(1 for pk in due if pk not in sheet),
            others_present=len(present - due),
            recorded=len(sheet),
        )
    return result


# --- the people a session names --------------------------------------------------------------


def people_for(user, organization, station=None) -> QuerySet[Member]:
    """Members a session of ``organization`` may name as host or minute-taker, as ``user`` may
    pick them: the organization's active members (a group's: its branch's) and the mobile
    members its inflow side or ``station`` looks after; station staff without a role there,
    only the mobile members at their station."""
    from tongchou.mobility.models import MobileMember, MobilityStatus

    base = rules.membership_path(organization.path, organization.kind)
    if can(user, Action.MANAGE_MEMBERS, organization.path):
        inflow = tree.subtree_q(base, "inflow_path") | tree.subtree_q(base, "station_path")
        if station is not None:
            inflow |= Q(station_id=station.pk)
        own = tree.subtree_q(base, "org_path") & Q(archived=False)
    elif station is not None:
        inflow, own = Q(station_id=station.pk), Q(pk__in=[])
    else:
        return Member.objects.none()
    mobile = MobileMember.objects.filter(
        inflow, status=MobilityStatus.OPEN, member__isnull=False
    ).values("member_id")
    return (
        Member.objects.filter(own | Q(pk__in=mobile, archived=False))
        .select_related("organization")
        .order_by("org_path", "name", "id")
    )


def lecturers_for(user) -> QuerySet[Member]:
    """Members ``user`` may name as a lecturer: anyone whose record they may see."""
    scope = scope_for(user, Action.VIEW_MEMBERS)
    if scope.is_empty:
        return Member.objects.none()
    return Member.objects.filter(scope.q("org_path"), archived=False)


def options(people: QuerySet[Member], *also: Member | None) -> list[tuple[str, str]]:
    """``<option>``s for a picker: the first ``PEOPLE_OPTIONS_LIMIT`` people (a branch's whole
    roster), plus whoever is chosen already."""
    listed = list(people[:PEOPLE_OPTIONS_LIMIT])
    seen = {m.pk for m in listed}
    listed += [m for m in also if m is not None and m.pk not in seen]
    return [("", "—"), *[(str(m.pk), f"{m.name} · {m.organization.name}") for m in listed]]
