"""The columns of a member file, the names people give them, and finding the header row.

Cadres send rosters made in their own offices and exports of the national Party member
information system (全国党员管理信息系统): a title such as "XX村党支部党员花名册" (often a
merged cell), a line of notes or a date, blank rows, then the header; columns the import has no
use for (序号, 备注, 工作单位…); the same column under different names (公民身份号码 /
身份证号码 / 身份证号). So the header row is found, not assumed: the first of the top rows that
names enough known columns. Columns it does not know are ignored and listed in a notice; two
columns for one thing are a clear error unless one is the usual name and the other a looser
synonym (手机号码 beside 联系电话: the mobile number is used).

The finding is the same for any file of rows with named columns: a ``ColumnSpec`` says what
one kind of file holds (its columns, their other names, what it must have). ``MEMBER_COLUMNS``
is the member roster's; other importers (linkage's outlet sales) pass their own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tongchou.members.importing.limits import file_error

# Column keys and the Chinese headers of the template. Order = template order.
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
    ("org_name", "所在党组织"),
    ("status", "状态"),
    ("home_region_code", "户籍区划代码"),
]
HEADERS: dict[str, str] = dict(COLUMNS)
KEYS = [key for key, _header in COLUMNS]
# Columns a file must have. Birth date and gender may be left out (the ID number holds them),
# the organization too when a default organization is chosen at upload.
REQUIRED_COLUMNS = ("name", "id_number", "ethnicity", "category", "admission_date")
DATE_KEYS = ("birth_date", "admission_date", "full_member_date")

# The template's example row carries this ID number: its check character is wrong on purpose
# (…0013 would be right), so the row can never be imported as a person, and the importer
# recognises it and says "delete the example row" instead of "wrong check character".
EXAMPLE_ID_NUMBER = "640202198503140010"

# Other names of each column: those of Chinese rosters and of the national system's exports.
# A rank-2 name is a looser synonym, used only when no rank-1 column for the key is present.
ALIASES: dict[str, tuple[str, int]] = {
    **{header: (key, 1) for key, header in COLUMNS},
    **{key: (key, 1) for key in KEYS},
    "名字": ("name", 2),
    "党员姓名": ("name", 1),
    "性别代码": ("gender", 2),
    "民族代码": ("ethnicity", 2),
    "出生年月": ("birth_date", 1),
    "出生年月日": ("birth_date", 1),
    "出生时间": ("birth_date", 1),
    "生日": ("birth_date", 2),
    "身份证号码": ("id_number", 1),
    "公民身份号码": ("id_number", 1),
    "公民身份证号码": ("id_number", 1),
    "公民身份证号": ("id_number", 1),
    "身份证": ("id_number", 1),
    "证件号码": ("id_number", 2),
    "手机号码": ("phone", 1),
    "手机": ("phone", 1),
    "移动电话": ("phone", 1),
    "联系电话": ("phone", 2),
    "联系方式": ("phone", 2),
    "电话": ("phone", 2),
    "电话号码": ("phone", 2),
    "文化程度": ("education", 1),
    "最高学历": ("education", 2),
    "学历学位": ("education", 2),
    "工作岗位": ("occupation", 1),
    "现工作岗位": ("occupation", 1),
    "现职业": ("occupation", 1),
    "职业（工作岗位）": ("occupation", 1),
    "人员类别": ("category", 1),
    "党员类型": ("category", 1),
    "类别": ("category", 2),
    "党籍状态": ("category", 2),
    "入党时间": ("admission_date", 1),
    "入党年月": ("admission_date", 1),
    "加入党组织日期": ("admission_date", 1),
    "加入中国共产党日期": ("admission_date", 1),
    "转正时间": ("full_member_date", 1),
    "转正年月": ("full_member_date", 1),
    "转为正式党员日期": ("full_member_date", 1),
    "党组织代码": ("org_code", 1),
    "组织代码": ("org_code", 2),
    "所在党组织名称": ("org_name", 1),
    "所在党支部": ("org_name", 1),
    "所在支部": ("org_name", 1),
    "党支部": ("org_name", 2),
    "党组织名称": ("org_name", 2),
    "所属党组织": ("org_name", 1),
    "所属党支部": ("org_name", 1),
    "党员状态": ("status", 1),
    "户籍区划代码": ("home_region_code", 1),
    "户籍所在地区划代码": ("home_region_code", 1),
    "区划代码": ("home_region_code", 2),
}


@dataclass(frozen=True)
class ColumnSpec:
    """One kind of file: its columns ``(key, template header)`` in template order, the names
    people give each (``alias → (key, rank)``; rank 2 is a looser synonym, used only when no
    rank-1 column for the key is present), the keys a file must have, and the keys that make a
    row the header at once (with ``MIN_HEADER_MATCHES`` known columns). ``no_rows`` and
    ``too_many_rows`` are the messages for a file without data and one over the row cap
    (``%(limit)s``, ``Budget.too_many_rows``), naming what the rows are."""

    columns: tuple[tuple[str, str], ...]
    aliases: dict[str, tuple[str, int]]
    required: tuple[str, ...]
    anchors: frozenset[str]
    no_rows: str
    too_many_rows: str

    @property
    def keys(self) -> list[str]:
        return [key for key, _header in self.columns]

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.columns)


MEMBER_COLUMNS = ColumnSpec(
    columns=tuple(COLUMNS),
    aliases=ALIASES,
    required=REQUIRED_COLUMNS,
    anchors=frozenset({"name", "id_number"}),
    no_rows=_lazy("文件只有表头，没有党员数据。"),
    too_many_rows=_lazy("文件超过%(limit)s行党员数据，超出一次导入允许的行数，未导入任何数据。"),
)

HEADER_SEARCH_ROWS = 30  # the header is among the first rows that hold anything
MIN_HEADER_MATCHES = 3

# Marks people put in headers: required stars, "(必填)", a format hint in brackets, a colon.
_HINT = re.compile(r"[（(][^（()）]*[)）]|[*＊※]|[:：]$")
_SPACE = re.compile(r"\s+")


def header_text(cell: str, aliases: dict[str, tuple[str, int]] = ALIASES) -> str:
    """A header cell as the alias table spells it: NFKC (full-width brackets and letters),
    no spaces or line breaks, no required marks or bracketed hints."""
    text = _SPACE.sub("", unicodedata.normalize("NFKC", cell or ""))
    if text in aliases or text.lower() in aliases:
        return text if text in aliases else text.lower()
    return _HINT.sub("", text)


def _match(cell: str, aliases: dict[str, tuple[str, int]] = ALIASES) -> tuple[str, int] | None:
    text = header_text(cell, aliases)
    return aliases.get(text) or aliases.get(text.lower())


@dataclass
class Layout:
    """Where the data is: the header row's number, each known key's column, and what was
    ignored (for the notices shown with the job)."""

    header_row: int
    positions: dict[str, int]  # key → column index (0-based)
    width: int  # cells in the header row
    notices: list[str] = field(default_factory=list)
    skipped_above: int = 0  # non-blank rows above the header (titles, notes)


def _shown(headers: list[str]) -> str:
    shown = [h if len(h) <= 20 else h[:20] + "…" for h in headers[:10]]
    return "、".join(shown) + ("……" if len(headers) > 10 else "")


def find_layout(
    top_rows: list[tuple[int, list[str]]], spec: ColumnSpec = MEMBER_COLUMNS
) -> tuple[Layout, int]:
    """Choose the header among ``top_rows`` (the first non-blank rows with their numbers) and
    map its columns. Returns the layout and how many of ``top_rows`` it consumed (the header,
    and a second header row under it when there is one). Raises a clear file error when no
    row looks like a header or required columns are missing."""
    aliases = spec.aliases
    best: tuple[int, int] | None = None  # (matches, index)
    for index, (_number, cells) in enumerate(top_rows[:HEADER_SEARCH_ROWS]):
        keys = {m[0] for m in (_match(cell, aliases) for cell in cells) if m}
        if len(keys) >= MIN_HEADER_MATCHES and keys & spec.anchors:
            best = (len(keys), index)
            break
        if best is None or len(keys) > best[0]:
            best = (len(keys), index)
    if best is None:
        raise file_error("empty_file", _("文件中没有内容。"))
    index = best[1]
    number, cells = top_rows[index]
    cells = list(cells)
    consumed = index + 1
    # A header of two rows (a merged "联系方式" over "手机" and "固定电话"): the row below
    # names columns the first row left blank or named by a group title only.
    if consumed < len(top_rows):
        below = top_rows[consumed][1]
        if _is_sub_header(cells, below, aliases):
            for i, cell in enumerate(below):
                above = _match(cells[i], aliases) if i < len(cells) and cells[i] else None
                if cell and _match(cell, aliases) and (above is None or above[1] > 1):
                    cells.extend([""] * (i + 1 - len(cells)))
                    cells[i] = cell
            consumed += 1
    layout = _map_columns(number, cells, spec)
    layout.skipped_above = index
    if index:
        layout.notices.insert(
            0,
            _("表头在第%(row)s行；上面%(n)s行是标题或说明，已跳过。") % {"row": number, "n": index},
        )
    return layout, consumed


def _is_sub_header(
    header: list[str], below: list[str], aliases: dict[str, tuple[str, int]] = ALIASES
) -> bool:
    """Does ``below`` continue the header? Every cell in it is a column name, and at least one
    sits under a blank cell or a group title (联系方式 over 手机 and 固定电话)."""
    fills = 0
    for i, cell in enumerate(below):
        if not cell or not cell.strip():
            continue
        if not _match(cell, aliases):
            return False
        above = _match(header[i], aliases) if i < len(header) and header[i] else None
        if above is None or above[1] > 1:
            fills += 1
    return fills > 0


def _map_columns(number: int, cells: list[str], spec: ColumnSpec = MEMBER_COLUMNS) -> Layout:
    chosen: dict[str, tuple[int, int, str]] = {}  # key → (rank, index, header)
    unknown: list[str] = []
    duplicate: list[str] = []
    notices: list[str] = []
    for index, cell in enumerate(cells):
        if not cell or not cell.strip():
            continue
        found = _match(cell, spec.aliases)
        shown = _SPACE.sub("", cell)
        if found is None:
            unknown.append(shown)
            continue
        key, rank = found
        if key not in chosen:
            chosen[key] = (rank, index, shown)
            continue
        kept_rank, _kept_index, kept = chosen[key]
        if rank == kept_rank:
            duplicate.append(shown)
        elif rank < kept_rank:
            notices.append(_("“%(a)s”与“%(b)s”是同一项，已使用“%(b)s”。") % {"a": kept, "b": shown})
            chosen[key] = (rank, index, shown)
        else:
            notices.append(_("“%(a)s”与“%(b)s”是同一项，已使用“%(b)s”。") % {"a": shown, "b": kept})
    headers = spec.headers
    missing = [headers[k] for k in spec.required if k not in chosen]
    if missing or duplicate:
        problems = []
        if missing:
            problems.append(_("缺少列：%(cols)s") % {"cols": "、".join(missing)})
            if unknown:
                problems.append(_("无法识别的列：%(cols)s") % {"cols": _shown(unknown)})
        if duplicate:
            problems.append(_("重复的列：%(cols)s") % {"cols": "、".join(duplicate)})
        raise file_error(
            "bad_headers",
            _("第%(row)s行的表头有误（%(problems)s）。请使用下载的导入模板，或按模板改写表头。")
            % {"row": number, "problems": "；".join(problems)},
            missing=missing,
            unknown=unknown,
            duplicate=duplicate,
        )
    if unknown:
        notices.append(_("已忽略无法识别的列：%(cols)s。") % {"cols": _shown(unknown)})
    return Layout(
        header_row=number,
        positions={key: index for key, (_rank, index, _h) in chosen.items()},
        width=len(cells),
        notices=notices,
    )
