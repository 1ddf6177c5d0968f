"""Hostile files: what a file claims is not believed, and every run stops at its caps with a
clear error and nothing written. The files are built here, small; the tests assert on the caps
being hit and on how much was read, not on timings."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongchou.core.errors import ApplicationError
from tongchou.members.importing import Budget, members_import, read_rows
from tongchou.members.importing.limits import MAX_ZIP_ENTRIES, RATIO_FLOOR
from tongchou.members.models import ImportJob, ImportStatus, Member
from tongchou.members.tests.conftest import id_number

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "性别", "民族", "出生日期", "身份证号", "党员类别", "入党日期", "转正日期",
           "所在党组织代码"]  # fmt: skip
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def person(seq):
    return [f"党员{seq}", "男", "汉族", "1985-03-14", id_number(seq=seq), "正式党员",
            "2010-07-01", "2011-07-01", "V-A"]  # fmt: skip


def roster(n=2) -> bytes:
    """A workbook as Excel writes one: text in a shared-strings part, cells pointing into it
    (openpyxl writes inline strings, so the parts are written here)."""
    strings: dict[str, int] = {}
    rows = []
    for r, values in enumerate([HEADERS] + [person(seq) for seq in range(1, n + 1)], start=1):
        cells = []
        for c, value in enumerate(values):
            index = strings.setdefault(value, len(strings))
            cells.append(f'<c r="{chr(65 + c)}{r}" t="s"><v>{index}</v></c>')
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    shared = "".join(f"<si><t>{text}</t></si>" for text in strings)
    contents = {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="党员" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package}">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        SHEET: f'<worksheet xmlns="{main}"><dimension ref="A1:I{n + 1}"/>'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>",
        STRINGS: f'<sst xmlns="{main}" count="{len(strings)}">{shared}</sst>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in contents.items():
            z.writestr(name, text.encode())
    return out.getvalue()


def test_the_excel_like_workbook_reads(w):
    rows = read_rows(io.BytesIO(roster(2)), "a.xlsx")
    result = members_import(actor=w.admin_a, rows=rows)
    assert result.errors == [] and result.created == 2


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def rebuild(data: bytes, compression=zipfile.ZIP_DEFLATED, **replace: bytes) -> bytes:
    """The workbook with some parts replaced (keyword: part path with / as __)."""
    contents = parts(data)
    for key, value in replace.items():
        contents[key.replace("__", "/")] = value
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, value in contents.items():
            z.writestr(name, value)
    return out.getvalue()


def refusal(data: bytes, name="a.xlsx", budget=None, user=None) -> tuple[ApplicationError, Budget]:
    budget = budget or Budget()
    with pytest.raises(ApplicationError) as exc:
        rows = read_rows(io.BytesIO(data), name, budget=budget)
        if user is not None:
            members_import(actor=user, rows=rows)
        else:
            list(rows.cells())
    assert exc.value.field == "file"
    return exc.value, budget


def test_a_claimed_dimension_and_a_far_cell_are_not_believed(w):
    """A1:XFD1048576 claimed, a cell at XFD1048576: openpyxl's read-only sheet would pad a
    million rows to 16,384 cells each. Here the two real rows are read, and little else."""
    sheet = parts(roster())[SHEET].decode()
    start = sheet.index("<dimension")
    sheet = (
        sheet[:start] + '<dimension ref="A1:XFD1048576"/>' + sheet[sheet.index(">", start) + 1 :]
    )
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = sheet.replace("</sheetData>", far + "</sheetData>")
    data = rebuild(roster(), **{SHEET.replace("/", "__"): sheet.encode()})
    assert len(data) < 10_000
    budget = Budget()
    rows = read_rows(io.BytesIO(data), "a.xlsx", budget=budget)
    result = members_import(actor=w.admin_a, rows=rows)
    assert result.errors == [] and result.created == 2
    assert budget.cells < 100  # the header and two rows' known columns, nothing padded
    assert rows.total < 1000  # the progress estimate does not believe the dimension either


def test_too_many_rows_are_refused(w, settings):
    settings.IMPORT_MAX_ROWS = 3
    error, _budget = refusal(roster(5), user=w.admin_a)
    assert error.code == "too_many_rows" and error.extra["cap"] == "rows" and "3" in error.message
    csv = "\n".join([",".join(HEADERS)] + [",".join(person(s)) for s in range(1, 6)])
    error, _budget = refusal(csv.encode(), "a.csv", user=w.admin_a)
    assert error.code == "too_many_rows"
    assert read_rows(io.BytesIO(roster(3)), "a.xlsx") is not None  # three is allowed
    assert not Member.objects.exists()


def test_a_shared_strings_bomb_is_refused_before_it_is_unpacked(w):
    bomb = b"<sst>" + b"<si><t>x</t></si>" * 2_000_000 + b"</sst>"  # 34 MB of XML
    data = rebuild(roster(), **{STRINGS.replace("/", "__"): bomb})
    assert len(data) < 200_000  # a small upload
    error, budget = refusal(data)
    assert error.code == "xlsx_bomb" and error.extra["cap"] == "ratio"
    assert budget.unzipped < RATIO_FLOOR  # refused on the declared sizes, nothing unpacked


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Patch the declared uncompressed size of one part (local header and central
    directory), as a crafted file would."""
    data = bytearray(data)
    encoded = name.encode()
    for signature, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            if data[at + name_at : at + name_at + len(encoded)] == encoded:
                data[at + offset : at + offset + 4] = size.to_bytes(4, "little")
            at += 4
    return bytes(data)


