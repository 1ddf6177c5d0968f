"""The member import: file reading, every bad-input case (nothing written, the error names row
and column), the job/task/page flow and the management command."""

import csv
import datetime as dt
import io
import os

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.core.tests.factories import create_member
from tongchou.members.importing import (
    COLUMNS,
    RowError,
    members_import,
    read_rows,
)
from tongchou.members.models import ImportJob, ImportStatus, Member
from tongchou.members.tests.conftest import id_number

pytestmark = pytest.mark.django_db

HEADERS = [header for _key, header in COLUMNS]
KEYS = [key for key, _header in COLUMNS]


def row(seq=1, **overrides):
    """One valid row, typed the way people type it."""
    birth = overrides.pop("birth", dt.date(1985, 3, 14))
    values = {
        "name": f"党员{seq}",
        "gender": "男",
        "ethnicity": "汉族",
        "birth_date": f"{birth.year}/{birth.month}/{birth.day}",
        "id_number": id_number(birth, "M", seq),
        "phone": "13812345678",
        "education": "大学本科",
        "occupation": "农民",
        "category": "正式党员",
        "admission_date": "2010-07-01",
        "full_member_date": "2011/7/1",
        "org_code": "V-A",
        "status": "正常",
        "home_region_code": "640202001201",
    }
    values.update(overrides)
    return values


