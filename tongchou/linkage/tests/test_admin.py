"""The back office for rural produce outlets and their monthly sales: adds and edits go through
the outlet and sale services (the buyer unit beside the outlet, the city-community check, the
month's first day, once a month, only a carried cooperative, the audit); refusals show on the
form at their field and save nothing; an outlet or sale in use is not deleted."""

import pytest
from django.test import Client
from django.urls import reverse

from tongchou.core.models import AuditAction, AuditEvent
from tongchou.linkage import services
from tongchou.linkage.models import Buyer, BuyerKind, Outlet, OutletSale, Reservation
from tongchou.regions.models import UrbanRural

HOURS = "\n".join(["09:00-20:00"] * 6 + ["-"])


@pytest.fixture
def root(lw):
    lw.root.is_staff = True
    lw.root.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(lw.root)
    return client


def _outlet(lw, **kw) -> Outlet:
    values = {
        "actor": lw.root,
        "name": "长胜社区乡村特产展销点",
        "organization": lw.canteen_org,
        "lat": 39.012,
        "lon": 106.398,
        "address": "长胜街道1号",
        "producers": [lw.producer_a],
        "products": [lw.tomato, lw.pepper],
    }
    values.update(kw)
    return services.outlet_create(**values)


def _outlet_form(lw, **changes) -> dict:
    data = {
        "name": "长胜社区乡村特产展销点",
        "organization": lw.canteen_org.pk,
        "lat": "39.012",
        "lon": "106.398",
        "max_km": "40",
        "address": "长胜街道1号",
        "opening_hours": HOURS,
        "producers": str(lw.producer_a.pk),
        "products": [lw.tomato.pk, lw.pepper.pk],
        "_save": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _sale_form(lw, outlet, **changes) -> dict:
    data = {
        "outlet": outlet.pk,
        "month": "2026-06-17",
        "product": lw.tomato.pk,
        "producer": lw.producer_a.pk,
        "kg": "300",
        "yuan": "1200.00",
        "_save": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _errors(response):
    assert response.status_code == 200, response.get("Location")
    return response.context["adminform"].form.errors


# --- outlets ----------------------------------------------------------------------------------


def test_the_outlet_changelist_names_buyer_and_products(root, lw):
    _outlet(lw)
    html = root.get(reverse("admin:linkage_outlet_changelist")).content.decode()
    assert "长胜社区乡村特产展销点" in html and lw.canteen_org.name in html
    assert "番茄、辣椒" in html or "辣椒、番茄" in html


def test_adding_an_outlet_makes_its_buyer_unit_through_the_service(root, lw):
    response = root.post(reverse("admin:linkage_outlet_add"), _outlet_form(lw))
    assert response.status_code == 302, _errors(response)
    outlet = Outlet.objects.select_related("buyer").get()
    buyer = outlet.buyer
    assert (buyer.name, buyer.kind, buyer.org_path, buyer.max_km) == (
        "长胜社区乡村特产展销点",
        BuyerKind.OUTLET,
        lw.canteen_org.path,
        40,
    )
    assert outlet.opening_hours[0] == ["09:00", "20:00"] and outlet.opening_hours[6] is None
    assert set(outlet.products.all()) == {lw.tomato, lw.pepper}
    assert list(outlet.producers.all()) == [lw.producer_a]
    kinds = set(AuditEvent.objects.filter(actor=lw.root).values_list("object_type", "action"))
    assert ("linkage.buyer", AuditAction.CREATE) in kinds
    assert ("linkage.outlet", AuditAction.CREATE) in kinds


def test_an_outlet_in_a_village_is_refused_and_nothing_is_written(root, lw):
    lw.village_a.urban_rural = UrbanRural.RURAL
    lw.village_a.save()
    response = root.post(
        reverse("admin:linkage_outlet_add"), _outlet_form(lw, organization=lw.village_a.pk)
    )
    assert "城市社区" in str(_errors(response)["organization"])
    assert not Buyer.objects.filter(kind=BuyerKind.OUTLET).exists()
    assert not AuditEvent.objects.filter(object_type__startswith="linkage.").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"opening_hours": "09:00-20:00"}, "opening_hours"),
        ({"opening_hours": HOURS.replace("09:00-20:00", "21:00-20:00", 1)}, "opening_hours"),
        ({"lat": "91"}, "lat"),
        ({"max_km": "0"}, "max_km"),
        ({"name": "  "}, "name"),
        ({"address": "长" * 201}, "address"),
    ],
)
def test_bad_outlet_input_is_refused_naming_the_field(root, lw, changes, field):
    response = root.post(reverse("admin:linkage_outlet_add"), _outlet_form(lw, **changes))
    assert field in _errors(response)
    assert not Outlet.objects.exists()


