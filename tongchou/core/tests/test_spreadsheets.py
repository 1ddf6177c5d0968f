"""The one export helper: no live formulas, frozen bold header, sized columns, a Chinese file
name with an ASCII fallback, never cached."""

import datetime as dt
import io
from urllib.parse import unquote

import openpyxl
import pytest

from tongchou.core import spreadsheets
from tongchou.core.spreadsheets import Sheet, content_disposition, neutralize, write_xlsx

HOSTILE = ["=1+2", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_triggers_become_text(value):
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", ["王建国", "", None, 12, -3, 1.5, dt.date(2020, 1, 2), "a=b"])
def test_everything_else_is_untouched(value):
    assert neutralize(value) == value


def _book(out):
    return openpyxl.load_workbook(io.BytesIO(out.read()))


def test_workbook_has_no_formula_a_frozen_bold_header_and_sized_columns():
    rows = [[v, "长胜街道党工委第一党支部" * 2, dt.date(2020, 1, 2), 7] for v in HOSTILE]
    out, counts = write_xlsx([Sheet("党员", ["姓名", "所在党组织", "日期", "数"], rows)])
    assert counts == [len(HOSTILE)]
    sheet = _book(out)["党员"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "s" and row[0].value.startswith("'")
    formulas = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    assert widths["B"] == spreadsheets.MAX_WIDTH  # long CJK text: capped
    assert spreadsheets.MIN_WIDTH <= widths["D"] < widths["C"] < widths["B"]
    assert sheet["C2"].value == dt.datetime(2020, 1, 2)


def test_rows_beyond_the_sizing_sample_are_all_written():
    n = spreadsheets.SIZING_SAMPLE + 17
    out, counts = write_xlsx([Sheet("x", ["n"], ([i] for i in range(n)))])
    assert counts == [n]
    assert _book(out)["x"].max_row == n + 1


def test_content_disposition_has_the_utf8_name_and_an_ascii_fallback():
    header = content_disposition("党员名册-长胜村-20261203.xlsx", "members-20261203.xlsx")
    assert header.startswith('attachment; filename="members-20261203.xlsx"; ')
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert encoded.isascii() and unquote(encoded) == "党员名册-长胜村-20261203.xlsx"
    assert '"' not in content_disposition("a.xlsx", 'x"y\\.xlsx').split("filename=")[1][1:-30]


def test_download_is_never_cached():
    out, _ = write_xlsx([Sheet("x", ["a"], [])])
    response = spreadsheets.download(out, "名册.xlsx", "list.xlsx")
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == spreadsheets.XLSX
    assert "filename*=UTF-8''%E5%90%8D%E5%86%8C.xlsx" in response["Content-Disposition"]
