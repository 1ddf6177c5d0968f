"""Member import: a file → rows → every row validated → all or nothing written.

``read_rows`` turns an .xlsx or .csv file into ``(row number, {column key: text})``; it checks
the size, the encoding and the header row up front. ``members_import`` validates every row with
the one rule set (``members.rules.check_member``) plus what only the database knows (organization
codes, scope, duplicate ID numbers, region codes), collects every error by row and column, and
writes nothing unless there are none; then it writes every row in one transaction, with raw SQL
(PostgreSQL COPY, SQLite ``executemany``) because a million rows must take seconds, not minutes.

The hot loop builds no forms and no model instances: values are mapped through dictionaries,
dates parsed once per distinct string, ID numbers hashed and encrypted with the bulk helpers of
``core.crypto`` (same output as ``encrypt`` / ``lookup_hash``).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import gc
import io
import itertools
import logging
import operator
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongchou.core import audit, crypto, tree
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.core.validators import normalize_phone
from tongchou.members.choices import Category, Education, Ethnicity, Gender, MemberStatus
from tongchou.members.models import ImportJob, ImportStatus, Member
from tongchou.members.rules import check_member, member_is_consistent
from tongchou.members.selectors import id_hashes_taken
from tongchou.members.services import check_organization_accepts_members
from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, can, scope_for
from tongchou.regions.models import Region

# The file format: column keys and the Chinese headers people see. Order = template order.
COLUMNS: list[tuple[str, str]] = [
    ("name", "姓名"),
    ("gender", "性别"),
    ("ethnicity", "民族"),
    ("birth_date", "出生日期"),
    ("id_number", "身份证号"),
    ("phone", "手机号"),
    ("education", "学历"),
    ("occupation", "职业"),
    ("category", "党员类别"),
    ("admission_date", "入党日期"),
    ("full_member_date", "转正日期"),
    ("org_code", "所在党组织代码"),
    ("status", "状态"),
    ("home_region_code", "户籍区划代码"),
]
HEADERS: dict[str, str] = dict(COLUMNS)
# Columns a file must have; the others may be left out (org_code when a default is given).
REQUIRED_COLUMNS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "category",
    "admission_date",
)
# check_member's field names → the column that carries them.
_FIELD_COLUMN = {
    **HEADERS,
    "organization": HEADERS["org_code"],
    "home_region": HEADERS["home_region_code"],
}
PROGRESS_EVERY = 10_000
logger = logging.getLogger(__name__)
_CHUNK = 500  # codes per lookup query


@dataclass(frozen=True)
class RowError:
    row: int  # as in the file: the header is row 1 (0 for the file as a whole)
    column: str  # the Chinese header ("" for the whole row or file)
    message: str


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    total: int = 0  # data rows read

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------------------------
# Reading files


class RowReader:
    """The data rows of one file: iterate for ``(row number, {key: text})``. ``total`` is an
    estimate of the number of data rows (for progress), known before iterating."""

    def __init__(self, numbered: Iterator, keys: list[str | None], total: int, filename: str):
        self._numbered = numbered  # (row number, cells) after the header, the first data row
        self._keys = keys  # peeked and put back
        self.total = total
        self.filename = filename

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return _data_rows(self._numbered, self._keys)

    def cells(self) -> Iterator[tuple[int, list[str]]]:
        """The data rows as ``(row number, cells)``, the cells in ``COLUMNS`` order (a column
        the file lacks reads as ""): what ``members_import`` works on, without a dict per row.
        Like iterating, this consumes the rows."""
        return _cell_rows(self._numbered, self._keys)


def _file_error(code: str, message: str, **extra) -> ApplicationError:
    return ApplicationError(code, message, field="file", extra=extra)


def _size(fileobj) -> int:
    size = getattr(fileobj, "size", None)
    if isinstance(size, int):
        return size
    position = fileobj.tell()
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(position)
    return size


def read_rows(fileobj, filename: str) -> RowReader:
    """Open an uploaded member file (.xlsx, or .csv in UTF-8 with or without BOM, or GBK).

    Raises ``ApplicationError`` (field ``file``) for a file that is empty, too large, in an
    unknown format or encoding, or whose header row is wrong (naming the missing, unknown and
    duplicate columns)."""
    size = _size(fileobj)
    if size > settings.IMPORT_MAX_BYTES:
        raise _file_error(
            "file_too_large",
            _("文件太大（%(size)s），导入文件不能超过%(limit)s。请分成几个文件导入。")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.IMPORT_MAX_BYTES)},
        )
    if size == 0:
        raise _file_error("empty_file", _("文件是空的。"))
    fileobj.seek(0)
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(fileobj, filename)
    if suffix in (".csv", ".txt"):
        return _read_csv(fileobj, filename)
    if suffix in (".xls", ".et", ".wps"):
        raise _file_error(
            "unsupported_format", _("不支持旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 后上传。")
        )
    raise _file_error("unsupported_format", _("只支持 .xlsx 和 .csv 文件。"))


def _detect_encoding(fileobj) -> tuple[str, int]:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK and GB2312). Returns
    the encoding and the number of line breaks. A file that decodes in neither, or that holds
    NUL characters (UTF-16, binary files), is refused."""
    for encoding in ("utf-8-sig", "gb18030"):
        fileobj.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        try:
            while chunk := fileobj.read(1 << 20):
                if b"\x00" in chunk:
                    raise UnicodeDecodeError(encoding, chunk, 0, 1, "NUL")
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        fileobj.seek(0)
        return encoding, lines
    raise _file_error(
        "bad_encoding",
        _("无法识别文件的编码。请将 CSV 保存为 UTF-8 或 GBK 编码，或直接上传 .xlsx 文件。"),
    )


