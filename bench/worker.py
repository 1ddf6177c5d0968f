"""One benchmark run on one database, in its own process (settings are per process).

``python -m bench`` starts this with ``DATABASE_URL`` pointing at a fresh database; it migrates,
imports the real divisions, writes the generated organization network in bulk, imports the
members from a generated CSV through ``tongchou.members.importing`` (the path the page, the API
and ``import_members`` use), loads the same rows raw into a copy of the member table, and times
the reads behind the pages. The result goes to ``--out`` as JSON.
"""

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import django

REPO = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"  {message}", flush=True)


class Timer:
    def __init__(self):
        self.steps: dict[str, float] = {}

    def __call__(self, name: str):
        timer = self

        class _Step:
            def __enter__(self):
                self.start = time.perf_counter()
                return self

            def __exit__(self, *exc):
                timer.steps[name] = round(time.perf_counter() - self.start, 3)

        return _Step()


class CpuClock:
    """CPU seconds spent from now on by this process, its reaped children (the import's
    workers) and, on PostgreSQL on this machine, the server process of this connection."""

    def __init__(self):
        self.start = (time.process_time(), self._children(), self._server())

    @staticmethod
    def _children() -> float:
        times = os.times()
        return times.children_user + times.children_system

    @staticmethod
    def _server() -> float:
        from django.db import connection

        if connection.vendor != "postgresql":
            return 0.0
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a server elsewhere
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def seconds(self) -> dict:
        now = (time.process_time(), self._children(), self._server())
        names = ("this_process", "worker_processes", "database_server")
        return {n: round(b - a, 2) for n, a, b in zip(names, self.start, now, strict=True)}


def measure(fn, repeat: int, warmup: int = 2) -> dict:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "min_ms": round(times[0], 2),
        "p90_ms": round(times[min(len(times) - 1, int(len(times) * 0.9))], 2),
        "runs": repeat,
    }


# --------------------------------------------------------------------------------------------
# Building the deployment


def build_organizations(plan) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    from tongchou.core import tree
    from tongchou.organizations.models import Organization

    batch = []
    for node in plan.nodes:
        batch.append(
            Organization(
                id=node.id,
                code=node.code,
                name=node.name,
                kind=node.kind,
                region_id=node.region,
                urban_rural=node.urban_rural,
                parent_id=node.parent,
                path=node.path,
                depth=tree.depth(node.path),
            )
        )
        if len(batch) == 5000:
            Organization.objects.bulk_create(batch)
            batch = []
    Organization.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Organization]):
            cursor.execute(sql)


def allocate(holders, members: int) -> list[int]:
    """Members per holding branch, proportional to its weight, summing to ``members``."""
    total = sum(h.weight for h in holders)
    counts = [int(h.weight * members / total) for h in holders]
    remainder = members - sum(counts)
    order = sorted(range(len(holders)), key=lambda i: -holders[i].weight)
    for i in order[:remainder]:
        counts[i] += 1
    return counts


def write_csv(path: Path, holders, counts: list[int], seed: int) -> None:
    """The members as an office would send them: Chinese headers and labels, UTF-8."""
    from django.utils import translation

    from tongchou.demo.people import PersonGenerator
    from tongchou.members.choices import Category, Education, Ethnicity, Gender, MemberStatus
    from tongchou.members.importing import COLUMNS

    with translation.override("zh-hans"):
        labels = {
            "gender": {v: str(label) for v, label in Gender.choices},
            "ethnicity": {v: str(label) for v, label in Ethnicity.choices},
            "education": {v: str(label) for v, label in Education.choices},
            "category": {v: str(label) for v, label in Category.choices},
            "status": {v: str(label) for v, label in MemberStatus.choices},
        }
    keys = [k for k, _ in COLUMNS]
    people = PersonGenerator(seed, hui_share=0.006)
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for _, header in COLUMNS])
        for holder, count in zip(holders, counts, strict=True):
            for _ in range(count):
                person = people.person(
                    county_code=holder.county or holder.region[:6],
                    urban_rural=holder.urban_rural,
                    org_code=holder.code,
                    home_region_code=holder.region,
                )
                for key, mapping in labels.items():
                    person[key] = mapping[person[key]]
                row = []
                for key in keys:
                    value = person.get(key)  # (no 所在党组织 name: codes are given)
                    row.append(
                        ""
                        if value is None
                        else value.isoformat()
                        if isinstance(value, dt.date)
                        else value
                    )
                writer.writerow(row)
    tmp.rename(path)


