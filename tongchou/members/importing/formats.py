"""Which kind of file was uploaded (by its first bytes, not its name), and the readers of the
formats other than .xlsx: CSV (UTF-8 with or without BOM, GBK/GB18030 — what Excel saves on a
Chinese Windows), old Excel .xls / WPS .et (BIFF in an OLE2 container) through ``xlrd``, and
the ".xls" that many government systems export, which is an HTML page holding one table (Excel
opens it with a warning; ``HtmlSheet``).

Every reader is a sheet: ``rows()`` yields ``(row number, cells)`` — every column (up to
``MAX_COLUMNS``) until ``select(indices)``, then only those columns in that order — and
``total`` estimates the number of rows for progress.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from operator import itemgetter
from pathlib import Path

from django.utils.translation import gettext as _

from tongchou.members.importing.limits import (
    MAX_COLUMNS,
    MAX_LINE_BYTES,
    MAX_XLS_BYTES,
    Budget,
    file_error,
)
from tongchou.members.importing.xlsx import XlsxSheet, number_text

ZIP = b"PK\x03\x04"
EMPTY_ZIP = b"PK\x05\x06"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".et", ".csv")


def _save_as() -> str:
    return _("请在 Excel 或 WPS 中另存为 .xlsx 后上传。")


def picker(indices: list[int]) -> Callable[[list[str]], list[str]]:
    """``pick(cells)`` → ``[cells[i] for i in indices]``, "" for -1 or a short row. The usual
    case — the template's columns in the template's order — returns the row itself."""
    width = len(indices)
    if indices == list(range(width)):
        pad = [""] * width

        def same(cells: list[str]) -> list[str]:
            n = len(cells)
            if n == width:
                return cells
            return cells[:width] if n > width else cells + pad[: width - n]

        return same
    top = max(indices) + 1  # one past the last column read: where "" is put for -1
    get = itemgetter(*[i if i >= 0 else top for i in indices])
    pad = [""] * (top + 1)

    def pick(cells: list[str]) -> list[str]:
        n = len(cells)
        cells = cells + pad[: top + 1 - n] if n <= top else [*cells[:top], ""]
        return list(get(cells))

    return pick


def refuse_by_content(head: bytes) -> None:
    """A clear message for the files people upload by mistake, whatever their name."""
    if head.startswith(b"%PDF"):
        raise file_error(
            "not_a_spreadsheet",
            _(
                "这是一个 PDF 文件，不是表格，无法读取其中的数据。"
                "请上传 Excel/WPS 表格（.xlsx、.xls）或 CSV 文件。"
            ),
        )
    images = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF", b"II*\x00", b"MM\x00*")
    if head.startswith(images):
        raise file_error(
            "not_a_spreadsheet",
            _(
                "这是一张图片，不是表格，无法读取其中的数据。"
                "请上传 Excel/WPS 表格（.xlsx、.xls）或 CSV 文件。"
            ),
        )
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        raise file_error(
            "not_a_spreadsheet",
            _("这是一个压缩包，不是表格。请解压后上传其中的 .xlsx、.xls 或 .csv 文件。"),
        )


def open_sheet(fileobj, filename: str, budget: Budget):
    """The first sheet of an uploaded file, by what the file is (an .xls named .xlsx reads
    as .xls), or a clear error naming what it is instead."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    suffix = Path(filename or "").suffix.lower()
    if head.startswith((ZIP, EMPTY_ZIP)):
        return XlsxSheet(fileobj, budget)
    if head.startswith(OLE2):
        return XlsSheet(fileobj, suffix, budget)
    if looks_like_html(fileobj):
        return HtmlSheet(fileobj, budget)
    refuse_by_content(head)
    if suffix in (".csv", ".txt"):
        return CsvSheet(fileobj, budget)
    if suffix in (".xlsx", ".xls", ".et"):
        raise file_error(
            "not_a_spreadsheet",
            _("该文件的扩展名是 %(suffix)s，但内容不是表格（可能是改了扩展名的其他文件）。")
            % {"suffix": suffix}
            + _save_as(),
        )
    raise unsupported_format(suffix)


