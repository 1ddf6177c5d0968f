"""Keep ``Organization.member_count`` (active members directly in each organization) in the
database itself: every insert, update and delete of members adjusts it, whatever wrote the rows
(services, the COPY of an import, bulk SQL), in the same transaction.

PostgreSQL: statement-level triggers with transition tables, so a million-row COPY costs one
aggregate UPDATE, not a million. SQLite has only row triggers: one indexed UPDATE per row.
"""

from django.db import migrations

# Set-based (member.organization_id has no index: one grouped scan, not one per organization).
RECOUNT = (
    "UPDATE organizations_organization SET member_count = d.n "
    "FROM (SELECT organization_id, COUNT(*) AS n FROM members_member WHERE NOT archived "
    "GROUP BY organization_id) AS d "
    "WHERE organizations_organization.id = d.organization_id"
)

SQLITE = [
    "CREATE TRIGGER member_count_insert AFTER INSERT ON members_member "
    "WHEN NOT NEW.archived BEGIN "
    "UPDATE organizations_organization SET member_count = member_count + 1 "
    "WHERE id = NEW.organization_id; END;",
    "CREATE TRIGGER member_count_delete AFTER DELETE ON members_member "
    "WHEN NOT OLD.archived BEGIN "
    "UPDATE organizations_organization SET member_count = member_count - 1 "
    "WHERE id = OLD.organization_id; END;",
    "CREATE TRIGGER member_count_update AFTER UPDATE OF organization_id, archived "
    "ON members_member "
    "WHEN OLD.organization_id IS NOT NEW.organization_id OR OLD.archived IS NOT NEW.archived "
    "BEGIN "
    "UPDATE organizations_organization SET member_count = member_count - 1 "
    "WHERE id = OLD.organization_id AND NOT OLD.archived; "
    "UPDATE organizations_organization SET member_count = member_count + 1 "
    "WHERE id = NEW.organization_id AND NOT NEW.archived; END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS member_count_insert",
    "DROP TRIGGER IF EXISTS member_count_delete",
    "DROP TRIGGER IF EXISTS member_count_update",
]

POSTGRES = [
    """
CREATE OR REPLACE FUNCTION members_member_count_changes() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE organizations_organization o SET member_count = o.member_count + d.n
    FROM (SELECT organization_id, COUNT(*) AS n FROM new_rows WHERE NOT archived
          GROUP BY organization_id) d
    WHERE o.id = d.organization_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE organizations_organization o SET member_count = o.member_count - d.n
    FROM (SELECT organization_id, COUNT(*) AS n FROM old_rows WHERE NOT archived
          GROUP BY organization_id) d
    WHERE o.id = d.organization_id;
  ELSE
    UPDATE organizations_organization o SET member_count = o.member_count + d.n
    FROM (SELECT organization_id, SUM(n) AS n FROM (
            SELECT organization_id, -1 AS n FROM old_rows WHERE NOT archived
            UNION ALL
            SELECT organization_id, 1 AS n FROM new_rows WHERE NOT archived) x
          GROUP BY organization_id HAVING SUM(n) <> 0) d
    WHERE o.id = d.organization_id;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    "CREATE TRIGGER member_count_insert AFTER INSERT ON members_member "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION members_member_count_changes();",
    "CREATE TRIGGER member_count_update AFTER UPDATE ON members_member "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION members_member_count_changes();",
    "CREATE TRIGGER member_count_delete AFTER DELETE ON members_member "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION members_member_count_changes();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS member_count_insert ON members_member",
    "DROP TRIGGER IF EXISTS member_count_update ON members_member",
    "DROP TRIGGER IF EXISTS member_count_delete ON members_member",
    "DROP FUNCTION IF EXISTS members_member_count_changes()",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(sql)
    schema_editor.execute(RECOUNT)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_member_indexes_for_subtree_reads"),
        ("organizations", "0002_organization_member_count"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