def raw_load(members: int) -> dict:
    """The same rows, already validated and encrypted, written straight into a copy of the
    member table: SQLite ``executemany`` in the importer's batches of 10,000, PostgreSQL one
    ``COPY``. Twice: into a copy with the member table's constraints and indexes (the same work
    the database does for the import: the figure the import is compared with), and into a bare
    table with no index at all (the ceiling of the load itself). Only the writes are timed."""
    from django.db import connection

    from tongchou.members.importing import _WRITE_COLUMNS
    from tongchou.members.models import Member

    meta = Member._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(f).column for f in _WRITE_COLUMNS]
    column_sql = ", ".join(quote(c) for c in columns)
    table = meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {column_sql} FROM {table} ORDER BY id")
            rows = cursor.fetchall()
        else:
            # A plain connection returns the values exactly as stored (text dates), which is
            # what the importer hands to executemany.
            plain = sqlite3.connect(connection.settings_dict["NAME"])
            rows = plain.execute(f"SELECT {column_sql} FROM {table} ORDER BY id").fetchall()
            plain.close()
    assert len(rows) == members, (len(rows), members)
    result = {}
    for variant in ("table", "bare"):
        target = f"bench_member_{variant}"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {target}")
            _create_copy(cursor, table, target, with_indexes=variant == "table")
        elapsed = _load(rows, target, columns)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {target}")
        result[variant] = {"seconds": round(elapsed, 3), "rows_per_s": round(members / elapsed)}
    del rows
    return result


def _create_copy(cursor, table: str, target: str, *, with_indexes: bool) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        if with_indexes:
            cursor.execute(f"CREATE TABLE {target} (LIKE {table} INCLUDING ALL)")
        else:
            cursor.execute(
                f"CREATE TABLE {target} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)"
            )
        return
    if not with_indexes:
        cursor.execute(f"CREATE TABLE {target} AS SELECT * FROM {table} WHERE 0")
        return
    cursor.execute(
        # Tables and indexes only: the member table's triggers keep organization counters,
        # which a copy must not touch (PostgreSQL's LIKE … INCLUDING ALL copies no triggers).
        "SELECT name, sql FROM sqlite_master "
        "WHERE tbl_name = %s AND sql IS NOT NULL AND type IN ('table', 'index')",
        [table],
    )
    ddl = cursor.fetchall()
    for name, sql in sorted(ddl, key=lambda d: not d[1].startswith("CREATE TABLE")):
        sql = sql.replace(f'"{table}"', f'"{target}"')
        if not sql.startswith("CREATE TABLE"):
            sql = sql.replace(f'"{name}"', f'"{name}_{target}"', 1)
        cursor.execute(sql)


def _load(rows: list[tuple], target: str, columns: list[str]) -> float:
    from django.db import connection, transaction

    column_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {target} ({column_sql}) FROM STDIN") as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {target} ({column_sql}) VALUES ({placeholders})"
            for i in range(0, len(rows), 10_000):
                cursor.executemany(sql, rows[i : i + 10_000])
    return time.perf_counter() - start


