"""Members in motion at province scale: mobile members, organizational life, transfers.

Called by ``bench.worker.run`` after the foundation figures, on the same deployment. It adds,
deterministically (seeded) and in bulk (PostgreSQL ``COPY``, SQLite ``executemany``):

* a few hundred member service stations in urban streets;
* mobile-member spells (5 % of the members, 50,000 for a million): home = the member's branch;
  inflow side mostly a branch in an urban street of another county, some at a station, about
  10 % with none; last contact spread so that some are older than ``LOST_CONTACT_MONTHS``; plus
  past (returned) spells and arrivals from outside the deployment;
* the members' statuses as the app would have set them: 流动 for the members with an open
  spell (one UPDATE: the spells are written straight to the table, not through the services);
* organizational life (三会一课, 主题党日) of the last two years at the usual frequencies
  (``tongchou.orglife.rules``) with attendance for every member expected, about 10 rows per
  member in all (10,000,000 for a million). Two years of the usual frequencies are about 40 rows
  a member, so the sessions are those of the counties that record organizational life here
  ("adopting counties", the measured county first, then in a seeded order) until the row budget
  is spent; mobile members attend at their inflow branch or station too.

then checks the data against the app rules and times the reads of issue 3 and 1,000 complete
transfers. A function another part of the project has not written yet is reported as
``n/a (not implemented)``, not as a failure of the run.
"""

import contextlib
import datetime as dt
import importlib
import random
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field

SPELL_SHARE = 0.05  # open spells per member
PAST_SPELL_SHARE = 0.10  # returned spells, per open spell
EXTERNAL_SHARE = 0.02  # arrivals from outside the deployment, per open spell
ATTENDANCE_PER_MEMBER = 10
STATIONS_PER_MILLION = 300
TRANSFERS = 1_000
CROSS_COUNTY_SHARE = 0.1
WINDOW_DAYS = 730
TZ_OFFSET = dt.timedelta(hours=8)  # Asia/Shanghai, no daylight saving since 1991

STATION_KINDS = ["city_street", "industrial_park", "logistics_hub", "market"]
STATION_LABELS = {
    "city_street": "街道",
    "industrial_park": "产业园区",
    "logistics_hub": "物流园区",
    "market": "商圈",
}
OUTSIDE = ["广东省深圳市", "江苏省苏州市", "浙江省杭州市", "上海市浦东新区", "北京市朝阳区"]
TOPICS = {
    "general_meeting": [
        "学习贯彻党的二十大精神",
        "讨论发展党员事宜",
        "民主评议党员",
        "年度工作总结",
    ],
    "committee_meeting": ["研究支部工作计划", "讨论入党积极分子培养", "部署季度重点工作"],
    "group_meeting": ["学习党章党规", "交流学习体会", "讨论为民办实事项目"],
    "lecture": ["书记讲党课：基层治理", "党史学习教育专题党课", "乡村振兴专题党课"],
    "theme_day": ["主题党日：志愿服务", "主题党日：重温入党誓词", "主题党日：走访慰问"],
}
TIMES = [(9, 0), (14, 30), (19, 30)]


def log(message: str) -> None:
    print(f"  {message}", flush=True)


# --------------------------------------------------------------------------------------------
# Bulk writing


class Table:
    """Rows for one model's table in bulk: the columns given per row, every other concrete
    column filled with its field default (so a field another app adds does not break the
    load), written by ``COPY`` on PostgreSQL and ``executemany`` on SQLite."""

    def __init__(self, model, columns: list[str]):
        from django.db import connection

        self.model = model
        self.table = model._meta.db_table
        fields = {f.column: f for f in model._meta.concrete_fields}
        # A column the model does not have (yet) is left out of every row.
        self.keep = None
        if set(columns) - set(fields):
            self.keep = [i for i, c in enumerate(columns) if c in fields]
            columns = [columns[i] for i in self.keep]
        self.extra = []
        for column, f in fields.items():
            if column in columns or (f.primary_key and column not in columns):
                continue
            default = f.get_default() if f.has_default() or not f.null else None
            self.extra.append((column, f.get_db_prep_save(default, connection)))
        self.columns = columns + [c for c, _ in self.extra]
        self.tail = tuple(v for _, v in self.extra)
        self.rows: list[tuple] = []
        self.written = 0

    def extend(self, rows: list[tuple]) -> None:
        if self.keep is None and not self.tail:
            self.rows.extend(rows)
        else:
            for row in rows:
                self.add(row)

    def add(self, row: tuple) -> None:
        if self.keep is not None:
            row = tuple(row[i] for i in self.keep)
        self.rows.append(row + self.tail if self.tail else row)

    def flush(self) -> None:
        from django.db import connection, transaction

        if not self.rows:
            return
        quote = connection.ops.quote_name
        column_sql = ", ".join(quote(c) for c in self.columns)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = f"COPY {quote(self.table)} ({column_sql}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    write_row = copy.write_row
                    for row in self.rows:
                        write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {quote(self.table)} ({column_sql}) VALUES ({marks})"
                for i in range(0, len(self.rows), 50_000):
                    cursor.executemany(sql, self.rows[i : i + 50_000])
        self.written += len(self.rows)
        self.rows = []


def reset_sequence(model) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


