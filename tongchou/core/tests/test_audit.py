"""The audit tables are append-only: in the ORM, and in the database (UPDATE, DELETE and, on
PostgreSQL, TRUNCATE refused); one change filed under several organizations is one event."""

import pytest
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from tongchou.core import audit
from tongchou.core.models import AuditAction, AuditEvent, AuditEventPath
from tongchou.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE and row DELETE triggers: PostgreSQL"
)


@pytest.fixture
def event(db):
    actor = UserFactory(username="auditor")
    return audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="members.member",
        object_id="7",
        object_repr="张三",
        org_path="0001",
        also_paths=["0002", "0001", ""],
        before={"organization": 1},
        after={"organization": 2},
    )


def test_one_change_filed_under_several_organizations_is_one_event(event):
    assert AuditEvent.objects.count() == 1
    assert event.org_path == "0001"
    # The primary path is not repeated; blanks and duplicates are dropped.
    assert list(AuditEventPath.objects.values_list("event_id", "path")) == [(event.pk, "0002")]


def test_an_event_without_a_primary_path_takes_the_first_given(db):
    e = audit.record(actor=None, action=AuditAction.EXPORT, org_path="", also_paths=["0003"])
    assert e.org_path == "0003" and not AuditEventPath.objects.filter(event=e).exists()


def test_rows_cannot_be_changed_through_the_orm(event):
    path = AuditEventPath.objects.get()
    for row in (event, path):
        with pytest.raises(TypeError):
            row.save()
        with pytest.raises(TypeError):
            row.delete()
    for model in (AuditEvent, AuditEventPath):
        with pytest.raises(TypeError):
            model.objects.all().update(pk=1)
        with pytest.raises(TypeError):
            model.objects.all().delete()
    assert AuditEvent.objects.count() == 1 and AuditEventPath.objects.count() == 1


def test_rows_cannot_be_changed_with_raw_sql(event):
    statements = [
        ("UPDATE core_auditevent SET note = 'x' WHERE id = %s", event.pk),
        ("UPDATE core_auditeventpath SET path = 'x' WHERE event_id = %s", event.pk),
    ]
    if connection.vendor == "postgresql":  # SQLite: DELETE is refused by the ORM (migration 0002)
        statements += [
            ("DELETE FROM core_auditeventpath WHERE event_id = %s", event.pk),
            ("DELETE FROM core_auditevent WHERE id = %s", event.pk),
        ]
    for sql, pk in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    assert AuditEvent.objects.get(pk=event.pk).note == ""
    assert AuditEventPath.objects.get().path == "0002"


def _check_deferred_constraints_now() -> None:
    """The test's own inserts are in this (never committed) transaction with their foreign-key
    checks deferred, and PostgreSQL will not TRUNCATE a table with checks pending: run them."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@POSTGRES
@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE core_auditevent CASCADE",
        "TRUNCATE core_auditeventpath",
        # Reaching the audit table through its foreign key to the users.
        "TRUNCATE auth_user CASCADE",
    ],
)
def test_truncate_is_refused(event, sql):
    _check_deferred_constraints_now()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.count() == 1 and AuditEventPath.objects.count() == 1


@POSTGRES
def test_truncate_is_refused_even_with_the_setting_spelled_otherwise(event):
    """Only the exact value the test flush sets opens the door, for one transaction."""
    _check_deferred_constraints_now()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL tongchou.allow_audit_truncate = 'yes'")
        cursor.execute("TRUNCATE core_auditevent CASCADE")
    with connection.cursor() as cursor:  # SET LOCAL ended with its transaction
        cursor.execute("SELECT current_setting('tongchou.allow_audit_truncate', true)")
        assert cursor.fetchone()[0] in (None, "")
    assert AuditEvent.objects.count() == 1


@POSTGRES
def test_the_flush_of_the_test_runner_may_empty_them(event):
    """What Django's TransactionTestCase does between tests (conftest.py adds the SET LOCAL)."""
    tables = ["core_auditeventpath", "core_auditevent"]
    statements = connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    assert statements[0] == "SET LOCAL tongchou.allow_audit_truncate = 'on'"
    _check_deferred_constraints_now()
    with transaction.atomic():  # rolled back below: the test's own data stays for its teardown
        sid = transaction.savepoint()
        connection.ops.execute_sql_flush(statements)
        assert AuditEvent.objects.count() == 0
        transaction.savepoint_rollback(sid)
    assert AuditEvent.objects.count() == 1
