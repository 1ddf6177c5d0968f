"""A bulk load (an import as large as the member table, here made small by lowering the
threshold): indexes, constraints and the count trigger are set aside and rebuilt in the same
transaction; counts stay true; a bad row undoes it all and leaves the schema as it was."""

import io

import pytest
from django.db import connection

from tongchou.core.tests.factories import create_member
from tongchou.members.importing import members_import, read_rows, writing
from tongchou.members.models import Member
from tongchou.members.tests.test_import import csv_bytes, row
from tongchou.members.tests.test_member_count import assert_counts_true
from tongchou.organizations.models import Organization

pytestmark = pytest.mark.django_db


def schema() -> list:
    """The member table's indexes, constraints and triggers, as the database describes them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'members_member'::regclass UNION ALL "
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = 'members_member'::regclass UNION ALL "
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = 'members_member'::regclass AND NOT tgisinternal ORDER BY 1, 2"
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'members_member' "
                "ORDER BY name"
            )
        return cursor.fetchall()


@pytest.fixture
def bulk(monkeypatch):
    calls = []
    real = writing._set_aside

    def counted(cursor):
        calls.append(1)
        return real(cursor)

    monkeypatch.setattr(writing, "BULK_MIN_ROWS", 3)
    monkeypatch.setattr(writing, "_set_aside", counted)
    return calls


def run(w, rows):
    return members_import(actor=w.admin_a, rows=read_rows(io.BytesIO(csv_bytes(rows)), "a.csv"))


def test_a_bulk_load_keeps_the_schema_and_the_counts(w, bulk):
    create_member(w.village_a, name="已在册")
    before = schema()
    result = run(w, [row(i, org_code="V-A" if i % 3 else "M-A") for i in range(1, 8)])
    assert result.created == 7 and bulk == [1]
    assert schema() == before
    assert Organization.objects.get(pk=w.village_a.pk).member_count == 1 + 5
    assert Organization.objects.get(pk=w.community_a.pk).member_count == 2
    assert_counts_true()
    # Uniqueness holds after the rebuild.
    from django.db import IntegrityError, transaction

    first = Member.objects.get(name="党员1")
    with pytest.raises(IntegrityError), transaction.atomic():
        create_member(w.village_a, id_number=first.id_number)


def test_a_small_import_into_a_larger_table_is_not_bulk(w, bulk):
    for i in range(5):
        create_member(w.village_a, name=f"已在册{i}")
    assert run(w, [row(i) for i in range(1, 4)]).created == 3
    assert bulk == []
    assert_counts_true()


def test_a_duplicate_caught_only_by_the_rebuilt_index_undoes_everything(w, bulk, monkeypatch):
    """Someone registered one of the file's ID numbers after it was checked: the unique
    index (rebuilt, or kept by SQLite) refuses it, and the whole load is undone."""
    from tongchou.members.importing import validating

    rows = [row(i) for i in range(1, 6)]
    existing = create_member(w.village_b, id_number=rows[2]["id_number"])
    monkeypatch.setattr(validating, "id_hashes_taken", lambda hashes: set())
    before = schema()
    result = run(w, rows)
    assert result.created == 0 and result.errors and "重新导入" in result.errors[0].message
    assert list(Member.objects.all()) == [existing]
    assert schema() == before
    assert_counts_true()
