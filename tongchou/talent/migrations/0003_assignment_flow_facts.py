"""Exchanges keep their flow facts (direction, month, days served) like bookings do, so the
flow report groups stored columns; existing rows get them computed here."""

from django.db import migrations, models

RULE = {("urban", "rural"): "u2r", ("rural", "urban"): "r2u"}


def class_of(organization) -> str:
    region = organization.region
    return (region.urban_rural if region is not None else "") or organization.urban_rural or ""


def fill_facts(apps, schema_editor):
    Assignment = apps.get_model("talent", "Assignment")
    rows = Assignment.objects.select_related("from_org__region", "to_org__region")
    for a in rows.iterator(chunk_size=2000):
        a.direction = RULE.get((class_of(a.from_org), class_of(a.to_org)), "within")
        a.month = a.first_day.replace(day=1)
        a.days = ((a.ended_on or a.last_day) - a.first_day).days + 1
        a.save(update_fields=["direction", "month", "days"])


class Migration(migrations.Migration):
    dependencies = [
        ("talent", "0002_seed_skills"),
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="direction",
            field=models.CharField(
                choices=[("u2r", "城→乡"), ("r2u", "乡→城"), ("within", "同类区域内")],
                default="within",
                editable=False,
                max_length=6,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="assignment",
            name="month",
            field=models.DateField(default="2000-01-01", editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="assignment",
            name="days",
            field=models.PositiveIntegerField(default=1, editable=False),
            preserve_default=False,
        ),
        migrations.RunPython(fill_facts, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                fields=["month", "state", "kind", "direction", "days"], name="assignment_flow"
            ),
        ),
    ]
