"""Writing: every row in one statement stream (PostgreSQL binary COPY, SQLite
``executemany``) inside the import's transaction, and one audit event for the import."""

from __future__ import annotations

import contextlib

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit, tree
from tongchou.core.models import AuditAction
from tongchou.members.importing.validating import _NAME, _ORG, PROGRESS_EVERY, _chunks
from tongchou.members.models import Member
from tongchou.organizations.models import Organization


def _org_rows(records: list[tuple]) -> dict[str, tuple[int, str]]:
    """code → (id, path), read inside the write transaction."""
    codes = sorted({r[_ORG] for r in records})
    orgs: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(codes):
        for code, pk, path in Organization.objects.filter(code__in=chunk).values_list(
            "code", "pk", "path"
        ):
            orgs[code] = (pk, path)
    return orgs


# Columns written by the import (bench/worker.py reads this list too), and their PostgreSQL
# types for binary COPY, which spares both Python and the server the text formatting and
# parsing (about four times faster than text COPY on the reference machine).
_WRITE_COLUMNS = [
    "created_at",
    "updated_at",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number_enc",
    "id_number_hash",
    "phone_enc",
    "education",
    "occupation",
    "category",
    "admission_date",
    "full_member_date",
    "organization",
    "org_path",
    "status",
    "home_region",
    "archived",
]
_PG_TYPES = {
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
    "birth_date": "date",
    "admission_date": "date",
    "full_member_date": "date",
    "organization": "int8",
    "archived": "bool",
}


@contextlib.contextmanager
def _large_write_cache(cursor):
    """SQLite keeps 2 MB of pages by default: a million random inserts into the ID-hash index
    would go to disk for nearly every row. Give this one write a large page cache."""
    if connection.vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA cache_size")
    (previous,) = cursor.fetchone()
    cursor.execute(f"PRAGMA cache_size = {-SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(previous)}")


SQLITE_IMPORT_CACHE_KIB = 512 * 1024


class _IsoDay(dict):
    """A date → its ISO text (what SQLite stores), each distinct date formatted once."""

    def __missing__(self, day):
        value = self[day] = None if day is None else day.isoformat()
        return value


class _SameDay(dict):
    """A date → itself (psycopg's binary COPY takes dates as they are)."""

    def __missing__(self, day):
        return day


def _write(records: list[tuple], orgs: dict[str, tuple[int, str]], report) -> None:
    meta = Member._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(f).column) for f in _WRITE_COLUMNS)
    now = timezone.now()
    total = len(records)

    if connection.vendor == "postgresql":
        stamp = now
        day = _SameDay()
        false = False
    else:
        stamp = connection.ops.adapt_datetimefield_value(now)
        day = _IsoDay()
        false = 0

    def values():
        for (
            _row,
            name,
            gender,
            ethnicity,
            birth,
            _id_number,
            id_hash,
            _phone,
            education,
            occupation,
            category,
            admission,
            full,
            org_code,
            _org_name,
            status,
            region,
            id_enc,
            phone_enc,
        ) in records:
            org_id, org_path = orgs[org_code]
            yield (
                stamp,
                stamp,
                name,
                gender,
                ethnicity,
                day[birth],
                id_enc,
                id_hash,
                phone_enc,
                education,
                occupation,
                category,
                day[admission],
                day[full],
                org_id,
                org_path,
                status,
                region,
                false,
            )

    with connection.cursor() as cursor, _large_write_cache(cursor):
        bulk = _is_bulk(cursor, total)
        if not bulk:
            # Rows in subtree-index order: the index grows at its end instead of everywhere.
            records.sort(key=lambda r: (orgs[r[_ORG]][1], r[_NAME]))
        with _set_aside(cursor) if bulk else contextlib.nullcontext():
            _load(cursor, table, columns, values(), total, report)


