"""Imports of the files cadres have: rosters with titles above the header and columns the
import does not use, the national system's headers and spellings, old .xls and WPS .et files,
GBK CSV, ID numbers in every spelling or spoiled by Excel, organizations by name, the
template's example row, statuses that come from mobility, and files that are not rosters."""

import datetime as dt
import html
import io

import openpyxl
import pytest
import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.core.tests.factories import OrganizationFactory, create_member
from tongchou.core.validators import id_check_char
from tongchou.members.importing import (
    EXAMPLE_ID_NUMBER,
    import_template_xlsx,
    members_import,
    read_rows,
)
from tongchou.members.models import ImportJob, ImportReport, ImportStatus, Member
from tongchou.members.tests.conftest import id_number
from tongchou.organizations.models import OrgKind

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

# The headers of an export of the national Party member information system, in its order,
# with a 序号 first and a 备注 last as rosters have them.
NATIONAL = ["序号", "姓名", "性别", "公民身份号码", "民族", "出生年月", "文化程度", "人员类别",
            "入党时间", "转正时间", "工作岗位", "联系电话", "所在党支部", "备注"]  # fmt: skip


def national_row(seq, name, birth=dt.date(1985, 3, 14), gender="M", **overrides):
    values = {
        "序号": seq,
        "姓名": name,
        "性别": "男" if gender == "M" else "女",
        "公民身份号码": id_number(birth, gender, seq),
        "民族": "汉",
        "出生年月": f"{birth:%Y.%m}",
        "文化程度": "大专",
        "人员类别": "正式",
        "入党时间": "2010.07",
        "转正时间": "2011.07",
        "工作岗位": "农民",
        "联系电话": "13812345678",
        "所在党支部": "长胜村党支部",
        "备注": "",
    }
    values.update(overrides)
    return [values[h] for h in NATIONAL]


def roster_xlsx(rows, headers=NATIONAL, title="长胜村党支部党员花名册") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(["填报单位：长胜村党支部", None, None, None, None, None, "填报日期：2024年5月"])
    sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if cell.data_type == "f":  # text someone typed with a leading "=", not a formula
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls_bytes(rows) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("党员")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in ("", None):
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(w, data, name, actor=None, default_org=None):
    rows = read_rows(io.BytesIO(data), name)
    result = members_import(actor=actor or w.admin_a, rows=rows, default_org=default_org)
    return rows, result


def refused(data, name) -> ApplicationError:
    with pytest.raises(ApplicationError) as exc:
        rows = read_rows(io.BytesIO(data), name)
        list(rows.cells())
    assert exc.value.field == "file"
    return exc.value


# --- rosters as cadres make them -------------------------------------------------------------


def test_roster_with_title_rows_serial_and_remark_columns_and_national_headers(w):
    rows = [
        national_row(1, "张三"),
        national_row(2, "李梅", birth=dt.date(1990, 10, 2), gender="F", 出生年月="1990年10月"),
        [None] * len(NATIONAL),  # a blank row between
        national_row(3, "王强", 备注="村委会委员"),
    ]
    reader, result = run(w, roster_xlsx(rows), "花名册.xlsx")
    assert result.errors == [] and result.created == 3
    assert any("第4行" in n and "标题" in n for n in result.notices)
    assert any("序号" in n and "备注" in n for n in result.notices)
    zhang = Member.objects.get(name="张三")
    assert zhang.organization == w.village_a  # by name, unambiguous in scope
    assert zhang.birth_date == dt.date(1985, 3, 14)  # the month from 出生年月, the day from the ID
    assert zhang.education == "junior_college" and zhang.ethnicity == "01"
    assert zhang.category == "full" and zhang.admission_date == dt.date(2010, 7, 1)
    assert zhang.full_member_date == dt.date(2011, 7, 1)
    assert zhang.phone == "13812345678" and zhang.occupation == "农民"
    assert Member.objects.get(name="李梅").birth_date == dt.date(1990, 10, 2)


