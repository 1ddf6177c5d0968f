"""The audit tables refuse TRUNCATE too (PostgreSQL), and the table of the further organizations
an event is filed under (``AuditEventPath``) is append-only like the events themselves.

TRUNCATE fires no row trigger, so migration 0002 left it open; a statement-level BEFORE TRUNCATE
trigger now refuses it — including a ``TRUNCATE auth_user CASCADE`` that would reach the audit
table through its foreign key, and ``manage.py flush``.

One statement may still empty the tables: the test runner's flush between transactional tests
(Django's ``TransactionTestCase`` empties every table with one TRUNCATE on PostgreSQL). It runs
``SET LOCAL tongchou.allow_audit_truncate = 'on'`` in the same transaction first (see the
project's ``conftest.py``); the setting lasts until that transaction ends. Nothing in the
application sets it. A session that could set it could, as the tables' owner, also disable the
trigger: the trigger stops mistakes, and production grants the application's role only SELECT
and INSERT on these tables (README), which no trigger can replace."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER core_auditeventpath_no_update BEFORE UPDATE ON core_auditeventpath "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
POSTGRES = [
    "CREATE TRIGGER core_auditeventpath_no_change BEFORE UPDATE OR DELETE ON core_auditeventpath "
    "FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();",
    "CREATE OR REPLACE FUNCTION core_audit_no_truncate() RETURNS trigger AS $$ "
    "BEGIN "
    "IF coalesce(current_setting('tongchou.allow_audit_truncate', true), '') = 'on' THEN "
    "RETURN NULL; END IF; "
    "RAISE EXCEPTION 'audit events are append-only'; "
    "END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_audit_no_truncate();",
    "CREATE TRIGGER core_auditeventpath_no_truncate BEFORE TRUNCATE ON core_auditeventpath "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_audit_no_truncate();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditeventpath_no_update")
    elif vendor == "postgresql":
        for trigger, table in [
            ("core_auditeventpath_no_change", "core_auditeventpath"),
            ("core_auditevent_no_truncate", "core_auditevent"),
            ("core_auditeventpath_no_truncate", "core_auditeventpath"),
        ]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS core_audit_no_truncate()")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_login_failure_per_source_password_state_audit_paths")]
    operations = [migrations.RunPython(forwards, backwards)]