def unsupported_format(suffix: str) -> Exception:
    if suffix in (".doc", ".docx", ".wps", ".rtf"):
        message = _(
            "这是一个 Word/WPS 文字文档，不是表格。"
            "请把名册放在 Excel 或 WPS 表格中，另存为 .xlsx 后上传。"
        )
    elif suffix == ".pdf":
        message = _("PDF 文件无法读取其中的数据。请上传 Excel/WPS 表格（.xlsx、.xls）或 CSV 文件。")
    elif suffix in (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".heic", ".tif", ".tiff"):
        message = _("图片无法读取其中的数据。请上传 Excel/WPS 表格（.xlsx、.xls）或 CSV 文件。")
    elif suffix in (".zip", ".rar", ".7z"):
        message = _("这是一个压缩包。请解压后上传其中的 .xlsx、.xls 或 .csv 文件。")
    elif suffix in (".numbers", ".ods", ".ett", ".xlsm", ".xlsb"):
        message = _("不支持 %(suffix)s 格式。") % {"suffix": suffix} + _save_as()
    else:
        message = _("只支持 Excel/WPS 表格（.xlsx、.xls、.et）和 CSV 文件。")
    return file_error("unsupported_format", message)


# --- CSV ---------------------------------------------------------------------------------------


def _detect_encoding(fileobj) -> tuple[str, int]:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK and GB2312). Returns
    the encoding and the number of line breaks. A file that decodes in neither, or that holds
    NUL characters (UTF-16, binary files), is refused, and so is a line longer than
    ``MAX_LINE_BYTES`` (a file of one huge line would be read whole, then split into millions
    of fields)."""
    for encoding in ("utf-8-sig", "gb18030"):
        fileobj.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        since_break = 0  # bytes since the last line break
        try:
            while chunk := fileobj.read(1 << 20):
                if b"\x00" in chunk:
                    raise UnicodeDecodeError(encoding, chunk, 0, 1, "NUL")
                decoder.decode(chunk)
                breaks = chunk.count(b"\n")
                lines += breaks
                since_break = _longest_line(chunk, breaks, since_break)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        fileobj.seek(0)
        return encoding, lines
    raise file_error(
        "bad_encoding",
        _("无法识别文件的编码。请将 CSV 保存为 UTF-8 或 GBK 编码，或直接上传 .xlsx 文件。"),
    )


def _longest_line(chunk: bytes, breaks: int, since_break: int) -> int:
    """Refuse a line longer than the cap; return the bytes since the chunk's last line break.
    Chunks are no longer than the cap, so only a line running across chunks can exceed it."""
    limit = MAX_LINE_BYTES
    if breaks:
        longest = since_break + chunk.find(b"\n")
        since_break = len(chunk) - chunk.rfind(b"\n") - 1
    else:
        since_break += len(chunk)
        longest = since_break
    if max(longest, since_break) > limit:
        raise file_error(
            "bad_csv",
            _("CSV 文件中有一行超过%(n)s MB，不是党员名册。") % {"n": MAX_LINE_BYTES // 1024**2},
        )
    return since_break


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


class CsvSheet:
    format = "csv"

    def __init__(self, fileobj, budget: Budget):
        encoding, lines = _detect_encoding(fileobj)
        self._text = io.TextIOWrapper(
            io.BufferedReader(_Binary(fileobj)), encoding=encoding, newline=""
        )
        first = self._text.readline(MAX_LINE_BYTES)
        self._delimiter = "\t" if first.count("\t") > first.count(",") else ","
        self._text.seek(0)
        self.total = max(lines - 1, 1)
        self.notices: list[str] = []
        self._pick: Callable | None = None

    def select(self, indices: list[int]) -> None:
        self._pick = picker(indices)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(self._text, delimiter=self._delimiter)
        try:
            for number, cells in enumerate(reader, start=1):
                pick = self._pick
                if pick is not None:
                    yield number, pick(cells)
                else:
                    yield number, cells[:MAX_COLUMNS]
        except csv.Error as exc:
            raise file_error(
                "bad_csv",
                _("CSV 文件第%(row)s行格式有误：%(error)s")
                % {"row": reader.line_num, "error": exc},
            ) from None


# --- .xls and .et ------------------------------------------------------------------------------


def _ole2_streams(data: bytes) -> set[str]:
    """Names of the streams an OLE2 file holds that tell what it is (read from the UTF-16
    directory entries, which is all we need: xlrd reads the rest)."""
    names = {
        "Workbook": "Workbook",
        "Book": "Book",
        "EncryptedPackage": "EncryptedPackage",
        "WordDocument": "WordDocument",
        "PowerPoint Document": "PowerPoint Document",
    }
    return {name for name, text in names.items() if text.encode("utf-16-le") in data}


class XlsSheet:
    """An old Excel (.xls, BIFF5/8) or WPS (.et, usually the same format) workbook's first
    sheet, read whole by xlrd (an .xls is at most 65,536 rows; its size is capped)."""

    format = "xls"

    def __init__(self, fileobj, suffix: str, budget: Budget):
        import xlrd

        self.notices: list[str] = []
        self._pick: Callable | None = None
        self.budget = budget
        data = fileobj.read(MAX_XLS_BYTES + 1)
        if len(data) > MAX_XLS_BYTES:
            raise file_error(
                "file_too_large",
                _("旧版 .xls/.et 文件不能超过%(mb)s MB。") % {"mb": MAX_XLS_BYTES // 1024**2}
                + _save_as(),
            )
        streams = _ole2_streams(data)
        if "EncryptedPackage" in streams:
            raise _encrypted()
        if "WordDocument" in streams or "PowerPoint Document" in streams:
            raise file_error(
                "not_a_spreadsheet",
                _(
                    "这是一个 Word 或 PowerPoint 文档，不是表格。"
                    "请把名册放在 Excel 或 WPS 表格中，另存为 .xlsx 后上传。"
                ),
            )
        try:
            book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
            self._sheet = book.sheet_by_index(0)
            self._datemode = book.datemode
        except xlrd.XLRDError as exc:
            if "encrypted" in str(exc).lower():
                raise _encrypted() from None
            raise self._unreadable(suffix) from None
        except Exception:  # noqa: BLE001 - xlrd fails on damaged files in many ways
            raise self._unreadable(suffix) from None
        self.total = max(self._sheet.nrows - 1, 1)
        if self._sheet.ncols > MAX_COLUMNS:
            self.notices.append(
                _("第%(n)s列以后的内容已忽略（只读取前%(n)s列）。") % {"n": MAX_COLUMNS}
            )

    @staticmethod
    def _unreadable(suffix: str) -> Exception:
        if suffix == ".et":
            return file_error(
                "bad_et",
                _("无法读取该 WPS 表格（.et）文件。请在 WPS 中打开，另存为 .xlsx 后上传。"),
            )
        return file_error("bad_xls", _("无法读取该 .xls 文件，文件可能已损坏。") + _save_as())

    def select(self, indices: list[int]) -> None:
        self._pick = picker(indices)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        import xlrd

        sheet = self._sheet
        width = min(sheet.ncols, MAX_COLUMNS)
        date, number, boolean = xlrd.XL_CELL_DATE, xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_BOOLEAN
        for r in range(sheet.nrows):
            kinds = sheet.row_types(r, 0, width)
            values = sheet.row_values(r, 0, width)
            cells = []
            for kind, value in zip(kinds, values, strict=True):
                if kind == number:
                    cells.append(number_text(repr(value), False))
                elif kind == date:
                    cells.append(self._date(value))
                elif kind == boolean:
                    cells.append("1" if value else "0")
                elif isinstance(value, str):
                    cells.append(value)
                else:
                    cells.append("")  # empty, blank, error cells
            if r % 4096 == 0:
                self.budget.tick()
            if any(cells):
                yield r + 1, (self._pick(cells) if self._pick is not None else cells)

    def _date(self, value: float) -> str:
        import xlrd

        try:
            return xlrd.xldate_as_datetime(value, self._datemode).date().isoformat()
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return number_text(repr(value), False)


# --- an HTML table saved as .xls --------------------------------------------------------------

HTML_MARKS = (b"<html", b"<!doctype html", b"<table", b"<head", b"<meta")


def looks_like_html(fileobj) -> bool:
    """An HTML page by its first bytes (after a BOM and white space), whatever its name."""
    fileobj.seek(0)
    head = fileobj.read(1024)
    fileobj.seek(0)
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    return start.startswith(b"<") and any(mark in start for mark in HTML_MARKS)


def _html_encoding(data: bytes) -> str:
    """The page's declared charset when Python knows it (GB2312 read as its superset GB18030),
    else UTF-8 if it decodes, else GB18030."""
    import re

    found = re.search(rb"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", data[:4096], re.IGNORECASE)
    if found:
        name = found.group(1).decode("ascii").lower()
        if name in ("gb2312", "gbk", "gb_2312-80", "x-gbk"):
            return "gb18030"
        try:
            info = codecs.lookup(name)
        except LookupError:
            info = None
        # Only a text encoding: "base64", "zlib", "rot13" are codecs too, not charsets.
        if info is not None and getattr(info, "_is_text_encoding", True):
            return info.name
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


class _TableRows:
    """The rows of the first table of a page, as ``html.parser`` finds them: each cell's text
    (line breaks and runs of white space as one space), a cell spanning columns followed by
    empty ones so the columns stay in place. Tables inside a cell give their text to it."""

    def __init__(self):
        from html.parser import HTMLParser

        rows = self.rows = []
        state = {"depth": 0, "done": False, "row": None, "cell": None, "span": 1}

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                if state["done"]:
                    return
                if tag == "table":
                    state["depth"] += 1
                elif state["depth"] != 1:
                    if tag == "br" and state["cell"] is not None:
                        state["cell"].append(" ")
                elif tag == "tr":  # a missing </tr> or </td> is closed here, as browsers do
                    close_row()
                    state["row"] = []
                elif tag in ("td", "th") and state["row"] is not None:
                    close_cell()
                    state["cell"] = []
                    span = dict(attrs).get("colspan") or "1"
                    digits = span.isascii() and span.isdigit()  # not "²" or "٣"
                    state["span"] = min(int(span), MAX_COLUMNS) if digits else 1
                elif tag == "br" and state["cell"] is not None:
                    state["cell"].append(" ")

            def handle_endtag(self, tag):
                if state["done"]:
                    return
                if tag == "table":
                    state["depth"] -= 1
                    if state["depth"] <= 0:
                        close_row()
                        state["done"] = True
                elif state["depth"] != 1:
                    return
                elif tag in ("td", "th"):
                    close_cell()
                elif tag == "tr":
                    close_row()

            def handle_data(self, data):
                if state["cell"] is not None:
                    state["cell"].append(data)

        def close_cell():
            if state["cell"] is None or state["row"] is None:
                return
            text = " ".join("".join(state["cell"]).split())
            row = state["row"]
            if len(row) < MAX_COLUMNS:
                row.append(text)
                row.extend([""] * min(state["span"] - 1, MAX_COLUMNS - len(row)))
            state["cell"] = None

        def close_row():
            close_cell()
            if state["row"] is not None:
                rows.append(state["row"])
                state["row"] = None

        self.parser = Parser(convert_charrefs=True)

    def feed(self, text: str) -> list[list[str]]:
        self.parser.feed(text)
        done, self.rows[:] = list(self.rows), []
        return done


class HtmlSheet:
    """The first table of an HTML page named .xls (the usual export of web systems, the
    national Party member system's among them), read as text; its size is capped like an
    .xls's."""

    format = "html"

    def __init__(self, fileobj, budget: Budget):
        self.notices: list[str] = []
        self._pick: Callable | None = None
        self.budget = budget
        data = fileobj.read(MAX_XLS_BYTES + 1)
        if len(data) > MAX_XLS_BYTES:
            raise file_error(
                "file_too_large",
                _("网页格式的表格文件不能超过%(mb)s MB。") % {"mb": MAX_XLS_BYTES // 1024**2}
                + _save_as(),
            )
        self._text = data.decode(_html_encoding(data), errors="replace")
        if "<table" not in self._text[:MAX_XLS_BYTES].lower():
            raise file_error(
                "not_a_spreadsheet",
                _("这是一个网页文件，其中没有表格。") + _save_as(),
            )
        self.total = max(self._text.lower().count("<tr") - 1, 1)

    def select(self, indices: list[int]) -> None:
        self._pick = picker(indices)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        table = _TableRows()
        number = 0
        chunk = 1 << 16
        for start in range(0, len(self._text), chunk):
            for cells in table.feed(self._text[start : start + chunk]):
                number += 1
                if number % 4096 == 0:
                    self.budget.tick()
                if any(cells):
                    yield number, (self._pick(cells) if self._pick is not None else cells)


def _encrypted() -> Exception:
    return file_error(
        "encrypted_file",
        _("该表格设置了打开密码，无法读取。请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再上传。"),
    )
