"""The one way the platform writes spreadsheets for people to download.

Every export goes through :func:`write_xlsx` and :func:`download`:

* **no live formulas**: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is written with a leading apostrophe (the OWASP rule for spreadsheet injection), so a
  name or an occupation typed as ``=HYPERLINK(…)`` stays text in Excel, WPS and LibreOffice,
  and stays text if the sheet is saved again as CSV;
* **readable as opened**: the header row is bold and frozen, columns are sized to their content
  (CJK characters count double), capped so one long text does not push the rest off screen;
* **a proper file name**: Chinese, per RFC 6266 / RFC 5987 (``filename*=UTF-8''…``), with an
  ASCII ``filename`` for old clients, and ``Cache-Control: no-store`` (exports hold personal data).
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import IO, Any
from urllib.parse import quote

from django.http import FileResponse
from django.utils.cache import add_never_cache_headers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH = 6
MAX_WIDTH = 48
SIZING_SAMPLE = 500  # rows read ahead to size the columns (the rest stream through)


def neutralize(value: Any) -> Any:
    """A text that a spreadsheet would read as a formula, made plain text; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def display_width(value: Any) -> int:
    """Columns a value takes on screen: East Asian wide characters count two."""
    if value is None:
        return 0
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass
class Sheet:
    """One worksheet: a title, its header row, and rows (any iterable, read once)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _widths(headers: Sequence[str], sample: Sequence[Sequence[Any]]) -> list[int]:
    widths = [display_width(h) + 2 for h in headers]
    for row in sample:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], display_width(value) + 2)
    return [min(MAX_WIDTH, max(MIN_WIDTH, w)) for w in widths]


def _write_sheet(book, sheet: Sheet) -> int:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    ws = book.create_sheet(sheet.title[:31])
    rows: Iterator[Sequence[Any]] = iter(sheet.rows)
    sample = list(islice(rows, SIZING_SAMPLE))
    # A write-only sheet takes its column widths and panes before the first row.
    for i, width in enumerate(_widths(sheet.headers, sample)):
        ws.column_dimensions[_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in sheet.headers:
        cell = WriteOnlyCell(ws, value=neutralize(title))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    count = 0
    for row in chain(sample, rows):
        ws.append([neutralize(v) for v in row])
        count += 1
    return count


def write_xlsx(sheets: Sequence[Sheet]) -> tuple[IO[bytes], list[int]]:
    """Write the sheets to an .xlsx file; returns the open file (at 0) and each sheet's row
    count (without the header)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    counts = [_write_sheet(book, sheet) for sheet in sheets]
    out = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115
    book.save(out)
    out.seek(0)
    return out, counts


def content_disposition(filename: str, fallback: str, *, disposition: str = "attachment") -> str:
    """``attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>`` (RFC 6266)."""
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in fallback)
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(fileobj: IO[bytes], filename: str, fallback: str, *, content_type: str = XLSX):
    """A download of ``fileobj`` under a (Chinese) file name, never cached."""
    response = FileResponse(fileobj, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, fallback)
    add_never_cache_headers(response)
    return response
