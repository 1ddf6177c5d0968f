"""Reads of organizational life, always through a user's scope.

A session is seen by whoever sees its organization's members (``VIEW_MEMBERS`` on its
``org_path``) and by the staff of the station it was held at. A member's attendance is read by
member, wherever it was recorded, so a mobile member's attendance at the inflow side counts at
home too.
"""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tongchou.core import tree
from tongchou.core.lookups import pk_or_404
from tongchou.members.models import Member
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action, can, scope_for
from tongchou.orglife import rules
from tongchou.orglife.models import Attendance, AttendanceStatus, Session
from tongchou.orglife.permissions import staffed_station_ids


def session_list_for(user) -> QuerySet[Session]:
    """Sessions whose organization is in the user's ``VIEW_MEMBERS`` scope, plus sessions at
    the stations the user staffs."""
    scope = scope_for(user, Action.VIEW_MEMBERS)
    if scope.everything:
        return Session.objects.all()
    q = scope.q("org_path")
    staffed = staffed_station_ids(user)
    if staffed:
        q |= Q(station_id__in=staffed)
    return Session.objects.filter(q)


def session_get_for(user, pk) -> Session:
    session = (
        session_list_for(user)
        .select_related("organization", "station", "created_by")
        .filter(pk=pk_or_404(pk))
        .first()
    )
    if session is None:
        raise Http404
    return session


def attendance_of(session: Session) -> QuerySet[Attendance]:
    """The session's attendance (the caller fetched the session through ``session_get_for``)."""
    return session.attendance.select_related("member", "member__organization").order_by(
        "member__org_path", "member__name", "member_id"
    )


def attendance_candidates(session: Session, user=None) -> list[Member]:
    """Who the attendance form offers: the active members of the session's organization (a
    group's: its branch's), mobile members whose open spell's inflow side is that subtree or
    the session's station, and anyone already recorded. Station staff without a role there
    (``user`` not managing the organization) are offered only the mobile members at their
    station and whoever is recorded already."""
    from tongchou.mobility.models import MobileMember, MobilityStatus

    base = rules.membership_path(session.org_path, session.organization.kind)
    staff_only = user is not None and not can(user, Action.MANAGE_MEMBERS, session.org_path)
    if staff_only:
        inflow = Q(station_id=session.station_id) if session.station_id else Q(pk__in=[])
    else:
        inflow = tree.subtree_q(base, "inflow_path") | tree.subtree_q(base, "station_path")
        if session.station_id:
            inflow |= Q(station_id=session.station_id)
    mobile_ids = MobileMember.objects.filter(
        inflow, status=MobilityStatus.OPEN, member__isnull=False
    ).values("member_id")
    q = Q(pk__in=mobile_ids)
    if not staff_only:
        q |= tree.subtree_q(base, "org_path") & Q(archived=False)
    q |= Q(pk__in=session.attendance.values("member_id"))
    return list(
        Member.objects.filter(q)
        .select_related("organization")
        .only("name", "org_path", "archived", "organization__name")
        .order_by("org_path", "name", "id")
    )


# --- a member's attendance -------------------------------------------------------------------


def _may_see_member(user, member: Member) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if member.user_id is not None and member.user_id == user.pk:
        return True
    if can(user, Action.VIEW_MEMBERS, member.org_path):
        return True
    from tongchou.mobility.selectors import mobile_list_for

    return mobile_list_for(user).filter(member=member).exists()


