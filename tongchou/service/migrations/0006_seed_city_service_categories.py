"""City services filed at proxy stations (城市服务代办站) get their own categories, so routing
rules can send them to the 人社 bureau (社保), the 医保局 (医保) and the government service
centre (证照办理)."""

from django.db import migrations

CATEGORIES = [
    # code, name, acknowledge, resolve (working days), order
    ("social_security", "社会保障", 1, 10, 20),
    ("medical_insurance", "医疗保险", 1, 10, 21),
    ("certificates", "证照办理", 1, 15, 22),
]


def seed(apps, schema_editor):
    NeedCategory = apps.get_model("service", "NeedCategory")
    for code, name, ack, resolve, order in CATEGORIES:
        NeedCategory.objects.get_or_create(
            code=code,
            defaults={"name": name, "ack_days": ack, "resolve_days": resolve, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("service", "0005_proxy_stations")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