def csv_bytes(rows, *, encoding="utf-8", bom=False, headers=HEADERS):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for r in rows:
        writer.writerow([r.get(k, "") for k in KEYS])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, headers=HEADERS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for r in rows:
        sheet.append([r.get(k, "") for k in KEYS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_import(w, data, name="members.csv", actor=None, default_org=None):
    rows = read_rows(io.BytesIO(data), name)
    return members_import(actor=actor or w.admin_a, rows=rows, default_org=default_org)


def only_error(result) -> RowError:
    assert result.created == 0
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def assert_nothing_written():
    assert Member.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


# --- the good path ---------------------------------------------------------------------------


def test_csv_utf8_imports_everything_in_one_go(w):
    rows = [row(1), row(2, org_code="M-A", gender="女", id_number=id_number(seq=2, gender="F"))]
    rows[1]["name"] = "李四"
    progress = []
    result = members_import(
        actor=w.admin_a,
        rows=read_rows(io.BytesIO(csv_bytes(rows)), "a.csv"),
        progress=lambda done, total: progress.append((done, total)),
    )
    assert result.errors == [] and result.created == 2
    first = Member.objects.get(name="党员1")
    assert first.organization == w.village_a and first.org_path == w.village_a.path
    assert first.id_number == rows[0]["id_number"] and first.phone == "13812345678"
    assert first.birth_date == dt.date(1985, 3, 14)
    assert first.full_member_date == dt.date(2011, 7, 1)
    assert first.education == "bachelor" and first.home_region_id == "640202001201"
    assert first.created_at and first.updated_at
    assert Member.objects.get(name="李四").organization == w.community_a
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT)
    assert events.count() == 1  # one event for the import, not one per row
    assert events[0].after["created"] == 2 and events[0].org_path == w.street_a.path
    assert progress[-1] == (2, 2)


def test_gbk_csv(w):
    result = run_import(w, csv_bytes([row(1)], encoding="gbk"))
    assert result.created == 1 and Member.objects.get().name == "党员1"


def test_utf8_bom_csv(w):
    result = run_import(w, csv_bytes([row(1)], bom=True))
    assert result.created == 1


def test_xlsx_with_excel_dates_and_numbers(w):
    data = row(1, birth_date=dt.date(1985, 3, 14), phone=13812345678, admission_date="40360")
    data["full_member_date"] = dt.datetime(2011, 7, 1)
    result = run_import(w, xlsx_bytes([data]), "a.xlsx")
    assert result.errors == []
    member = Member.objects.get()
    assert member.admission_date == dt.date(2010, 7, 1)  # Excel serial 40360
    assert member.phone == "13812345678"


def test_values_as_codes_lower_case_x_and_default_org(w):
    for seq in range(200):
        number = id_number(seq=seq)
        if number.endswith("X"):
            break
    data = row(
        seq,
        id_number=number.lower(),
        gender="M",
        ethnicity="01",
        education="本科",
        category="full",
        status="",
        org_code="",
        birth_date="19850314",
        admission_date="2010年7月1日",
    )
    result = run_import(w, csv_bytes([data]), default_org=w.village_a)
    assert result.errors == []
    member = Member.objects.get()
    assert member.id_number == number and member.organization == w.village_a
    assert member.status == "normal"


def test_blank_lines_are_skipped_and_optional_columns_may_be_missing(w):
    headers = ["姓名", "性别", "民族", "出生日期", "身份证号", "党员类别", "入党日期", "转正日期",
               "所在党组织代码"]  # fmt: skip
    keys = ["name", "gender", "ethnicity", "birth_date", "id_number", "category",
            "admission_date", "full_member_date", "org_code"]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerow([row(1)[k] for k in keys])
    writer.writerow([""] * len(keys))
    writer.writerow([row(2)[k] for k in keys])
    result = run_import(w, out.getvalue().encode())
    assert result.errors == [] and result.created == 2


# --- file-level errors -----------------------------------------------------------------------


def file_error(data, name="a.csv") -> ApplicationError:
    with pytest.raises(ApplicationError) as exc:
        read_rows(io.BytesIO(data), name)
    assert exc.value.field == "file"
    return exc.value


def test_missing_headers(w):
    headers = [h for h in HEADERS if h not in ("身份证号", "入党日期")]
    error = file_error(csv_bytes([], headers=headers))
    assert "身份证号" in error.message and "入党日期" in error.message and "缺少" in error.message
    assert_nothing_written()


def test_duplicate_headers_are_refused_and_unknown_ones_are_ignored(w):
    error = file_error(csv_bytes([row(1)], headers=[*HEADERS, "备注", "姓名"]))
    assert "重复" in error.message and "姓名" in error.message
    assert "备注" not in error.message
    assert error.extra["duplicate"] == ["姓名"]


def test_headers_with_required_marks_are_accepted(w):
    headers = [f"{h}*" if i < 3 else h for i, h in enumerate(HEADERS)]
    assert run_import(w, csv_bytes([row(1)], headers=headers)).created == 1


def test_wrong_encoding_random_bytes(w):
    import random

    rnd = random.Random(3)
    data = bytes(rnd.randrange(256) for _ in range(4000))
    assert "编码" in file_error(data).message
    assert_nothing_written()


def test_wrong_encoding_utf16(w):
    assert "编码" in file_error(csv_bytes([row(1)], encoding="utf-16")).message
    assert "编码" in file_error(csv_bytes([row(1)], encoding="utf-16-le")).message


def test_empty_file(w):
    assert "空" in file_error(b"").message
    assert "没有内容" in file_error(b"\n\n").message
    assert "只有表头" in file_error(csv_bytes([])).message
    assert_nothing_written()


def test_huge_file(w, settings):
    settings.IMPORT_MAX_BYTES = 1000
    data = csv_bytes([row(i) for i in range(1, 20)])
    error = file_error(data)
    assert error.code == "file_too_large" and "太大" in error.message
    assert_nothing_written()


def test_not_an_xlsx(w):
    assert "不是表格" in file_error(b"PK not really a zip", "a.xlsx").message
    assert "不是表格" in file_error(b"\xd0\xcf\x11\xe0", "a.xls").message
    assert "PDF" in file_error(b"abc", "a.pdf").message
    assert "只支持" in file_error(b"abc", "a.numbers2").message


# --- row errors: nothing written, the error names row and column -----------------------------


def test_bad_checksum(w):
    number = id_number(seq=1)
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    result = run_import(w, csv_bytes([row(1), row(2, id_number=bad)]))
    error = only_error(result)
    assert (error.row, error.column) == (3, "身份证号") and "校验码" in error.message
    assert_nothing_written()


def test_id_and_birth_date_disagree(w):
    result = run_import(w, csv_bytes([row(1, birth_date="1985-03-15")]))
    error = only_error(result)
    assert (error.row, error.column) == (2, "出生日期") and "不一致" in error.message
    assert_nothing_written()


def test_id_and_gender_disagree(w):
    error = only_error(run_import(w, csv_bytes([row(1, gender="女")])))
    assert (error.row, error.column) == (2, "性别")


def test_duplicate_id_in_file(w):
    result = run_import(w, csv_bytes([row(1), row(2), row(3, id_number=id_number(seq=1))]))
    error = only_error(result)
    assert (error.row, error.column) == (4, "身份证号") and "第2行" in error.message
    assert_nothing_written()


def test_duplicate_id_against_database(w):
    existing = create_member(w.village_b)  # in another county: still a duplicate
    result = run_import(w, csv_bytes([row(1), row(2, id_number=existing.id_number.lower())]))
    error = only_error(result)
    assert (error.row, error.column) == (3, "身份证号") and "已在本系统登记" in error.message
    assert Member.objects.count() == 1


def test_unknown_org_code(w):
    error = only_error(run_import(w, csv_bytes([row(1, org_code="NOPE")])))
    assert (error.row, error.column) == (2, "所在党组织代码") and "NOPE" in error.message
    assert_nothing_written()


def test_out_of_scope_org_code_reads_like_unknown(w):
    unknown = only_error(run_import(w, csv_bytes([row(1, org_code="NOPE")])))
    out = only_error(run_import(w, csv_bytes([row(1, org_code="V-B")])))
    assert out.column == "所在党组织代码"
    assert out.message.replace("V-B", "X") == unknown.message.replace("NOPE", "X")
    out = only_error(run_import(w, csv_bytes([row(1, org_code="M-A")]), actor=w.secretary_v))
    assert out.row == 2
    assert_nothing_written()


def test_group_and_dissolved_orgs_refused(w):
    result = run_import(w, csv_bytes([row(1, org_code="G-A"), row(2, org_code="D-A")]))
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "所在党组织代码"),
        (3, "所在党组织代码"),
    ]
    assert "党小组" in result.errors[0].message and "撤销" in result.errors[1].message
    assert_nothing_written()