def test_a_header_of_two_rows_under_a_merged_group_title(w):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["姓名", "性别", "民族", "身份证号", "党员类别", "入党日期", "转正日期", "联系方式"]
    )
    sheet.append([None, None, None, None, None, None, None, "手机"])
    sheet.append(["张三", "男", "汉族", id_number(seq=1), "正式党员", "2010-07-01", "2011-07-01",
                  "13912345678"])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    _rows, result = run(w, out.getvalue(), "a.xlsx", default_org=w.village_a)
    assert result.errors == [] and Member.objects.get().phone == "13912345678"


def test_values_in_their_usual_spellings(w):
    headers = ["姓名", "性别", "民族", "身份证号", "出生日期", "学历", "党员类别", "入党日期",
               "转正日期", "状态"]  # fmt: skip
    births = [dt.date(1980, 5, 12), dt.date(1981, 6, 1), dt.date(1982, 7, 3), dt.date(1983, 8, 4)]
    lines = [",".join(headers)]
    spellings = [
        ("男", "汉", "1980.05", "本科", "正式", "2010.07", "2011.07", "正常"),
        ("男", "汉族", "1981年6月", "硕士研究生", "正式党员", "2010年7月1日", "20110701", ""),
        ("男", "01", "19820703", "大学专科", "预备", "", "", "正常"),
        ("男", "汉族", str((births[3] - dt.date(1899, 12, 30)).days), "初中", "正式",
         "40360", "2011-07-01", ""),  # Excel serial days
    ]  # fmt: skip
    recent = (dt.date.today() - dt.timedelta(days=100)).isoformat()
    for i, (birth, values) in enumerate(zip(births, spellings, strict=True)):
        gender, nation, born, education, category, admitted, full, status = values
        if category == "预备":
            admitted = recent
        number = id_number(birth, "M", i + 1)
        lines.append(
            f"党员{i},{gender},{nation},{number},{born},{education},{category},{admitted},"
            f"{full},{status}"
        )
    _rows, result = run(w, "\n".join(lines).encode(), "a.csv", default_org=w.village_a)
    assert result.errors == [], result.errors
    members = {m.name: m for m in Member.objects.all()}
    assert [members[f"党员{i}"].birth_date for i in range(4)] == births
    assert [members[f"党员{i}"].education for i in range(4)] == [
        "bachelor",
        "postgraduate",
        "junior_college",
        "junior_high",
    ]
    assert members["党员3"].admission_date == dt.date(2010, 7, 1)
    assert members["党员2"].category == "probationary"


def test_gender_and_birth_date_may_be_left_to_the_id_number(w):
    data = (
        "姓名,民族,身份证号,党员类别,入党日期,转正日期\n"
        f"张三,汉族,{id_number(dt.date(1979, 2, 3), 'F', 2)},正式党员,2010-07-01,2011-07-01\n"
    ).encode()
    _rows, result = run(w, data, "a.csv", default_org=w.village_a)
    assert result.errors == []
    member = Member.objects.get()
    assert (member.gender, member.birth_date) == ("F", dt.date(1979, 2, 3))


def test_a_birth_month_or_month_that_may_be_october_is_checked(w):
    number = id_number(dt.date(1985, 3, 14), "M", 1)
    lines = [
        "姓名,性别,民族,身份证号,出生年月,党员类别,入党时间,转正时间,所在党组织代码",
        f"张三,男,汉族,{number},1985.04,正式党员,2010.07,2011.07,V-A",
        f"李四,男,汉族,{id_number(seq=2)},1985.03,正式党员,2010.1,2011.10,V-A",
    ]
    _rows, result = run(w, "\n".join(lines).encode(), "a.csv")
    problems = {(e.row, e.column): e.message for e in result.errors}
    assert "不一致" in problems[2, "出生日期"] and "1985-03-14" in problems[2, "出生日期"]
    assert "10月" in problems[3, "入党日期"] and "2010-01" in problems[3, "入党日期"]
    assert not Member.objects.exists()


