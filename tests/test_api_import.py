"""POST /api/members/import/: the real import path, all or nothing, errors by row and column."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import make_id_number
from tongchou.members.models import Member

pytestmark = pytest.mark.django_db

URL = "/api/members/import/"
HEADER = "姓名,性别,民族,出生日期,身份证号,手机号,党员类别,入党日期,转正日期,所在党组织代码"


def row(name, org_code, *, birth=dt.date(1990, 1, 2), id_number=None):
    id_number = id_number or make_id_number(birth=birth, gender="M")
    dates = f"{birth:%Y-%m-%d},{id_number},13800001111,正式党员,2015-07-01,2016-07-01"
    return f"{name},男,汉族,{dates},{org_code}"


def upload(lines, name="members.csv", encoding="utf-8-sig"):
    return SimpleUploadedFile(name, "\n".join(lines).encode(encoding), content_type="text/csv")


def test_import_creates_every_row_and_one_audit_event(client, world):
    client.force_login(world.admin_a)
    code = world.a.village.code
    response = client.post(URL, {"file": upload([HEADER, row("赵一", code), row("赵二", code)])})
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 2, "total": 2, "notices": []}
    assert Member.objects.filter(name__startswith="赵", organization=world.a.village).count() == 2
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_import_gbk_with_default_organization(client, world):
    client.force_login(world.secretary_a)
    lines = [HEADER, row("钱一", ""), row("钱二", "")]
    response = client.post(
        URL,
        {"file": upload(lines, encoding="gbk"), "organization": world.a.village.pk},
    )
    assert response.status_code == 201, response.json()
    assert Member.objects.filter(name__startswith="钱", organization=world.a.village).count() == 2


def test_import_with_errors_writes_nothing_and_lists_rows(client, world):
    client.force_login(world.admin_a)
    code = world.a.village.code
    good = make_id_number(birth=dt.date(1990, 1, 2), gender="M")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    lines = [
        HEADER,
        row("孙一", code),
        row("孙二", code, id_number=bad),
        row("孙三", world.b.village.code),
    ]
    response = client.post(URL, {"file": upload(lines)})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_failed"
    assert body["field"] == "file"
    assert body["error_count"] == 2
    problems = {(e["row"], e["column"]) for e in body["errors"]}
    assert problems == {(3, "身份证号"), (4, "所在党组织代码")}
    assert not Member.objects.filter(name__startswith="孙").exists()
    assert not AuditEvent.objects.exists()


def test_import_with_wrong_headers_is_a_file_error(client, world):
    client.force_login(world.admin_a)
    response = client.post(URL, {"file": upload(["姓名,性别,随便", "a,男,x"])})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_headers"
    assert body["field"] == "file"
    assert "身份证号" in body["message"]


def test_import_of_an_empty_file(client, world):
    client.force_login(world.admin_a)
    response = client.post(URL, {"file": upload([])})
    assert response.status_code == 400
    assert response.json()["code"] == "empty_file"


@pytest.mark.parametrize("background", [False, True])
def test_import_refuses_other_formats_and_files_over_the_limit(client, world, settings, background):
    # The answer-when-done path read any file of any size: only queued jobs were checked.
    client.force_login(world.admin_a)
    lines = [HEADER, row("张三", world.a.village.code)]
    body = {"background": background}
    response = client.post(URL, {"file": upload(lines, name="members.txt"), **body})
    assert (response.status_code, response.json()["code"]) == (400, "unsupported_format")
    settings.IMPORT_MAX_BYTES = 10
    response = client.post(URL, {"file": upload(lines), **body})
    assert (response.status_code, response.json()["code"]) == (400, "file_too_large")
    assert response.json()["field"] == "file"
    assert not Member.objects.filter(name="张三").exists()


def test_import_without_a_file_names_the_field(client, world):
    client.force_login(world.admin_a)
    response = client.post(URL, {})
    assert response.status_code == 400
    assert response.json()["field"] == "file"


def test_import_default_organization_out_of_scope_is_404(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        URL, {"file": upload([HEADER, row("周一", "")]), "organization": world.b.village.pk}
    )
    assert response.status_code == 404
    assert response.json()["field"] == "organization"
    assert not Member.objects.filter(name="周一").exists()


def test_import_by_a_role_that_cannot_manage_members_is_403(client, world):
    client.force_login(world.member_a)
    response = client.post(URL, {"file": upload([HEADER, row("吴一", world.a.village.code)])})
    assert response.status_code == 403


def test_background_import_queues_a_job_and_reports_it(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.admin_a)
    code = world.a.village.code
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {"file": upload([HEADER, row("郑一", code), row("郑二", code)]), "background": "true"},
        )
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    assert response.json()["status"] == "queued"

    body = client.get(f"/api/members/imports/{job_id}/").json()
    assert body["status"] == "done"
    assert body["created_count"] == 2
    assert body["finished"] is True
    assert Member.objects.filter(name__startswith="郑").count() == 2


def test_background_import_errors_by_row(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {"file": upload([HEADER, row("冯一", "NOPE")]), "background": "true"},
        )
    body = client.get(f"/api/members/imports/{response.json()['id']}/").json()
    assert body["status"] == "failed"
    assert body["error_count"] == 1
    assert body["errors"][0]["row"] == 2
    assert body["errors"][0]["column"] == "所在党组织代码"
    assert not Member.objects.filter(name="冯一").exists()


def test_someone_elses_import_job_is_404(client, world):
    client.force_login(world.admin_a)
    assert client.get(f"/api/members/imports/{world.b.import_job.pk}/").status_code == 404
    body = client.get(f"/api/members/imports/{world.a.import_job.pk}/").json()
    assert body["errors"] == [{"row": 3, "column": "身份证号", "message": "身份证号校验码不正确。"}]