def analyze() -> None:
    """Planner statistics after the bulk load, as a maintained database has them: SQLite
    ``ANALYZE``; PostgreSQL ``VACUUM ANALYZE`` (what autovacuum does shortly after a big load;
    the vacuum also sets the visibility map that lets counts be index-only scans)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# --------------------------------------------------------------------------------------------
# Reads


def page(client, url: str, repeat: int) -> dict:
    from django.urls import Resolver404, resolve

    path = url.split("?", 1)[0]
    try:
        resolve(path)
    except Resolver404:
        return {"url": url, "missing": True}
    response = client.get(url)
    if response.status_code != 200:
        return {"url": url, "status": response.status_code, "missing": response.status_code == 404}
    result = measure(lambda: client.get(url), repeat)
    result.update(url=url, status=200, bytes=len(response.content))
    return result


def county_members(holders, counts) -> dict[str, int]:
    members: dict[str, int] = {}
    for holder, count in zip(holders, counts, strict=True):
        members[holder.county] = members.get(holder.county, 0) + count
    return members


def largest_county(holders, counts):
    """The county with the most members (the reads and the motion part measure it)."""
    from tongchou.organizations.models import Organization

    members = county_members(holders, counts)
    return Organization.objects.get(code=max(members, key=members.get))


def measure_reads(*, admin, province_admin, root, plan, holders, counts, repeat) -> dict:
    """The reads behind the pages, timed (medians after warm-up)."""
    from django.test import Client

    from tongchou.core import tree
    from tongchou.members.filters import MemberFilter
    from tongchou.members.selectors import member_list_for, member_total_for
    from tongchou.organizations.models import Organization
    from tongchou.organizations.selectors import children_with_counts

    cities = [n for n in plan.nodes if n.level == "city"]
    subtree_sizes = {c.id: sum(1 for n in plan.nodes if n.path.startswith(c.path)) for c in cities}
    city = min(cities, key=lambda c: abs(subtree_sizes[c.id] - 5000))
    city_org = Organization.objects.get(pk=city.id)
    members_per_county = county_members(holders, counts)
    county_code = max(members_per_county, key=members_per_county.get)
    county_org = Organization.objects.get(code=county_code)
    metrics: dict = {}

    # The product answers "how many members under X" from the organizations' trigger-kept
    # counters (member_total_for); counting the member rows is measured beside it, and the two
    # must agree — a check of the counters at scale.
    city_q = tree.subtree_q(city_org.path, "org_path")
    city_count = member_list_for(admin).filter(city_q).count()
    counted = member_total_for(admin, within=city_org)
    if counted != city_count:
        raise SystemExit(f"member counters disagree: {counted} ≠ {city_count} rows")
    metrics["city_count"] = measure(lambda: member_total_for(admin, within=city_org), repeat * 2)
    metrics["city_count"].update(
        organization=city_org.name, organizations=subtree_sizes[city.id], members=city_count
    )
    metrics["city_count_rows"] = measure(
        lambda: member_list_for(admin).filter(city_q).count(), repeat * 2
    )
    log(
        f"city count ({city_org.name}, {subtree_sizes[city.id]:,} orgs, {city_count:,} members): "
        f"{metrics['city_count']['median_ms']} ms from counters, "
        f"{metrics['city_count_rows']['median_ms']} ms counting rows"
    )

    rows_at_root = children_with_counts(admin, root)
    metrics["root_children_counts"] = measure(lambda: children_with_counts(admin, root), repeat)
    metrics["root_children_counts"].update(children=len(rows_at_root), organization=root.name)
    log(
        f"children_with_counts at {root.name} ({len(rows_at_root)} children): "
        f"{metrics['root_children_counts']['median_ms']} ms"
    )

    def first_page():
        qs = MemberFilter(
            data={"org": str(county_org.pk), "ordering": "name"}, queryset=member_list_for(admin)
        ).qs
        return list(qs[:50])

    assert len(first_page()) == 50
    metrics["county_first_page"] = measure(first_page, repeat)
    metrics["county_first_page"].update(
        organization=county_org.name, members=members_per_county[county_code]
    )
    log(
        f"first page of {county_org.name} ({members_per_county[county_code]:,} members) by name: "
        f"{metrics['county_first_page']['median_ms']} ms"
    )

    client = Client()
    client.force_login(province_admin)
    page_repeat = max(5, repeat // 2)
    metrics["tree_page"] = page(client, "/orgs/", page_repeat)
    metrics["tree_expand_root"] = page(client, f"/orgs/{root.pk}/children/", page_repeat)
    metrics["org_detail_page"] = page(client, f"/orgs/{root.pk}/", page_repeat)
    metrics["member_page"] = page(client, "/members/", page_repeat)
    metrics["member_page_county"] = page(
        client, f"/members/?org={county_org.pk}&ordering=name", page_repeat
    )
    for key in (
        "tree_page",
        "tree_expand_root",
        "org_detail_page",
        "member_page",
        "member_page_county",
    ):
        m = metrics[key]
        state = "missing" if m.get("missing") else m.get("median_ms", f"status {m.get('status')}")
        log(f"page {m['url']}: {state}")

    return metrics


PARTS = ("import", "reads", "motion")


def run(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from bench.plan import RegionRow, build_plan
    from tongchou.members.importing import members_import, parallel, read_rows
    from tongchou.organizations.models import Organization, Role, RoleKind
    from tongchou.regions.models import Region
    from tongchou.regions.services import regions_import

    # The members are always imported (every part reads them); "import" adds the raw loads
    # the import is compared with; "reads" and "motion" are the measurements after it.
    parts = set(args.only.split(",")) if args.only else set(PARTS)
    timer = Timer()
    result: dict = {"db": connection.vendor, "scope": args.scope, "members_target": args.members}
    with timer("migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        result["server_version"] = cursor.fetchone()[0]
    log(f"{connection.vendor} {result['server_version']}: migrated ({timer.steps['migrate']} s)")

    with timer("regions_import"):
        regions_import(directory=Path(args.divisions), within=args.scope)
    rows = [
        RegionRow(r.code, r.name, r.level, r.parent_id, r.kind, r.urban_rural)
        for r in Region.objects.filter(code__startswith=args.scope[:2])
    ]
    log(f"regions: {len(rows):,} imported ({timer.steps['regions_import']} s)")

    with timer("plan"):
        plan = build_plan(rows, root_code=args.scope[:2], seed=args.seed)
    with timer("organizations_bulk"):
        build_organizations(plan)
    org_total = Organization.objects.count()
    log(f"organizations: {org_total:,} written ({timer.steps['organizations_bulk']} s)")

    User = get_user_model()
    admin = User.objects.create(username="bench_admin", is_superuser=True, is_staff=True)
    root = Organization.objects.get(parent=None)
    province_admin = User.objects.create(username="province_admin")
    Role.objects.create(user=province_admin, organization=root, kind=RoleKind.ADMIN)

    holders = plan.holders
    counts = allocate(holders, args.members)
    digest = hashlib.sha1("".join(h.code for h in holders).encode()).hexdigest()[:10]
    # v2: the template's columns of issue 7 (所在党组织 by name), everyone 正常
    name = f"members-v2-{args.scope}-{args.members}-{args.seed}-{digest}.csv"
    csv_path = Path(args.work) / name
    if not csv_path.exists():
        log(f"generating {args.members:,} members into {csv_path.name} (once, cached)…")
        with timer("csv_generate"):
            write_csv(csv_path, holders, counts, args.seed)
        log(f"  generated ({timer.steps['csv_generate']} s)")
    result["csv"] = {"file": str(csv_path), "bytes": csv_path.stat().st_size}

    log(f"importing {args.members:,} members through tongchou.members.importing…")
    phases: dict[str, float] = {}
    load_before = os.getloadavg()[0]
    cpu = CpuClock()
    start = time.perf_counter()
    with csv_path.open("rb") as handle:
        reader = read_rows(handle, csv_path.name)
        result["import_processes"] = (
            "every core" if parallel.worth_it(reader) else "one (see importing.parallel)"
        )
        log(f"  checked by {result['import_processes']} process(es)")
        outcome = members_import(
            actor=admin,
            rows=reader,
            phase=lambda name: phases.setdefault(name, time.perf_counter() - start),
        )
    elapsed = time.perf_counter() - start
    cpu_seconds = cpu.seconds()
    if outcome.errors:
        sample = [f"row {e.row} {e.column}: {e.message}" for e in outcome.errors[:5]]
        raise SystemExit(
            f"import refused the generated file: {len(outcome.errors)} errors {sample}"
        )
    result["import"] = {
        "rows": outcome.created,
        "seconds": round(elapsed, 3),
        "rows_per_s": round(outcome.created / elapsed),
        "phases_started_at_s": {k: round(v, 3) for k, v in phases.items()},
        # CPU seconds of this process, its worker processes and the database server process
        # (PostgreSQL on this machine): what the import costs whatever else the cores do.
        "cpu_seconds": cpu_seconds,
        "cpu_us_per_row": round(sum(cpu_seconds.values()) * 1e6 / max(outcome.created, 1), 1),
        "load_average_before": round(load_before, 2),
    }
    log(
        f"  imported {outcome.created:,} in {elapsed:.1f} s"
        f" = {outcome.created / elapsed:,.0f} rows/s; CPU {cpu_seconds}"
        f" ({result['import']['cpu_us_per_row']} µs a row), load average {load_before:.1f}"
    )

    if "import" in parts:
        log("raw load of the same rows into a copy of the member table…")
        result["raw"] = raw_load(outcome.created)
        for variant, raw in result["raw"].items():
            log(f"  raw into the {variant} copy: {raw['seconds']} s = {raw['rows_per_s']:,} rows/s")
    if parts & {"reads", "motion"}:
        with timer("analyze"):
            analyze()

    repeat = args.repeat
    county_org = largest_county(holders, counts)
    if "reads" in parts:
        result["metrics"] = measure_reads(
            admin=admin,
            province_admin=province_admin,
            root=root,
            plan=plan,
            holders=holders,
            counts=counts,
            repeat=repeat,
        )

    # ---- issue 3, members in motion: after the foundation figures, on the same deployment ----
    if "motion" in parts:
        from bench import motion

        result["motion"] = motion.run(
            plan=plan,
            admin=admin,
            root=root,
            county_org=county_org,
            args=args,
            measure=measure,
            repeat=repeat,
        )
    cities = [n for n in plan.nodes if n.level == "city"]
    result["counts"] = {
        "regions": len(rows),
        "villages": sum(1 for r in rows if r.level == 5),
        "organizations": org_total,
        "members": outcome.created,
        "cities": len(cities),
        "counties": sum(1 for n in plan.nodes if n.level == "county"),
    }
    result["setup_seconds"] = timer.steps
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--divisions", required=True)
    parser.add_argument("--scope", required=True)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--seed", type=int, default=37)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--work", required=True)
    parser.add_argument("--spells", type=int, default=0, help="open mobile-member spells")
    parser.add_argument("--attendance", type=int, default=0, help="attendance rows")
    parser.add_argument("--only", default="", help=f"comma-separated parts of {PARTS}")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    result = run(args)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
