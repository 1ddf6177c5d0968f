"""No two holding bookings of one resource overlap — on PostgreSQL, in the database.

An exclusion constraint over the blocked time range (buffers included) of requested and
confirmed bookings, per resource (``btree_gist`` for the ``=`` on the resource id). SQLite has
no such constraint: there, every transaction begins IMMEDIATE (the write lock first), so the
booking service's check and insert cannot interleave with another writer's (see
``resources.services``). Nothing is done on SQLite here."""

from django.db import migrations

CONSTRAINT = """
ALTER TABLE resources_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
    resource_id WITH =,
    tstzrange(block_start, block_end, '[)') WITH &&
) WHERE (state IN ('requested', 'confirmed'))
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(CONSTRAINT)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE resources_booking DROP CONSTRAINT IF EXISTS booking_no_overlap"
    )


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