def _load(cursor, table: str, columns: str, rows, total: int, report) -> None:
    if connection.vendor == "postgresql":
        sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
        with cursor.cursor.copy(sql) as copy:
            copy.set_types([_PG_TYPES.get(f, "text") for f in _WRITE_COLUMNS])
            write_row = copy.write_row
            for done, row in enumerate(rows, start=1):
                write_row(row)
                if done % PROGRESS_EVERY == 0:
                    report(done, total)
    else:
        placeholders = ", ".join(["%s"] * len(_WRITE_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        batch: list[tuple] = []
        done = 0
        for row in rows:
            batch.append(row)
            if len(batch) == PROGRESS_EVERY:
                cursor.executemany(sql, batch)
                done += len(batch)
                batch = []
                report(done, total)
        if batch:
            cursor.executemany(sql, batch)
    report(total, total)


# A bulk load: an import at least this large, and at least as large as the member table was.
BULK_MIN_ROWS = 50_000
_COUNT_TRIGGER = "member_count_insert"  # members/migrations/0005_member_count_triggers.py


def _is_bulk(cursor, rows: int) -> bool:
    if rows < BULK_MIN_ROWS:
        return False
    cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(Member._meta.db_table)}")
    return rows >= cursor.fetchone()[0]


@contextlib.contextmanager
def _set_aside(cursor):
    """A bulk load into the member table, inside the import's transaction: its secondary
    indexes, its constraints but the primary key (PostgreSQL: checking foreign keys row by row
    at commit cost more than writing the rows) and the member-count trigger are dropped, the
    rows written, then all rebuilt from their own DDL — an index built from a million sorted
    keys, a foreign key checked in one join, the counts of every organization that received
    members raised in one statement. Building a unique index or re-adding a foreign key
    fails on a bad row exactly as the row would have: the transaction, and so the import, is
    undone. PostgreSQL holds the table exclusively meanwhile (readers of members wait for the
    write phase, about a minute for a million); SQLite writers are exclusive anyway, its
    readers keep reading the state before the import. SQLite's unique constraints are part of
    the table and stay."""
    table = Member._meta.db_table
    quote = connection.ops.quote_name
    cursor.execute(f"SELECT MAX(id) FROM {quote(table)}")
    (before,) = cursor.fetchone()
    if connection.vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {quote(table)} IN ACCESS EXCLUSIVE MODE")
        # Checks this transaction deferred (members written before the import in the same
        # transaction) are run now: a table with pending checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass AND NOT indisprimary AND indexrelid NOT IN "
            "(SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = %s::regclass AND tgname = %s",
            [table, _COUNT_TRIGGER],
        )
        triggers = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        for name, _definition in triggers:
            cursor.execute(f"DROP TRIGGER {quote(name)} ON {quote(table)}")
        yield
        for _name, definition in indexes + triggers:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
    else:
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
            "AND (type = 'index' OR (type = 'trigger' AND name = %s))",
            [table, _COUNT_TRIGGER],
        )
        objects = cursor.fetchall()
        for kind, name, _sql in objects:
            cursor.execute(f"DROP {kind.upper()} {quote(name)}")
        yield
        for _kind, _name, sql in objects:
            cursor.execute(sql)
        triggers = [name for kind, name, _sql in objects if kind == "trigger"]
    if triggers:  # counts are kept (the migration's trigger is there): keep them
        _add_counts(cursor, after=before or 0)


def _add_counts(cursor, *, after: int) -> None:
    """What the count trigger would have done, in one statement: every organization's count
    raised by its active members written after id ``after`` (this load's rows: nobody else
    could write members meanwhile)."""
    cursor.execute(
        "UPDATE organizations_organization SET member_count = member_count + d.n "
        "FROM (SELECT organization_id, COUNT(*) AS n FROM members_member "
        "WHERE id > %s AND NOT archived GROUP BY organization_id) AS d "
        "WHERE organizations_organization.id = d.organization_id",
        [after],
    )


def _record_audit(actor, records, orgs, filename: str) -> None:
    paths = [orgs[code][1] for code in {r[_ORG] for r in records}]
    record_import(actor, len(records), paths, filename)


def record_import(actor, count: int, paths: list[str], filename: str) -> None:
    """One audit event for the import, filed under the organizations' common ancestor."""
    common = paths[0]
    for p in paths[1:]:
        while not p.startswith(common):
            common = common[: -tree.SEGMENT]
    audit.record(
        actor=actor if getattr(actor, "pk", None) else None,
        action=AuditAction.IMPORT,
        object_type=Member._meta.label_lower,
        object_repr=_("批量导入%(n)s名党员") % {"n": count},
        org_path=common,
        after={"created": count, "organizations": len(paths)},
        note=(filename or "")[:200],
    )