def test_editing_an_outlet_edits_its_buyer_unit_too(root, lw):
    outlet = _outlet(lw)
    url = reverse("admin:linkage_outlet_change", args=[outlet.pk])
    page = root.get(url).content.decode()
    assert 'value="长胜社区乡村特产展销点"' in page and f'value="{lw.canteen_org.pk}"' in page
    response = root.post(
        url, _outlet_form(lw, name="长胜社区展销点", products=[lw.tomato.pk], max_km="25")
    )
    assert response.status_code == 302, _errors(response)
    outlet.refresh_from_db()
    outlet.buyer.refresh_from_db()
    assert (outlet.buyer.name, outlet.buyer.max_km) == ("长胜社区展销点", 25)
    assert list(outlet.products.all()) == [lw.tomato]
    event = AuditEvent.objects.filter(object_type="linkage.outlet", action=AuditAction.UPDATE).get()
    assert event.before["products"] != event.after["products"]


def test_an_outlet_with_sales_or_a_reservation_is_not_deleted(root, lw):
    sold, reserved, idle = _outlet(lw), _outlet(lw, name="二号展销点"), _outlet(lw, name="三号")
    services.outlet_sale_record(
        actor=lw.root, outlet=sold, month="2026-06", product=lw.tomato, kg=10, yuan="40"
    )
    Reservation.objects.create(
        buyer=reserved.buyer, year=2026, food_budget=1000, reserved=300,
        buyer_path=reserved.buyer.org_path,
    )  # fmt: skip
    for used in (sold, reserved):
        url = reverse("admin:linkage_outlet_delete", args=[used.pk])
        assert root.post(url, {"post": "yes"}).status_code == 403
    response = root.post(reverse("admin:linkage_outlet_delete", args=[idle.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert set(Outlet.objects.all()) == {sold, reserved}
    assert not Buyer.objects.filter(name="三号").exists()  # the outlet went with its buyer
    event = AuditEvent.objects.get(object_type="linkage.outlet", action=AuditAction.DELETE)
    assert event.before["name"] == "三号" and event.org_path == lw.canteen_org.path


# --- monthly sales ----------------------------------------------------------------------------


def test_a_sale_goes_through_the_service(root, lw):
    outlet = _outlet(lw)
    response = root.post(reverse("admin:linkage_outletsale_add"), _sale_form(lw, outlet))
    assert response.status_code == 302, _errors(response)
    sale = OutletSale.objects.get()
    assert (str(sale.month), sale.kg, sale.buyer_path, sale.created_by) == (
        "2026-06-01",  # the month's first day, as the service keeps it
        300,
        lw.canteen_org.path,
        lw.root,
    )
    assert AuditEvent.objects.filter(
        object_type="linkage.outletsale", action=AuditAction.CREATE
    ).exists()
    html = root.get(reverse("admin:linkage_outletsale_changelist")).content.decode()
    assert "2026-06" in html and "长胜社区乡村特产展销点" in html


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"month": "2099-01-01"}, "month", "未来"),
        ({"kg": "-5"}, "kg", ""),
        ({"yuan": "-1"}, "yuan", ""),
        ({"producer": "PRODUCER_B"}, "producer", "未代销"),
    ],
)
def test_bad_sales_are_refused_naming_the_field(root, lw, changes, field, text):
    outlet = _outlet(lw)
    if changes.get("producer") == "PRODUCER_B":
        changes["producer"] = lw.producer_b.pk  # a cooperative the outlet does not carry
    response = root.post(reverse("admin:linkage_outletsale_add"), _sale_form(lw, outlet, **changes))
    errors = _errors(response)
    assert field in errors and text in str(errors[field])
    assert not OutletSale.objects.exists()


def test_a_month_is_recorded_once(root, lw):
    outlet = _outlet(lw)
    first = root.post(reverse("admin:linkage_outletsale_add"), _sale_form(lw, outlet))
    assert first.status_code == 302
    response = root.post(
        reverse("admin:linkage_outletsale_add"), _sale_form(lw, outlet, month="2026-06-30")
    )
    assert "已登记" in str(_errors(response)["month"])
    assert OutletSale.objects.count() == 1


def test_editing_a_sale_keeps_its_outlet_and_is_audited(root, lw):
    outlet, other = _outlet(lw), _outlet(lw, name="二号展销点")
    sale = services.outlet_sale_record(
        actor=lw.root, outlet=outlet, month="2026-06", product=lw.tomato, kg=10, yuan="40"
    )
    url = reverse("admin:linkage_outletsale_change", args=[sale.pk])
    response = root.post(url, _sale_form(lw, other, kg="12", producer=""))
    assert response.status_code == 302, _errors(response)
    sale.refresh_from_db()
    assert (sale.outlet, sale.kg, sale.producer) == (outlet, 12, None)  # outlet is read-only
    event = AuditEvent.objects.get(object_type="linkage.outletsale", action=AuditAction.UPDATE)
    assert (event.before["kg"], event.after["kg"]) == (10, 12)
    # Deleting a fact is audited with what it said.
    url = reverse("admin:linkage_outletsale_delete", args=[sale.pk])
    assert root.post(url, {"post": "yes"}).status_code == 302
    assert not OutletSale.objects.exists()
    event = AuditEvent.objects.get(object_type="linkage.outletsale", action=AuditAction.DELETE)
    assert event.before["kg"] == 12 and event.org_path == lw.canteen_org.path
