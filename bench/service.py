"""Issue 9 — serving the people: ``make bench ONLY=service`` (or ``python -m bench.service``).

Builds its own deployment (a province organization, counties, streets, villages with their
divisions), writes needs and need events in bulk with deadlines and routing computed by the
app's own code (``service.services.Router``, ``core.workdays.WorkCalendar``), then times:

* a county's overdue list (``selectors.county_overdue``, the first page) — target ≤ 100 ms;
* a street's figures by status, category and month, plus its row of the public figures
  (``selectors.street_by_month`` + ``selectors.street_figures``) — target ≤ 200 ms;
* an Open311 ``GET requests.json`` page (default 90-day window, filtered by service_code and
  status, through the test client: routing, query, rendering) — target ≤ 50 ms;
* routing + deadline computation of a batch of new needs — target ≥ 5,000 needs/s; the same
  batch written with ``bulk_create`` is printed beside it.

Sizes are scaled down by default (120,000 households, 200,000 needs, 800,000 events, a
50,000-need batch); ``--full`` asks for the issue's province sizes (3,000,000 households,
5,000,000 needs, 20,000,000 events, a batch of 100,000). The province is 10 counties of 10
streets of 30 villages (3,000 villages, 1,000 households each), so a county holds 500,000 needs
and a street 50,000 — more a unit than a real province of that size, which has more counties.

The needs are routed and deadlined by the app's code as the batch figure is, then written with
their events and the households by ``COPY`` (PostgreSQL) or ``executemany`` (SQLite) with ids
assigned here, since Django's ``bulk_create`` of 28 million rows would take hours. Each timed
read is run ``--repeat`` times; the median is reported. ``--reuse`` times again on the database
a run left (after a change to a selector), without generating.
"""

import argparse
import contextlib
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "var" / "bench"

TARGETS = {
    "county_overdue_ms": ("county overdue list, first page", 100, "ms", False),
    "street_figures_ms": ("a street's figures by status/category/month", 200, "ms", False),
    "open311_get_ms": ("Open311 GET requests page (90 days, filtered)", 50, "ms", False),
    "open311_page100_ms": ("  the same, page_size=100 (our extension)", None, "ms", False),
    "route_deadline_per_s": ("routing + deadlines of new needs", 5000, "needs/s", True),
    "route_deadline_insert_per_s": ("  the same, written with bulk_create", None, "needs/s", True),
}


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _tree(counties: int, streets: int, villages: int):
    from tongchou.core import tree
    from tongchou.organizations.models import Organization
    from tongchou.regions.models import Region, RegionLevel

    def regions(rows):
        Region.objects.bulk_create(rows, batch_size=5000)

    province = Region(code="99", name="测试省", level=RegionLevel.PROVINCE)
    regions([province])
    root = Organization.objects.create(
        code="R", name="省委", kind="committee", region=province, urban_rural="urban", path="tmp"
    )
    root.path = tree.child_path("", root.pk)
    root.save(update_fields=["path"])

    def level(parents, count, level_, kind, code_len):
        made_regions, made_orgs = [], []
        for parent_region, parent_org in parents:
            for i in range(count):
                code = f"{parent_region.code}{i + 1:0{code_len}d}"
                region = Region(code=code, name=f"区划{code}", level=level_, parent=parent_region)
                made_regions.append(region)
                made_orgs.append(
                    (
                        parent_org,
                        Organization(
                            code=f"O{code}",
                            name=f"组织{code}",
                            kind=kind,
                            region=region,
                            urban_rural="rural",
                            parent=parent_org,
                            path=f"t{code}",
                        ),
                    )
                )
        regions(made_regions)
        orgs = Organization.objects.bulk_create([o for _, o in made_orgs], batch_size=5000)
        for (parent, org), saved in zip(made_orgs, orgs, strict=True):
            org.pk = saved.pk
            org.path = tree.child_path(parent.path, org.pk)
            org.depth = tree.depth(org.path)
        Organization.objects.bulk_update(orgs, ["path", "depth"], batch_size=5000)
        return [(o.region, o) for o in orgs]

    county_rows = level([(province, root)], counties, RegionLevel.COUNTY, "committee", 2)
    street_rows = level(county_rows, streets, RegionLevel.TOWNSHIP, "working_committee", 3)
    village_rows = level(street_rows, villages, RegionLevel.VILLAGE, "branch", 3)
    return root, county_rows, street_rows, village_rows


