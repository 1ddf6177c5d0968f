"""Shizuishan demo data for organizational life: the last twelve months of 三会一课 and 主题党日
for every branch, general branch and Party group of 石嘴山市 — not every organization meets
every expectation (each has its own habits, so the expectations page shows real gaps) — with
attendance (offline, online, excused, absent; functional branches of new employment groups meet
online and offline at once), monthly theme days at the member service stations attended by the
mobile members registered there, and a few sessions planned for the coming weeks.

Tens of thousands of members make hundreds of thousands of attendance rows, so sessions and
attendance are written with ``bulk_create`` after the checks the services make (kind held by
the organization, online link, station in the subtree, no attendance for a session still to
come, each attendee a member of the organization or a mobile member at its inflow side, status
fitting the format) and one audit event for the batch. Idempotent: nothing happens when
sessions exist. Runs after the mobility demo (mobile members, stations)."""

import datetime as dt
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from tongchou.core import audit, tree
from tongchou.core.models import AuditAction
from tongchou.members.models import Member
from tongchou.organizations.models import Organization, OrgKind, OrgStatus
from tongchou.orglife import rules, services
from tongchou.orglife.models import (
    Attendance,
    AttendanceStatus,
    Session,
    SessionFormat,
    SessionKind,
)

ROOT_CODE = "6402"
# Plain strings: enum members cost a descriptor call each, and there are ~a million rows.
OFFLINE, ONLINE, EXCUSED, ABSENT = (
    str(AttendanceStatus.PRESENT_OFFLINE.value),
    str(AttendanceStatus.PRESENT_ONLINE.value),
    str(AttendanceStatus.EXCUSED.value),
    str(AttendanceStatus.ABSENT.value),
)
ALLOWED = {  # statuses that fit each format (as services._check_status)
    SessionFormat.OFFLINE: frozenset({OFFLINE, EXCUSED, ABSENT}),
    SessionFormat.ONLINE: frozenset({ONLINE, EXCUSED, ABSENT}),
    SessionFormat.BOTH: frozenset({OFFLINE, ONLINE, EXCUSED, ABSENT}),
}
COMMITTEE_SIZE = 5  # members of a branch committee (支委会) in the demo

TOPICS = {
    SessionKind.GENERAL_MEETING: [
        "学习贯彻党的二十届三中全会精神",
        "讨论发展党员和预备党员转正",
        "民主评议党员",
        "审议支部年度工作计划",
        "通报党费收缴和使用情况",
    ],
    SessionKind.COMMITTEE_MEETING: [
        "研究本月支部工作安排",
        "研究困难党员帮扶事项",
        "研究流动党员联系服务",
        "研究主题党日活动方案",
    ],
    SessionKind.GROUP_MEETING: [
        "学习《中国共产党章程》",
        "交流学习体会",
        "讨论为群众办实事清单",
    ],
    SessionKind.LECTURE: [
        "书记讲党课：坚定理想信念",
        "党课：传承红色基因",
        "党课：铸牢中华民族共同体意识",
        "党课：全面从严治党永远在路上",
    ],
    SessionKind.THEME_DAY: [
        "重温入党誓词",
        "志愿服务进社区",
        "参观革命传统教育基地",
        "人居环境整治",
        "学习身边先进典型",
        "为群众办实事",
    ],
}
STATION_TOPICS = ["流动党员主题党日：重温入党誓词", "流动党员主题党日：技能交流", "政策宣讲"]
PLACES = ["党员活动室", "村部会议室", "党群服务中心", "社区议事厅", "新时代文明实践站"]
HOURS = (9, 10, 14, 15, 19)