@contextlib.contextmanager
def _sqlite_cache(kib: int = 512 * 1024):
    """A large page cache for the load on SQLite, as the member import does: the attendance
    indexes take random inserts. The journal settings are left as the app has them."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-kib}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


# --------------------------------------------------------------------------------------------
# The deployment as motion needs it


@dataclass
class Spell:
    member: int
    home: object  # plan Node
    since: dt.date
    inflow: object | None = None  # plan Node
    station: dict | None = None


@dataclass
class Deployment:
    plan: object
    nodes: dict
    members_by_org: dict[int, list[int]]
    status_of: dict[int, str]
    children: dict[int, list] = field(default_factory=dict)
    county_of: dict[int, str] = field(default_factory=dict)
    holder_nodes: dict[int, object] = field(default_factory=dict)  # organizations with members


def _load_members(plan) -> Deployment:
    from django.db import connection

    from tongchou.members.models import Member

    table = Member._meta.db_table
    members_by_org: dict[int, list[int]] = defaultdict(list)
    status_of: dict[int, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, organization_id, status FROM {table} WHERE NOT archived ORDER BY id"
        )
        for pk, org, status in cursor.fetchall():
            members_by_org[org].append(pk)
            status_of[pk] = status
    nodes = {n.id: n for n in plan.nodes}
    children: dict[int, list] = defaultdict(list)
    for n in plan.nodes:
        if n.parent is not None:
            children[n.parent].append(n)
    county_of = {}
    for n in plan.nodes:
        if n.level == "county":
            county_of[n.id] = n.code
        elif n.county:
            county_of[n.id] = n.county
    holder_nodes = {o: nodes[o] for o in members_by_org}
    return Deployment(plan, nodes, members_by_org, status_of, children, county_of, holder_nodes)


def _city_path(node) -> str:
    return node.path[:16]


# --------------------------------------------------------------------------------------------
# Stations and spells


def make_stations(dep: Deployment, rng: random.Random, count: int, admin) -> list[dict]:
    from tongchou.mobility.models import ServiceStation

    streets = [
        n
        for n in dep.plan.nodes
        if n.level == "township" and n.kind == "working_committee" and n.urban_rural == "urban"
    ]
    if not streets:
        return []
    weight = {s.id: 0 for s in streets}
    by_path = {s.path: s.id for s in streets}
    for org_id, ids in dep.members_by_org.items():
        sid = by_path.get(dep.nodes[org_id].path[:32])  # province, city, county, street
        if sid:
            weight[sid] += len(ids)
    chosen = rng.choices(streets, weights=[weight[s.id] + 1 for s in streets], k=count)
    rows = []
    for i, street in enumerate(chosen):
        kind = rng.choice(STATION_KINDS)
        base = street.name.removesuffix("党工委")
        rows.append(
            ServiceStation(
                name=f"{base}{STATION_LABELS[kind]}党员服务站{'' if i < len(streets) else i}",
                kind=kind,
                organization_id=street.id,
                org_path=street.path,
                region_id=street.region,
                address=f"{base}{rng.randint(1, 300)}号",
                services=["transfer", "training", "org_life"][: rng.randint(1, 3)],
                active=True,
            )
        )
    ServiceStation.objects.bulk_create(rows)
    return [
        {"id": s.id, "org": s.organization_id, "path": s.org_path, "region": s.region_id}
        for s in ServiceStation.objects.order_by("id")
    ]


def make_spells(dep, rng, today, open_count: int, stations: list[dict], admin) -> dict:
    """Open spells of ``open_count`` members, past spells, arrivals from outside."""
    from django.db import connection
    from django.utils import timezone

    from tongchou.core import crypto
    from tongchou.demo.people import PersonGenerator, id_number
    from tongchou.mobility.models import MobileMember

    is_pg = connection.vendor == "postgresql"
    now = timezone.now() if is_pg else timezone.now().replace(tzinfo=None)
    now_text = now.isoformat(sep=" ")
    holders = [dep.nodes[o] for o in sorted(dep.members_by_org)]
    street_of: dict[int, object] = {}
    inflow_pool: dict[str, list] = defaultdict(list)  # city path → holders in urban streets
    for h in holders:
        street = dep.nodes.get(int(h.path[24:32] or 0))  # province, city, county, street
        if (
            street is not None
            and street.level == "township"
            and street.kind == "working_committee"
            and street.urban_rural == "urban"
        ):
            street_of[h.id] = street
            inflow_pool[_city_path(h)].append(h)
    everywhere = [h for pool in inflow_pool.values() for h in pool]
    holders_by_street: dict[int, list] = defaultdict(list)
    for hid, street in street_of.items():
        holders_by_street[street.id].append(dep.nodes[hid])

    # Members whose record says 流动 first, then others, in a seeded order.
    mobile = [m for m, s in dep.status_of.items() if s == "mobile"]
    normal = [m for m, s in dep.status_of.items() if s == "normal"]
    rng.shuffle(mobile)
    rng.shuffle(normal)
    candidates = mobile + normal
    past_count = int(open_count * PAST_SPELL_SHARE)
    chosen = candidates[:open_count]
    past_members = candidates[open_count : open_count + past_count]
    org_of = {m: o for o, ids in dep.members_by_org.items() for m in ids}

    columns = [
        "member_id",
        "external_name",
        "external_id_enc",
        "external_id_hash",
        "home_org_id",
        "home_path",
        "home_text",
        "destination_region_id",
        "destination_text",
        "since",
        "reason",
        "contact_enc",
        "expected_return",
        "inflow_org_id",
        "inflow_path",
        "station_id",
        "station_path",
        "inflow_registered_on",
        "status",
        "ended_on",
        "last_contact_on",
        "note",
        "created_by_id",
        "created_at",
        "updated_at",
    ]
    table = Table(MobileMember, columns)
    people = PersonGenerator(dep.plan.nodes[0].id + 9173, today=today, hui_share=0.01)
    encrypt = crypto.encrypt
    iso = dt.date.isoformat
    spells: list[Spell] = []
    lost_cutoff = today - dt.timedelta(days=183)
    counts = defaultdict(int)

    def reason() -> str:
        r = rng.random()
        return "work" if r < 0.8 else "study" if r < 0.9 else "other"

    def contact_day(since: dt.date) -> dt.date | None:
        r = rng.random()
        if r < 0.05:
            return None
        back = rng.randint(0, 180) if r < 0.78 else rng.randint(184, 600)
        return max(since, today - dt.timedelta(days=back))

    for member in chosen:
        home = dep.nodes[org_of[member]]
        home_county = dep.county_of.get(home.id)
        since = today - dt.timedelta(days=rng.randint(20, 1100))
        r = rng.random()
        inflow = station = None
        if r < 0.9:
            if r >= 0.7 and stations:
                for _ in range(5):
                    station = rng.choice(stations)
                    if dep.county_of.get(station["org"]) != home_county:
                        break
                if r < 0.8 and holders_by_street.get(station["org"]):
                    inflow = rng.choice(holders_by_street[station["org"]])
            else:
                same_city = inflow_pool.get(_city_path(home))
                for _ in range(8):
                    pool = same_city if same_city and rng.random() < 0.7 else everywhere
                    inflow = rng.choice(pool)
                    if dep.county_of.get(inflow.id) != home_county:
                        break
                if inflow.id == home.id:
                    inflow = None
        if inflow is not None and station is None:
            counts["inflow_org"] += 1
        elif inflow is not None:
            counts["inflow_org_and_station"] += 1
        elif station is not None:
            counts["station"] += 1
        else:
            counts["no_inflow_side"] += 1
        destination = inflow.region if inflow else station["region"] if station else None
        outside = "" if destination or rng.random() < 0.4 else rng.choice(OUTSIDE)
        if destination is None and not outside:
            destination = rng.choice(everywhere).region if everywhere else None
        last = contact_day(since)
        if last is None or last < lost_cutoff:
            counts["contact_over_6_months_or_none"] += 1
        registered = (
            min(today, since + dt.timedelta(days=rng.randint(3, 60))) if inflow or station else None
        )
        expected = since + dt.timedelta(days=rng.randint(365, 1100)) if rng.random() < 0.5 else None
        table.add(
            (
                member,
                "",
                "",
                "",
                home.id,
                home.path,
                "",
                destination,
                outside,
                iso(since),
                reason(),
                encrypt(people.phone()) if rng.random() < 0.9 else "",
                iso(expected) if expected else None,
                inflow.id if inflow else None,
                inflow.path if inflow else "",
                station["id"] if station else None,
                station["path"] if station else "",
                iso(registered) if registered else None,
                "open",
                None,
                iso(last) if last else None,
                "",
                admin.id,
                now_text,
                now_text,
            )
        )
        spells.append(Spell(member, home, since, inflow, station))

    for member in past_members:  # came back home: a closed spell, no inflow side now
        home = dep.nodes[org_of[member]]
        since = today - dt.timedelta(days=rng.randint(400, 1800))
        ended = since + dt.timedelta(days=rng.randint(60, 380))
        table.add(
            (
                member,
                "",
                "",
                "",
                home.id,
                home.path,
                "",
                None,
                rng.choice(OUTSIDE),
                iso(since),
                reason(),
                "",
                None,
                None,
                "",
                None,
                "",
                None,
                "returned",
                iso(ended),
                iso(ended),
                "",
                admin.id,
                now_text,
                now_text,
            )
        )
        counts["returned"] += 1

    for i in range(int(open_count * EXTERNAL_SHARE)):  # from outside, at a station or branch
        if not stations:
            break
        station = rng.choice(stations)
        gender = "M" if rng.random() < 0.7 else "F"
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=3 * i)  # distinct numbers
        number = id_number("411621", birth, rng.randrange(500) * 2 + (gender == "M"))
        since = today - dt.timedelta(days=rng.randint(20, 900))
        table.add(
            (
                None,
                people.name(gender, "01"),
                encrypt(number),
                crypto.lookup_hash(number),
                None,
                "",
                "河南省周口市某村党支部",
                station["region"],
                "",
                iso(since),
                "work",
                encrypt(people.phone()),
                None,
                None,
                "",
                station["id"],
                station["path"],
                iso(since),
                "open",
                None,
                iso(contact_day(since) or since),
                "",
                admin.id,
                now_text,
                now_text,
            )
        )
        counts["external"] += 1
    table.flush()
    counts["open_member_spells"] = len(spells)
    counts["rows"] = table.written
    counts["member_status_updated"] = statuses_follow_spells()
    return {"spells": spells, "counts": dict(counts)}


def statuses_follow_spells() -> int:
    """One UPDATE making the members' statuses what the app would have written while
    registering the spells (tongchou.mobility.services): 流动 with an open spell, 正常 without
    one (失联 is never a stored status). Records whose status says more (已转出, 已去世) and
    archived ones are left alone. Returns the rows changed."""
    from django.db import connection

    from tongchou.members.models import Member
    from tongchou.mobility.models import MobileMember

    mem = connection.ops.quote_name(Member._meta.db_table)
    mob = connection.ops.quote_name(MobileMember._meta.db_table)
    open_ids = f"SELECT member_id FROM {mob} WHERE status = 'open' AND member_id IS NOT NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {mem} SET status = CASE WHEN id IN ({open_ids}) THEN 'mobile' "
            "ELSE 'normal' END "
            "WHERE NOT archived AND ("
            f"(status = 'normal' AND id IN ({open_ids})) "
            f"OR (status IN ('mobile', 'lost_contact') AND id NOT IN ({open_ids})))"
        )
        return cursor.rowcount


# --------------------------------------------------------------------------------------------
# Organizational life


class LifeWriter:
    """Sessions and attendance, ids of sessions assigned here (attendance refers to them)."""

    def __init__(self, admin_id: int, chunk: int = 1_000_000):
        from django.db import connection
        from django.utils import timezone

        from tongchou.orglife.models import Attendance, Session

        self.pg = connection.vendor == "postgresql"
        self.sessions = Table(
            Session,
            [
                "id",
                "kind",
                "organization_id",
                "org_path",
                "station_id",
                "starts_at",
                "held_on",
                "format",
                "place",
                "online_link",
                "topic",
                "minutes",
                "attachment",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
        )
        self.attendance = Table(
            Attendance, ["session_id", "member_id", "status", "held_on", "note"]
        )
        self.next_id = (
            Session.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        now = timezone.now()
        self.now = (now if self.pg else now.replace(tzinfo=None)).isoformat(sep=" ")
        self.admin_id = admin_id
        self.chunk = chunk
        self.attendance_rows = 0
        self.session_rows = 0
        self._starts: dict[tuple, str] = {}

    def session(self, *, kind, org_id, org_path, station, day: dt.date, hm, fmt, topic):
        """Adds a session; returns its id and held_on text."""
        pk = self.next_id
        self.next_id += 1
        key = (day, hm)
        starts = self._starts.get(key)
        if starts is None:
            local = dt.datetime(day.year, day.month, day.day, hm[0], hm[1])
            if self.pg:
                starts = f"{local.isoformat(sep=' ')}+08:00"
            else:  # Django keeps UTC, naive, on SQLite
                starts = (local - TZ_OFFSET).isoformat(sep=" ")
            self._starts[key] = starts
        held = day.isoformat()
        self.sessions.add(
            (
                pk,
                kind,
                org_id,
                org_path,
                station,
                starts,
                held,
                fmt,
                "" if fmt == "online" else "党员活动室",
                "" if fmt == "offline" else "腾讯会议",
                topic,
                "",
                "",
                self.admin_id,
                self.now,
                self.now,
            )
        )
        self.session_rows += 1
        return pk, held

    def attend(self, rows: list[tuple]) -> None:
        self.attendance.extend(rows)
        self.attendance_rows += len(rows)
        if len(self.attendance.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        self.sessions.flush()
        self.attendance.flush()


@contextlib.contextmanager
def bulk_mode(*models):
    """Load into the tables without their secondary indexes and foreign-key checks, then build
    the indexes once and check every foreign key in one pass (what a bulk load does anyway):
    the same tables, the same indexes and constraints afterwards, several times faster."""
    from django.db import connection

    saved: list[tuple[str, str]] = []  # (kind, sql to restore)
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
                    [table],
                )
                for name, contype, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                    saved.append(
                        (contype, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
                    )
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
                    " ORDER BY i.indexname",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    saved.append(("i", definition))
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL ORDER BY name",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    saved.append(("i", definition))
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
        else:
            cursor.execute("SET maintenance_work_mem = '512MB'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            # Indexes first (a unique one checks as it builds), then foreign keys.
            for _kind, sql in sorted(saved, key=lambda s: s[0] == "f"):
                cursor.execute(sql)
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA foreign_keys = ON")
                for model in models:
                    cursor.execute(f'PRAGMA foreign_key_check("{model._meta.db_table}")')
                    broken = cursor.fetchall()
                    if broken:
                        raise SystemExit(f"foreign keys broken: {broken[:5]}")


def _months(start: dt.date, end: dt.date):
    """(first, last) day of every month overlapping [start, end], clipped to it."""
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        first = dt.date(y, m, 1)
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        yield max(first, start), min(nxt - dt.timedelta(days=1), end)
        y, m = nxt.year, nxt.month


def _quarters(start: dt.date, end: dt.date):
    by_q: dict[tuple, list] = defaultdict(list)
    for first, last in _months(start, end):
        by_q[(first.year, (first.month - 1) // 3)].append((first, last))
    for spans in by_q.values():
        yield spans[0][0], spans[-1][1]


def _day(rng, first: dt.date, last: dt.date, early: bool = False) -> dt.date:
    span = (last - first).days
    if early:  # e.g. the theme day, fixed early in the month
        span = min(span, 9)
    return first + dt.timedelta(days=int(rng.random() * (span + 1)))


def _table(pairs) -> tuple[str, ...]:
    """A status drawn by ``table[int(random() * 100)]``."""
    out = []
    for status, share in pairs:
        out += [status] * share
    assert len(out) == 100, pairs
    return tuple(out)


# Who attends, by the session's format: at home, and when away (since the spell began).
AT_HOME = {
    "offline": _table([("offline", 86), ("excused", 8), ("absent", 6)]),
    "both": _table([("offline", 69), ("online", 17), ("excused", 9), ("absent", 5)]),
    "online": _table([("online", 87), ("excused", 8), ("absent", 5)]),
}
AWAY = {
    "offline": _table([("excused", 85), ("absent", 15)]),
    "both": _table([("online", 35), ("excused", 52), ("absent", 13)]),
    "online": _table([("online", 35), ("excused", 52), ("absent", 13)]),
}
FORMATS = _table([("offline", 80), ("both", 15), ("online", 5)])
NEVER = dt.date.max


def make_life(dep, rng, today, budget: int, spells: list[Spell], stations, admin, first_county):
    """Sessions and attendance until ``budget`` attendance rows; returns counts."""
    from tongchou.orglife.models import Attendance, Session

    start = today - dt.timedelta(days=WINDOW_DAYS)
    end = today - dt.timedelta(days=1)
    months = list(_months(start, end))
    quarters = list(_quarters(start, end))
    writer = LifeWriter(admin.id)
    rand = rng.random
    away_since = {s.member: s.since for s in spells}
    away_get = away_since.get
    guests: dict[int, list[Spell]] = defaultdict(list)  # inflow branch → spells
    at_station: dict[int, list[Spell]] = defaultdict(list)
    for s in spells:
        if s.inflow is not None:
            guests[s.inflow.id].append(s)
        if s.station is not None:
            at_station[s.station["id"]].append(s)

    def hold(kind, node, attendees, day, station=None, guest_spells=()):
        fmt = FORMATS[int(rand() * 100)]
        pk, held = writer.session(
            kind=kind,
            org_id=node.id,
            org_path=node.path,
            station=station,
            day=day,
            hm=TIMES[int(rand() * 3)],
            fmt=fmt,
            topic=rng.choice(TOPICS[kind]),
        )
        home, away = AT_HOME[fmt], AWAY[fmt]
        rows = [
            (pk, m, (home if away_get(m, NEVER) > day else away)[int(rand() * 100)], held, "")
            for m in attendees
        ]
        present = "online" if fmt == "online" else "offline"
        for s in guest_spells:  # mobile members registered here come when they can
            if s.since <= day and rand() < 0.6:
                rows.append((pk, s.member, present, held, ""))
        writer.attend(rows)

    def branch(node, members):
        here = guests.get(node.id, ())
        for first, last in quarters:
            for kind in ("general_meeting", "lecture"):
                if rand() < 0.92:
                    hold(kind, node, members, _day(rng, first, last), guest_spells=here)
        committee = members[: 5 if len(members) >= 20 else 3] if len(members) >= 7 else []
        groups = [c for c in dep.children.get(node.id, []) if c.kind == "group"]
        shares = [members[i :: len(groups)] for i in range(len(groups))]
        for first, last in months:
            if rand() < 0.9:
                hold("theme_day", node, members, _day(rng, first, last, True), guest_spells=here)
            if committee and rand() < 0.85:
                hold("committee_meeting", node, committee, _day(rng, first, last))
            for group, share in zip(groups, shares, strict=True):
                if rand() < 0.8:  # a group's members are its branch's (orglife.rules)
                    hold("group_meeting", group, share, _day(rng, first, last))

    def general_branch(node, members):
        committee = members[:5]
        for first, last in quarters:
            if rand() < 0.9:
                hold("general_meeting", node, members, _day(rng, first, last))
        for first, last in months:
            if rand() < 0.85:
                hold("committee_meeting", node, committee, _day(rng, first, last))

    counties = sorted({n.code for n in dep.plan.nodes if n.level == "county"})
    rng.shuffle(counties)
    if first_county in counties:
        counties.remove(first_county)
        counties.insert(0, first_county)
    units: dict[str, list] = defaultdict(list)  # county → village-level units in plan order
    for n in dep.plan.nodes:
        if n.level == "village":
            units[dep.county_of.get(n.id, "")].append(n)
    adopted = []
    timings = {}
    started = time.perf_counter()
    with bulk_mode(Session, Attendance), _sqlite_cache():
        # Stations: a monthly theme day for the members registered there, held by the
        # station's organization (its street).
        for station in stations:
            registered = at_station.get(station["id"], [])
            for first, last in months:
                if rand() < 0.85:
                    day = _day(rng, first, last, early=True)
                    fmt = FORMATS[int(rand() * 100)]
                    pk, held = writer.session(
                        kind="theme_day",
                        org_id=station["org"],
                        org_path=station["path"],
                        station=station["id"],
                        day=day,
                        hm=TIMES[int(rand() * 3)],
                        fmt=fmt,
                        topic="流动党员主题党日",
                    )
                    present = "online" if fmt == "online" else "offline"
                    writer.attend(
                        [
                            (pk, s.member, present, held, "")
                            for s in registered
                            if s.since <= day and rand() < 0.7
                        ]
                    )
        for county in counties:
            if writer.attendance_rows >= budget:
                break
            adopted.append(county)
            for unit in units.get(county, []):
                if writer.attendance_rows >= budget:
                    break
                if unit.kind == "general_branch":
                    subs = [c for c in dep.children.get(unit.id, []) if c.kind == "branch"]
                    everyone = [m for b in subs for m in dep.members_by_org.get(b.id, [])]
                    general_branch(unit, everyone)
                    for b in subs:
                        branch(b, dep.members_by_org.get(b.id, []))
                else:
                    branch(unit, dep.members_by_org.get(unit.id, []))
        writer.flush()
        timings["write_s"] = round(time.perf_counter() - started, 2)
        restore = time.perf_counter()
    timings["indexes_and_keys_s"] = round(time.perf_counter() - restore, 2)
    reset_sequence(Session)
    return {
        "sessions": writer.session_rows,
        "attendance": writer.attendance_rows,
        "adopting_counties": len(adopted),
        "counties": len(counties),
        "window": [start.isoformat(), end.isoformat()],
        **timings,
    }


# --------------------------------------------------------------------------------------------
# Checks against the app rules


def verify(today: dt.date) -> dict:
    """Counts of rows breaking a rule (all must be 0)."""
    from django.db import connection

    from tongchou.members.models import Member
    from tongchou.mobility.models import MobileMember, ServiceStation
    from tongchou.organizations.models import Organization
    from tongchou.orglife.models import Attendance, Session

    att, ses = Attendance._meta.db_table, Session._meta.db_table
    mem, org = Member._meta.db_table, Organization._meta.db_table
    mob, sta = MobileMember._meta.db_table, ServiceStation._meta.db_table
    pg = connection.vendor == "postgresql"
    local_day = (
        "(s.starts_at AT TIME ZONE 'Asia/Shanghai')::date"
        if pg
        else "date(s.starts_at, '+8 hours')"
    )
    held_text = "s.held_on" if pg else "s.held_on"
    membership = (
        "CASE WHEN o.kind = 'group' THEN substr(s.org_path, 1, length(s.org_path) - 8) "
        "ELSE s.org_path END"
    )
    checks = {
        "attendance_held_on_is_session_held_on": f"SELECT COUNT(*) FROM {att} a "
        f"JOIN {ses} s ON s.id = a.session_id WHERE a.held_on <> s.held_on",
        "session_held_on_is_local_date": f"SELECT COUNT(*) FROM {ses} s "
        f"WHERE {local_day} <> {held_text}",
        "session_in_future": f"SELECT COUNT(*) FROM {ses} s WHERE s.held_on > %s",
        "session_org_path": f"SELECT COUNT(*) FROM {ses} s "
        f"JOIN {org} o ON o.id = s.organization_id WHERE o.path <> s.org_path",
        "attendee_outside_org_and_inflow_side": f"SELECT COUNT(*) FROM {att} a "
        f"JOIN {ses} s ON s.id = a.session_id "
        f"JOIN {org} o ON o.id = s.organization_id "
        f"JOIN {mem} m ON m.id = a.member_id "
        f"WHERE substr(m.org_path, 1, length({membership})) <> {membership} "
        f"AND NOT EXISTS (SELECT 1 FROM {mob} mm WHERE mm.member_id = a.member_id "
        "AND mm.status = 'open' AND ("
        "(mm.inflow_path <> '' AND substr(s.org_path, 1, length(mm.inflow_path)) = mm.inflow_path)"
        " OR (mm.station_path <> '' "
        "AND substr(s.org_path, 1, length(mm.station_path)) = mm.station_path)"
        " OR mm.station_id = s.station_id))",
        "attendance_duplicates": f"SELECT COUNT(*) FROM (SELECT session_id, member_id FROM {att} "
        "GROUP BY session_id, member_id HAVING COUNT(*) > 1) d",
        "spell_home_is_member_org": f"SELECT COUNT(*) FROM {mob} mm JOIN {mem} m "
        "ON m.id = mm.member_id WHERE mm.home_org_id <> m.organization_id "
        "OR mm.home_path <> m.org_path",
        "spell_inflow_path": f"SELECT COUNT(*) FROM {mob} mm "
        f"JOIN {org} o ON o.id = mm.inflow_org_id "
        "WHERE mm.inflow_path <> o.path OR mm.inflow_org_id = mm.home_org_id",
        "spell_station_path": f"SELECT COUNT(*) FROM {mob} mm "
        f"JOIN {sta} st ON st.id = mm.station_id WHERE mm.station_path <> st.org_path",
        "open_spells_per_member_over_one": f"SELECT COUNT(*) FROM (SELECT member_id FROM {mob} "
        "WHERE status = 'open' AND member_id IS NOT NULL GROUP BY member_id HAVING COUNT(*) > 1) d",
        # One truth for members in motion (tongchou.members.rules): 流动 exactly when an open
        # spell says so; 失联 is computed, never stored.
        "member_mobile_without_open_spell": f"SELECT COUNT(*) FROM {mem} m "
        "WHERE NOT m.archived AND m.status IN ('mobile', 'lost_contact') AND NOT EXISTS ("
        f"SELECT 1 FROM {mob} mm WHERE mm.member_id = m.id AND mm.status = 'open')",
        "member_with_open_spell_not_mobile": f"SELECT COUNT(*) FROM {mob} mm "
        f"JOIN {mem} m ON m.id = mm.member_id WHERE mm.status = 'open' "
        "AND (m.archived OR m.status <> 'mobile')",
    }
    out = {}
    with connection.cursor() as cursor:
        for name, sql in checks.items():
            if name == "session_in_future":
                cursor.execute(sql, [today.isoformat()])
            else:
                cursor.execute(sql)
            out[name] = cursor.fetchone()[0]
    return out


def analyze_tables() -> None:
    from django.db import connection

    from tongchou.mobility.models import MobileMember, ServiceStation
    from tongchou.orglife.models import Attendance, Session

    with connection.cursor() as cursor:
        for model in (ServiceStation, MobileMember, Session, Attendance):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"VACUUM ANALYZE {table}"
                if connection.vendor == "postgresql"
                else f"ANALYZE {table}"
            )


# --------------------------------------------------------------------------------------------
# Measurements


def contract(module: str, name: str):
    """The function, or None when it is not written yet."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def guarded(key: str, fn, metrics: dict, figures: dict, value_of) -> None:
    """Run one measurement; a missing function is "n/a", an error is reported, not raised."""
    if not fn:
        metrics[key] = {"not_implemented": True}
        figures[key] = "n/a"
        log(f"{key}: n/a (not implemented)")
        return
    try:
        metrics[key] = fn()
        figures[key] = value_of(metrics[key])
    except Exception as exc:  # noqa: BLE001 - a broken function must not end the run
        metrics[key] = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
        figures[key] = "error"
        log(f"{key}: ERROR {type(exc).__name__}: {exc}")