def _units(county_rows):
    from tongchou.service.models import AllianceUnit, NeedCategory, RoutingRule

    categories = list(NeedCategory.objects.all())
    for region, county in county_rows:
        for kind in ("department", "hospital", "legal_aid"):
            unit = AllianceUnit.objects.create(
                name=f"{county.name}{kind}", kind=kind, organization=county, org_path=county.path
            )
            for category in categories[hash(kind) % 3 :: 3]:
                RoutingRule.objects.create(category=category, region=region, unit=unit)
    return categories


def _make_needs(n, rng, villages, categories, calendar, router, today, start_pk=0):
    """``n`` unsaved needs, routed and deadlined (the timed part of the batch figure)."""
    from tongchou.service.models import Need
    from tongchou.service.services import set_deadlines

    needs = []
    for i in range(n):
        village, street_path, county_path = villages[rng.randrange(len(villages))]
        category = categories[rng.randrange(len(categories))]
        submitted = dt.datetime.combine(
            today - dt.timedelta(days=rng.randrange(365)), dt.time(2, rng.randrange(60))
        ).replace(tzinfo=dt.UTC)
        need = Need(
            tracking_code=f"B{start_pk + i:011d}",
            token=f"{start_pk + i:032x}",
            category_id=category.pk,
            organization_id=village.pk,
            org_path=village.path,
            street_path=street_path,
            county_path=county_path,
            region_code=village.region_id,
            intake="staff",
            summary="bench",
            ack_days=category.ack_days,
            resolve_days=category.resolve_days,
            clock_start=submitted.date(),
            submitted_at=submitted,
        )
        set_deadlines(need, calendar)
        rule = router.route(category.pk, need.region_code)
        if rule is not None:
            need.unit_id, need.rule_id = rule.unit_id, rule.pk
        needs.append(need)
    return needs


def _states(needs, rng, today):
    for need in needs:
        roll = rng.random()
        if roll < 0.75:
            need.state = rng.choice(["resolved", "confirmed", "closed"])
            need.resolved_at = need.submitted_at + dt.timedelta(days=rng.randrange(1, 20))
            need.on_time = need.resolved_at.date() <= need.resolve_due
            need.rating = rng.randint(1, 5) if need.state != "resolved" else None
        else:
            need.state = rng.choice(["submitted", "accepted", "in_progress"])


# Events a need in a state has had, four on average over the generated mix (the issue's
# 20,000,000 for 5,000,000 needs): the first is at submission, the rest a day apart.
EVENT_PATHS = {
    "submitted": [("submitted", "", "submitted"), ("routed", "submitted", "submitted")],
    "accepted": [
        ("submitted", "", "submitted"),
        ("routed", "submitted", "submitted"),
        ("accepted", "submitted", "accepted"),
    ],
    "in_progress": [
        ("submitted", "", "submitted"),
        ("routed", "submitted", "submitted"),
        ("accepted", "submitted", "accepted"),
        ("started", "accepted", "in_progress"),
    ],
    "resolved": [
        ("submitted", "", "submitted"),
        ("accepted", "submitted", "accepted"),
        ("resolved", "accepted", "resolved"),
    ],
    "confirmed": [
        ("submitted", "", "submitted"),
        ("accepted", "submitted", "accepted"),
        ("resolved", "accepted", "resolved"),
        ("confirmed", "resolved", "confirmed"),
    ],
    "closed": [
        ("submitted", "", "submitted"),
        ("routed", "submitted", "submitted"),
        ("accepted", "submitted", "accepted"),
        ("started", "accepted", "in_progress"),
        ("resolved", "in_progress", "resolved"),
        ("closed", "resolved", "closed"),
    ],
}