def member_for_attendance(user, pk) -> Member:
    """The member whose attendance the user may see (their own, in scope, or either side of
    their open spell); else 404, the same as missing."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    member = Member.objects.select_related("organization").filter(pk=pk).first()
    if member is None or not _may_see_member(user, member):
        raise Http404
    return member


def attendance_for_member(
    user, member: Member, *, start: dt.date, end: dt.date
) -> QuerySet[Attendance]:
    """All of a member's attendance between ``start`` and ``end`` (inclusive) at sessions that
    have taken place, wherever held: at home, at an inflow organization or at a station. Seen
    by those who see the member (either side of a mobile member's spell) and by the member
    themself."""
    if not _may_see_member(user, member):
        raise Http404
    now = timezone.now()
    today = timezone.localdate(now)
    taken_place = Q(held_on__lt=today) | Q(held_on=today, session__starts_at__lte=now)
    return (
        Attendance.objects.filter(taken_place, member=member, held_on__gte=start, held_on__lte=end)
        .select_related("session", "session__organization", "session__station")
        .order_by("-held_on", "-session_id")
    )


@dataclass(frozen=True)
class AttendanceFacts:
    start: dt.date
    end: dt.date
    counts: dict[str, int]  # status → sessions
    total: int
    away: int  # sessions held outside the member's own organization (inflow side, station)
    recent: list  # the latest few rows


def attendance_facts_for(user, member: Member, *, start: dt.date, end: dt.date, recent: int = 5):
    """Counts by status over the period, and the latest rows (the member page's panel)."""
    rows = attendance_for_member(user, member, start=start, end=end)
    counts = {status: 0 for status in AttendanceStatus.values}
    away = 0
    for status, org_path in rows.values_list("status", "session__org_path"):
        counts[status] += 1
        if not member.org_path.startswith(org_path) and not org_path.startswith(member.org_path):
            away += 1
    return AttendanceFacts(
        start=start,
        end=end,
        counts=counts,
        total=sum(counts.values()),
        away=away,
        recent=list(rows[:recent]),
    )


# --- expectations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None
    month: int | None
    start: dt.date
    end: dt.date  # inclusive
    through: dt.date | None  # last day that has begun (None: the period has not begun)

    @property
    def in_progress(self) -> bool:
        return self.through is not None and self.through < self.end


def period_of(
    year: int, quarter: int | None = None, month: int | None = None, *, today: dt.date
) -> Period:
    if month:
        first, last = month, month
        quarter = None
    elif quarter:
        first, last = 3 * quarter - 2, 3 * quarter
    else:
        first, last = 1, 12
    start = dt.date(year, first, 1)
    end = dt.date(year, last, calendar.monthrange(year, last)[1])
    through = None if today < start else min(today, end)
    return Period(year, quarter, month, start, end, through)


def _months_begun(start: dt.date, through: dt.date | None) -> list[tuple[int, int]]:
    if through is None or through < start:
        return []
    months, y, m = [], start.year, start.month
    while (y, m) <= (through.year, through.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def expected_count(frequency: str, period: Period, founded_on: dt.date | None = None) -> int:
    """How many sessions of a kind are usually held in the part of the period that has begun
    (and, for an organization founded within it, since its founding month)."""
    start = period.start
    if founded_on and founded_on > start:
        start = founded_on.replace(day=1)
    months = _months_begun(start, period.through)
    if frequency == rules.MONTHLY:
        return len(months)
    if frequency == rules.QUARTERLY:
        return len({(y, (m - 1) // 3) for y, m in months})
    return 0


def taken_place_q(now: dt.datetime | None = None) -> Q:
    """Sessions that have taken place: begun by ``now``. Only these count as held; a session
    dated later is planned (shown as such, never counted)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # By day on the period index; only today's sessions need their hour.
    return Q(held_on__lt=today) | Q(held_on=today, starts_at__lte=now)


@dataclass
class KindFacts:
    held: int = 0
    expected: int = 0
    planned: int = 0  # dated in the period but still to come: not counted as held

    @property
    def short(self) -> int:
        return max(self.expected - self.held, 0)


@dataclass
class OrgFacts:
    """One organization's (or, for a drill-down row, one subtree's) held vs expected."""

    org_id: int
    name: str
    path: str
    kind: str
    holders: int = 0  # organizations expected to hold life, in this row
    kinds: dict[str, KindFacts] = field(default_factory=dict)
    has_children: bool = False

    def add(self, kind: str, held: int = 0, expected: int = 0, planned: int = 0) -> None:
        facts = self.kinds.setdefault(kind, KindFacts())
        facts.held += held
        facts.expected += expected
        facts.planned += planned

    @property
    def short_kinds(self) -> int:
        """Kinds held fewer times than usual (a fact to act on, not a score)."""
        return sum(1 for facts in self.kinds.values() if facts.short)


@dataclass
class ExpectationSummary:
    within: Organization
    period: Period
    kinds: tuple[str, ...]
    frequencies: dict[str, str]
    rows: list[OrgFacts]  # each organization that holds or is expected to hold life
    children: list[OrgFacts]  # the same, summed per direct child of ``within`` (drill-down)
    totals: OrgFacts
    short: dict[str, int]  # kind → organizations that held fewer than usual


def default_within_for(user) -> Organization | None:
    """The top of the user's view (their first root) when no organization is chosen."""
    from tongchou.organizations.selectors import organization_roots_for

    scope = scope_for(user, Action.VIEW_MEMBERS)
    for org in organization_roots_for(user).order_by("path")[:20]:
        if scope.covers(org.path):
            return org
    return None


def _within_for(user, within: Organization) -> None:
    if not scope_for(user, Action.VIEW_MEMBERS).covers(within.path):
        raise Http404


def expectation_summary_for(
    user,
    *,
    within: Organization,
    year: int,
    quarter: int | None = None,
    month: int | None = None,
    today: dt.date | None = None,
) -> ExpectationSummary:
    """For every organization in ``within``'s subtree that holds organizational life: the
    sessions of each kind held in the period beside the number usually held (rules.EXPECTED)
    in the part of the period that has begun — facts, e.g. "held 2 of 3", never a score.
    Held means taken place (``taken_place_q``); sessions dated later in the period are
    counted apart as planned.

    Three reads whatever the size of the subtree: the organizations (path range), a grouped
    count of the period's sessions before today by (org_path, kind) from the
    ``session_tree_period`` index alone, and the same for today and later (few rows), split by
    whether each has begun."""
    _within_for(user, within)
    now = timezone.now()
    if today is not None and today != timezone.localdate(now):
        # A day other than today (tests, a report as of a date): its end is the cut.
        now = timezone.make_aware(dt.datetime.combine(today, dt.time.max))
    today = timezone.localdate(now)
    period = period_of(year, quarter, month, today=today)
    subtree = tree.subtree_q(within.path, "path")
    orgs = list(
        Organization.objects.filter(subtree, status=OrgStatus.ACTIVE)
        .order_by()
        .values_list("pk", "name", "path", "kind", "founded_on", "parent_id")
    )
    in_subtree = Session.objects.filter(tree.subtree_q(within.path, "org_path")).order_by()
    held_by_path: dict[str, dict[str, int]] = defaultdict(dict)
    planned_by_path: dict[str, dict[str, int]] = defaultdict(dict)
    # Days before today: all taken place, counted from the index alone (session_tree_period).
    before_today = min(period.end, today - dt.timedelta(days=1))
    if period.start <= before_today:
        past = in_subtree.filter(held_on__gte=period.start, held_on__lte=before_today)
        for path, kind, n in past.values_list("org_path", "kind").annotate(n=Count("pk")):
            held_by_path[path][kind] = n
    # Today and later in the period (few rows): taken place or planned, by the hour.
    if today <= period.end:
        rest = in_subtree.filter(held_on__gte=max(period.start, today), held_on__lte=period.end)
        rest = rest.values_list("org_path", "kind").annotate(
            n=Count("pk", filter=taken_place_q(now)),
            planned=Count("pk", filter=~taken_place_q(now)),
        )
        for path, kind, n, planned in rest:
            if n:
                held_by_path[path][kind] = held_by_path[path].get(kind, 0) + n
            if planned:
                planned_by_path[path][kind] = planned

    has_children = {parent for *_rest, parent in orgs}
    child_len = len(within.path) + tree.SEGMENT
    rows: list[OrgFacts] = []
    children: dict[str, OrgFacts] = {}
    totals = OrgFacts(within.pk, within.name, within.path, within.kind)
    short: dict[str, int] = defaultdict(int)
    for pk, name, path, kind, founded_on, _parent in sorted(orgs, key=lambda o: o[2]):
        expectations = rules.EXPECTED.get(kind, {})
        if len(path) == child_len:
            children[path] = OrgFacts(pk, name, path, kind, has_children=pk in has_children)
        if not expectations and path not in held_by_path and path not in planned_by_path:
            continue
        row = OrgFacts(pk, name, path, kind, holders=1 if expectations else 0)
        for session_kind in rules.KIND_ORDER:
            expected = 0
            if session_kind in expectations:
                expected = expected_count(expectations[session_kind], period, founded_on)
            n = held_by_path.get(path, {}).get(session_kind, 0)
            planned = planned_by_path.get(path, {}).get(session_kind, 0)
            if session_kind in expectations or n or planned:
                row.add(session_kind, n, expected, planned)
                if expected > n:
                    short[session_kind] += 1
        rows.append(row)
        target = children.get(path[:child_len]) if len(path) >= child_len else None
        for bucket in (target, totals):
            if bucket is None:
                continue
            bucket.holders += row.holders
            for session_kind, facts in row.kinds.items():
                bucket.add(session_kind, facts.held, facts.expected, facts.planned)
    kinds_shown = tuple(k for k in rules.KIND_ORDER if k in totals.kinds)
    return ExpectationSummary(
        within=within,
        period=period,
        kinds=kinds_shown or tuple(rules.KIND_ORDER),
        frequencies={k: rules.frequency_of(k) for k in rules.KIND_ORDER},
        rows=rows,
        children=[c for c in children.values() if c.holders or c.kinds],
        totals=totals,
        short=dict(short),
    )
