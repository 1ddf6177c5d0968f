"""The skill taxonomy a deployment starts with; its admin edits it afterwards (Django admin).
Idempotent: a code already present is left as the admin made it."""

from django.db import migrations

SKILLS = [
    ("agri-tech", "农业技术", "Agricultural technology"),
    ("e-commerce", "电子商务", "E-commerce"),
    ("health", "医疗卫生", "Health care"),
    ("law", "法律服务", "Legal services"),
    ("education", "教育培训", "Education and training"),
    ("party-affairs", "党务工作", "Party affairs"),
    ("finance", "金融财会", "Finance and accounting"),
    ("construction", "建筑规划", "Construction and planning"),
    ("tourism", "文化旅游", "Culture and tourism"),
    ("elderly-care", "养老服务", "Elderly care"),
    ("governance", "基层治理", "Grassroots governance"),
    ("livestock", "畜牧养殖", "Animal husbandry"),
]


def seed(apps, schema_editor):
    Skill = apps.get_model("talent", "Skill")
    for order, (code, name, name_en) in enumerate(SKILLS, start=1):
        Skill.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order * 10}
        )


def unseed(apps, schema_editor):
    Skill = apps.get_model("talent", "Skill")
    Skill.objects.filter(code__in=[c for c, _n, _e in SKILLS], talents=None, needs=None).delete()


class Migration(migrations.Migration):
    dependencies = [("talent", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