def test_a_bomb_that_lies_about_its_size_is_stopped_while_unpacking(w):
    bomb = b"<sst>" + b"<si><t>x</t></si>" * 2_000_000 + b"</sst>"
    data = rebuild(roster(), **{STRINGS.replace("/", "__"): bomb})
    data = lie_about_size(data, STRINGS, 4000)  # "4 KB", believable
    error, budget = refusal(data)
    assert error.code == "bad_xlsx"
    assert budget.unzipped <= 4000  # read no further than it said, then the CRC failed


def test_a_sheet_bomb_is_stopped_at_the_unpacked_size_cap(w):
    rows = "".join(f'<row r="{r}"><c r="A{r}"/></row>' for r in range(3, 60_000))
    sheet = parts(roster())[SHEET].decode().replace("</sheetData>", rows + "</sheetData>")
    data = rebuild(roster(), **{SHEET.replace("/", "__"): sheet.encode()})
    budget = Budget(max_unzipped=512 * 1024)
    error, budget = refusal(data, budget=budget)
    assert error.code == "xlsx_too_large" and error.extra["cap"] == "unzipped"
    assert budget.unzipped <= 512 * 1024 + 64 * 1024  # one chunk past the cap at most


def test_too_many_shared_strings_are_refused(w, settings):
    settings.IMPORT_MAX_ROWS = 10
    strings = "".join(f"<si><t>s{i}</t></si>" for i in range(20_000))
    data = rebuild(roster(), **{STRINGS.replace("/", "__"): f"<sst>{strings}</sst>".encode()})
    error, budget = refusal(data)
    assert error.code == "xlsx_too_many_strings" and error.extra["cap"] == "shared_strings"
    assert budget.max_shared_strings < 20_000


def test_the_time_cap_stops_a_run_and_nothing_is_written(w, settings):
    settings.IMPORT_MAX_SECONDS = 0
    error, _budget = refusal(roster(3), user=w.admin_a)
    assert error.code == "import_too_slow" and error.extra["cap"] == "seconds"
    csv = "\n".join([",".join(HEADERS)] + [",".join(person(s)) for s in range(1, 4)])
    error, _budget = refusal(csv.encode(), "a.csv", user=w.admin_a)
    assert error.code == "import_too_slow"
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    "sheet",
    [
        b"<worksheet><sheetData><row r='1'><c r='A1' t='s'><v>0</v></c></row>",  # cut short
        b"<worksheet><sheetData><row></c></sheetData></worksheet>",  # mismatched tags
        b"\x00\xff garbage",
        b"<worksheet><sheetData><row r='1'><c r='A1' t='s'><v>99999</v></c></row>"
        b"</sheetData></worksheet>",  # a shared string that does not exist
        b"<worksheet><sheetData><row r='1'><c r='ZZZZ1'><v>1</v></c></row>"
        b"</sheetData></worksheet>",  # a column past XFD
    ],
)
def test_malformed_xml_is_a_clear_error(w, sheet):
    error, _budget = refusal(rebuild(roster(), **{SHEET.replace("/", "__"): sheet}))
    assert error.code == "bad_xlsx" and "重新保存" in error.message


def test_dtds_and_entities_are_refused(w):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<sst><si><t>&lol2;</t></si></sst>"
    )
    error, _budget = refusal(rebuild(roster(), **{STRINGS.replace("/", "__"): laughs}))
    assert error.code == "bad_xlsx" and "XML" in error.message


def test_other_compression_methods_and_too_many_parts_are_refused(w):
    error, _budget = refusal(rebuild(roster(), compression=zipfile.ZIP_LZMA))
    assert error.code == "bad_xlsx"
    many = {f"xl__media__{i}.bin": b"" for i in range(MAX_ZIP_ENTRIES + 1)}
    error, _budget = refusal(rebuild(roster(), **many))
    assert error.code == "bad_xlsx"


def test_a_csv_of_one_endless_line_is_refused(w):
    data = ("姓名," + "," * 1_100_000 + "\n").encode()
    error, _budget = refusal(data, "a.csv")
    assert error.code == "bad_csv"


BROKEN = rebuild(roster(), **{SHEET.replace("/", "__"): b"<worksheet><sheetData><row>"})


def test_malformed_xlsx_on_the_synchronous_api_is_a_400(client, w):
    client.force_login(w.admin_a)
    response = client.post("/api/members/import/", {"file": SimpleUploadedFile("a.xlsx", BROKEN)})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_xlsx" and response.json()["field"] == "file"
    settings_rows = rebuild(roster(), **{STRINGS.replace("/", "__"): b"<sst><si><t>x</sst>"})
    response = client.post(
        "/api/members/import/", {"file": SimpleUploadedFile("a.xlsx", settings_rows)}
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_xlsx"
    assert not Member.objects.exists()


def test_malformed_xlsx_in_a_job_fails_it_with_the_message(
    client, w, django_capture_on_commit_callbacks
):
    client.force_login(w.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/members/import/", {"file": SimpleUploadedFile("a.xlsx", BROKEN)})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "重新保存" in job.message and not job.file
