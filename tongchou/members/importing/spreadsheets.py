"""Spreadsheets people download: the template, the error list, and the uploaded file itself
with the errors written beside each row."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from tongchou.core import spreadsheets as core_sheets
from tongchou.members.importing.columns import EXAMPLE_ID_NUMBER
from tongchou.members.importing.formats import open_sheet
from tongchou.members.importing.limits import Budget
from tongchou.members.importing.reading import COLUMNS
from tongchou.members.importing.validating import RowError
from tongchou.members.importing.values import allowed_values

# Files with more data rows than this get the error list only (writing a spreadsheet of a
# million rows to mark a few would take minutes).
ANNOTATED_MAX_ROWS = 200_000

_EXAMPLE = {
    "name": "张三（示例）",
    "gender": "男",
    "ethnicity": "汉族",
    "birth_date": "1985-03-14",
    "id_number": EXAMPLE_ID_NUMBER,
    "phone": "13812345678",
    "education": "大学本科",
    "occupation": "农民",
    "category": "正式党员",
    "admission_date": "2010-07-01",
    "full_member_date": "2011-07-01",
    "org_code": "",
    "org_name": "",
    "status": "正常",
    "home_region_code": "640202",
}


def _column_notes() -> dict[str, str]:
    allowed = allowed_values()
    return {
        "name": _("必填，不超过50个字。"),
        "gender": _("选填（不填则取身份证号中的性别）：") + "、".join(allowed["gender"]),
        "ethnicity": _("必填：56个民族之一，如“汉族”（也可写“汉”或代码01）。"),
        "birth_date": _(
            "选填（不填则取身份证号中的出生日期），如1985-03-14、1985.03；须与身份证号一致。"
        ),
        "id_number": _(
            "必填，18位（末位可为X）；请将该列设为“文本”格式，"
            "否则表格软件会把号码改成科学计数法并丢失后三位。"
        ),
        "phone": _("选填，11位手机号。"),
        "education": _("选填：") + "、".join(allowed["education"]),
        "occupation": _("选填，不超过100个字。"),
        "category": _("必填：") + "、".join(allowed["category"]),
        "admission_date": _(
            "必填，如2010-07-01或2010.07（只写年月时按当月1日）；入党时应年满18周岁。"
        ),
        "full_member_date": _("正式党员必填，应在入党满一年至两年之间；预备党员不填。"),
        "org_code": _("党组织代码；与“所在党组织”填一项即可，都不填则使用导入时选择的默认党组织。"),
        "org_name": _("党组织名称，如“红果子村党支部”；须在您的管理范围内唯一，重名时请填代码。"),
        "status": _(
            "选填，只能为“正常”或不填。流动、失联状态请在导入后办理流动党员登记；"
            "已去世、已转出的不是在册党员，不导入。"
        ),
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
    notes.append(
        [_("示例"), _("“党员”表第2行是填写示例（身份证号无效），导入前请删除；它不会被导入。")]
    )
    notes.append(
        [
            _("表头"),
            _(
                "表头行上方可以有标题（如“XX村党支部党员花名册”）；序号、备注等其他列会被忽略。"
                "也接受全国党员管理信息系统导出的表头，如公民身份号码、联系电话、出生年月、"
                "入党时间、转正时间、文化程度、人员类别、所在党支部。"
            ),
        ]
    )
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
    objects or ``[row, column, reason]`` lists (as stored on ImportJob). Written by the one
    export helper: a column name from the file that reads as a formula stays text."""
    rows = (
        [row or "", column, message]
        for row, column, message in (
            (e.row, e.column, e.message) if isinstance(e, RowError) else e for e in errors
        )
    )
    sheet = core_sheets.Sheet(_("错误报告"), [_("行号"), _("列"), _("原因")], rows)
    out, _counts = core_sheets.write_xlsx([sheet])
    return out.read()


def inert(value):
    """A value of the uploaded file as the marked copy must hold it: never a formula, and
    exactly as read (the cadre corrects this file and uploads it again, so unlike the exports,
    ``core.spreadsheets``, no apostrophe is added). Such values get a cell typed as text with
    Excel's quote prefix (what typing ' before it does)."""
    if isinstance(value, str) and value.startswith(core_sheets.FORMULA_TRIGGERS):
        return _TextCell(value)
    return value


class _TextCell(str):
    """A value ``annotated_report_xlsx`` writes as a quote-prefixed text cell."""


def annotated_report_xlsx(fileobj, filename: str, errors: list[RowError], header_row: int):
    """The uploaded file itself, every row as read (first sheet, values only, same row
    numbers), with a first column "导入错误" naming each row's problems. None when the file
    holds more than ``ANNOTATED_MAX_ROWS`` rows (the error list is offered instead)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    by_row: dict[int, list[str]] = {}
    for error in errors:
        if error.row:
            label = f"{error.column}：" if error.column else ""
            by_row.setdefault(error.row, []).append(label + error.message)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("党员")
    sheet.column_dimensions["A"].width = 60
    sheet.freeze_panes = f"B{header_row + 1}"
    red = Font(color="C00000")
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True, color="C00000")

    def cell(value, font=None):
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, _TextCell) or (isinstance(value, str) and made.data_type == "f"):
            made.data_type = "s"
            made.quotePrefix = True
        if font is not None:
            made.font = font
            made.alignment = wrap
        return made

    source = open_sheet(fileobj, filename, Budget())
    written = 0
    for number, cells in source.rows():
        while written < number - 1:  # blank rows keep their place: row numbers match
            sheet.append([])
            written += 1
        if number == header_row:
            first = cell(_("导入错误（改正后可删除此列）"), bold)
        elif number in by_row:
            first = cell("；".join(by_row[number]), red)
        else:
            first = None
        sheet.append([first, *(cell(inert(value)) for value in cells)])
        written += 1
        if written > ANNOTATED_MAX_ROWS:
            return None
    return _workbook_bytes(book)
