"""Reading files: an .xlsx or .csv file → its header row checked → ``(row number, cells)``."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import operator
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tongchou.core.errors import ApplicationError

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
