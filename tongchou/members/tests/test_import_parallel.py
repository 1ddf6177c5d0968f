"""The parallel path (large files, here made small by lowering its threshold and chunk size):
the same members written, the same errors reported, as the one-process path — in forked
worker processes that never touch the database."""

import io

import pytest

from tongchou.core import crypto
from tongchou.core.tests.factories import create_member
from tongchou.members.importing import members_import, parallel, read_rows, writing
from tongchou.members.models import Member
from tongchou.members.tests.test_import import csv_bytes, row
from tongchou.members.tests.test_import_files import national_row, roster_xlsx
from tongchou.members.tests.test_member_count import assert_counts_true

pytestmark = pytest.mark.django_db

FIELDS = ["name", "gender", "ethnicity", "birth_date", "id_number_hash", "education",
          "occupation", "category", "admission_date", "full_member_date", "organization_id",
          "org_path", "status", "home_region_id", "archived"]  # fmt: skip


@pytest.fixture
def small_chunks(monkeypatch):
    used = []
    real = parallel.members_import_parallel

    def counted(**kwargs):
        used.append(1)
        return real(**kwargs)

    monkeypatch.setattr(parallel, "PARALLEL_MIN_ROWS", 5)
    monkeypatch.setattr(parallel, "CHUNK", 4)
    monkeypatch.setattr(parallel, "members_import_parallel", counted)
    return used


def written() -> list[tuple]:
    members = Member.objects.order_by("id_number_hash")
    rows = [(*m, crypto.decrypt(enc), crypto.decrypt(phone)) for *m, enc, phone in
            members.values_list(*FIELDS, "id_number_enc", "phone_enc")]  # fmt: skip
    return rows


def run(w, data, name="a.csv"):
    return members_import(actor=w.admin_a, rows=read_rows(io.BytesIO(data), name))


def test_the_same_members_are_written_either_way(w, monkeypatch, small_chunks):
    region = ("640202001201", "")
    rows = [row(i, org_code=("V-A", "M-A")[i % 2], home_region_code=region[i % 3 == 0])
            for i in range(1, 24)]  # fmt: skip
    # Cells holding the separators a chunk travels with (they go beside, as lists).
    rows[5]["occupation"] = "农民\x1f工人"
    rows[11]["occupation"] = "个体\x1e经营"
    data = csv_bytes(rows)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ROWS", 10**9)
    assert run(w, data).created == 23 and small_chunks == []
    one_process = written()
    Member.objects.all().delete()
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ROWS", 5)
    result = run(w, data)
    assert result.created == 23 and small_chunks == [1]
    assert written() == one_process
    assert_counts_true()


def test_the_same_errors_are_reported_either_way(w, monkeypatch, small_chunks):
    rows = [row(i) for i in range(1, 20)]
    existing = create_member(w.village_b, id_number=rows[8]["id_number"])  # row 10's
    rows[2]["gender"] = "女"  # row 4
    rows[9]["id_number"] = rows[1]["id_number"]  # row 11 repeats row 3, another chunk
    rows[13]["org_code"] = "V-B"  # row 15: out of scope
    rows[16]["id_number"] = existing.id_number  # row 18: registered, repeats row 10
    rows[18]["id_number"] = existing.id_number  # row 20: the same, in row 18's chunk
    rows[17]["home_region_code"] = "999999"  # row 19
    data = csv_bytes(rows)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ROWS", 10**9)
    expected = [(e.row, e.column, e.message) for e in run(w, data).errors]
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ROWS", 5)
    result = run(w, data)
    assert small_chunks == [1]
    assert [(e.row, e.column, e.message) for e in result.errors] == expected
    assert [(r, c) for r, c, _m in expected] == [
        (4, "性别"), (10, "身份证号"), (11, "身份证号"), (15, "所在党组织代码"),
        (18, "身份证号"), (18, "身份证号"), (19, "户籍区划代码"), (20, "身份证号"),
        (20, "身份证号")]  # fmt: skip
    assert list(Member.objects.all()) == [existing]


def test_a_roster_naming_its_branch_and_a_bulk_load(w, monkeypatch, small_chunks):
    monkeypatch.setattr(writing, "BULK_MIN_ROWS", 3)
    rows = [national_row(seq, f"党员{seq}") for seq in range(1, 12)]
    result = run(w, roster_xlsx(rows), "a.xlsx")
    assert result.errors == [] and result.created == 11 and small_chunks == [1]
    assert set(Member.objects.values_list("organization", flat=True)) == {w.village_a.pk}
    assert any("序号" in n for n in result.notices)
    assert_counts_true()


def test_not_in_a_threaded_process(w, small_chunks):
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert run(w, csv_bytes([row(i) for i in range(1, 8)])).created == 7
    finally:
        stop.set()
        thread.join()
    assert small_chunks == []  # forking beside another thread is not done
