"""A street's figures read from one index range: on time, rating and the deadlines join the
street/time index, so the all-time figures stop reading the table row by row."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("service", "0007_visit_photos")]

    operations = [
        migrations.RemoveIndex(model_name="need", name="need_street_time_sc"),
        migrations.AddIndex(
            model_name="need",
            index=models.Index(
                fields=[
                    "street_path", "submitted_at", "state", "category",
                    "on_time", "rating", "resolve_due", "ack_due",
                ],
                name="need_street_time_sc",
            ),  # fmt: skip
        ),
    ]