def test_gbk_csv_as_excel_saves_it_with_national_headers(w):
    lines = [",".join(NATIONAL)] + [
        ",".join(str(v) for v in national_row(seq, f"党员{seq}")) for seq in (1, 2)
    ]
    data = ("\r\n".join(lines) + "\r\n").encode("gbk")
    _rows, result = run(w, data, "花名册.csv")
    assert result.errors == [] and result.created == 2


# --- old Excel and WPS -----------------------------------------------------------------------


def xls_roster() -> bytes:
    rows = [["红果子村党支部党员花名册"], [], NATIONAL]
    rows += [national_row(seq, f"党员{seq}") for seq in (1, 2)]
    rows[3][NATIONAL.index("入党时间")] = 40360.0  # a date as a number (2010-07-01)
    rows[4][NATIONAL.index("联系电话")] = 13812345678.0  # a phone as a number
    return xls_bytes(rows)


@pytest.mark.parametrize("name", ["花名册.xls", "花名册.et", "named-wrongly.xlsx"])
def test_old_excel_and_wps_files(w, name):
    data = xls_roster()
    assert data.startswith(b"\xd0\xcf\x11\xe0")  # a real BIFF workbook, as Excel 2003 saves
    reader, result = run(w, data, name)
    assert reader.format == "xls"
    assert result.errors == [] and result.created == 2
    first = Member.objects.get(name="党员1")
    assert first.admission_date == dt.date(2010, 7, 1)
    assert Member.objects.get(name="党员2").phone == "13812345678"


def test_an_et_file_the_reader_cannot_read_says_to_save_as_xlsx(w):
    data = xls_roster().replace("Workbook".encode("utf-16-le"), "WpsBook1".encode("utf-16-le"))
    error = refused(data, "花名册.et")
    assert error.code == "bad_et" and "另存为 .xlsx" in error.message
    assert "另存为 .xlsx" in refused(data, "花名册.xls").message


def test_files_that_are_not_rosters_get_a_clear_message(w):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    assert "图片" in refused(png, "名册.xlsx").message
    assert "PDF" in refused(b"%PDF-1.7\n" + b"x" * 100, "名册.xlsx").message
    docx = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    assert "Word" in refused(docx.getvalue(), "名册.xlsx").message
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    encrypted += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 500
    assert "密码" in refused(encrypted, "名册.xlsx").message
    assert "不是表格" in refused("姓名,性别\n张三,男\n".encode(), "名册.xlsx").message


def test_the_upload_form_offers_every_readable_kind_and_refuses_the_others(client, w):
    client.force_login(w.admin_a)
    html = client.get(reverse("members:import")).content.decode()
    assert 'accept=".xlsx,.xls,.et,.csv' in html
    for name, words in (("a.docx", "Word"), ("a.jpg", "图片"), ("a.pdf", "PDF")):
        response = client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, b"xx")})
        assert words in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


# --- ID numbers ------------------------------------------------------------------------------


def test_full_width_spaced_and_dashed_id_numbers_import_in_their_canonical_form(w):
    numbers = [id_number(seq=seq) for seq in (1, 2, 3)]
    spelled = [
        numbers[0].translate(FULL_WIDTH),
        f"{numbers[1][:6]} {numbers[1][6:14]}\u3000{numbers[1][14:]}",
        f"'{numbers[2][:6]}-{numbers[2][6:]}",
    ]
    lines = ["姓名,性别,民族,出生日期,身份证号,党员类别,入党日期,转正日期"]
    for i, spelling in enumerate(spelled):
        lines.append(f"党员{i},男,汉族,1985-03-14,{spelling},正式党员,2010-07-01,2011-07-01")
    _rows, result = run(w, "\n".join(lines).encode(), "a.csv", default_org=w.village_a)
    assert result.errors == []
    assert sorted(m.id_number for m in Member.objects.all()) == sorted(numbers)