def test_missing_org_code_without_default(w):
    error = only_error(run_import(w, csv_bytes([row(1, org_code="")])))
    assert error.column == "所在党组织代码" and "默认" in error.message


def test_unknown_region_code(w):
    error = only_error(run_import(w, csv_bytes([row(1, home_region_code="999999")])))
    assert (error.row, error.column) == (2, "户籍区划代码")


def test_future_dates(w):
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    result = run_import(
        w, csv_bytes([row(1, admission_date=future, full_member_date="", category="预备党员")])
    )
    error = only_error(result)
    assert (error.row, error.column) == (2, "入党日期") and "晚于今天" in error.message
    assert_nothing_written()


def test_probation_violation(w):
    result = run_import(w, csv_bytes([row(1, full_member_date="2010-12-31")]))
    error = only_error(result)
    assert (error.row, error.column) == (2, "转正日期") and "一年" in error.message
    result = run_import(w, csv_bytes([row(1, category="预备党员")]))
    assert only_error(result).column == "转正日期"
    assert_nothing_written()


def test_admitted_under_eighteen(w):
    result = run_import(
        w, csv_bytes([row(1, admission_date="2000-07-01", full_member_date="2001-07-01")])
    )
    error = only_error(result)
    assert error.column == "入党日期" and "18" in error.message


def test_unknown_values_and_bad_dates_name_the_value(w):
    result = run_import(
        w,
        csv_bytes(
            [row(1, gender="未知", ethnicity="火星族", category="党员", birth_date="85年3月")]
        ),
    )
    by_column = {e.column: e.message for e in result.errors}
    assert "未知" in by_column["性别"]
    assert "火星族" in by_column["民族"]
    assert "党员" in by_column["党员类别"]
    assert "85年3月" in by_column["出生日期"]
    assert all(e.row == 2 for e in result.errors)
    assert_nothing_written()