class Loader:
    """Rows written straight to one table: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.

    Every concrete column is written. Those a row does not give take the field's default,
    prepared once; the given ones are prepared by the field only where the driver needs it
    (dates, times, JSON), so a row costs a tuple, not a model instance."""

    def __init__(self, model, given: list[str]):
        from django.db import connection
        from django.utils import timezone

        self.connection = connection
        self.table = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields]
        self.columns = [f.column for f in fields]
        self.slots = [self.columns.index(model._meta.get_field(name).column) for name in given]
        now = timezone.now()
        template = []
        for field in fields:
            default = (
                now
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
                else field.get_default()
            )
            template.append(field.get_db_prep_save(default, connection))
        self.template = template
        self.prepare = [self._preparer(model._meta.get_field(name)) for name in given]

    def _preparer(self, field):
        kind = field.get_internal_type()
        if self.connection.vendor == "postgresql":
            # psycopg adapts dates, times and numbers itself; JSON needs its wrapper
            return (
                (lambda v: field.get_db_prep_save(v, self.connection))
                if kind == "JSONField"
                else None
            )
        if kind == "DateTimeField":  # the text Django's SQLite backend writes, in UTC
            return lambda v: v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        if kind == "DateField":
            return dt.date.isoformat
        if kind in ("JSONField", "DecimalField"):
            return lambda v: field.get_db_prep_save(v, self.connection)
        return None

    def write(self, rows) -> int:
        """Write an iterable of tuples in the order of ``given``; the number written."""
        slots, prepare, template = self.slots, self.prepare, self.template
        pairs = list(zip(slots, prepare, strict=True))

        def full(row):
            out = list(template)
            for (slot, prep), value in zip(pairs, row, strict=True):
                out[slot] = value if prep is None or value is None else prep(value)
            return out

        columns = ", ".join(f'"{c}"' for c in self.columns)
        count = 0
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(full(row))
                        count += 1
            else:
                marks = ", ".join("?" * len(self.columns))
                sql = f'INSERT INTO "{self.table}" ({columns}) VALUES ({marks})'
                batch = []
                for row in rows:
                    batch.append(full(row))
                    if len(batch) == 20_000:
                        cursor.cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                cursor.cursor.executemany(sql, batch)
                count += len(batch)
        return count


@contextlib.contextmanager
def _indexes_built_after(*models):
    """Drop the plain indexes of ``models`` for the load and build them again after it: one
    sort an index is far cheaper than 5,000,000 random inserts into each. Indexes behind a
    constraint (primary key, unique) stay."""
    from django.db import connection

    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND "
                "indexname NOT IN (SELECT conname FROM pg_constraint)",
                [tables],
            )
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks})",
                tables,
            )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)


NEED_COLUMNS = [
    "id", "tracking_code", "token", "category_id", "organization_id", "org_path", "street_path",
    "county_path", "region_code", "intake", "summary", "ack_days", "resolve_days", "clock_start",
    "ack_due", "resolve_due", "unit_id", "rule_id", "state", "submitted_at", "resolved_at",
    "on_time", "rating", "updated_at",
]  # fmt: skip


def _need_row(need) -> tuple:
    return (
        need.pk, need.tracking_code, need.token, need.category_id, need.organization_id,
        need.org_path, need.street_path, need.county_path, need.region_code, need.intake,
        need.summary, need.ack_days, need.resolve_days, need.clock_start, need.ack_due,
        need.resolve_due, need.unit_id, need.rule_id, need.state, need.submitted_at,
        need.resolved_at, need.on_time, need.rating, need.resolved_at or need.submitted_at,
    )  # fmt: skip


def _event_rows(needs, start_id: int):
    event_id = start_id
    for need in needs:
        at = need.submitted_at
        for kind, from_state, to_state in EVENT_PATHS[need.state]:
            event_id += 1
            yield (event_id, need.pk, kind, at, from_state, to_state)
            at += dt.timedelta(days=1)


def _household_rows(village_rows, per_village: int, rng, today):
    from tongchou.service.models import SituationTag

    tags = [value for value, _ in SituationTag.choices]
    household_id = 0
    for _, village in village_rows:
        for number in range(1, per_village + 1):
            household_id += 1
            visited = today - dt.timedelta(days=rng.randrange(400))
            yield (
                household_id, f"{village.name}{number}号", village.pk, village.path,
                f"户主{number}", rng.sample(tags, rng.randrange(3)), True, visited, visited,
            )  # fmt: skip


HOUSEHOLD_COLUMNS = [
    "id", "address", "organization_id", "org_path", "head_name", "tags", "consent",
    "consent_on", "last_visited_on",
]  # fmt: skip