def test_id_numbers_a_spreadsheet_turned_into_numbers_say_how_to_fix_the_column(w):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["姓名", "性别", "民族", "出生日期", "身份证号", "党员类别", "入党日期", "转正日期"]
    )
    good = next(n for n in map(lambda s: id_number(seq=s), range(1, 30)) if n[-1] != "X")
    sheet.append(["甲", "男", "汉族", "1985-03-14", float(good), "正式党员", "2010-07-01",
                  "2011-07-01"])  # fmt: skip
    sheet.append(["乙", "男", "汉族", "1985-03-14", good[:15] + "000", "正式党员", "2010-07-01",
                  "2011-07-01"])  # fmt: skip
    sheet.append(["丙", "男", "汉族", "1985-03-14", "6.40202E+17", "正式党员", "2010-07-01",
                  "2011-07-01"])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    _rows, result = run(w, out.getvalue(), "a.xlsx", default_org=w.village_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, "身份证号"), (3, "身份证号"),
                                                          (4, "身份证号")]  # fmt: skip
    for error in result.errors:
        assert "文本" in error.message and "单引号" in error.message, error.message
    assert not Member.objects.exists()


# --- organizations by name -------------------------------------------------------------------


def test_organizations_by_name_unambiguous_ambiguous_and_out_of_scope(w):
    # A second 长胜村党支部 in county A (another street) makes the name ambiguous there; county
    # B's 红果子村党支部 is out of county A's scope.
    other_street = OrganizationFactory(
        name="星海镇党委", kind=OrgKind.COMMITTEE, parent=w.county_a, region=w.village_r
    )
    twin = OrganizationFactory(
        name="长胜村党支部", kind=OrgKind.BRANCH, parent=other_street, region=w.village_r
    )
    lines = ["姓名,性别,民族,出生日期,身份证号,党员类别,入党日期,转正日期,所在党支部"]
    names = ["长胜社区党支部", "长胜村党支部", "红果子村党支部", "不存在村党支部"]
    for seq, org in enumerate(names, start=1):
        lines.append(
            f"党员{seq},男,汉族,1985-03-14,{id_number(seq=seq)},正式党员,2010-07-01,"
            f"2011-07-01,{org}"
        )
    _rows, result = run(w, "\n".join(lines).encode(), "a.csv")
    problems = {e.row: e for e in result.errors}
    assert sorted(problems) == [3, 4, 5]
    assert all(e.column == "所在党组织" for e in problems.values())
    ambiguous = problems[3].message
    assert "2个" in ambiguous and "V-A" in ambiguous and twin.code in ambiguous
    assert "长胜街道党工委 / 长胜村党支部" in ambiguous and "星海镇党委 / 长胜村党支部" in ambiguous
    # Out of scope and missing read the same, but for the name.
    assert problems[4].message.replace("红果子村", "X") == problems[5].message.replace(
        "不存在村", "X"
    )
    assert not Member.objects.exists()
    # The secretary of 长胜村 sees one 长胜村党支部 only: unambiguous for them.
    lines = [lines[0], lines[2]]
    _rows, result = run(w, "\n".join(lines).encode(), "a.csv", actor=w.secretary_v)
    assert result.errors == [] and Member.objects.get().organization == w.village_a


def test_a_name_of_a_party_group_or_dissolved_branch_says_why(w):
    lines = ["姓名,性别,民族,出生日期,身份证号,党员类别,入党日期,转正日期,所在党组织",
             f"甲,男,汉族,1985-03-14,{id_number(seq=1)},正式党员,2010-07-01,2011-07-01,"
             "长胜村第一党小组"]  # fmt: skip
    _rows, result = run(w, "\n".join(lines).encode(), "a.csv")
    assert "党小组" in result.errors[0].message


# --- the template's example row ---------------------------------------------------------------