def test_id_number_in_scientific_notation(w):
    error = only_error(run_import(w, csv_bytes([row(1, id_number="6.40202E+17")])))
    assert error.column == "身份证号" and "科学计数法" in error.message


def test_every_error_is_reported_in_row_then_column_order(w):
    result = run_import(
        w,
        csv_bytes(
            [
                row(1, org_code="NOPE"),
                row(2),
                row(3, gender="女", phone="123"),
                row(4, id_number=id_number(seq=2)),
            ]
        ),
    )
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "所在党组织代码"),
        (4, "性别"),
        (4, "手机号"),
        (5, "身份证号"),
    ]
    assert_nothing_written()


def test_default_org_out_of_scope_is_refused(w):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_import(w, csv_bytes([row(1, org_code="")]), default_org=w.village_b)


# --- job, task and pages ---------------------------------------------------------------------


def upload(client, data, name="members.csv", **extra):
    return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, data), **extra})


def test_import_page_runs_the_task_and_shows_the_result(
    client, w, django_capture_on_commit_callbacks
):
    client.force_login(w.secretary_v)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes([row(1), row(2, org_code="")]), default_org="V-A")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("members:import_job", args=[job.pk])
    assert job.status == ImportStatus.DONE and job.created_count == 2 and job.total == 2
    assert not job.file  # the uploaded file (ID numbers in the clear) is gone
    assert Member.objects.count() == 2
    html = client.get(response["Location"]).content.decode()
    assert "已导入2名党员" in html and "hx-trigger" not in html  # finished: no more polling


def test_import_page_xlsx_upload(client, w, django_capture_on_commit_callbacks):
    client.force_login(w.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, xlsx_bytes([row(1), row(2)]), name="名册.xlsx")
    job = ImportJob.objects.get()
    assert (job.status, job.created_count, job.filename) == (ImportStatus.DONE, 2, "名册.xlsx")


def test_import_without_member_rights_is_refused(w):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_import(w, csv_bytes([row(1)]), actor=w.plain_member)
    assert_nothing_written()


def test_import_page_with_errors_shows_report_and_xlsx(
    client, w, django_capture_on_commit_callbacks
):
    client.force_login(w.secretary_v)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes([row(1), row(2, org_code="M-A")]))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and job.error_count == 1
    assert job.errors == [[3, "所在党组织代码", job.errors[0][2]]]
    assert_nothing_written()
    html = client.get(reverse("members:import_job", args=[job.pk])).content.decode()
    assert "所在党组织代码" in html and "错误报告" in html
    report = client.get(reverse("members:import_job_errors", args=[job.pk]))
    assert "no-store" in report["Cache-Control"]
    assert "%E9%94%99%E8%AF%AF%E6%8A%A5%E5%91%8A.xlsx" in report["Content-Disposition"]  # 错误报告
    content = b"".join(report.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "原因") and rows[1][:2] == (3, "所在党组织代码")
    assert sheet.freeze_panes == "A2"


def test_import_page_header_error_is_shown(client, w, django_capture_on_commit_callbacks):
    client.force_login(w.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes([row(1)], headers=["称呼", *HEADERS[1:]]))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "姓名" in job.message
    assert "称呼" in client.get(reverse("members:import_job", args=[job.pk])).content.decode()


