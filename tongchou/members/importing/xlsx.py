"""Reading an .xlsx without trusting it.

An .xlsx is a zip of XML parts. openpyxl believes what the file says of itself: its read-only
sheets pad every row to the claimed ``dimension`` (A1:XFD1048576 in a 2 KB file is a 16,384-cell
row, a million times), and it holds every shared string, however many a small, highly packed
part unfolds into. This reader streams the first worksheet through expat and keeps only:

- the cells of the first rows (to find the header), up to ``MAX_COLUMNS``, then only the cells
  of the columns the import knows (``select``); the dimension is ignored, absent rows are not
  made up, far-out cells cost nothing but their bytes;
- shared strings packed into one string and an offset array (a few bytes each), at most
  ``Budget.max_shared_strings``;
- parts whose declared and actual unpacked sizes stay within the budget and whose packing ratio
  is believable (``MAX_RATIO``); only stored or deflated parts (bzip2/LZMA inflate unbounded in
  one call), no encryption, no DTD or entity declarations (billion laughs), no zip64.

Any damage — a broken zip, a bad CRC, malformed XML, a missing part, a shared string index past
the end — is one clear error on the file, never an exception escaping as a 500.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import struct
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator
from xml.parsers import expat

from django.utils.translation import gettext as _

from tongchou.members.importing.limits import (
    MAX_COLUMNS,
    MAX_RATIO,
    MAX_ZIP_ENTRIES,
    RATIO_FLOOR,
    Budget,
    file_error,
)

_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "Strict Open XML"
)
_CHUNK = 64 * 1024
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Built-in number formats that show dates (ECMA-376 18.8.30, with the CJK ones).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)])


class _Refused(Exception):
    """A DTD or entity declaration inside a part."""


def bad_xlsx(detail: str = "") -> Exception:
    message = _("无法读取该 .xlsx 文件：文件已损坏或不是 Excel/WPS 保存的表格。")
    if detail:
        message += detail
    message += _("请在 Excel 或 WPS 中打开后重新保存为 .xlsx 再上传。")
    return file_error("bad_xlsx", message)


def _names(*local: str) -> set[str]:
    """Expat's namespaced names ("{namespace}}local") of these elements, in both namespaces
    and without one (some writers leave it out)."""
    return {f"{ns}}}{name}" for ns in _NAMESPACES for name in local} | set(local)


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _zip_entries(fileobj) -> int:
    """The entry count of the end-of-central-directory record, read before ``zipfile`` builds
    an object for every entry (a central directory of millions of tiny entries is itself a
    bomb). zip64 is refused: no spreadsheet needs it."""
    fileobj.seek(0, 2)
    size = fileobj.tell()
    tail_size = min(size, 22 + 65535)
    fileobj.seek(size - tail_size)
    tail = fileobj.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise bad_xlsx()
    (entries,) = struct.unpack("<H", tail[at + 10 : at + 12])
    if entries == 0xFFFF or b"PK\x06\x07" in tail[max(0, at - 20) : at]:
        raise bad_xlsx(_("（不支持 zip64 格式）"))
    fileobj.seek(0)
    return entries


class XlsxSheet:
    """The first worksheet of an .xlsx, row by row (see the module's docstring)."""

    format = "xlsx"

    def __init__(self, fileobj, budget: Budget):
        self.budget = budget
        self.notices: list[str] = []
        self.total = 0
        self._indices: dict[int, int] | None = None  # column → position, once selected
        self._width = 0
        try:
            if _zip_entries(fileobj) > MAX_ZIP_ENTRIES:
                raise bad_xlsx()
            self._zip = zipfile.ZipFile(fileobj)
            sheet, shared, styles = self._parts()
            self._date_styles = self._read_styles(styles) if styles else frozenset()
            self._shared = self._read_shared(shared) if shared else _SharedStrings()
            self._sheet = sheet
            self.total = max(self._zip.getinfo(sheet).file_size // 120, 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, IndexError):
            raise bad_xlsx() from None
        except expat.ExpatError:
            raise bad_xlsx(_("（XML 格式错误）")) from None
        except _Refused:
            raise bad_xlsx(_("（含有不允许的 XML 声明）")) from None

    # --- the parts ------------------------------------------------------------------------

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = self._zip.getinfo(name)
        if info.flag_bits & 0x1:
            raise file_error(
                "encrypted_file",
                _(
                    "该表格设置了打开密码，无法读取。"
                    "请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再上传。"
                ),
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise bad_xlsx()
        self.budget.may_unzip(info.file_size)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _packed_too_tightly()
        return info

    def _stream(self, name: str) -> Iterator[bytes]:
        """A part's bytes in chunks, counted against the budget: the declared size is checked
        before (``_info``) and the actual one while unpacking."""
        info = self._info(name)
        budget = self.budget
        seen = 0
        with self._zip.open(info) as part:
            while chunk := part.read(_CHUNK):
                seen += len(chunk)
                budget.unzip(len(chunk))
                if seen > info.file_size:
                    raise bad_xlsx()
                if seen > RATIO_FLOOR and seen > MAX_RATIO * max(info.compress_size, 1):
                    raise _packed_too_tightly()
                budget.tick()
                yield chunk

    def _parse(self, name: str, start: Callable, end: Callable | None = None, text=None) -> None:
        parser = _parser(start, end, text)
        for chunk in self._stream(name):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def _parts(self) -> tuple[str, str | None, str | None]:
        """The first worksheet's part, and the shared strings and styles parts (or None)."""
        names = set(self._zip.namelist())
        if "word/document.xml" in names:
            raise file_error(
                "not_a_spreadsheet",
                _(
                    "这是一个 Word 文档，不是表格。"
                    "请把名册放在 Excel 或 WPS 表格中，另存为 .xlsx 后上传。"
                ),
            )
        workbook = "xl/workbook.xml"
        if "_rels/.rels" in names:
            for _id, kind, target in self._relationships("_rels/.rels", ""):
                if kind.endswith("/officeDocument"):
                    workbook = target
        if workbook not in names:
            raise bad_xlsx()
        folder = posixpath.dirname(workbook)
        rels = posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")
        targets: dict[str, str] = {}
        shared = styles = None
        for rel_id, kind, target in self._relationships(rels, folder):
            targets[rel_id] = target
            if kind.endswith("/sharedStrings"):
                shared = target
            elif kind.endswith("/styles"):
                styles = target
        first: list[str] = []

        def start(name, attrs):
            if _local(name) == "sheet" and not first and attrs.get("state") != "hidden":
                first.extend(v for k, v in attrs.items() if _local(k) == "id")

        self._parse(workbook, start)
        if not first or targets.get(first[0]) not in names:
            raise file_error("empty_file", _("文件中没有工作表。"))
        return (
            targets[first[0]],
            shared if shared in names else None,
            styles if styles in names else None,
        )

    def _relationships(self, name: str, folder: str) -> list[tuple[str, str, str]]:
        found: list[tuple[str, str, str]] = []

        def start(tag, attrs):
            if _local(tag) == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                if target.startswith("/"):
                    target = target[1:]
                else:
                    target = posixpath.normpath(posixpath.join(folder, target))
                found.append((attrs.get("Id", ""), attrs.get("Type", ""), target))

        self._parse(name, start)
        return found

    def _read_styles(self, name: str) -> frozenset[int]:
        """Indices of the cell formats that show dates (numbers in such cells are dates)."""
        from openpyxl.styles.numbers import is_date_format

        custom: dict[int, bool] = {}
        formats: list[int] = []
        inside = [False]

        def start(tag, attrs):
            local = _local(tag)
            if local == "numFmt":
                custom[int(attrs.get("numFmtId", "0"))] = is_date_format(
                    attrs.get("formatCode", "")
                )
            elif local == "cellXfs":
                inside[0] = True
            elif local == "xf" and inside[0]:
                formats.append(int(attrs.get("numFmtId", "0")))
                if len(formats) > 65_000:  # Excel's own limit on cell formats
                    raise bad_xlsx()

        def end(tag):
            if _local(tag) == "cellXfs":
                inside[0] = False

        self._parse(name, start, end)
        return frozenset(
            i for i, fmt in enumerate(formats) if custom.get(fmt, fmt in _DATE_FORMAT_IDS)
        )

    def _read_shared(self, name: str) -> _SharedStrings:
        strings = _SharedStrings()
        cap = self.budget.max_shared_strings
        state = {"text": None, "phonetic": 0}
        parts: list[str] = []

        def start(tag, attrs):
            local = _local(tag)
            if local == "si":
                parts.clear()
            elif local == "t" and not state["phonetic"]:
                state["text"] = parts
            elif local == "rPh":  # phonetic guide (furigana): not part of the value
                state["phonetic"] += 1

        def end(tag):
            local = _local(tag)
            if local == "t":
                state["text"] = None
            elif local == "rPh":
                state["phonetic"] -= 1
            elif local == "si":
                if len(strings) >= cap:
                    raise file_error(
                        "xlsx_too_many_strings",
                        _("该 .xlsx 文件含有超过%(limit)s个文字，超出允许的范围，未导入任何数据。")
                        % {"limit": f"{cap:,}"},
                        cap="shared_strings",
                    )
                strings.append("".join(parts))

        def text(data):
            target = state["text"]
            if target is not None:
                target.append(data)

        self._parse(name, start, end, text)
        strings.freeze()
        return strings

    # --- the sheet ------------------------------------------------------------------------

    def select(self, indices: list[int]) -> None:
        """From now on keep only these columns (position i of a row = column ``indices[i]``;
        -1 for a column the file lacks, read as "")."""
        self._indices = {column: i for i, column in enumerate(indices) if column >= 0}
        self._width = len(indices)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """``(row number, cells)`` of every row that has a cell; before ``select`` the cells
        are the first ``MAX_COLUMNS`` columns, after it the selected ones."""
        try:
            yield from self._rows()
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, IndexError, KeyError):
            raise bad_xlsx() from None
        except expat.ExpatError:
            raise bad_xlsx(_("（XML 格式错误）")) from None
        except _Refused:
            raise bad_xlsx(_("（含有不允许的 XML 声明）")) from None

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        shared = self._shared
        date_styles = self._date_styles
        budget = self.budget
        done: list[tuple[int, list[str]]] = []
        columns = _COLUMNS
        # The state of the element being read, in locals of this closure for speed.
        row_number = 0
        next_column = 0
        cells: list[str] | dict[int, str] = []
        keep_at = -1  # where the current cell goes (-1: not kept)
        cell_type = None
        cell_style = None
        text: list[str] | None = None
        value: list[str] = []
        far_out = False

        row_tags = _names("row")
        cell_tags = _names("c")
        value_tags = _names("v", "t")

        def start(tag, attrs):
            nonlocal row_number, next_column, cells, keep_at, cell_type, cell_style, text
            nonlocal far_out
            if tag in cell_tags:
                ref = attrs.get("r")
                if ref:
                    column = columns[ref.rstrip("0123456789")]
                    if column is None:
                        raise ValueError(ref)
                else:
                    column = next_column
                next_column = column + 1
                if self._indices is not None:
                    keep_at = self._indices.get(column, -1)
                elif column < MAX_COLUMNS:
                    keep_at = column
                else:
                    keep_at = -1
                    far_out = True
                cell_type = attrs.get("t")
                cell_style = attrs.get("s")
                value.clear()
            elif tag in value_tags:
                if keep_at >= 0:
                    text = value
            elif tag in row_tags:
                r = attrs.get("r")
                row_number = int(r) if r else row_number + 1
                next_column = 0
                cells = [""] * self._width if self._indices is not None else {}

        def end(tag):
            nonlocal text, keep_at
            if tag in value_tags:
                text = None
            elif tag in cell_tags:
                if keep_at >= 0:
                    cells[keep_at] = _cell_text(
                        "".join(value), cell_type, cell_style, shared, date_styles
                    )
                    keep_at = -1
            elif tag in row_tags:
                if isinstance(cells, dict):  # before select: the row as it is
                    if cells:
                        row = [""] * (max(cells) + 1)
                        for column, content in cells.items():
                            row[column] = content
                        done.append((row_number, row, True))
                        budget.cells += len(cells)
                elif any(cells):
                    done.append((row_number, cells, False))
                    budget.cells += len(cells)

        def chars(data):
            if text is not None:
                text.append(data)

        parser = _parser(start, end, chars)
        for chunk in self._stream(self._sheet):
            parser.Parse(chunk, False)
            if done:
                yield from self._flush(done)
        parser.Parse(b"", True)
        yield from self._flush(done)
        if far_out and not self.notices:
            self.notices.append(
                _("第%(n)s列以后的内容已忽略（只读取前%(n)s列）。") % {"n": MAX_COLUMNS}
            )

    def _flush(self, done: list) -> Iterator[tuple[int, list[str]]]:
        """The rows parsed from the last chunk. A row read whole before ``select`` but handed
        out after it (same chunk as the header) is cut down to the selected columns here."""
        rows = list(done)
        done.clear()
        for number, cells, whole in rows:
            if whole and self._indices is not None:
                picked = [""] * self._width
                for column, position in self._indices.items():
                    if column < len(cells):
                        picked[position] = cells[column]
                if not any(picked):
                    continue
                cells = picked
            yield number, cells


def _cell_text(raw: str, kind, style, shared, date_styles) -> str:
    if kind == "s":
        return shared[int(raw)]
    if kind in ("inlineStr", "str"):
        return raw
    if kind == "b":
        return "1" if raw.strip() in ("1", "true") else "0"
    if kind == "e":
        return ""  # #N/A, #VALUE!: nothing there
    if kind == "d":
        return raw[:10]
    if not raw:
        return ""
    return number_text(raw, style is not None and int(style) in date_styles)


def number_text(raw: str, is_date: bool) -> str:
    """A number cell as text: a date cell as its ISO date; an integer as its digits (phone
    numbers); anything else as Python writes the float (6.4020219850314e+17 for an ID number
    a spreadsheet turned into a number, which the ID check names as such)."""
    if raw.isdigit():
        if is_date:
            return (_EXCEL_EPOCH + dt.timedelta(days=int(raw))).isoformat()
        return raw
    number = float(raw)
    if is_date and 0 < number < 2_958_466:  # through 9999-12-31
        return (_EXCEL_EPOCH + dt.timedelta(days=int(number))).isoformat()
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _packed_too_tightly() -> Exception:
    return file_error(
        "xlsx_bomb",
        _(
            "该 .xlsx 文件的压缩比异常（解压后超过压缩前的%(ratio)s倍），"
            "可能是恶意构造的文件，未导入任何数据。"
        )
        % {"ratio": MAX_RATIO},
        cap="ratio",
    )


def _refuse(*_args) -> None:
    raise _Refused


def _parser(start, end=None, text=None):
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = _CHUNK
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    return parser


class _Columns(dict):
    """Column letters → index (A → 0), computed once per distinct letters; refuses letters
    past XFD (Excel's last column) with ``None``."""

    def __missing__(self, letters: str) -> int | None:
        if not letters or len(letters) > 3 or not letters.isalpha() or not letters.isascii():
            return None
        index = 0
        for letter in letters.upper():
            index = index * 26 + ord(letter) - 64
        value = index - 1 if index <= 16384 else None
        if len(self) < 20_000:
            self[letters] = value
        return value


_COLUMNS = _Columns()


class _SharedStrings:
    """The shared strings as one string and an array of end offsets: a few bytes per string
    instead of a Python object each (a roster shares millions)."""

    def __init__(self):
        self._parts: list[str] = []
        self._ends = array("q")
        self._size = 0
        self._text = ""

    def __len__(self) -> int:
        return len(self._ends)

    def append(self, value: str) -> None:
        self._parts.append(value)
        self._size += len(value)
        self._ends.append(self._size)

    def freeze(self) -> None:
        self._text = "".join(self._parts)
        self._parts = []

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        end = self._ends[index]
        return self._text[self._ends[index - 1] if index else 0 : end]