def test_the_example_row_of_the_template_is_never_imported(w):
    assert id_check_char(EXAMPLE_ID_NUMBER[:17]) != EXAMPLE_ID_NUMBER[17]  # invalid by design
    template = import_template_xlsx()
    _rows, result = run(w, template, "模板.xlsx", default_org=w.village_a)
    assert result.created == 0
    assert [(e.row, e.column) for e in result.errors] == [(2, "身份证号")]
    assert "示例" in result.errors[0].message and "删除" in result.errors[0].message
    # With a real row added below it, the example row still stops the file.
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book["党员"]
    real = ["张三", "男", "汉族", "1985-03-14", id_number(seq=1), "", "", "", "正式党员",
            "2010-07-01", "2011-07-01", "V-A"]  # fmt: skip
    sheet.append(real)
    out = io.BytesIO()
    book.save(out)
    _rows, result = run(w, out.getvalue(), "模板.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(2, "身份证号")]
    assert not Member.objects.exists()


# --- statuses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("流动", "流动党员登记"),
        ("失联", "流动党员登记"),
        ("已去世", "在册"),
        ("已转出", "在册"),
        ("开除", "只能为“正常”"),
    ],  # fmt: skip
)
def test_statuses_that_come_from_mobility_or_are_not_members_are_refused(w, status, words):
    lines = [
        "姓名,性别,民族,出生日期,身份证号,党员类别,入党日期,转正日期,状态",
        f"甲,男,汉族,1985-03-14,{id_number(seq=1)},正式党员,2010-07-01,2011-07-01,{status}",
    ]
    _rows, result = run(w, "\n".join(lines).encode(), "a.csv", default_org=w.village_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, "状态")]
    assert words in result.errors[0].message
    assert not Member.objects.exists()


def test_normal_and_blank_statuses_import_as_normal(w):
    lines = ["姓名,性别,民族,出生日期,身份证号,党员类别,入党日期,转正日期,状态"]
    for seq, status in ((1, "正常"), (2, "")):
        lines.append(
            f"甲{seq},男,汉族,1985-03-14,{id_number(seq=seq)},正式党员,2010-07-01,2011-07-01,"
            f"{status}"
        )
    _rows, result = run(w, "\n".join(lines).encode(), "a.csv", default_org=w.village_a)
    assert result.errors == []
    assert set(Member.objects.values_list("status", flat=True)) == {"normal"}


# --- the uploaded file back, with its errors marked -------------------------------------------