def test_import_page_refuses_bad_uploads_on_the_field(client, w, settings):
    client.force_login(w.admin_a)
    response = upload(client, b"x", name="a.pdf")
    assert "PDF" in " ".join(response.context["form"].errors["file"])
    settings.IMPORT_MAX_BYTES = 10
    response = upload(client, csv_bytes([row(1)]))
    assert "太大" in " ".join(response.context["form"].errors["file"])
    response = upload(client, csv_bytes([row(1)]), default_org="V-B")
    assert "default_org" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_progress_partial_polls_until_finished(client, w):
    job = ImportJob.objects.create(
        filename="a.csv", created_by=w.admin_a, status=ImportStatus.VALIDATING, total=100, done=40
    )
    client.force_login(w.admin_a)
    html = client.get(reverse("members:import_job_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html


def test_job_pages_of_someone_else_are_404(client, w):
    job = ImportJob.objects.create(filename="a.csv", created_by=w.admin_a)
    client.force_login(w.admin_b)
    for name in ("members:import_job", "members:import_job_progress", "members:import_job_errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("members:import_job", args=[job.pk])).status_code == 302


def test_task_is_idempotent(w, tmp_path):
    from django.core.files.base import ContentFile

    from tongchou.members.importing import import_job_run

    job = ImportJob.objects.create(filename="a.csv", created_by=w.admin_a)
    job.file.save("a.csv", ContentFile(csv_bytes([row(1)])))
    import_job_run(job_id=job.pk)
    import_job_run(job_id=job.pk)  # a second delivery changes nothing
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Member.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_sweep_fails_stale_jobs_and_deletes_their_files(w):
    from django.core.files.base import ContentFile

    stale = ImportJob.objects.create(filename="old.csv", created_by=w.admin_a)
    stale.file.save("old.csv", ContentFile(csv_bytes([row(1)])))
    fresh = ImportJob.objects.create(filename="new.csv", created_by=w.admin_a)
    fresh.file.save("new.csv", ContentFile(csv_bytes([row(2)])))
    done = ImportJob.objects.create(
        filename="done.csv", created_by=w.admin_a, status=ImportStatus.DONE
    )
    long_ago = timezone.now() - dt.timedelta(hours=25)
    ImportJob.objects.filter(pk__in=[stale.pk, done.pk]).update(updated_at=long_ago)
    stale_file = stale.file.path

    out = io.StringIO()
    call_command("sweep_imports", stdout=out)

    assert "closed 1" in out.getvalue()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ImportStatus.FAILED and not stale.file and stale.finished_at
    assert "重新上传" in stale.message
    assert not os.path.exists(stale_file)
    assert fresh.status == ImportStatus.QUEUED and fresh.file
    assert ImportJob.objects.get(pk=done.pk).status == ImportStatus.DONE
    assert not Member.objects.exists()


# --- management command ----------------------------------------------------------------------


def test_command_imports(w, tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(csv_bytes([row(1, org_code=""), row(2)], headers=[*HEADERS[:-1], "备注"]))
    out = io.StringIO()
    call_command("import_members", str(path), "--org", "M-A", stdout=out, stderr=io.StringIO())
    assert "已导入 2 名党员" in out.getvalue()
    assert "提示：已忽略无法识别的列：备注" in out.getvalue()
    assert Member.objects.get(name="党员1").organization == w.community_a
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor is None and event.note == "m.csv"


def test_command_reports_errors_and_writes_nothing(w, tmp_path):
    path = tmp_path / "m.xlsx"
    path.write_bytes(xlsx_bytes([row(1), row(2, birth_date="1985-03-15")]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_members", str(path), stdout=out, stderr=io.StringIO())
    assert "3\t出生日期\t" in out.getvalue()
    assert_nothing_written()


def test_command_as_a_user_is_scoped(w, tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(csv_bytes([row(1, org_code="V-B")]))
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--user", "admin_a", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--org", "V-B", "--user", "admin_a")
    assert_nothing_written()
    call_command("import_members", str(path), "--user", "admin_b", stdout=io.StringIO())
    assert Member.objects.count() == 1


def test_error_report_keeps_a_column_name_that_reads_as_a_formula_as_text():
    from tongchou.members.importing import error_report_xlsx

    content = error_report_xlsx([[2, '=HYPERLINK("http://x","y")', "@SUM(A1)"]])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert [c.value for c in cells] == [2, '\'=HYPERLINK("http://x","y")', "'@SUM(A1)"]