def _materialize(report) -> int:
    rows = list(report.rows) if hasattr(report, "rows") else list(report)
    return len(rows)


def run(*, plan, admin, root, county_org, args, measure, repeat: int) -> dict:
    """Generate the data of members in motion, check it, measure (see the module doc)."""
    from django.utils import timezone

    today = timezone.localdate()
    rng = random.Random(args.seed * 1009 + 3)
    members = args.members
    open_count = getattr(args, "spells", None) or round(members * SPELL_SHARE)
    budget = getattr(args, "attendance", None) or members * ATTENDANCE_PER_MEMBER
    station_count = max(8, round(STATIONS_PER_MILLION * members / 1_000_000))
    result: dict = {"generation": {}, "counts": {}, "metrics": {}, "figures": {}}
    gen = result["generation"]

    log(
        f"members in motion: {station_count} stations, {open_count:,} mobile members, "
        f"{budget:,} attendance rows…"
    )
    started = time.perf_counter()
    dep = _load_members(plan)
    gen["load_members_s"] = round(time.perf_counter() - started, 2)

    step = time.perf_counter()
    stations = make_stations(dep, rng, station_count, admin)
    spell_out = make_spells(dep, rng, today, open_count, stations, admin)
    gen["stations_and_spells_s"] = round(time.perf_counter() - step, 2)
    result["counts"]["stations"] = len(stations)
    result["counts"]["spells"] = spell_out["counts"]
    log(
        f"  {len(stations)} stations, {spell_out['counts']['rows']:,} spells "
        f"({gen['stations_and_spells_s']} s): {spell_out['counts']}"
    )

    step = time.perf_counter()
    life = make_life(dep, rng, today, budget, spell_out["spells"], stations, admin, county_org.code)
    gen["sessions_and_attendance_s"] = round(time.perf_counter() - step, 2)
    result["counts"]["life"] = life
    log(
        f"  {life['sessions']:,} sessions, {life['attendance']:,} attendance rows in "
        f"{life['adopting_counties']} of {life['counties']} counties "
        f"({gen['sessions_and_attendance_s']} s, "
        f"{life['attendance'] / max(gen['sessions_and_attendance_s'], 0.001):,.0f} rows/s; "
        f"indexes and keys afterwards {life['indexes_and_keys_s']} s)"
    )
    gen["total_s"] = round(time.perf_counter() - started, 2)

    step = time.perf_counter()
    analyze_tables()
    gen["analyze_s"] = round(time.perf_counter() - step, 2)
    step = time.perf_counter()
    checks = verify(today)
    gen["verify_s"] = round(time.perf_counter() - step, 2)
    result["checks"] = checks
    bad = {k: v for k, v in checks.items() if v}
    log(
        f"  checks against the app rules ({gen['verify_s']} s): "
        + ("all hold" if not bad else f"BROKEN {bad}")
    )
    if bad:
        raise SystemExit(f"generated data breaks the app rules: {bad}")
    result["figures"]["motion_generate_s"] = gen["total_s"]
    log(f"  generated in {gen['total_s']} s (analyze {gen['analyze_s']} s)")

    away = {s.member for s in spell_out["spells"]}
    measure_all(
        result, dep=dep, rng=rng, today=today, admin=admin, root=root, county_org=county_org,
        away=away, measure=measure, repeat=repeat,
    )  # fmt: skip
    return result