def test_the_error_report_is_the_uploaded_file_with_an_error_column(
    client, w, django_capture_on_commit_callbacks
):
    rows = [
        national_row(1, "张三"),
        national_row(2, '=HYPERLINK("http://x.example","点我")', 联系电话="+86 138"),
        national_row(3, "王强", 所在党支部="不存在村党支部"),
    ]
    client.force_login(w.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("members:import"),
            {"file": SimpleUploadedFile("花名册.xlsx", roster_xlsx(rows))},
        )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and not job.file
    assert any("序号" in n for n in job.notices)
    page = client.get(reverse("members:import_job", args=[job.pk])).content.decode()
    assert "标注了错误的原文件" in page and "序号" in page  # the notices are on the page
    report = ImportReport.objects.get(job=job)
    assert id_number(seq=1).encode() not in bytes(report.content)  # kept encrypted

    response = client.get(reverse("members:import_job_report", args=[job.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == w.admin_a and event.object_id == str(job.pk)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet["B1"].value == "长胜村党支部党员花名册"  # the title row, where it was
    assert sheet["A4"].value.startswith("导入错误")  # the header row, row 4 as uploaded
    assert [sheet.cell(row=4, column=i + 2).value for i in range(len(NATIONAL))] == NATIONAL
    assert sheet["A5"].value is None  # a good row: no error
    assert "手机号" in sheet["A6"].value and "所在党组织" in sheet["A7"].value
    assert sheet["E5"].value == id_number(seq=1)  # the ID number as uploaded, as text
    formula = sheet["C6"]
    assert formula.value.startswith("=HYPERLINK") and formula.data_type == "s"
    assert formula.quotePrefix  # shown as text, and stays text when edited
    assert sheet["M6"].data_type == "s" and sheet["M6"].quotePrefix  # "+86 138"

    # Only the uploader gets it.
    client.force_login(w.admin_b)
    assert client.get(reverse("members:import_job_report", args=[job.pk])).status_code == 404


def test_a_file_level_error_has_no_marked_file(client, w, django_capture_on_commit_callbacks):
    client.force_login(w.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("members:import"),
            {"file": SimpleUploadedFile("a.csv", "姓名,备注\n张三,x\n".encode())},
        )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "缺少列" in job.message
    assert not ImportReport.objects.exists()
    assert client.get(reverse("members:import_job_report", args=[job.pk])).status_code == 404


def test_existing_members_are_untouched_by_a_failed_roster(w):
    existing = create_member(w.village_a)
    rows = [national_row(1, "张三", 公民身份号码=existing.id_number.translate(FULL_WIDTH))]
    _rows, result = run(w, roster_xlsx(rows), "a.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(5, "身份证号")]
    assert Member.objects.count() == 1


# --- the ".xls" that web systems export: an HTML page with one table --------------------------


def html_xls(rows, *, charset="gb2312") -> bytes:
    """What the national system's "导出 Excel" gives: an HTML page named .xls, in GBK, its
    title a cell spanning every column, numbers kept as text by an Excel style."""
    head = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        "<style>td{mso-number-format:'\\@';}</style></head><body>"
    )
    body = [f'<table border="1"><tr><td colspan="{len(NATIONAL)}">红果子村党员花名册</td></tr>']
    body.append("<tr>" + "".join(f"<th>{h}</th>" for h in NATIONAL) + "</tr>")
    for row in rows:
        body.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>")
    body.append("</table></body></html>")
    return (head + "\n".join(body)).encode("gbk" if charset == "gb2312" else charset)


@pytest.mark.parametrize("charset", ["gb2312", "utf-8"])
def test_an_html_page_named_xls_imports_like_a_workbook(w, charset):
    rows = [national_row(1, "王五"), national_row(2, "赵六", gender="F", 备注="流动 <外出>")]
    reader, result = run(w, html_xls(rows, charset=charset), "党员信息导出.xls")
    assert reader.format == "html"
    assert result.errors == [] and result.created == 2
    assert Member.objects.get(name="赵六").id_number == rows[1][NATIONAL.index("公民身份号码")]


def test_an_html_roster_with_a_bad_row_names_the_row_and_imports_nothing(w):
    rows = [national_row(1, "王五"), national_row(2, "赵六", 公民身份号码="12345")]
    _reader, result = run(w, html_xls(rows), "党员信息导出.xls")
    assert result.created == 0
    assert [(e.row, e.column) for e in result.errors] == [(4, "身份证号")]
    assert not Member.objects.filter(name__in=["王五", "赵六"]).exists()


def test_a_web_page_without_a_table_is_refused_in_words():
    page = b"<!DOCTYPE html><html><head><title>login</title></head><body>timeout</body></html>"
    assert "没有表格" in refused(page, "党员信息导出.xls").message


@pytest.mark.parametrize("charset", ["base64", "zlib", "rot13", "no-such-charset"])
def test_an_html_roster_declaring_a_charset_that_is_not_one_still_reads(w, charset):
    page = html_xls([national_row(1, "王五")], charset="utf-8").replace(
        b"charset=utf-8", f"charset={charset}".encode()
    )
    reader, result = run(w, page, "党员信息导出.xls")
    assert reader.format == "html" and result.created == 1


def test_an_html_roster_with_a_strange_colspan_keeps_its_columns(w):
    page = html_xls([national_row(1, "王五")], charset="utf-8").replace(
        f'colspan="{len(NATIONAL)}"'.encode(), 'colspan="²"'.encode()
    )
    reader, result = run(w, page, "党员信息导出.xls")
    assert result.errors == [] and result.created == 1