def _month_starts(today: dt.date, months: int = 12) -> list[dt.date]:
    first = today.replace(day=1)
    starts = []
    for back in range(months - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        starts.append(dt.date(index // 12, index % 12 + 1, 1))
    return starts


def _day_in(month: dt.date, today: dt.date, rng: random.Random) -> dt.date | None:
    """A day of ``month`` before today (None when the month has no such day yet)."""
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    last = min(nxt - dt.timedelta(days=1), today - dt.timedelta(days=1))
    if last < month:
        return None
    return month + dt.timedelta(days=rng.randint(0, (last - month).days))


def _aware(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.choice(HOURS))))


class _Writer:
    """Collects sessions and their attendance, checked as the services check them."""

    def __init__(self, actor, now, path_of: dict[int, str], inflow_of: dict[int, tuple]):
        self.actor = actor
        self.now = now
        self.path_of = path_of  # member id → org_path
        self.inflow_of = inflow_of  # mobile member id → (inflow paths, station id)
        self.sessions: list[Session] = []
        self.attendance: list[list[tuple[int, str]]] = []

    def add(self, org: Organization, kind: str, starts_at: dt.datetime, fmt: str, *, topic: str,
            place: str = "", station=None, attendees=()) -> None:  # fmt: skip
        session = Session(
            kind=kind,
            organization=org,
            org_path=org.path,
            station=station,
            starts_at=starts_at,
            format=fmt,
            place=place if fmt != SessionFormat.ONLINE else "",
            online_link="腾讯会议 " + str(800_000_000 + len(self.sessions))
            if fmt != SessionFormat.OFFLINE
            else "",
            topic=topic,
            created_by=self.actor,
        )
        services._check_fields(session, org)  # the services' rules on the fields
        rows = list(attendees)
        if rows and starts_at > self.now:
            raise AssertionError("attendance for a session still to come")
        base = rules.membership_path(org.path, org.kind)
        allowed = ALLOWED[fmt]
        for member_id, status in rows:
            if not self.path_of[member_id].startswith(base):
                paths, station_id = self.inflow_of.get(member_id, ((), None))
                at_station = station is not None and station.pk == station_id
                if not at_station and not any(p.startswith(base) for p in paths):
                    raise AssertionError("attendance for a member outside the organization")
            if status not in allowed:
                raise AssertionError(f"status {status} does not fit a {fmt} session")
        self.sessions.append(session)
        self.attendance.append(rows)

    def write(self) -> tuple[int, int]:
        """Sessions through ``bulk_create`` (they come back with their ids); attendance, the
        bulk of it, straight through the cursor: building hundreds of thousands of model
        instances costs most of a minute, the rows themselves a few seconds."""
        Session.objects.bulk_create(self.sessions, batch_size=2000)
        if self.sessions and self.sessions[0].pk is None:  # a backend without returned ids
            raise AssertionError("bulk_create returned no ids")
        meta = Attendance._meta
        columns = [meta.get_field(f).column for f in ("session", "member", "status", "held_on")]
        columns.append(meta.get_field("note").column)
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        count = 0
        with connection.cursor() as cursor:
            batch: list[tuple] = []
            for session, attendees in zip(self.sessions, self.attendance, strict=True):
                held_on = session.held_on
                for member_id, status in attendees:
                    batch.append((session.pk, member_id, status, held_on, ""))
                if len(batch) >= 20_000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return len(self.sessions), count


def _statuses(members, fmt: str, rng: random.Random, away: set[int], online_share: float):
    """Attendance of ``members``: mostly present (online or offline as the format allows),
    some excused, a few absent; members away from home are excused more often than not."""
    present = {SessionFormat.OFFLINE: OFFLINE, SessionFormat.ONLINE: ONLINE}.get(fmt)
    rand = rng.random
    rows = []
    for member_id in members:
        roll = rand()
        if member_id in away:
            status = EXCUSED if roll < 0.7 else ABSENT
        elif roll < 0.86:
            status = present or (ONLINE if rand() < online_share else OFFLINE)
        elif roll < 0.95:
            status = EXCUSED
        else:
            status = ABSENT
        rows.append((member_id, status))
    return rows


def populate(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    if Session.objects.exists():
        return {}
    actor = get_user_model().objects.filter(is_superuser=True, username="admin").first()
    root = Organization.objects.filter(code=ROOT_CODE, parent=None).first()
    if actor is None or root is None:
        return {}  # no foundation demo here
    from tongchou.mobility.models import MobileMember, MobilityStatus, ServiceStation

    now = timezone.now()
    holders = list(
        Organization.objects.filter(
            tree.subtree_q(root.path),
            status=OrgStatus.ACTIVE,
            kind__in=list(rules.HOLDER_KINDS),
        ).order_by("path")
    )
    members_at: dict[str, list[int]] = defaultdict(list)
    path_of: dict[int, str] = {}
    for pk, path in (
        Member.objects.filter(tree.subtree_q(root.path, "org_path"), archived=False)
        .order_by("org_path", "id")
        .values_list("pk", "org_path")
    ):
        members_at[path].append(pk)
        path_of[pk] = path
    spells = list(
        MobileMember.objects.filter(status=MobilityStatus.OPEN, member__isnull=False).values_list(
            "member_id", "station_id", "inflow_path", "station_path"
        )
    )
    away = {member_id for member_id, *_rest in spells}
    inflow_of = {
        member_id: ([p for p in (inflow_path, station_path) if p], station_id)
        for member_id, station_id, inflow_path, station_path in spells
    }
    groups_of: dict[int, list[Organization]] = defaultdict(list)
    for org in holders:
        if org.kind == OrgKind.GROUP:
            groups_of[org.parent_id].append(org)

    def subtree_members(path: str) -> list[int]:
        return [m for p, ids in members_at.items() if p.startswith(path) for m in ids]

    writer = _Writer(actor, now, path_of, inflow_of)
    months = _month_starts(today)
    for org in holders:
        # Each organization has its habits: most meet nearly always, some often skip.
        habit = rng.choices([0.97, 0.88, 0.7, 0.45], weights=[45, 30, 17, 8])[0]
        functional = bool(org.sector)
        if org.kind == OrgKind.GROUP:
            siblings = groups_of[org.parent_id]
            branch_members = members_at.get(rules.membership_path(org.path, org.kind), [])
            own = branch_members[siblings.index(org) :: len(siblings)]
            plan = [(SessionKind.GROUP_MEETING, 1)]
        else:
            own = (
                members_at.get(org.path, [])
                if org.kind == OrgKind.BRANCH
                else subtree_members(org.path)
            )
            plan = [
                (SessionKind.THEME_DAY, 1),
                (SessionKind.COMMITTEE_MEETING, 1),
                (SessionKind.GENERAL_MEETING, 3),
                (SessionKind.LECTURE, 3),
            ]
        if not own:
            continue
        founded = org.founded_on or dt.date(1900, 1, 1)
        for month in months:
            for kind, every in plan:
                if (month.month - 1) % every != org.pk % every or rng.random() > habit:
                    continue
                day = _day_in(month, today, rng)
                if day is None or day < founded:
                    continue
                if functional:
                    fmt = SessionFormat.BOTH
                elif kind == SessionKind.LECTURE and rng.random() < 0.15:
                    fmt = SessionFormat.ONLINE
                else:
                    fmt = SessionFormat.OFFLINE
                attendees = own[:COMMITTEE_SIZE] if kind == SessionKind.COMMITTEE_MEETING else own
                writer.add(
                    org,
                    kind,
                    _aware(day, rng),
                    fmt,
                    topic=rng.choice(TOPICS[kind]),
                    place=rng.choice(PLACES),
                    attendees=_statuses(attendees, fmt, rng, away, online_share=0.6),
                )
        # Now and then one is planned for the coming weeks (no attendance yet).
        if org.kind != OrgKind.GROUP and rng.random() < 0.15:
            day = today + dt.timedelta(days=rng.randint(2, 20))
            writer.add(
                org,
                SessionKind.THEME_DAY,
                _aware(day, rng),
                SessionFormat.BOTH if functional else SessionFormat.OFFLINE,
                topic=rng.choice(TOPICS[SessionKind.THEME_DAY]),
                place=rng.choice(PLACES),
            )

    # Stations: a monthly theme day for the mobile members registered there (it counts for
    # them at home too), online and offline.
    by_station: dict[int, list[int]] = defaultdict(list)
    for member_id, station_id, _inflow, _station_path in spells:
        if station_id:
            by_station[station_id].append(member_id)
    for station in ServiceStation.objects.filter(active=True).select_related("organization"):
        attendees = by_station.get(station.pk, [])
        if not attendees:
            continue
        for month in months[-6:]:
            day = _day_in(month, today, rng)
            if day is None:
                continue
            present = _statuses(attendees, SessionFormat.BOTH, rng, set(), online_share=0.5)
            writer.add(
                station.organization,
                SessionKind.THEME_DAY,
                _aware(day, rng),
                SessionFormat.BOTH,
                topic=rng.choice(STATION_TOPICS),
                place=station.name,
                station=station,
                attendees=[row for row in present if rng.random() < 0.8],
            )
    sessions, rows = writer.write()
    audit.record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type=Session._meta.label_lower,
        object_repr=f"演示数据：{sessions} 次组织生活，{rows} 条出席记录",
        org_path=root.path,
        after={"sessions": sessions, "attendance": rows},
    )
    return {"组织生活": sessions, "出席记录": rows}
