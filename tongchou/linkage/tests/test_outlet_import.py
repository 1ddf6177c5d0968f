"""Importing an outlet's monthly sales from a spreadsheet: the files cadres make (GBK CSV under
a title row, .xlsx with date cells, the HTML page web systems save as .xls), every error by row
and column with nothing written, re-importing a month updates and never double-counts, the
template, the preview → confirm pages, the API, and who may do it."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.linkage import importing, services
from tongchou.linkage.models import OutletSale
from tongchou.linkage.tests.conftest import make_producer

TODAY = dt.date(2026, 7, 15)
HEADER = ["月份", "合作社", "农产品", "数量", "单位", "金额（元）"]


@pytest.fixture
def outlet(lw):
    return services.outlet_create(
        actor=lw.canteen,
        name="长胜社区乡村特产展销点",
        organization=lw.canteen_org,
        lat=39.012,
        lon=106.398,
        producers=[lw.producer_a],
        products=[lw.tomato, lw.pepper],
    )


TITLE = "长胜社区乡村特产展销点2026年销售统计表"


def csv_file(rows, *, header=HEADER, title=TITLE, encoding="gbk"):
    out = io.StringIO()
    writer = csv.writer(out)
    if title:
        writer.writerow([title])
        writer.writerow([])
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("销售.csv", out.getvalue().encode(encoding))


def xlsx_file(rows, *, header=HEADER, name="销售.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2, max_col=1):
        if isinstance(cells[0].value, dt.datetime | dt.date):
            cells[0].number_format = "yyyy-mm"
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def html_xls(rows, *, header=HEADER):
    """What web systems export as .xls: an HTML page (GBK) with a title row spanning the table."""
    cells = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "</head><body><table border=1>"
        '<tr><td colspan="6">展销点月度销售</td></tr>'
        f"<tr>{cells}</tr>{body}</table></body></html>"
    )
    return SimpleUploadedFile("销售导出.xls", page.encode("gbk"))


def run(lw, outlet, upload, *, actor=None, commit=True, today=TODAY):
    filename, rows, notices = importing.read_sales_file(upload)
    result = services.outlet_sales_import(
        actor=actor or lw.canteen,
        outlet=outlet,
        rows=rows,
        filename=filename,
        commit=commit,
        today=today,
    )
    result.notices = notices
    return result


def errors(result) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in result.errors]


def recorded() -> list[tuple]:
    return list(
        OutletSale.objects.order_by("month", "product__name", "producer_id").values_list(
            "month", "producer__name", "product__name", "kg", "yuan"
        )
    )


# --- the files cadres make ---------------------------------------------------------------


def test_a_gbk_csv_under_a_title_row(lw, outlet):
    upload = csv_file(
        [
            ["2026-03", "长胜番茄合作社", "番茄", "300", "公斤", "1,200.00"],
            ["2026年4月", str(lw.producer_a.pk), "辣椒", "100", "斤", "￥250"],
            ["2026/5", "", "番茄", "12", "", "48"],
        ]
    )
    result = run(lw, outlet, upload)
    assert not result.errors and result.written
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert any("表头在第3行" in n for n in result.notices)
    assert recorded() == [
        (dt.date(2026, 3, 1), "长胜番茄合作社", "番茄", 300, Decimal("1200.00")),
        (dt.date(2026, 4, 1), "长胜番茄合作社", "辣椒", 50, Decimal("250.00")),
        (dt.date(2026, 5, 1), None, "番茄", 12, Decimal("48.00")),
    ]
    sale = OutletSale.objects.first()
    assert sale.buyer_path == lw.canteen_org.path and sale.created_by == lw.canteen
    event = AuditEvent.objects.get(action=AuditAction.IMPORT, object_type="linkage.outletsale")
    assert event.org_path == lw.canteen_org.path and event.note == "销售.csv"
    assert (event.after["created"], event.after["updated"]) == (3, 0)


def test_a_utf8_csv_with_bom_and_english_headers(lw, outlet):
    header = ["Month", "Cooperative", "Product", "Quantity", "Unit", "Amount"]
    upload = csv_file(
        [["2026-03", "长胜番茄合作社", "番茄", "1.5", "吨", "6000"]],
        header=header,
        title="",
        encoding="utf-8-sig",
    )
    result = run(lw, outlet, upload)
    assert not result.errors
    assert recorded() == [(dt.date(2026, 3, 1), "长胜番茄合作社", "番茄", 1500, Decimal("6000"))]


def test_an_xlsx_with_date_cells_and_numbers(lw, outlet):
    upload = xlsx_file(
        [
            [dt.datetime(2026, 3, 1), "长胜番茄合作社", "番茄", 300, "公斤", 1200],
            ["2026年4月", "长胜番茄合作社", "番茄", 301, "斤", 602.5],
        ]
    )
    result = run(lw, outlet, upload)
    assert not result.errors
    april = next(r for r in result.rows if r.month == dt.date(2026, 4, 1))
    assert (april.kg, april.rounded, april.quantity) == (151, True, "301 斤")  # 150.5 kg
    assert recorded() == [
        (dt.date(2026, 3, 1), "长胜番茄合作社", "番茄", 300, Decimal("1200.00")),
        (dt.date(2026, 4, 1), "长胜番茄合作社", "番茄", 151, Decimal("602.50")),
    ]


def test_an_html_page_saved_as_xls(lw, outlet):
    upload = html_xls([["2026-06", "长胜番茄合作社", "番茄", "80", "公斤", "320"]])
    result = run(lw, outlet, upload)
    assert not result.errors
    assert recorded() == [(dt.date(2026, 6, 1), "长胜番茄合作社", "番茄", 80, Decimal("320"))]


# --- errors: by row and column, and nothing written ----------------------------------------


def test_bad_months_are_named_by_row_and_column(lw, outlet):
    upload = csv_file(
        [
            ["2026-03", "长胜番茄合作社", "番茄", "300", "公斤", "1200"],  # row 4: good
            ["2026-13", "长胜番茄合作社", "番茄", "1", "", "1"],
            ["三月", "长胜番茄合作社", "番茄", "1", "", "1"],
            ["2026.1", "长胜番茄合作社", "辣椒", "1", "", "1"],  # January or October?
            ["2030-01", "长胜番茄合作社", "辣椒", "1", "", "1"],  # future
            ["", "长胜番茄合作社", "辣椒", "1", "", "1"],
        ]
    )
    result = run(lw, outlet, upload)
    assert errors(result) == [(5, "月份"), (6, "月份"), (7, "月份"), (8, "月份"), (9, "月份")]
    assert "10月" in result.errors[2].message
    assert "未来" in result.errors[3].message
    assert not OutletSale.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_a_cooperative_the_outlet_does_not_carry(lw, outlet):
    stranger = make_producer(lw.village_b, lw.chain_b, name="外链合作社")
    upload = csv_file(
        [
            ["2026-03", "外链合作社", "番茄", "300", "公斤", "1200"],
            ["2026-03", str(stranger.pk), "辣椒", "30", "公斤", "120"],
            ["2026-03", "长胜番茄合作社", "番茄", "300", "公斤", "1200"],
        ]
    )
    result = run(lw, outlet, upload)
    assert errors(result) == [(4, "合作社"), (5, "合作社")]
    assert "长胜番茄合作社" in result.errors[0].message  # what it does carry
    assert not OutletSale.objects.exists()


def test_a_name_two_carried_cooperatives_share_asks_for_the_number(lw, outlet):
    twin = make_producer(lw.village_a, lw.chain_a)  # the same name, another cooperative
    outlet.producers.add(twin)
    result = run(lw, outlet, csv_file([["2026-03", "长胜番茄合作社", "番茄", "3", "", "12"]]))
    assert errors(result) == [(4, "合作社")] and str(twin.pk) in result.errors[0].message
    result = run(lw, outlet, csv_file([["2026-03", str(twin.pk), "番茄", "3", "", "12"]]))
    assert not result.errors and OutletSale.objects.get().producer == twin


def test_negative_and_bad_numbers(lw, outlet):
    upload = csv_file(
        [
            ["2026-03", "长胜番茄合作社", "番茄", "300", "公斤", "-5"],
            ["2026-04", "长胜番茄合作社", "番茄", "-3", "公斤", "5"],
            ["2026-05", "长胜番茄合作社", "番茄", "三百", "公斤", "abc"],
            ["2026-06", "长胜番茄合作社", "番茄", "3", "箱", ""],
            ["2026-07", "长胜番茄合作社", "西红柿", "3", "公斤", "9"],
        ]
    )
    result = run(lw, outlet, upload)
    assert errors(result) == [
        (4, "金额"),
        (5, "数量"),
        (6, "数量"),
        (6, "金额"),  # every problem of a row at once
        (7, "数量"),
        (7, "金额"),
        (8, "农产品"),
    ]
    assert "负数" in result.errors[0].message and "箱" in result.errors[4].message
    assert not OutletSale.objects.exists()


def test_formula_like_cells_are_refused_and_shown_as_text(lw, outlet):
    formula = '=HYPERLINK("http://evil.example/","点我")'
    upload = csv_file(
        [
            ["2026-03", formula, "番茄", "3", "", "12"],
            ["2026-03", "长胜番茄合作社", "@SUM(1+1)", "3", "", "12"],
            ["2026-03", "长胜番茄合作社", "番茄", "+1+1", "", "=1+1"],
        ]
    )
    result = run(lw, outlet, upload)
    assert errors(result) == [(4, "合作社"), (5, "农产品"), (6, "数量"), (6, "金额")]
    assert not OutletSale.objects.exists()
    c = Client()
    c.force_login(lw.canteen)
    page = c.post(
        f"/linkage/outlets/{outlet.pk}/sales/import/",
        {"file": csv_file([["2026-03", "<script>alert(1)</script>", "番茄", "3", "", "12"]])},
    )
    html = page.content.decode()
    assert page.status_code == 400 and "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_too_many_rows(lw, outlet):
    rows = [["2026-03", "长胜番茄合作社", "番茄", "1", "", "1"]] * (importing.MAX_ROWS + 1)
    with pytest.raises(ApplicationError) as caught:
        importing.read_sales_file(csv_file(rows))
    assert (caught.value.code, caught.value.field) == ("too_many_rows", "file")
    assert "2,000行销售数据" in caught.value.message


def test_a_file_too_large_is_refused_before_reading(lw, outlet):
    upload = SimpleUploadedFile("销售.csv", b"a,b\n" * (importing.MAX_BYTES // 4 + 1))
    with pytest.raises(ApplicationError) as caught:
        importing.read_sales_file(upload)
    assert caught.value.code == "file_too_large"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("销售.docx", b"PK\x03\x04 a word document", "unsupported_format"),
        ("销售.pdf", b"%PDF-1.7 ...", "unsupported_format"),
        ("销售.xlsx", b"\x89PNG\r\n\x1a\n a picture", "not_a_spreadsheet"),
        ("销售.xlsx", b"just some text, not a workbook", "not_a_spreadsheet"),
        ("销售.csv", b"", "empty_file"),
        ("销售.csv", "姓名,身份证号,民族\n张三,1,汉\n".encode(), "bad_headers"),
        ("销售.csv", "月份,合作社,农产品,数量,金额\n".encode(), "no_rows"),
    ],
)
def test_wrong_files_are_refused_by_name(lw, outlet, name, content, code):
    with pytest.raises(ApplicationError) as caught:
        importing.read_sales_file(SimpleUploadedFile(name, content))
    assert (caught.value.code, caught.value.field) == (code, "file")


def test_missing_columns_are_named(lw, outlet):
    upload = csv_file([["2026-03", "番茄", "3"]], header=["月份", "农产品", "数量"])
    with pytest.raises(ApplicationError) as caught:
        importing.read_sales_file(upload)
    assert caught.value.code == "bad_headers"
    assert "合作社" in caught.value.message and "金额" in caught.value.message


def test_errors_are_all_found_and_the_shown_ones_capped(lw, outlet):
    rows = [["2026-03", "长胜番茄合作社", "番茄", "1", "", "-1"]] * 250
    result = run(lw, outlet, csv_file(rows))
    assert len(result.errors) == 250 and len(result.shown_errors) == importing.MAX_ERRORS_SHOWN


# --- re-importing a month ------------------------------------------------------------------


def test_reimporting_a_month_updates_and_never_adds(lw, outlet):
    first = [
        ["2026-03", "长胜番茄合作社", "番茄", "300", "", "1200"],
        ["2026-03", "长胜番茄合作社", "辣椒", "50", "", "250"],
    ]
    run(lw, outlet, csv_file(first))
    corrected = [
        ["2026-03", "长胜番茄合作社", "番茄", "310", "", "1240"],  # corrected
        ["2026-03", "长胜番茄合作社", "辣椒", "50", "", "250"],  # the same
        ["2026-04", "长胜番茄合作社", "番茄", "20", "", "80"],  # new
    ]
    preview = run(lw, outlet, csv_file(corrected), commit=False)
    assert [r.action for r in preview.rows] == ["update", "same", "create"]
    assert (preview.rows[0].previous_kg, preview.written) == (300, False)
    assert OutletSale.objects.count() == 2  # the preview wrote nothing
    result = run(lw, outlet, csv_file(corrected))
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert recorded() == [
        (dt.date(2026, 3, 1), "长胜番茄合作社", "番茄", 310, Decimal("1240.00")),
        (dt.date(2026, 3, 1), "长胜番茄合作社", "辣椒", 50, Decimal("250.00")),
        (dt.date(2026, 4, 1), "长胜番茄合作社", "番茄", 20, Decimal("80.00")),
    ]
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT).latest("pk")
    [change] = event.after["changes"]
    assert change["before"] == {"kg": 300, "yuan": "1200.00"}
    assert change["after"] == {"kg": 310, "yuan": "1240.00"}
    # The same file once more: nothing changes.
    again = run(lw, outlet, csv_file(corrected))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert OutletSale.objects.count() == 3


def test_the_same_item_twice_in_one_file_is_an_error(lw, outlet):
    upload = csv_file(
        [
            ["2026-03", "长胜番茄合作社", "番茄", "300", "", "1200"],
            ["2026年3月", str(lw.producer_a.pk), "番茄", "10", "", "40"],
        ]
    )
    result = run(lw, outlet, upload)
    assert errors(result) == [(5, "月份")] and "第4行" in result.errors[0].message
    assert not OutletSale.objects.exists()


def test_a_good_row_beside_a_bad_one_is_not_written(lw, outlet):
    upload = csv_file(
        [
            ["2026-03", "长胜番茄合作社", "番茄", "300", "", "1200"],
            ["2026-04", "长胜番茄合作社", "番茄", "300", "", "-1"],
        ]
    )
    assert run(lw, outlet, upload).errors
    assert not OutletSale.objects.exists()


def test_checking_costs_the_same_queries_for_more_rows(lw, outlet):
    def cost(n: int) -> int:
        rows = [(i + 4, {"month": f"2026-{1 + i % 6:02d}", "cooperative": "长胜番茄合作社",
                         "product": ["番茄", "辣椒"][i // 6 % 2], "quantity": "3", "unit": "",
                         "amount": "9"}) for i in range(n)]  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            result = services.outlet_sales_import(
                actor=lw.canteen, outlet=outlet, rows=rows, commit=False, today=TODAY
            )
        assert not result.errors
        return len(queries)

    assert cost(2) == cost(12)


# --- who may import ------------------------------------------------------------------------


def test_only_who_records_the_outlets_sales_imports(lw, outlet):
    upload = csv_file([["2026-03", "长胜番茄合作社", "番茄", "3", "", "12"]])
    _name, rows, _notices = importing.read_sales_file(upload)
    for user in (lw.village_secretary, lw.chain_secretary, lw.admin_b, lw.norole):
        with pytest.raises(PermissionDenied):
            services.outlet_sales_import(actor=user, outlet=outlet, rows=rows, today=TODAY)
    assert not OutletSale.objects.exists()
    assert services.outlet_sales_import(actor=lw.admin_a, outlet=outlet, rows=rows, today=TODAY)


# --- the template --------------------------------------------------------------------------


def test_the_template_lists_what_the_outlet_carries_and_stays_inert(lw, outlet):
    hostile = make_producer(lw.village_a, lw.chain_a, name='=HYPERLINK("http://x/","x")')
    outlet.producers.add(hostile)
    c = Client()
    c.force_login(lw.canteen)
    response = c.get(f"/linkage/outlets/{outlet.pk}/sales/template/")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["销售", "说明", "代销合作社"]
    assert [c.value for c in book["销售"][1]] == [
        "月份",
        "合作社（名称或编号）",
        "农产品",
        "数量",
        "单位",
        "金额（元）",
    ]
    carried = {row[1]: row[0] for row in book["代销合作社"].iter_rows(min_row=2, values_only=True)}
    assert carried["长胜番茄合作社"] == lw.producer_a.pk
    assert '\'=HYPERLINK("http://x/","x")' in carried  # text, not a formula
    assert all(cell.data_type != "f" for row in book["代销合作社"].iter_rows() for cell in row)
    # The template's own headers read back (a bracketed hint is read past).
    book["销售"].append(["2026-03", "长胜番茄合作社", "番茄", 3, "", 12])
    out = io.BytesIO()
    book.save(out)
    result = run(lw, outlet, SimpleUploadedFile("模板.xlsx", out.getvalue()))
    assert not result.errors and OutletSale.objects.count() == 1


# --- pages: upload → preview → confirm -----------------------------------------------------


def test_pages_preview_then_confirm(lw, outlet):
    c = Client()
    c.force_login(lw.canteen)
    page = c.get(f"/linkage/outlets/{outlet.pk}/").content.decode()
    assert "tc-outlet-sale-import" in page and "/sales/template/" in page
    upload = csv_file(
        [
            ["2026-03", "长胜番茄合作社", "番茄", "300", "", "1200"],
            ["2026-04", "长胜番茄合作社", "辣椒", "100", "斤", "250"],
        ]
    )
    r = c.post(f"/linkage/outlets/{outlet.pk}/sales/import/", {"file": upload})
    html = r.content.decode()
    assert r.status_code == 200 and "tc-import-preview" in html and "以新文件为准" in html
    assert not OutletSale.objects.exists()  # a preview writes nothing
    token = r.context["token"]
    r = c.post(f"/linkage/outlets/{outlet.pk}/sales/import/confirm/", {"token": token})
    assert r.status_code == 302 and r.url == f"/linkage/outlets/{outlet.pk}/"
    assert OutletSale.objects.count() == 2
    page = c.get(r.url).content.decode()
    assert "新增2条" in page
    # Confirming twice (a double click) changes nothing more.
    r = c.post(f"/linkage/outlets/{outlet.pk}/sales/import/confirm/", {"token": token})
    assert r.status_code == 302 and OutletSale.objects.count() == 2
    assert OutletSale.objects.get(month=dt.date(2026, 3, 1)).kg == 300


def test_the_preview_shows_what_an_update_replaces(lw, outlet):
    c = Client()
    c.force_login(lw.canteen)
    run(lw, outlet, csv_file([["2026-03", "长胜番茄合作社", "番茄", "300", "", "1200"]]))
    upload = csv_file([["2026-03", "长胜番茄合作社", "番茄", "310", "", "1240"]])
    r = c.post(f"/linkage/outlets/{outlet.pk}/sales/import/", {"file": upload})
    html = r.content.decode()
    assert "更新（原 300 公斤、1200.00 元）" in html and "更新1条" in html


def test_a_page_upload_with_errors_lists_them_and_writes_nothing(lw, outlet):
    c = Client()
    c.force_login(lw.canteen)
    upload = csv_file([["2026-13", "长胜番茄合作社", "番茄", "3", "", "-1"]])
    r = c.post(f"/linkage/outlets/{outlet.pk}/sales/import/", {"file": upload})
    assert r.status_code == 400 and "tc-import-errors" in r.content.decode()
    assert [(e.row, e.column) for e in r.context["result"].shown_errors] == [
        (4, "月份"),
        (4, "金额"),
    ]
    assert "tc-import-confirm" not in r.content.decode() and not OutletSale.objects.exists()
    r = c.post(
        f"/linkage/outlets/{outlet.pk}/sales/import/",
        {"file": SimpleUploadedFile("销售.pdf", b"%PDF-1.4")},
    )
    assert r.status_code == 400 and "PDF" in r.content.decode()


def test_a_token_is_good_only_for_its_outlet_and_user(lw, outlet):
    c = Client()
    c.force_login(lw.canteen)
    upload = csv_file([["2026-03", "长胜番茄合作社", "番茄", "300", "", "1200"]])
    token = c.post(f"/linkage/outlets/{outlet.pk}/sales/import/", {"file": upload}).context["token"]
    other = services.outlet_create(
        actor=lw.canteen,
        name="另一展销点",
        organization=lw.canteen_org,
        lat=39.0,
        lon=106.4,
        producers=[lw.producer_a],
    )
    for url, user in (
        (f"/linkage/outlets/{other.pk}/sales/import/confirm/", lw.canteen),
        (f"/linkage/outlets/{outlet.pk}/sales/import/confirm/", lw.admin_a),
    ):
        c.force_login(user)
        r = c.post(url, {"token": token})
        assert r.status_code == 400 and "tc-import-error" in r.content.decode()
    c.force_login(lw.canteen)
    r = c.post(f"/linkage/outlets/{outlet.pk}/sales/import/confirm/", {"token": token + "x"})
    assert r.status_code == 400
    assert not OutletSale.objects.exists()


def test_the_confirmation_checks_again(lw, outlet):
    """The outlet stopped carrying the cooperative between the preview and the confirmation."""
    c = Client()
    c.force_login(lw.canteen)
    upload = csv_file([["2026-03", "长胜番茄合作社", "番茄", "300", "", "1200"]])
    token = c.post(f"/linkage/outlets/{outlet.pk}/sales/import/", {"file": upload}).context["token"]
    outlet.producers.clear()
    r = c.post(f"/linkage/outlets/{outlet.pk}/sales/import/confirm/", {"token": token})
    assert r.status_code == 400 and "tc-import-errors" in r.content.decode()
    assert not OutletSale.objects.exists()


def test_pages_refuse_who_may_not_record(lw, outlet):
    c = Client()
    upload = csv_file([["2026-03", "长胜番茄合作社", "番茄", "300", "", "1200"]])
    c.force_login(lw.village_secretary)  # sees the outlet (its cooperative), may not record
    page = c.get(f"/linkage/outlets/{outlet.pk}/").content.decode()
    assert "tc-outlet-sale-import" not in page
    assert c.get(f"/linkage/outlets/{outlet.pk}/sales/import/").status_code == 403
    assert c.get(f"/linkage/outlets/{outlet.pk}/sales/template/").status_code == 403
    r = c.post(f"/linkage/outlets/{outlet.pk}/sales/import/", {"file": upload})
    assert r.status_code == 403
    c.force_login(lw.admin_b)
    assert c.get(f"/linkage/outlets/{outlet.pk}/sales/import/").status_code == 404
    assert not OutletSale.objects.exists()


# --- API -----------------------------------------------------------------------------------


def test_api_dry_run_import_and_errors(lw, outlet):
    c = Client()
    c.force_login(lw.canteen)
    url = f"/api/linkage/outlets/{outlet.pk}/sales-import/"
    rows = [["2026-03", "长胜番茄合作社", "番茄", "300", "", "1200"]]
    r = c.post(url, {"file": csv_file(rows), "dry_run": "true"})
    assert r.status_code == 200, r.content
    assert r.json()["written"] is False and r.json()["rows"][0]["action"] == "create"
    assert not OutletSale.objects.exists()
    r = c.post(url, {"file": csv_file(rows)})
    assert r.status_code == 201 and (r.json()["created"], r.json()["written"]) == (1, True)
    r = c.post(url, {"file": csv_file([["2026-03", "长胜番茄合作社", "番茄", "310", "", "1"]])})
    body = r.json()
    assert r.status_code == 201 and body["updated"] == 1
    assert body["rows"][0]["previous_kg"] == 300 and body["rows"][0]["yuan"] == "1.00"
    r = c.post(url, {"file": csv_file([["2026-13", "长胜番茄合作社", "番茄", "3", "", "-1"]])})
    body = r.json()
    assert r.status_code == 400 and (body["code"], body["field"]) == ("import_failed", "file")
    assert body["error_count"] == 2
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(4, "月份"), (4, "金额")]
    r = c.post(url, {"file": SimpleUploadedFile("a.docx", b"PK\x03\x04")})
    assert r.status_code == 400 and r.json()["code"] == "unsupported_format"
    assert OutletSale.objects.get().kg == 310
    c.force_login(lw.village_secretary)
    assert c.post(url, {"file": csv_file(rows)}).status_code == 403
