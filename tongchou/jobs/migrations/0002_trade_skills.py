"""The jobs platform adds the trades that rural labour brings to the one skill taxonomy (the
talent app's ``Skill``, kept by the deployment admin); reversing removes only unused ones."""

from django.db import migrations

TRADES = [
    ("electrician", "电工", "Electrician"),
    ("welding", "焊工", "Welding"),
    ("driving", "机动车驾驶", "Driving"),
    ("housekeeping", "家政服务", "Housekeeping"),
    ("cooking", "餐饮烹饪", "Cooking and catering"),
    ("logistics", "仓储物流", "Warehousing and logistics"),
    ("machining", "机械加工", "Machining"),
    ("masonry", "建筑施工", "Building work"),
]


def add(apps, schema_editor):
    Skill = apps.get_model("talent", "Skill")
    for order, (code, name, name_en) in enumerate(TRADES, start=101):
        Skill.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )


def remove(apps, schema_editor):
    Skill = apps.get_model("talent", "Skill")
    Skill.objects.filter(
        code__in=[c for c, _n, _e in TRADES],
        talents=None,
        needs=None,
        job_openings=None,
        job_seekers=None,
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial"), ("talent", "0002_seed_skills")]

    operations = [migrations.RunPython(add, remove)]