def _generate(rng, today, *, needs: int, households: int, tree, categories) -> tuple[int, int]:
    """Households, needs and their events; returns (needs, events) written."""
    from django.core.management.color import no_style
    from django.db import connection

    from tongchou.core.workdays import load_calendar
    from tongchou.service.models import Household, Need, NeedEvent
    from tongchou.service.services import Router

    root, county_rows, street_rows, village_rows, villages = tree
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # the indexes stay in memory while they grow
            cursor.execute("PRAGMA cache_size = -4000000")
            cursor.execute("PRAGMA synchronous = OFF")
    with _indexes_built_after(Household, Need, NeedEvent):
        Loader(Household, HOUSEHOLD_COLUMNS).write(
            _household_rows(village_rows, households // len(village_rows), rng, today)
        )
        calendar, router = load_calendar(), Router()
        need_loader = Loader(Need, NEED_COLUMNS)
        event_loader = Loader(NeedEvent, ["id", "need_id", "kind", "at", "from_state", "to_state"])
        written = events = 0
        while written < needs:
            chunk = _make_needs(
                min(100_000, needs - written), rng, villages, categories, calendar, router, today,
                start_pk=written,
            )  # fmt: skip
            _states(chunk, rng, today)
            for offset, need in enumerate(chunk, start=written + 1):
                need.pk = offset
            need_loader.write(_need_row(n) for n in chunk)
            events += event_loader.write(_event_rows(chunk, events))
            written += len(chunk)
            print(f"   … {written:,} needs, {events:,} events", flush=True)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Household, Need, NeedEvent]):
            cursor.execute(sql)
    return written, events


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # the visibility map, for index-only scans
        else:
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("ANALYZE")


