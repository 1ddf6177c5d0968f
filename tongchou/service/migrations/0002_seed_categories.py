from django.db import migrations

CATEGORIES = [
    # code, name, acknowledge, resolve (working days)
    ("employment", "就业", 2, 10),
    ("health", "医疗卫生", 1, 5),
    ("elderly_care", "养老服务", 1, 5),
    ("education", "教育", 2, 10),
    ("legal_aid", "法律援助", 2, 10),
    ("social_assistance", "社会救助", 1, 7),
    ("infrastructure", "基础设施", 2, 15),
    ("agriculture", "农业与产品销售", 2, 10),
    ("other", "其他", 2, 10),
]


def seed(apps, schema_editor):
    NeedCategory = apps.get_model("service", "NeedCategory")
    for order, (code, name, ack, resolve) in enumerate(CATEGORIES):
        NeedCategory.objects.get_or_create(
            code=code,
            defaults={"name": name, "ack_days": ack, "resolve_days": resolve, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
