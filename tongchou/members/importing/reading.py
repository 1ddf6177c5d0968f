"""Reading files: an uploaded file → its header row found → ``(row number, cells)``.

``read_rows`` opens the file by what it is (``formats.open_sheet``), reads the first rows to
find the header (``columns.find_layout``), tells the sheet which columns to keep, and returns a
``RowReader`` over the data rows. Blank rows are skipped; the row cap and the time cap of the
run's ``Budget`` are enforced while iterating.

``read_table`` is the same for any ``ColumnSpec`` (the public entry other importers use, so
that there is one file reader); ``read_rows`` is it with the member roster's columns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tongchou.members.importing.columns import (
    COLUMNS,
    HEADER_SEARCH_ROWS,
    HEADERS,
    KEYS,
    MEMBER_COLUMNS,
    REQUIRED_COLUMNS,
    ColumnSpec,
    Layout,
    find_layout,
)
from tongchou.members.importing.formats import open_sheet, picker
from tongchou.members.importing.limits import Budget, file_error

_file_error = file_error  # (the name the jobs module and older callers use)
_KEYS = KEYS

__all__ = ["COLUMNS", "HEADERS", "REQUIRED_COLUMNS", "RowReader", "read_rows", "read_table"]


class RowReader:
    """The data rows of one file. ``cells()`` yields ``(row number, cells in the spec's column
    order)`` (a column the file lacks reads as ""); iterating yields ``(row number, {key:
    text})``. Either consumes the rows. ``total`` estimates the number of data rows (for
    progress); ``notices`` says what was skipped or ignored (title rows, unknown columns)."""

    def __init__(
        self,
        rows: Iterator,
        layout: Layout,
        sheet,
        budget: Budget,
        filename: str,
        spec: ColumnSpec = MEMBER_COLUMNS,
    ):
        self._rows = rows
        self.spec = spec
        self.layout = layout
        self.format = sheet.format
        self._sheet = sheet
        self.budget = budget
        self.total = max(sheet.total - layout.header_row + 1, 1)
        self.filename = filename

    @property
    def notices(self) -> list[str]:
        return [*self.layout.notices, *self._sheet.notices]

    def cells(self) -> Iterator[tuple[int, list[str]]]:
        budget = self.budget
        limit = budget.max_rows
        count = 0
        for number, cells in self._rows:
            if any(cells) and (cells[0].strip() or any(c.strip() for c in cells)):
                count += 1
                if count > limit:
                    raise budget.too_many_rows(self.spec.too_many_rows)
                if count & 4095 == 0:
                    budget.tick()
                yield number, cells

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        keys = self.spec.keys
        for number, cells in self.cells():
            yield number, dict(zip(keys, cells, strict=True))


def check_size(size: int) -> None:
    if size > settings.IMPORT_MAX_BYTES:
        raise file_error(
            "file_too_large",
            _("文件太大（%(size)s），导入文件不能超过%(limit)s。请分成几个文件导入。")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.IMPORT_MAX_BYTES)},
        )
    if size == 0:
        raise file_error("empty_file", _("文件是空的。"))


def _size(fileobj) -> int:
    size = getattr(fileobj, "size", None)
    if isinstance(size, int):
        return size
    position = fileobj.tell()
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(position)
    return size


def read_rows(fileobj, filename: str, *, budget: Budget | None = None) -> RowReader:
    """Open an uploaded member file (.xlsx, .xls, .et, or .csv in UTF-8 or GBK).

    Raises ``ApplicationError`` (field ``file``) for a file that is empty, too large, of
    another kind, damaged, or without a usable header row (naming the missing and duplicate
    columns). Errors found further in (a broken part of an .xlsx, too many rows, too long)
    are raised the same way while iterating."""
    return read_table(fileobj, filename, spec=MEMBER_COLUMNS, budget=budget)


def read_table(
    fileobj, filename: str, *, spec: ColumnSpec, budget: Budget | None = None
) -> RowReader:
    """``read_rows`` for the columns of ``spec``: any file of rows with named columns, read
    with the same formats, header finding and caps (give a ``Budget`` with the caps the
    import needs)."""
    check_size(_size(fileobj))
    budget = budget or Budget()
    sheet = open_sheet(fileobj, filename, budget)
    rows = sheet.rows()
    top: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        if any(c and c.strip() for c in cells):
            top.append((number, cells))
            if len(top) >= HEADER_SEARCH_ROWS:
                break
    if not top:
        raise file_error("empty_file", _("文件中没有内容。"))
    layout, consumed = find_layout(top, spec)
    indices = [layout.positions.get(key, -1) for key in spec.keys]
    sheet.select(indices)
    pick = picker(indices)
    data = itertools.chain(((n, pick(c)) for n, c in top[consumed:]), rows)
    reader = RowReader(data, layout, sheet, budget, filename, spec)
    first = next(reader.cells(), None)
    if first is None:
        raise file_error("no_rows", str(spec.no_rows))
    reader._rows = itertools.chain([first], data)
    return reader


def _dict_cells(rows: Iterable[tuple[int, dict[str, str]]]) -> Iterator[tuple[int, list[str]]]:
    keys = KEYS
    for number, raw in rows:
        get = raw.get
        yield number, [get(k, "") for k in keys]
