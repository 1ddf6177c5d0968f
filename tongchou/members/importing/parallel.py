"""A large file checked on every core: the same checks as ``validating``, chunk by chunk in
forked worker processes that hand back their rows ready to write.

Measured before (README, "Benchmarks"): sending checked *records* back to the parent cost it
about as much as checking them. So workers send back what the parent has to do nothing with:
for PostgreSQL the rows already in COPY's binary format (bytes, written as they are), for SQLite
the parameter tuples ``executemany`` takes; plus the ID-number hashes (for duplicates across
chunks and against the database) and their errors. The parent reads the file, sends chunks with
the organization and region facts they need (looked up once per new code or name: workers never
touch the database), merges results in file order and writes in one transaction, as
``members_import`` does: all or nothing, the same errors in the same words.

Used for files of ``PARALLEL_MIN_ROWS`` rows or more, in a process with no other thread (the
task worker, the ``import_members`` command; never inside a threaded web server, where forking
could copy a lock some other thread holds).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import struct
import threading
from array import array
from collections import deque
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.members.id_numbers import ID_TAKEN_MESSAGE
from tongchou.members.importing.columns import KEYS
from tongchou.members.importing.reading import HEADERS, RowReader
from tongchou.members.importing.validating import (
    _HASH,
    _ORG,
    _ROW,
    Facts,
    RowError,
    apply_facts,
    validate_cells,
)
from tongchou.members.importing.writing import (
    _WRITE_COLUMNS,
    _is_bulk,
    _large_write_cache,
    _set_aside,
    record_import,
)
from tongchou.members.models import Member
from tongchou.members.selectors import id_hashes_taken

PARALLEL_MIN_ROWS = 100_000
CHUNK = 20_000
_ORG_CODE, _ORG_NAME, _REGION = (
    KEYS.index("org_code"),
    KEYS.index("org_name"),
    KEYS.index("home_region_code"),
)


def worth_it(rows) -> bool:
    return (
        isinstance(rows, RowReader)
        and rows.total >= PARALLEL_MIN_ROWS
        and (os.cpu_count() or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


@dataclass
class _Chunk:
    """What a worker hands back for one chunk."""

    count: int
    errors: list[RowError]
    hashes: str  # 64 hex characters per row that has one
    rows: array  # their row numbers
    payload: object  # bytes (PostgreSQL) or list of tuples (SQLite); None if errors
    paths: set[str] = field(default_factory=set)  # organizations written to


@dataclass
class _Context:
    """Set in each worker when the pool starts (inherited by fork)."""

    default_code: str
    vendor: str
    stamp: object  # created_at/updated_at as the database takes it


_CONTEXT: _Context | None = None


def _start(context: _Context) -> None:
    global _CONTEXT
    _CONTEXT = context


# A chunk travels to a worker as one string: cells joined by US, rows by RS (pickling a
# million lists of strings cost the parent and the workers more than checking half the rows).
# A row holding either character itself travels as a list, beside.
_US, _RS = "\x1f", "\x1e"
_WIDTH = len(KEYS)


def _pack(chunk: list[tuple[int, list[str]]]) -> tuple[array, str, list]:
    numbers = array("q")
    texts = []
    odd = []
    join = _US.join
    for number, cells in chunk:
        text = join(cells)
        if text.count(_US) == _WIDTH - 1 and _RS not in text:
            numbers.append(number)
            texts.append(text)
        else:
            odd.append((number, cells))
    return numbers, _RS.join(texts), odd


def _unpack(packed: tuple[array, str, list]) -> list[tuple[int, list[str]]]:
    numbers, text, odd = packed
    rows = list(zip(numbers, (t.split(_US) for t in text.split(_RS)), strict=True)) if text else []
    if odd:
        rows = sorted(rows + odd)
    return rows


def _check(packed: tuple[array, str, list], facts: Facts) -> _Chunk:
    context = _CONTEXT
    chunk = _unpack(packed)
    records, errors = validate_cells(
        chunk, context.default_code, 0, lambda done, total: None, dedupe=False
    )
    errors.extend(apply_facts(records, facts))
    hashed = [r for r in records if r[_HASH]]
    result = _Chunk(
        count=len(records),
        errors=errors,
        hashes="".join(r[_HASH] for r in hashed),
        rows=array("q", [r[_ROW] for r in hashed]),
        payload=None,
    )
    if not errors:
        orgs = facts.orgs
        result.paths = {orgs[r[_ORG]][1] for r in records}
        encode = _pg_rows if context.vendor == "postgresql" else _sqlite_rows
        result.payload = encode(records, orgs, context.stamp)
    return result


# --- rows ready to write ----------------------------------------------------------------------


def _sqlite_rows(records, orgs, stamp) -> list[tuple]:
    iso = {}

    def day(value):
        if value is None:
            return None
        text = iso.get(value)
        if text is None:
            text = iso[value] = value.isoformat()
        return text

    out = []
    for r in records:
        org_id, org_path = orgs[r[_ORG]]
        out.append(
            (stamp, stamp, r[1], r[2], r[3], day(r[4]), r[17], r[6], r[18], r[8], r[9], r[10],
             day(r[11]), day(r[12]), org_id, org_path, r[15], r[16], 0)
        )  # fmt: skip
    return out


_PG_EPOCH = dt.date(2000, 1, 1)
_PG_EPOCH_TS = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_LENGTH = struct.Struct("!i").pack
_NULL = _LENGTH(-1)


class _Encoded(dict):
    """A value → its COPY BINARY field (length + bytes), each distinct value encoded once."""

    def __init__(self, encode):
        super().__init__()
        self.encode = encode

    def __missing__(self, value):
        field = _NULL if value is None else self.encode(value)
        if len(self) < 100_000:
            self[value] = field
        return field


def _text(value: str) -> bytes:
    data = value.encode()
    return _LENGTH(len(data)) + data


def _pg_rows(records, orgs, stamp) -> bytes:
    """The rows in PostgreSQL's binary COPY format (without the file header and trailer),
    the columns of ``writing._WRITE_COLUMNS`` typed as in ``_PG_TYPES``."""
    micros = (stamp - _PG_EPOCH_TS) // dt.timedelta(microseconds=1)
    timestamp = _LENGTH(8) + struct.pack("!q", micros)
    head = struct.pack("!h", len(_WRITE_COLUMNS)) + timestamp + timestamp
    archived = _LENGTH(1) + b"\x00"
    days = _Encoded(lambda d: _LENGTH(4) + struct.pack("!i", (d - _PG_EPOCH).days))
    labels = _Encoded(_text)
    org_fields = {}
    for code, (org_id, org_path) in orgs.items():
        org_fields[code] = _LENGTH(8) + struct.pack("!q", org_id) + _text(org_path)
    text = _text
    out = bytearray()
    for r in records:
        out += b"".join(
            (head, text(r[1]), labels[r[2]], labels[r[3]], days[r[4]], text(r[17]),
             text(r[6]), text(r[18]), labels[r[8]], labels[r[9]], labels[r[10]], days[r[11]],
             days[r[12]], org_fields[r[_ORG]], labels[r[15]], labels[r[16]], archived)
        )  # fmt: skip
    return bytes(out)


_PG_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_PG_TRAILER = b"\xff\xff"


# --- the run ------------------------------------------------------------------------------------


def members_import_parallel(
    *, actor, rows: RowReader, default_org, report, phase, before_commit, result_type
):
    """``members_import`` for a large file (see the module docstring); same result."""
    default_code = default_org.code if default_org is not None else ""
    total = rows.total
    stamp = timezone.now()
    if connection.vendor != "postgresql":
        stamp = connection.ops.adapt_datetimefield_value(stamp)
    context = _Context(default_code=default_code, vendor=connection.vendor, stamp=stamp)
    facts = Facts()
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    repeated: list[tuple[str, int]] = []  # (hash, row) of the rows repeating an earlier one
    payloads: list = []
    paths: set[str] = set()
    checked = 0
    id_column = HEADERS["id_number"]

    def merge(done: _Chunk) -> None:
        nonlocal checked
        checked += done.count
        errors.extend(done.errors)
        remember = seen.setdefault
        hashes = done.hashes
        for i, row in enumerate(done.rows):
            digest = hashes[64 * i : 64 * i + 64]
            first = remember(digest, row)
            if first != row:
                message = _("与第%(row)s行的身份证号重复。") % {"row": first}
                errors.append(RowError(row, id_column, message))
                repeated.append((digest, row))
        if done.payload is not None and not errors:
            payloads.append(done.payload)
            paths.update(done.paths)
        elif errors:
            payloads.clear()  # nothing will be written: keep no rows
        report(checked, max(total, checked))

    processes = min(os.cpu_count() or 2, 4)
    pool = multiprocessing.get_context("fork").Pool(processes, _start, (context,))
    with pool:
        pending: deque = deque()
        for chunk in _chunks(rows.cells()):
            codes, names, regions = _keys(chunk, default_code)
            facts.learn(actor, codes, names, regions)
            subset = facts.subset(codes, names, regions)
            pending.append(pool.apply_async(_check, (_pack(chunk), subset)))
            while len(pending) > 2 * processes or (pending and pending[0].ready()):
                merge(pending.popleft().get())
        while pending:
            merge(pending.popleft().get())
    notices = list(rows.notices)
    if checked == 0 and not errors:
        errors.append(RowError(0, "", _("文件中没有党员数据。")))
    if Member.objects.exists():  # (every problem is reported, as in the one-process path)
        taken = id_hashes_taken(list(seen))
        registered = str(ID_TAKEN_MESSAGE)  # the same words as every entry point
        errors.extend(RowError(seen[h], id_column, registered) for h in taken)
        errors.extend(RowError(row, id_column, registered) for h, row in repeated if h in taken)
    if errors:
        return result_type(created=0, errors=errors, total=checked, notices=notices)
    if phase:
        phase("writing")
    try:
        with transaction.atomic():
            _write(payloads, checked, report)
            record_import(actor, checked, sorted(paths), getattr(rows, "filename", ""))
            if before_commit is not None:
                before_commit(checked)
    except IntegrityError:
        message = _("导入期间有相同身份证号的党员被登记，未导入任何数据，请重新导入。")
        return result_type(errors=[RowError(0, id_column, message)], total=checked, notices=notices)
    return result_type(created=checked, errors=[], total=checked, notices=notices)


def _chunks(cells):
    chunk = []
    for item in cells:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _keys(chunk, default_code: str) -> tuple[set[str], set[str], set[str]]:
    """The organization codes and names and region codes a chunk names, as the checks will
    read them (stripped; a row naming neither organization takes the default)."""
    codes: set[str] = set()
    names: set[str] = set()
    regions: set[str] = set()
    for _number, cells in chunk:
        code = cells[_ORG_CODE].strip()
        if code:
            codes.add(code)
        else:
            name = cells[_ORG_NAME].strip()
            if name:
                names.add(name)
            elif default_code:
                codes.add(default_code)
        region = cells[_REGION].strip()
        if region:
            regions.add(region)
    return codes, names, regions


def _write(payloads: list, total: int, report) -> None:
    meta = Member._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(f).column) for f in _WRITE_COLUMNS)
    with connection.cursor() as cursor, _large_write_cache(cursor):
        bulk = _is_bulk(cursor, total)
        with _set_aside(cursor) if bulk else contextlib.nullcontext():
            done = 0
            if connection.vendor == "postgresql":
                sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
                with cursor.cursor.copy(sql) as copy:
                    copy.write(_PG_SIGNATURE)
                    for payload in payloads:
                        copy.write(payload)
                        done += 1
                        report(min(done * CHUNK, total), total)
                    copy.write(_PG_TRAILER)
            else:
                placeholders = ", ".join(["%s"] * len(_WRITE_COLUMNS))
                sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
                for payload in payloads:
                    cursor.executemany(sql, payload)
                    done += len(payload)
                    report(done, total)
    report(total, total)