def _read_csv(fileobj, filename: str) -> RowReader:
    encoding, lines = _detect_encoding(fileobj)
    text = io.TextIOWrapper(io.BufferedReader(_Binary(fileobj)), encoding=encoding, newline="")
    first = text.readline()
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    text.seek(0)

    def records():
        reader = csv.reader(text, delimiter=delimiter)
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise _file_error(
                "bad_csv",
                _("CSV 文件第%(row)s行格式有误：%(error)s")
                % {"row": reader.line_num, "error": exc},
            ) from None

    return _rows_after_header(records(), max(lines - 1, 1), filename)


class _Binary(io.RawIOBase):
    """A raw stream over any object with ``read`` (Django's File wrappers), for TextIOWrapper;
    closing it leaves the caller's file open."""

    def __init__(self, fileobj):
        self._f = fileobj

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._f.seek(offset, whence)
        return self._f.tell()

    def tell(self) -> int:
        return self._f.tell()

    def readinto(self, buffer) -> int:
        data = self._f.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(fileobj, filename: str) -> RowReader:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, IndexError, ValueError):
        raise _file_error(
            "bad_xlsx", _("无法读取该 .xlsx 文件，请确认它是用 Excel 或 WPS 保存的表格。")
        ) from None
    total = max((sheet.max_row or 2) - 1, 1)
    cell = _xlsx_cell

    def rows():
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [v if v.__class__ is str else cell(v) for v in values]
        book.close()

    return _rows_after_header(rows(), total, filename)


_HEADER_CLEAN = re.compile(r"\s+|[*＊]|[（(]\s*(必填|选填|可选)\s*[)）]")


def _header_keys(cells: list[str]) -> list[str | None]:
    """Map header cells to column keys; raise naming the missing, unknown, duplicate ones."""
    lookup = {header: key for key, header in COLUMNS} | {key: key for key, _h in COLUMNS}
    keys: list[str | None] = []
    unknown: list[str] = []
    duplicate: list[str] = []
    for cell in cells:
        header = _HEADER_CLEAN.sub("", cell or "")
        if not header:
            keys.append(None)
            continue
        key = lookup.get(header) or lookup.get(header.lower())
        if key is None:
            unknown.append(header)
        elif key in keys:
            duplicate.append(HEADERS[key])
        keys.append(key)
    missing = [HEADERS[k] for k in REQUIRED_COLUMNS if k not in keys]
    if unknown or duplicate or missing:
        problems = []
        if missing:
            problems.append(_("缺少列：%(cols)s") % {"cols": "、".join(missing)})
        if unknown:
            shown = [h if len(h) <= 20 else h[:20] + "…" for h in unknown[:10]]
            more = "……" if len(unknown) > 10 else ""
            problems.append(_("无法识别的列：%(cols)s") % {"cols": "、".join(shown) + more})
        if duplicate:
            problems.append(_("重复的列：%(cols)s") % {"cols": "、".join(duplicate)})
        raise _file_error(
            "bad_headers",
            _("表头有误（%(problems)s）。请使用下载的导入模板。")
            % {"problems": "；".join(problems)},
            missing=missing,
            unknown=unknown,
            duplicate=duplicate,
        )
    return keys


def _rows_after_header(numbered: Iterator, total: int, filename: str) -> RowReader:
    """Find the header row (the first non-blank one), check it, and peek the first data row so
    a file with headers only is refused at once."""
    numbered = iter(numbered)
    for _number, cells in numbered:
        if any(c and c.strip() for c in cells):
            keys = _header_keys(cells)
            break
    else:
        raise _file_error("empty_file", _("文件中没有内容。"))
    for item in numbered:
        if any(item[1]):
            break
    else:
        raise _file_error("no_rows", _("文件只有表头，没有党员数据。"))
    return RowReader(itertools.chain([item], numbered), keys, total, filename)