def _tree_from_db():
    """The tree a run left, as ``_tree`` returns it (for ``--reuse``)."""
    from tongchou.organizations.models import Organization

    by_depth: dict[int, list] = {}
    for org in Organization.objects.select_related("region").order_by("pk"):
        by_depth.setdefault(org.depth, []).append((org.region, org))
    depths = sorted(by_depth)
    root = by_depth[depths[0]][0][1]
    return root, by_depth[depths[1]], by_depth[depths[2]], by_depth[depths[3]]


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def run(url: str, *, needs: int, households: int, batch: int, repeat: int, seed: int,
        reuse: bool = False):  # fmt: skip
    _setup(url)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from tongchou.core.workdays import load_calendar
    from tongchou.service import selectors
    from tongchou.service.models import Need, NeedCategory, NeedEvent
    from tongchou.service.services import Router

    rng = random.Random(seed)
    today = timezone.localdate()
    t0 = time.perf_counter()
    if reuse:
        root, county_rows, street_rows, village_rows = _tree_from_db()
        categories = list(NeedCategory.objects.all())
    else:
        root, county_rows, street_rows, village_rows = _tree(10, 10, 30)
        categories = _units(county_rows)
    street_of = {o.pk: o for _, o in street_rows}
    county_of = {o.pk: o for _, o in county_rows}
    villages = []
    for _, village in village_rows:
        street = street_of[village.parent_id]
        villages.append((village, street.path, county_of[street.parent_id].path))
    if not reuse:
        tree = (root, county_rows, street_rows, village_rows, villages)
        _generate(rng, today, needs=needs, households=households, tree=tree, categories=categories)
        _analyze()
    from tongchou.service.models import Household

    print(
        f"   {'reused' if reuse else 'generated'} {Household.objects.count():,} households, "
        f"{Need.objects.count():,} needs, {NeedEvent.objects.count():,} events "
        f"in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )

    county = county_rows[0][1]
    street = street_rows[0][1]
    figures = {}
    figures["county_overdue_ms"] = _time(
        lambda: selectors.county_overdue(county.path, today), repeat
    )

    def street_figures():
        selectors.street_by_month(street.path, year=today.year)
        selectors.street_figures([street.path], today=today)

    figures["street_figures_ms"] = _time(street_figures, repeat)
    client = Client(HTTP_HOST="127.0.0.1")
    url311 = "/open311/v2/requests.json?service_code=employment&status=open"
    assert client.get(url311).status_code == 200
    figures["open311_get_ms"] = _time(lambda: client.get(url311), repeat)
    shown = len(client.get(url311).json())
    paged = url311 + "&page_size=100"
    assert len(client.get(paged).json()) == min(100, shown)
    figures["open311_page100_ms"] = _time(lambda: client.get(paged), repeat)

    t = time.perf_counter()
    _make_needs(batch, rng, villages, categories, load_calendar(), Router(), today, 10**9)
    figures["route_deadline_per_s"] = batch / (time.perf_counter() - t)
    last = Need.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    t = time.perf_counter()
    fresh = _make_needs(
        batch, rng, villages, categories, load_calendar(), Router(), today, 2 * 10**9
    )
    Need.objects.bulk_create(fresh, batch_size=5000)
    figures["route_deadline_insert_per_s"] = batch / (time.perf_counter() - t)
    with connection.cursor() as cursor:  # the database stays as generated, for --reuse
        cursor.execute(f'DELETE FROM "{Need._meta.db_table}" WHERE id > %s', [last])
        if connection.vendor == "postgresql":  # its pages visible again: index-only reads
            cursor.execute(f'VACUUM ANALYZE "{Need._meta.db_table}"')
    print(f"   Open311 page: {shown} requests")
    return figures


def verdict(key: str, value: float) -> str:
    label, target, unit, higher = TARGETS[key]
    if target is None:
        return ""
    ok = value >= target if higher else value <= target
    return "PASS" if ok else "MISS"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.service")
    parser.add_argument("--full", action="store_true", help="the issue's province sizes")
    parser.add_argument("--needs", type=int)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--database-url", default="", help="one database to fill (instead of --db)")
    parser.add_argument(
        "--db",
        default="sqlite",
        help="sqlite, postgresql or both (make bench DB=…): a fresh SQLite file under "
        "var/bench/, and/or a fresh PostgreSQL database named by BENCH_SERVICE_DATABASE_URL "
        "(default postgres://postgres@127.0.0.1:5432/tongchou_bench_service)",
    )
    parser.add_argument("--quick", action="store_true", help="20,000 needs, a 5,000 batch")
    parser.add_argument(
        "--reuse", action="store_true", help="time again on the database a run left, no generation"
    )
    args = parser.parse_args(argv)
    args.full = args.full or bool(os.environ.get("FULL"))  # make bench ONLY=service FULL=1
    args.reuse = args.reuse or bool(os.environ.get("REUSE"))  # … REUSE=1: time again, no build
    needs = args.needs or (5_000_000 if args.full else 20_000 if args.quick else 200_000)
    households = needs * 3 // 5  # the 3,000,000 for 5,000,000 needs
    batch = 100_000 if args.full else 5_000 if args.quick else 50_000
    urls = [args.database_url] if args.database_url else []
    for db in [] if urls else [d.strip() for d in args.db.split(",") if d.strip()]:
        if db == "sqlite":
            WORK.mkdir(parents=True, exist_ok=True)
            path = WORK / "service.sqlite3"
            for suffix in [] if args.reuse else ["", "-wal", "-shm"]:
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            urls.append(f"sqlite:///{path}")
        elif db in ("postgresql", "postgres", "pg"):
            from bench.__main__ import pg_available, pg_fresh

            url = os.environ.get(
                "BENCH_SERVICE_DATABASE_URL",
                "postgres://postgres@127.0.0.1:5432/tongchou_bench_service",
            )
            problem = pg_available(url)
            if problem:
                print(f"-- skipping PostgreSQL: not reachable at {url}: {problem}")
                continue
            if not args.reuse:
                pg_fresh(url)
            urls.append(url)
        else:
            raise SystemExit(f"unknown database {db!r}")
    if len(urls) > 1:  # Django is set up once a process: one process a database
        import subprocess

        for url in urls:
            command = [sys.executable, "-m", "bench.service", "--database-url", url]
            command += ["--needs", str(needs), "--repeat", str(args.repeat)]
            command += ["--seed", str(args.seed)] + (["--full"] if args.full else [])
            command += ["--quick"] if args.quick else []
            command += ["--reuse"] if args.reuse else []
            subprocess.run(command, check=False, cwd=REPO)
        return
    for url in urls:
        print(
            f"Service bench (issue 9): {households:,} households, {needs:,} needs, 4 events "
            f"each, {url.split('://')[0]}",
            flush=True,
        )
        figures = run(url, needs=needs, households=households, batch=batch, repeat=args.repeat,
                      seed=args.seed, reuse=args.reuse)  # fmt: skip
        for key, value in figures.items():
            label, target, unit, higher = TARGETS[key]
            goal = "" if target is None else f"{'≥' if higher else '≤'} {target:,} {unit}"
            print(f"  {label:<52} {value:>10,.1f} {unit:<8} {goal:<18} {verdict(key, value)}")


if __name__ == "__main__":
    main()
