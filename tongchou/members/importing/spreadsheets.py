"""Spreadsheets people download: the template and the error report."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from tongchou.members.importing.reading import COLUMNS
from tongchou.members.importing.validating import RowError
from tongchou.members.importing.values import allowed_values

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