_KEYS = [key for key, _header in COLUMNS]
_WIDTH = len(_KEYS)


def _cell_rows(numbered: Iterator, keys: list[str | None]) -> Iterator[tuple[int, list[str]]]:
    """Rows as lists in ``COLUMNS`` order, blank rows skipped (as ``_data_rows`` does)."""
    if keys == _KEYS:  # the template's columns in the template's order: the cells as they are
        width = _WIDTH
        for number, cells in numbered:
            if len(cells) == width:
                if any(cells):
                    yield number, cells
            elif any(cells):
                yield number, [*cells[:width], *[""] * (width - len(cells))]
        return
    width = len(keys)
    # Each key's position in the file; a missing column points at the "" padded on at the end.
    pick = operator.itemgetter(*[keys.index(k) if k in keys else width for k in _KEYS])
    padding = [""] * (width + 1)
    for number, cells in numbered:
        if any(cells):
            filled = [*cells[:width], *padding[: width + 1 - min(len(cells), width)]]
            yield number, list(pick(filled))


def _dict_cells(rows: Iterable[tuple[int, dict[str, str]]]) -> Iterator[tuple[int, list[str]]]:
    keys = _KEYS
    for number, raw in rows:
        get = raw.get
        yield number, [get(k, "") for k in keys]


def _data_rows(numbered: Iterator, keys: list[str | None]) -> Iterator[tuple[int, dict]]:
    if None in keys:
        width = len(keys)
        used = [(i, k) for i, k in enumerate(keys) if k is not None]
        for number, cells in numbered:
            if any(cells):
                cells = list(cells) + [""] * (width - len(cells))
                yield number, {k: cells[i] for i, k in used}
    else:
        for number, cells in numbered:
            if any(cells):
                yield number, dict(zip(keys, cells, strict=False))


# --------------------------------------------------------------------------------------------
# Values as people type them

_DATE_RE = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_BAD = object()


