"""Every buyer unit of kind outlet (乡村特产展销点) gets its outlet profile (an empty one: address,
opening hours and what it carries are filled in on the outlet's page)."""

from django.db import migrations


def profiles(apps, schema_editor):
    Buyer = apps.get_model("linkage", "Buyer")
    Outlet = apps.get_model("linkage", "Outlet")
    for buyer_id in Buyer.objects.filter(kind="outlet", outlet__isnull=True).values_list(
        "pk", flat=True
    ):
        Outlet.objects.create(buyer_id=buyer_id)


class Migration(migrations.Migration):
    dependencies = [("linkage", "0003_outlets")]
    operations = [migrations.RunPython(profiles, migrations.RunPython.noop)]
