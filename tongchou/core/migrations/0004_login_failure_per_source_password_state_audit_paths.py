"""Lockout counters per (username, source), the password a person must change, and events filed
under several organizations.

``LoginFailure`` changes from one row per failure to one counter row per username and client
address: the old rows are transient (they only ever mattered for 15 minutes), so the table is
recreated rather than converted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_action_delete"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.DeleteModel(name="LoginFailure"),
        migrations.CreateModel(
            name="LoginFailure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("username", models.CharField(max_length=150)),
                ("ip", models.CharField(blank=True, max_length=45)),
                ("failures", models.PositiveIntegerField(default=0)),
                ("since", models.DateTimeField(db_index=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("username", "ip"), name="login_failure_source"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PasswordState",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="password_state",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("must_change", models.BooleanField(default=False, verbose_name="须修改密码")),
                ("set_at", models.DateTimeField(blank=True, null=True, verbose_name="设置时间")),
                (
                    "changed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="本人修改时间"),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="设置人",
                    ),
                ),
            ],
            options={"verbose_name": "密码状态", "verbose_name_plural": "密码状态"},
        ),
        migrations.CreateModel(
            name="AuditEventPath",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("path", models.CharField(db_index=True, max_length=255)),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="paths",
                        to="core.auditevent",
                    ),
                ),
            ],
            options={
                "verbose_name": "审计记录所属组织",
                "verbose_name_plural": "审计记录所属组织",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event", "path"), name="audit_event_path_unique"
                    )
                ],
            },
        ),
    ]