def _parse_date(text: str):
    """A date as typed: 2020-07-01, 2020/7/1, 2020.7.1, 2020年7月1日, 20200701, or an Excel
    serial day number (43831). Returns a date, None for blank, or _BAD."""
    text = text.strip()
    if not text:
        return None
    if (
        len(text) == 10
        and text[4] == "-"
        and text[7] == "-"
        and text.isascii()
        and text[:4].isdigit()
        and text[5:7].isdigit()
        and text[8:].isdigit()
    ):  # ISO 8601, the usual case: what the expression below reads it as, only faster
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return _BAD
    match = _DATE_RE.match(text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if text.isdigit() and text.isascii():
            if len(text) == 8:
                return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            if len(text) <= 5 and int(text) > 0:
                return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    except (ValueError, OverflowError):
        pass
    return _BAD


def _choice_map(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value, label in choices.choices:
        mapping[value] = value
        mapping[value.upper()] = value
        with translation.override("zh-hans"):
            mapping[str(label)] = value
        mapping[str(label)] = value  # and in the current language
    mapping.update(extra or {})
    return mapping


def _value_maps() -> dict[str, dict[str, str]]:
    ethnicity_extra = {}
    for value, label in Ethnicity.choices:
        with translation.override("zh-hans"):
            zh = str(label)
        ethnicity_extra[zh.removesuffix("族")] = value
        ethnicity_extra[str(int(value))] = value
    return {
        "gender": _choice_map(Gender, {"男性": "M", "女性": "F", "m": "M", "f": "F"}),
        "ethnicity": _choice_map(Ethnicity, ethnicity_extra),
        "education": _choice_map(
            Education,
            {
                "研究生": "postgraduate",
                "博士": "postgraduate",
                "博士研究生": "postgraduate",
                "硕士": "postgraduate",
                "硕士研究生": "postgraduate",
                "本科": "bachelor",
                "大学": "bachelor",
                "大专": "junior_college",
                "专科": "junior_college",
                "中专": "secondary_vocational",
                "中技": "secondary_vocational",
                "技校": "secondary_vocational",
                "职高": "high_school",
                "高中": "high_school",
                "初中": "junior_high",
                "小学": "primary",
            },
        ),
        "category": _choice_map(Category, {"正式": "full", "预备": "probationary"}),
        "status": _choice_map(MemberStatus),
    }


def allowed_values() -> dict[str, list[str]]:
    """What the template's 说明 sheet lists per column."""
    with translation.override("zh-hans"):
        return {
            "gender": [str(label) for _v, label in Gender.choices],
            "ethnicity": [str(label) for _v, label in Ethnicity.choices],
            "education": [str(label) for _v, label in Education.choices],
            "category": [str(label) for _v, label in Category.choices],
            "status": [str(label) for _v, label in MemberStatus.choices],
        }


# --------------------------------------------------------------------------------------------
# Importing

# Positions in the per-row record kept between validation and writing.
(
    _ROW,
    _NAME,
    _GENDER,
    _ETHNICITY,
    _BIRTH,
    _ID,
    _HASH,
    _PHONE,
    _EDUCATION,
    _OCCUPATION,
    _CATEGORY,
    _ADMISSION,
    _FULL,
    _ORG,
    _STATUS,
    _REGION,
    _ID_ENC,  # the ID number and phone encrypted (written as they are)
    _PHONE_ENC,
) = range(18)


def members_import(
    *,
    actor,
    rows: Iterable[tuple[int, dict[str, str]]],
    default_org: Organization | None = None,
    progress: Callable[[int, int], object] | None = None,
    phase: Callable[[str], object] | None = None,
) -> ImportResult:
    """Validate every row; if all are valid write them all in one transaction, else nothing.

    ``rows`` are ``(row number, {column key: text})`` as ``read_rows`` yields them.
    ``default_org`` receives rows without an organization code. ``progress(done, total)`` is
    called every few thousand rows; ``phase("validating" | "writing")`` when a phase starts.
    One audit event records the import (not one per row)."""
    if not can(actor, Action.MANAGE_MEMBERS):
        raise PermissionDenied
    if default_org is not None:
        scope = scope_for(actor, Action.MANAGE_MEMBERS)
        if not scope.covers(default_org.path):
            raise PermissionDenied
        check_organization_accepts_members(default_org)
    total = len(rows) if hasattr(rows, "__len__") else getattr(rows, "total", 0)  # type: ignore[arg-type]
    report = progress or (lambda done, total: None)
    if phase:
        phase("validating")
    with _gc_paused():
        records, errors = _validate_rows(rows, default_org, total, report)
    n = len(records)
    if n == 0 and not errors:
        errors.append(RowError(0, "", _("文件中没有党员数据。")))
    errors.extend(_check_against_database(actor, records))
    report(n, n)
    if errors:
        errors.sort(key=lambda e: (e.row, _COLUMN_ORDER.get(e.column, 99)))
        return ImportResult(created=0, errors=errors, total=n)
    if phase:
        phase("writing")
    try:
        with transaction.atomic():
            orgs = _org_rows(records)
            with _gc_paused():
                _write(records, orgs, report)
            _record_audit(actor, records, orgs, getattr(rows, "filename", ""))
    except IntegrityError:
        # Someone registered one of these ID numbers between validation and writing.
        message = _("导入期间有相同身份证号的党员被登记，未导入任何数据，请重新导入。")
        return ImportResult(errors=[RowError(0, HEADERS["id_number"], message)], total=n)
    return ImportResult(created=n, errors=[], total=n)


_COLUMN_ORDER = {header: i for i, (_k, header) in enumerate(COLUMNS)}


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while a million rows are checked or written: they make
    no cycles, and every collection would walk all the records kept so far."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Dates(dict):
    """Text → ``_parse_date(text)``, each distinct text parsed once."""

    def __missing__(self, text: str):
        value = self[text] = _parse_date(text)
        return value


def _exact_keys(mapping: dict[str, str]) -> dict[str, str]:
    """The keys a cell can match as it is, without stripping (no surrounding blanks)."""
    return {k: v for k, v in mapping.items() if k and k == k.strip()}


def _fast_checker(tables: dict, today: dt.date, default_code: str):
    """``fast(number, cells)`` → the finished record (hashed and encrypted) of a row that is
    right as it stands, or None when the row needs the full path (``check_row``). No
    database, no messages, nothing shared between rows.

    (Checking in forked worker processes was measured and does not pay on two cores: the
    records coming back through pickling, and copy-on-write faults on the rows both processes
    touch, cost the parent about as much CPU as checking every row itself.)"""
    fast_gender = tables["gender"].get
    fast_ethnicity = tables["ethnicity"].get
    fast_category = tables["category"].get
    fast_education = tables["education"].get
    fast_status = tables["status"].get
    dates = _Dates()
    hasher = crypto.bulk_lookup_hasher()
    encrypt = crypto.bulk_encryptor()
    consistent = member_is_consistent
    bad = _BAD

    def fast(number: int, cells: list[str]) -> tuple | None:
        (
            name,
            gender,
            ethnicity,
            birth,
            id_number,
            phone,
            education,
            occupation,
            category,
            admission,
            full,
            org_code,
            status,
            region,
        ) = cells
        gender = fast_gender(gender)
        ethnicity = fast_ethnicity(ethnicity)
        category = fast_category(category)
        education = fast_education(education)
        status = fast_status(status)
        birth = dates[birth]
        admission = dates[admission]
        full = dates[full]
        name = name.strip()
        id_number = id_number.strip().upper()
        if not (phone.isdigit() and phone.isascii()):
            phone = normalize_phone(phone)
        occupation = occupation.strip()
        org_code = org_code.strip() or default_code
        if (
            gender is not None
            and ethnicity is not None
            and category is not None
            and education is not None
            and status is not None
            and birth is not bad
            and admission is not bad
            and full is not bad
            and org_code
            and consistent(
                name,
                gender,
                ethnicity,
                birth,
                id_number,
                phone,
                education,
                occupation,
                category,
                admission,
                full,
                status,
                today,
            )
        ):
            return (
                number,
                name,
                gender,
                ethnicity,
                birth,
                id_number,
                hasher(id_number),
                phone,
                education,
                occupation,
                category,
                admission,
                full,
                org_code,
                status,
                region.strip() or None,
                encrypt(id_number),
                encrypt(phone),
            )
        return None

    return fast


def _validate_rows(rows, default_org, total, report) -> tuple[list[tuple], list[RowError]]:
    """The per-row checks that need no database: parsing and ``check_member``.

    Nearly every row of a real file is right, so each row first takes a fast path: its cells
    looked up as they are, and ``member_is_consistent`` (the same rules as ``check_member``,
    answered yes or no). A row the fast path cannot accept as it stands — blanks around a value,
    an unknown label, a bad date, a broken rule, a duplicate — goes through ``check_row``, the
    full path that names every problem; both give the same record for a row without problems.
    Duplicates are decided here, in file order, whichever path a row took."""
    source = rows.cells() if isinstance(rows, RowReader) else _dict_cells(rows)
    maps = _value_maps()
    genders, ethnicities, educations = maps["gender"], maps["ethnicity"], maps["education"]
    categories, statuses = maps["category"], maps["status"]
    normal = MemberStatus.NORMAL.value
    tables = {
        "gender": _exact_keys(genders),
        "ethnicity": _exact_keys(ethnicities),
        "category": _exact_keys(categories),
        "education": _exact_keys(educations) | {"": ""},
        "status": _exact_keys(statuses) | {"": normal},
    }
    today = dt.date.today()
    default_code = default_org.code if default_org is not None else ""
    fast = _fast_checker(tables, today, default_code)
    dates = _Dates()
    hasher = crypto.bulk_lookup_hasher()
    encrypt = crypto.bulk_encryptor()
    column = _FIELD_COLUMN
    bad = _BAD
    records: list[tuple] = []
    append = records.append
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    remember = seen.setdefault
    every = PROGRESS_EVERY

    def check_row(number: int, cells: list[str]) -> None:
        get = dict(zip(_KEYS, cells, strict=True)).get
        problems: dict[str, str] = {}

        name = get("name", "").strip()
        gender_text = get("gender", "").strip()
        gender = genders.get(gender_text)
        if gender is None and gender_text:
            problems["gender"] = _("“%(v)s”不是有效的性别，应为“男”或“女”。") % {"v": gender_text}
        ethnicity_text = get("ethnicity", "").strip()
        ethnicity = ethnicities.get(ethnicity_text)
        if ethnicity is None and ethnicity_text:
            problems["ethnicity"] = _("“%(v)s”不在56个民族之列。") % {"v": ethnicity_text}
        education_text = get("education", "").strip()
        education = educations.get(education_text, "") if education_text else ""
        if education_text and not education:
            problems["education"] = _("“%(v)s”不是可选的学历。") % {"v": education_text}
        category_text = get("category", "").strip()
        category = categories.get(category_text)
        if category is None and category_text:
            problems["category"] = _("“%(v)s”不是有效的党员类别，应为“正式党员”或“预备党员”。") % {
                "v": category_text
            }
        status_text = get("status", "").strip()
        status = statuses.get(status_text) if status_text else normal
        if status is None:
            problems["status"] = _("“%(v)s”不是可选的状态。") % {"v": status_text}

        birth = dates[get("birth_date", "")]
        admission = dates[get("admission_date", "")]
        full = dates[get("full_member_date", "")]
        if birth is bad or admission is bad or full is bad:
            for key, value in (
                ("birth_date", birth),
                ("admission_date", admission),
                ("full_member_date", full),
            ):
                if value is bad:
                    problems[key] = _("“%(v)s”不是有效的日期，请写成2020-07-01或2020/7/1。") % {
                        "v": get(key, "").strip()
                    }
            birth = None if birth is bad else birth
            admission = None if admission is bad else admission
            full = None if full is bad else full

        id_number = get("id_number", "").strip().upper()
        phone = normalize_phone(get("phone", ""))
        occupation = get("occupation", "").strip()
        values = {
            "name": name,
            "gender": gender,
            "ethnicity": ethnicity,
            "birth_date": birth,
            "id_number": id_number,
            "phone": phone,
            "education": education,
            "occupation": occupation,
            "category": category,
            "admission_date": admission,
            "full_member_date": full,
            "status": status,
        }
        rule_errors = check_member(values, today=today)
        id_hash = ""
        if rule_errors:
            for key, message in rule_errors.items():
                problems.setdefault(key, message)
            if "id_number" in rule_errors and "E+" in id_number:
                problems["id_number"] = _(
                    "身份证号被表格软件改成了科学计数法，请把该列设为“文本”格式后重新填写。"
                )
        if "id_number" not in problems:
            id_hash = hasher(id_number)
            first = remember(id_hash, number)
            if first != number:
                problems["id_number"] = _("与第%(row)s行的身份证号重复。") % {"row": first}
        org_code = get("org_code", "").strip() or default_code
        if not org_code:
            problems["organization"] = _("请填写所在党组织代码（或在导入时指定默认党组织）。")
        if problems:
            for key, message in problems.items():
                errors.append(RowError(number, column[key], message))
        append(
            (
                number,
                name,
                gender,
                ethnicity,
                birth,
                id_number,
                id_hash,
                phone,
                education,
                occupation,
                category,
                admission,
                full,
                org_code,
                status,
                get("home_region_code", "").strip() or None,
                # Encrypted only when the row may be written: a row with problems never is.
                "" if problems else encrypt(id_number),
                "" if problems else encrypt(phone),
            )
        )

    for number, cells in source:
        record = fast(number, cells)
        if record is not None and remember(record[_HASH], number) == number:
            append(record)
        else:
            check_row(number, cells)
        if len(records) % every == 0:
            report(len(records), max(total, len(records)))
    return records, errors


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_against_database(actor, records: list[tuple]) -> list[RowError]:
    """Organization codes (exist, in the actor's scope, accept members), region codes, and ID
    numbers already registered. An organization out of scope reads exactly like a missing one."""
    errors: list[RowError] = []
    codes = sorted({r[_ORG] for r in records if r[_ORG]})
    found: dict[str, SimpleNamespace] = {}
    for chunk in _chunks(codes):
        for code, path, status, kind in Organization.objects.filter(code__in=chunk).values_list(
            "code", "path", "status", "kind"
        ):
            found[code] = SimpleNamespace(path=path, status=status, kind=kind)
    scope = scope_for(actor, Action.MANAGE_MEMBERS)
    bad_orgs: dict[str, str] = {}
    for code in codes:
        org = found.get(code)
        if org is None or not scope.covers(org.path):
            bad_orgs[code] = _("党组织代码“%(code)s”不存在或不在您的管理范围内。") % {"code": code}
            continue
        try:
            check_organization_accepts_members(org)  # type: ignore[arg-type]
        except ApplicationError as exc:
            bad_orgs[code] = f"{code}：{exc.message}"

    regions = sorted({r[_REGION] for r in records if r[_REGION]})
    known_regions: set[str] = set()
    for chunk in _chunks(regions):
        known_regions.update(Region.objects.filter(code__in=chunk).values_list("code", flat=True))
    bad_regions = set(regions) - known_regions

    taken = id_hashes_taken([r[_HASH] for r in records if r[_HASH]])

    if bad_orgs or bad_regions or taken:
        org_column, region_column = HEADERS["org_code"], HEADERS["home_region_code"]
        id_column = HEADERS["id_number"]
        registered = _("该身份证号已登记为党员。")
        for r in records:
            if r[_ORG] in bad_orgs:
                errors.append(RowError(r[_ROW], org_column, bad_orgs[r[_ORG]]))
            if r[_REGION] in bad_regions:
                message = _("户籍区划代码“%(code)s”不存在。") % {"code": r[_REGION]}
                errors.append(RowError(r[_ROW], region_column, message))
            if r[_HASH] in taken:
                errors.append(RowError(r[_ROW], id_column, registered))
    return errors


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

    # Rows in subtree-index order: the index then grows at its end instead of everywhere.
    records.sort(key=lambda r: (orgs[r[_ORG]][1], r[_NAME]))
    with connection.cursor() as cursor, _large_write_cache(cursor):
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
            with cursor.cursor.copy(sql) as copy:
                copy.set_types([_PG_TYPES.get(f, "text") for f in _WRITE_COLUMNS])
                write_row = copy.write_row
                for done, row in enumerate(values(), start=1):
                    write_row(row)
                    if done % PROGRESS_EVERY == 0:
                        report(done, total)
        else:
            placeholders = ", ".join(["%s"] * len(_WRITE_COLUMNS))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
            batch: list[tuple] = []
            done = 0
            for row in values():
                batch.append(row)
                if len(batch) == PROGRESS_EVERY:
                    cursor.executemany(sql, batch)
                    done += len(batch)
                    batch = []
                    report(done, total)
            if batch:
                cursor.executemany(sql, batch)
    report(total, total)


def _record_audit(actor, records, orgs, filename: str) -> None:
    paths = [orgs[code][1] for code in {r[_ORG] for r in records}]
    common = paths[0]
    for p in paths[1:]:
        while not p.startswith(common):
            common = common[: -tree.SEGMENT]
    audit.record(
        actor=actor if getattr(actor, "pk", None) else None,
        action=AuditAction.IMPORT,
        object_type=Member._meta.label_lower,
        object_repr=_("批量导入%(n)s名党员") % {"n": len(records)},
        org_path=common,
        after={"created": len(records), "organizations": len(paths)},
        note=(filename or "")[:200],
    )


# --------------------------------------------------------------------------------------------
# Import jobs: an uploaded file, run by the task worker, with progress the page polls.

IMPORT_SUFFIXES = (".xlsx", ".csv")


def check_upload(upload) -> str:
    """Refuse an uploaded file that is of another format, empty or too large; return its bare
    name. Every upload path (page, API, queued or not) goes through this."""
    name = Path(upload.name or "").name
    if Path(name).suffix.lower() not in IMPORT_SUFFIXES:
        raise _file_error("unsupported_format", _("只支持 .xlsx 和 .csv 文件。"))
    if upload.size == 0:
        raise _file_error("empty_file", _("文件是空的。"))
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise _file_error(
            "file_too_large",
            _("文件太大（%(size)s），导入文件不能超过%(limit)s。请分成几个文件导入。")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.IMPORT_MAX_BYTES),
            },
        )
    return name


