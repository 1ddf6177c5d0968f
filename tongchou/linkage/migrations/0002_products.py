"""The seeded product catalogue (Shizuishan's produce); the deployment's administrator edits it
in the admin. Shelf days are for fresh produce kept cool."""

from django.db import migrations

PRODUCTS = [
    ("枸杞", "kg", 5, ["特级", "一级", "二级"]),
    ("番茄", "kg", 7, ["一级", "二级"]),
    ("辣椒", "kg", 10, ["一级", "二级"]),
    ("西瓜", "kg", 15, ["一级", "二级"]),
    ("甜瓜", "kg", 12, ["一级", "二级"]),
    ("大米", "kg", 180, ["优质", "普通"]),
    ("冷鲜滩羊肉", "kg", 5, ["一级", "二级"]),
    ("马铃薯", "kg", 60, ["一级", "二级"]),
    ("黄花菜", "kg", 4, ["一级", "二级"]),
]


def seed(apps, schema_editor):
    Product = apps.get_model("linkage", "Product")
    for name, unit, shelf, grades in PRODUCTS:
        Product.objects.get_or_create(
            name=name, defaults={"unit": unit, "shelf_days": shelf, "grades": grades}
        )


class Migration(migrations.Migration):
    dependencies = [("linkage", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