def measure_all(result, *, dep, rng, today, admin, root, county_org, away, measure, repeat):
    """The figures of issue 3, into ``result["metrics"]`` and ``result["figures"]``."""
    from tongchou.organizations.models import Organization

    plan = dep.plan
    county_admin = _user("bench_county_admin", county_org)
    county_node = dep.nodes[county_org.pk]
    street = _street_in(dep, county_node)
    street_org = Organization.objects.get(pk=street.id) if street else None
    year = today.year - 1
    metrics, figures = result["metrics"], result["figures"]

    left_behind_for = contract("tongchou.orglife.report", "left_behind_for")

    def county_report():
        rows = _materialize(left_behind_for(county_admin, within=county_org))
        m = measure(lambda: _materialize(left_behind_for(county_admin, within=county_org)), repeat)
        m.update(organization=county_org.name, rows=rows)
        log(f"left-behind report, {county_org.name} ({rows:,} rows): {m['median_ms']} ms")
        return m

    def root_report():
        rows = _materialize(left_behind_for(admin, within=root))
        m = measure(
            lambda: _materialize(left_behind_for(admin, within=root)), max(3, repeat // 4), 1
        )
        m.update(organization=root.name, rows=rows)
        log(f"left-behind report, {root.name} ({rows:,} rows): {m['median_ms']} ms")
        return m

    median = lambda m: m["median_ms"]  # noqa: E731
    guarded("left_behind_county", left_behind_for and county_report, metrics, figures, median)
    guarded("left_behind_root", left_behind_for and root_report, metrics, figures, median)

    summary_for = contract("tongchou.orglife.selectors", "expectation_summary_for")

    def street_summary():
        if street_org is None:
            raise RuntimeError("no street in the county")
        m = measure(lambda: summary_for(county_admin, within=street_org, year=year), repeat)
        orgs = sum(1 for n in plan.nodes if n.path.startswith(street_org.path))
        m.update(organization=street_org.name, organizations=orgs, year=year)
        log(
            f"expectation summary, {street_org.name} ({orgs} organizations, {year}): "
            f"{m['median_ms']} ms"
        )
        return m

    guarded("expectation_street", summary_for and street_summary, metrics, figures, median)

    services = [
        contract("tongchou.transfers.services", name)
        for name in (
            "transfer_request",
            "transfer_approve_out",
            "transfer_approve_upper",
            "transfer_accept",
        )
    ]
    ready = all(services)
    per_s = lambda m: m["per_s"]  # noqa: E731
    guarded(
        "transfers_per_s",
        ready and (lambda: transfers(dep, rng, county_node, county_admin, away)),
        metrics,
        figures,
        per_s,
    )
    guarded(
        "transfers_concurrent_per_s",
        ready and (lambda: transfers_concurrent(dep, rng, county_node, county_admin, away)),
        metrics,
        figures,
        per_s,
    )


def _street_in(dep, county_node):
    """The street (else township) of the county with the most members in the plan."""
    best, best_score = None, None
    for node in dep.children.get(county_node.id, []):
        if node.level != "township":
            continue
        weight = sum(n.weight for n in dep.plan.nodes if n.path.startswith(node.path))
        score = (node.kind == "working_committee", weight)
        if best_score is None or score > best_score:
            best, best_score = node, score
    return best


def _user(username: str, organization=None):
    """A bench user (again on a re-measure), with an admin role at ``organization``."""
    from django.contrib.auth import get_user_model

    from tongchou.organizations.models import Role, RoleKind

    user, _ = get_user_model().objects.get_or_create(username=username)
    if organization is not None:
        Role.objects.get_or_create(user=user, organization=organization, kind=RoleKind.ADMIN)
    return user


def transfer_plan(dep, rng, county_node, away: set[int], count: int) -> list[tuple[int, object]]:
    """(member, destination branch): members of the county not away, not moved yet; most go to
    another branch of the same county, ``CROSS_COUNTY_SHARE`` to one of another county of the
    same city (those need the upper committee's approval)."""
    from tongchou.transfers.models import Transfer

    city_path = _city_path(county_node)
    branches = [
        n for o, n in sorted(dep.holder_nodes.items()) if n.path.startswith(county_node.path)
    ]
    others = [
        n
        for o, n in sorted(dep.holder_nodes.items())
        if n.path.startswith(city_path) and not n.path.startswith(county_node.path)
    ]
    moved = set(Transfer.objects.exclude(member=None).values_list("member_id", flat=True))
    candidates = [
        (m, b)
        for b in branches
        for m in dep.members_by_org.get(b.id, [])
        if m not in away and m not in moved and dep.status_of[m] == "normal"
    ]
    rng.shuffle(candidates)
    plan = []
    for m, home in candidates[:count]:
        if others and rng.random() < CROSS_COUNTY_SHARE:
            to = rng.choice(others)
        else:
            to = rng.choice(branches)
            while to.id == home.id:
                to = rng.choice(branches)
        plan.append((m, to))
    return plan


BENCH_PHONE = "0531-86012345"


class Workflow:
    """One complete transfer at a time, as the people concerned: a clerk of the county requests
    it, the county's admin approves it out (the requester never approves), the city committee's
    admin approves it when it crosses counties, the receiving county's admin accepts it."""

    def __init__(self, dep, county_node, county_admin, plan):
        from tongchou.members.models import Member
        from tongchou.organizations.models import Organization

        self.dep = dep
        self.county_admin = county_admin
        self.clerk = _user("bench_clerk", Organization.objects.get(path=county_node.path))
        city = Organization.objects.get(path=_city_path(county_node))
        self.city_admin = _user("bench_city_admin", city)
        self.admins = {county_node.code: county_admin}
        for _, to in plan:
            county = dep.county_of[to.id]
            if county not in self.admins:
                org = Organization.objects.get(code=county)
                self.admins[county] = _user(f"bench_admin_{county}", org)
        self.orgs = Organization.objects.in_bulk([to.id for _, to in plan])
        self.members = Member.objects.in_bulk([m for m, _ in plan])
        self.upper = 0

    def __call__(self, m, to) -> None:
        from tongchou.transfers import services
        from tongchou.transfers.models import TransferState

        t = services.transfer_request(
            actor=self.clerk,
            member=self.members[m],
            kind="within",
            to_org=self.orgs[to.id],
            reason="工作调动",
        )
        t = services.transfer_approve_out(
            actor=self.county_admin,
            transfer=t,
            dues_paid_to=dt.date.today(),
            issuer_phone=BENCH_PHONE,
        )
        if t.state == TransferState.OUT_APPROVED:
            t = services.transfer_approve_upper(
                actor=self.city_admin, transfer=t, issuer_phone=BENCH_PHONE
            )
            self.upper += 1
        t = services.transfer_accept(actor=self.admins[self.dep.county_of[to.id]], transfer=t)
        if t.state != TransferState.COMPLETED:
            raise RuntimeError(f"transfer {t.pk} ended in {t.state}")


WARMUP = 20


def transfers(dep, rng, county_node, county_admin, away: set[int]) -> dict:
    """``TRANSFERS`` complete transfers one after the other (after ``WARMUP`` untimed)."""
    plan = transfer_plan(dep, rng, county_node, away, TRANSFERS + WARMUP)
    one = Workflow(dep, county_node, county_admin, plan)
    for m, to in plan[:WARMUP]:
        one(m, to)
    one.upper = 0
    start = time.perf_counter()
    for m, to in plan[WARMUP:]:
        one(m, to)
    elapsed = time.perf_counter() - start
    done = len(plan) - WARMUP
    result = {
        "transfers": done,
        "seconds": round(elapsed, 3),
        "per_s": round(done / elapsed, 1),
        "with_upper_approval": one.upper,
        "ms_each": round(elapsed * 1000 / done, 2),
    }
    log(
        f"{done:,} complete transfers one after the other ({one.upper} with upper approval) "
        f"in {elapsed:.2f} s = {result['per_s']} transfers/s"
    )
    return result


CLIENTS = 4


def transfers_concurrent(dep, rng, county_node, county_admin, away: set[int]) -> dict:
    """The same workload from ``CLIENTS`` processes at once (several offices at work; each
    process its own connection), ``TRANSFERS`` in all, timed from the common start to the
    last one done. On PostgreSQL concurrent commits share their WAL flushes."""
    import multiprocessing

    from django.db import connections

    plan = transfer_plan(dep, rng, county_node, away, TRANSFERS + WARMUP * CLIENTS)
    Workflow(dep, county_node, county_admin, plan)  # the users, made once beforehand
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(CLIENTS)
    queue = ctx.Queue()
    shares = [plan[i::CLIENTS] for i in range(CLIENTS)]

    def client(share):
        try:
            one = Workflow(dep, county_node, county_admin, share)
            for m, to in share[:WARMUP]:
                one(m, to)
            barrier.wait()
            start = time.time()
            for m, to in share[WARMUP:]:
                one(m, to)
            queue.put(("ok", start, time.time(), len(share) - WARMUP, one.upper))
        except Exception as exc:  # noqa: BLE001 - reported by the parent
            queue.put(("error", f"{type(exc).__name__}: {exc}", 0, 0, 0))
            with contextlib.suppress(Exception):
                barrier.abort()
        finally:
            connections.close_all()

    procs = [ctx.Process(target=client, args=(share,)) for share in shares]
    for proc in procs:
        proc.start()
    answers = [queue.get(timeout=1800) for _ in procs]
    for proc in procs:
        proc.join()
    errors = [a[1] for a in answers if a[0] != "ok"]
    if errors:
        raise RuntimeError(f"a client failed: {errors[0]}")
    start = min(a[1] for a in answers)
    end = max(a[2] for a in answers)
    done = sum(a[3] for a in answers)
    result = {
        "clients": CLIENTS,
        "transfers": done,
        "seconds": round(end - start, 3),
        "per_s": round(done / (end - start), 1),
        "with_upper_approval": sum(a[4] for a in answers),
    }
    log(
        f"{done:,} complete transfers from {CLIENTS} clients at once in {end - start:.2f} s "
        f"= {result['per_s']} transfers/s"
    )
    return result


# --------------------------------------------------------------------------------------------
# Measuring again on a database a run left behind


def remeasure(args) -> dict:
    """The figures of issue 3 again, without building anything: on the database of an earlier
    ``python -m bench`` run (``var/bench/bench.sqlite3``, or the PostgreSQL bench database),
    e.g. after a change to the report or the transfer services. Transfers take members not
    moved before."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from bench.plan import RegionRow, build_plan
    from bench.worker import allocate, measure
    from tongchou.members.models import Member
    from tongchou.mobility.models import MobileMember
    from tongchou.organizations.models import Organization
    from tongchou.orglife.models import Attendance
    from tongchou.regions.models import Region

    if not Attendance.objects.exists():
        raise SystemExit("no attendance in this database: run `python -m bench` first")
    regions = [
        RegionRow(r.code, r.name, r.level, r.parent_id, r.kind, r.urban_rural)
        for r in Region.objects.filter(code__startswith=args.scope[:2])
    ]
    plan = build_plan(regions, root_code=args.scope[:2], seed=args.seed)
    holders = plan.holders
    counts = allocate(holders, Member.objects.count())
    per_county: dict[str, int] = defaultdict(int)
    for holder, count in zip(holders, counts, strict=True):
        per_county[holder.county] += count
    county_org = Organization.objects.get(code=max(per_county, key=per_county.get))
    admin = get_user_model().objects.get(username="bench_admin")
    root = Organization.objects.get(parent=None)
    dep = _load_members(plan)
    away = set(
        MobileMember.objects.filter(status="open")
        .exclude(member=None)
        .values_list("member_id", flat=True)
    )
    result: dict = {"db": connection.vendor, "metrics": {}, "figures": {}}
    log(f"{connection.vendor}: measuring again on {connection.settings_dict['NAME']}")
    measure_all(
        result, dep=dep, rng=random.Random(args.seed * 1009 + 5), today=timezone.localdate(),
        admin=admin, root=root, county_org=county_org, away=away, measure=measure,
        repeat=args.repeat,
    )  # fmt: skip
    return result


def main() -> None:
    import argparse
    import json
    import os
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m bench.motion", description=remeasure.__doc__)
    parser.add_argument(
        "--database-url", required=True, help="e.g. sqlite:///var/bench/bench.sqlite3"
    )
    parser.add_argument("--scope", default="37")
    parser.add_argument("--seed", type=int, default=37)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    repo = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(repo))
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("CONN_MAX_AGE", "0")
    import django

    django.setup()
    result = remeasure(args)
    for key, value in result["figures"].items():
        print(f"{key}: {value}")
    out = repo / "bench" / "out" / f"motion-{result['db']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"report: {out.relative_to(repo)}")


if __name__ == "__main__":
    main()