def import_job_create(*, actor, upload, default_org: Organization | None = None) -> ImportJob:
    """Store the uploaded file and queue its import (``members.tasks.run_import``) once the
    job row is committed. Refuses files that are empty, too large or of another format."""
    if not can(actor, Action.MANAGE_MEMBERS):
        raise PermissionDenied
    if default_org is not None:
        if not can(actor, Action.MANAGE_MEMBERS, default_org.path):
            raise PermissionDenied
        check_organization_accepts_members(default_org)
    name = check_upload(upload)
    import_jobs_sweep()
    job = ImportJob.objects.create(
        file=upload,
        filename=name[:255],
        created_by=actor,
        default_org=default_org,
        org_path=default_org.path if default_org is not None else "",
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from tongchou.members.tasks import run_import

    run_import.enqueue(job_id)


class _JobProgress:
    """Progress callbacks that write to the job row while validating (autocommit, at most a
    few times a second); while writing, the rows are inside the import's transaction, so the
    job only says "writing" until the transaction is over."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.writing = False
        self.last = 0.0

    def phase(self, name: str) -> None:
        if name == "writing":
            self.writing = True
            ImportJob.objects.filter(pk=self.job_id).update(
                status=ImportStatus.WRITING, updated_at=timezone.now()
            )

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.writing or now - self.last < 0.5:
            return
        self.last = now
        ImportJob.objects.filter(pk=self.job_id).update(done=done, total=max(total, done))


def import_job_run(*, job_id: int) -> None:
    """Run one queued job; a job already started or finished is left alone (idempotent)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, updated_at=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by", "default_org").get(pk=job_id)
    tracker = _JobProgress(job_id)
    try:
        if job.created_by is None or not job.created_by.is_active:
            raise PermissionDenied
        with job.file.open("rb") as fileobj:
            rows = read_rows(fileobj, job.filename)
            ImportJob.objects.filter(pk=job_id).update(total=rows.total)
            result = members_import(
                actor=job.created_by,
                rows=rows,
                default_org=job.default_org,
                progress=tracker.progress,
                phase=tracker.phase,
            )
    except ApplicationError as exc:
        _finish(job, status=ImportStatus.FAILED, message=str(exc.message))
    except PermissionDenied:
        _finish(job, status=ImportStatus.FAILED, message=_("您没有权限向所选党组织导入党员。"))
    except Exception:
        logger.exception("member import job %s failed", job_id)
        _finish(job, status=ImportStatus.FAILED, message=_("导入时发生意外错误，未导入任何数据。"))
        raise
    else:
        if result.errors:
            _finish(
                job,
                status=ImportStatus.FAILED,
                total=result.total,
                errors=result.errors,
                message=_("发现%(n)s处错误，未导入任何数据。请修改后重新上传。")
                % {"n": len(result.errors)},
            )
        else:
            _finish(
                job,
                status=ImportStatus.DONE,
                total=result.total,
                created=result.created,
                message=_("已导入%(n)s名党员。") % {"n": result.created},
            )


STALE_AFTER = dt.timedelta(hours=24)


def import_jobs_sweep(*, older_than: dt.timedelta = STALE_AFTER) -> int:
    """Fail the jobs no worker finished (queued or stuck for ``older_than``) and delete their
    files, which hold ID numbers in the clear. Run by ``manage.py sweep_imports`` (cron) and
    before every new upload; returns how many jobs it closed."""
    cutoff = timezone.now() - older_than
    stale = ImportJob.objects.filter(
        status__in=[ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.WRITING],
        updated_at__lt=cutoff,
    )
    closed = 0
    for job in stale:
        _finish(
            job,
            status=ImportStatus.FAILED,
            message=_("导入未能在规定时间内完成，已取消，未导入任何数据。请重新上传。"),
        )
        closed += 1
    return closed


def _finish(job: ImportJob, *, status, message="", total=None, created=0, errors=()) -> None:
    """Record the outcome and delete the uploaded file: it holds ID numbers in the clear."""
    if job.file:
        job.file.delete(save=False)
    stored = [[e.row, e.column, e.message] for e in errors[: ImportJob.MAX_STORED_ERRORS]]
    fields = {
        "status": status,
        "message": message[:500],
        "created_count": created,
        "error_count": len(errors),
        "errors": stored,
        "file": "",
        "finished_at": timezone.now(),
        "updated_at": timezone.now(),
    }
    if total is not None:
        fields.update(total=total, done=total)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


# --------------------------------------------------------------------------------------------
# Spreadsheets people download: the template and the error report.

_EXAMPLE = {
    "name": "张三",
    "gender": "男",
    "ethnicity": "汉族",
    "birth_date": "1985-03-14",
    "id_number": "640202198503140013",
    "phone": "13812345678",
    "education": "大学本科",
    "occupation": "农民",
    "category": "正式党员",
    "admission_date": "2010-07-01",
    "full_member_date": "2011-07-01",
    "org_code": "",
    "status": "正常",
    "home_region_code": "640202",
}


def _column_notes() -> dict[str, str]:
    allowed = allowed_values()
    return {
        "name": _("必填，不超过50个字。"),
        "gender": _("必填：") + "、".join(allowed["gender"]),
        "ethnicity": _("必填：56个民族之一，如“汉族”（也可写“汉”或代码01）。"),
        "birth_date": _("必填，如2020-07-01或2020/7/1；须与身份证号一致。"),
        "id_number": _("必填，18位（末位可为X）；请将该列设为“文本”格式。"),
        "phone": _("选填，11位手机号。"),
        "education": _("选填：") + "、".join(allowed["education"]),
        "occupation": _("选填，不超过100个字。"),
        "category": _("必填：") + "、".join(allowed["category"]),
        "admission_date": _("必填；入党时应年满18周岁。"),
        "full_member_date": _("正式党员必填，应在入党满一年至两年之间；预备党员不填。"),
        "org_code": _("党组织代码；不填则使用导入时选择的默认党组织。"),
        "status": _("选填，默认“正常”：") + "、".join(allowed["status"]),
        "home_region_code": _("选填，户籍所在地的统计用区划代码，如640202。"),
    }


def _workbook_bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_template_xlsx(*, org_code: str = "") -> bytes:
    """The import template: the header row, one example row and a 说明 sheet listing what
    every column accepts."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "党员"
    sheet.append([header for _key, header in COLUMNS])
    example = {**_EXAMPLE, "org_code": org_code}
    sheet.append([example[key] for key, _header in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column_cells in sheet.iter_cols(min_row=1, max_row=2):
        column_cells[0].number_format = "@"
        column_cells[1].number_format = "@"  # text: keeps ID numbers and leading zeros
        sheet.column_dimensions[column_cells[0].column_letter].width = 16
    sheet.column_dimensions["E"].width = 22

    notes = book.create_sheet("说明")
    notes.append([_("列"), _("说明")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    column_notes = _column_notes()
    for key, header in COLUMNS:
        notes.append([header, column_notes[key]])
    notes.append([])
    notes.append([_("民族"), "、".join(allowed_values()["ethnicity"])])
    notes.append([])
    notes.append([_("示例"), _("“党员”表第2行是填写示例，导入前请删除或改为真实数据。")])
    notes.append(
        [
            _("导入规则"),
            _(
                "每一行都会被校验；只要有一处错误，整个文件都不会导入，并给出按行、列列出的错误报告。"
            ),
        ]
    )
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 90
    return _workbook_bytes(book)


def error_report_xlsx(errors: Iterable) -> bytes:
    """The errors of an import as a spreadsheet: row, column, reason. Accepts RowError
    objects or ``[row, column, reason]`` lists (as stored on ImportJob)."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=False)
    sheet = book.active
    sheet.title = "错误报告"
    sheet.append([_("行号"), _("列"), _("原因")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for error in errors:
        row, column, message = (
            (error.row, error.column, error.message) if isinstance(error, RowError) else error
        )
        sheet.append([row or "", column, message])
    sheet.column_dimensions["C"].width = 80
    sheet.column_dimensions["B"].width = 16
    return _workbook_bytes(book)
