"""Adding and editing producers, buyer units and 消费帮扶 reservations through the pages: the
API's scope rules, the services' checks as field errors, nothing saved on bad input, every
change audited."""

import pytest
from django.urls import reverse

from tongchou.core.models import AuditEvent
from tongchou.linkage import services
from tongchou.linkage.models import Buyer, Producer, Reservation

from .conftest import DAY

pytestmark = pytest.mark.django_db

OFF_THE_PLANET = "坐标不在地球上"


def producer_data(lw, **kw) -> dict:
    data = {
        "name": "长胜枸杞家庭农场",
        "kind": "family_farm",
        "village": lw.village_a.pk,
        "chain": lw.chain_a.pk,
        "lat": "39.03",
        "lon": "106.41",
    }
    data.update(kw)
    return data


def buyer_data(lw, **kw) -> dict:
    data = {
        "kind": "outlet",
        "name": "长胜社区平价菜店",
        "organization": lw.canteen_org.pk,
        "lat": "39.01",
        "lon": "106.39",
        "max_km": "40",
    }
    data.update(kw)
    return data


def errors_of(response, field: str) -> list[str]:
    assert response.status_code == 200
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- producers -------------------------------------------------------------------------------


def test_a_county_admin_adds_a_producer_audited(client, lw):
    client.force_login(lw.admin_a)
    page = client.get(reverse("linkage:producers")).content.decode()
    assert reverse("linkage:producer_create") in page
    assert reverse("linkage:producer_edit", args=[lw.producer_a.pk]) in page
    response = client.post(reverse("linkage:producer_create"), producer_data(lw))
    assert response.status_code == 302 and response.url == reverse("linkage:producers")
    producer = Producer.objects.get(name="长胜枸杞家庭农场")
    assert (producer.kind, producer.village, producer.chain) == (
        "family_farm",
        lw.village_a,
        lw.chain_a,
    )
    assert (producer.village_path, producer.chain_path) == (lw.village_a.path, lw.chain_a.path)
    assert (producer.lat, producer.lon) == (39.03, 106.41)
    event = AuditEvent.objects.get(object_type="linkage.producer", object_id=str(producer.pk))
    assert event.action == "create" and event.actor == lw.admin_a
    assert event.after["lat"] == 39.03


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"lat": "95"}, "lat", OFF_THE_PLANET),
        ({"lon": "-181"}, "lon", OFF_THE_PLANET),
        ({"lat": "nan"}, "lat", ""),
        ({"name": "   "}, "name", ""),
        ({"kind": "factory"}, "kind", ""),
        ({"chain": "VILLAGE"}, "chain", ""),  # a village is not an industry chain
    ],
)
def test_bad_producer_input_names_the_field_and_saves_nothing(client, lw, change, field, message):
    if change.get("chain") == "VILLAGE":
        change = {"chain": lw.village_a.pk}
    client.force_login(lw.admin_a)
    before = Producer.objects.count()
    response = client.post(reverse("linkage:producer_create"), producer_data(lw, **change))
    errors = errors_of(response, field)
    assert errors, response.context["form"].errors
    assert message in errors[0]
    assert Producer.objects.count() == before
    assert not AuditEvent.objects.filter(object_type="linkage.producer").exists()


def test_a_village_out_of_scope_is_refused_like_a_missing_one(client, lw):
    client.force_login(lw.admin_a)
    outside = client.post(
        reverse("linkage:producer_create"), producer_data(lw, village=lw.village_b.pk)
    )
    missing = client.post(reverse("linkage:producer_create"), producer_data(lw, village=999999))
    assert errors_of(outside, "village") == errors_of(missing, "village")
    assert errors_of(outside, "village")
    assert lw.village_b.name not in outside.content.decode()
    assert Producer.objects.count() == 2


def test_a_village_secretary_registers_its_cooperative_under_a_chain_above_its_view(client, lw):
    """The chain usually sits under the county, above the village's view: any active chain
    may be named (as for orders, and in the API), and managing the village is what counts."""
    client.force_login(lw.village_secretary)
    page = client.get(reverse("linkage:producer_create")).content.decode()
    assert lw.chain_a.name in page
    response = client.post(reverse("linkage:producer_create"), producer_data(lw))
    assert response.status_code == 302, response.content.decode()[:500]
    producer = Producer.objects.get(name="长胜枸杞家庭农场")
    assert (producer.village, producer.chain) == (lw.village_a, lw.chain_a)


def test_the_chain_must_be_an_active_industry_chain(client, lw):
    client.force_login(lw.village_secretary)
    response = client.post(
        reverse("linkage:producer_create"), producer_data(lw, chain=lw.village_a.pk)
    )
    assert errors_of(response, "chain")
    assert Producer.objects.count() == 2


def test_the_chain_secretary_edits_a_producer_of_its_chain_audited(client, lw):
    client.force_login(lw.chain_secretary)
    url = reverse("linkage:producer_edit", args=[lw.producer_a.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="39.02"' in form.content.decode()  # the current point, pre-filled
    response = client.post(
        url,
        producer_data(
            lw, name="长胜番茄专业合作社", kind="cooperative", lat="39.025", lon="106.42"
        ),
    )
    assert response.status_code == 302
    lw.producer_a.refresh_from_db()
    assert (lw.producer_a.name, lw.producer_a.lat) == ("长胜番茄专业合作社", 39.025)
    event = AuditEvent.objects.get(object_type="linkage.producer", action="update")
    assert event.before == {"name": "长胜番茄合作社", "lat": 39.02}
    assert event.after == {"name": "长胜番茄专业合作社", "lat": 39.025}


def test_a_bad_edit_changes_nothing(client, lw):
    client.force_login(lw.village_secretary)
    url = reverse("linkage:producer_edit", args=[lw.producer_a.pk])
    response = client.post(url, producer_data(lw, name="改名", lat="-90.5"))
    assert OFF_THE_PLANET in errors_of(response, "lat")[0]
    lw.producer_a.refresh_from_db()
    assert lw.producer_a.name == "长胜番茄合作社"
    assert not AuditEvent.objects.filter(object_type="linkage.producer").exists()


def test_a_producer_with_lots_stays_in_its_chain(client, lw):
    services.lot_create(
        actor=lw.village_secretary,
        producer=lw.producer_a,
        product=lw.tomato,
        kg=100,
        harvest_on=DAY,
        price=2,
    )
    client.force_login(lw.root)
    url = reverse("linkage:producer_edit", args=[lw.producer_a.pk])
    response = client.post(url, producer_data(lw, chain=lw.chain_b.pk))
    assert "已有供应批次" in errors_of(response, "chain")[0]
    lw.producer_a.refresh_from_db()
    assert lw.producer_a.chain == lw.chain_a


def test_editing_a_producer_out_of_scope_looks_missing(client, lw):
    client.force_login(lw.admin_b)
    url = reverse("linkage:producer_edit", args=[lw.producer_a.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, producer_data(lw, name="x")).status_code == 404
    lw.producer_a.refresh_from_db()
    assert lw.producer_a.name == "长胜番茄合作社"


# --- buyers ----------------------------------------------------------------------------------


def test_a_canteen_secretary_adds_a_community_outlet_audited(client, lw):
    client.force_login(lw.canteen)
    form = client.get(reverse("linkage:buyer_create")).content.decode()
    assert "乡村特产展销点" in form  # the outlet kind's label (issue 9's 乡村特产展销点)
    response = client.post(reverse("linkage:buyer_create"), buyer_data(lw))
    assert response.status_code == 302 and response.url == reverse("linkage:buyers")
    buyer = Buyer.objects.get(name="长胜社区平价菜店")
    assert (buyer.kind, buyer.organization, buyer.org_path, buyer.max_km) == (
        "outlet",
        lw.canteen_org,
        lw.canteen_org.path,
        40,
    )
    event = AuditEvent.objects.get(object_type="linkage.buyer", object_id=str(buyer.pk))
    assert event.action == "create" and event.after["kind"] == "outlet"
    assert buyer.outlet.address == ""  # an outlet-kind buyer has its outlet profile


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"max_km": "0"}, "max_km", "最远采购距离应在1到20000公里之间"),
        ({"max_km": "-5"}, "max_km", "最远采购距离应在1到20000公里之间"),
        ({"max_km": "2.5"}, "max_km", ""),
        ({"lat": "91"}, "lat", OFF_THE_PLANET),
        ({"lon": "360"}, "lon", OFF_THE_PLANET),
        ({"kind": "bank"}, "kind", ""),
    ],
)
def test_bad_buyer_input_names_the_field_and_saves_nothing(client, lw, change, field, message):
    client.force_login(lw.canteen)
    response = client.post(reverse("linkage:buyer_create"), buyer_data(lw, **change))
    errors = errors_of(response, field)
    assert errors and message in errors[0]
    assert Buyer.objects.count() == 2
    assert not AuditEvent.objects.filter(object_type="linkage.buyer").exists()


def test_an_organization_out_of_scope_is_refused_like_a_missing_one(client, lw):
    client.force_login(lw.canteen)
    outside = client.post(
        reverse("linkage:buyer_create"), buyer_data(lw, organization=lw.county_b.pk)
    )
    missing = client.post(reverse("linkage:buyer_create"), buyer_data(lw, organization=999999))
    assert errors_of(outside, "organization") == errors_of(missing, "organization")
    assert errors_of(outside, "organization")
    assert Buyer.objects.count() == 2


def test_the_canteen_edits_its_buyer_unit_audited(client, lw):
    client.force_login(lw.canteen)
    page = client.get(reverse("linkage:buyers")).content.decode()
    url = reverse("linkage:buyer_edit", args=[lw.buyer_a.pk])
    assert url in page and reverse("linkage:buyer_create") in page
    response = client.post(
        url, buyer_data(lw, kind="government_canteen", name="大武口区机关食堂", max_km="80")
    )
    assert response.status_code == 302
    lw.buyer_a.refresh_from_db()
    assert lw.buyer_a.max_km == 80
    event = AuditEvent.objects.get(object_type="linkage.buyer", action="update")
    assert event.before["max_km"] == 60 and event.after["max_km"] == 80


def test_a_buyer_seen_through_a_chain_is_not_editable_there(client, lw):
    """The chain's secretary sees a buyer that posted to its chain, but does not manage it."""
    services.order_create(
        actor=lw.canteen,
        buyer=lw.buyer_a,
        chain=lw.chain_a,
        product=lw.tomato,
        kg=10,
        deliver_on=DAY,
        max_price=3,
    )
    client.force_login(lw.chain_secretary)
    page = client.get(reverse("linkage:buyers")).content.decode()
    assert lw.buyer_a.name in page
    url = reverse("linkage:buyer_edit", args=[lw.buyer_a.pk])
    assert url not in page
    assert client.get(url).status_code == 403
    assert client.post(url, buyer_data(lw, max_km="1")).status_code == 403
    lw.buyer_a.refresh_from_db()
    assert lw.buyer_a.max_km == 60
    client.force_login(lw.admin_b)
    assert client.get(url).status_code == 404


# --- 消费帮扶 reservations ---------------------------------------------------------------------


def reservation_data(lw, **kw) -> dict:
    data = {"buyer": lw.buyer_a.pk, "year": "2026", "food_budget": "100000", "reserved": "30000"}
    data.update(kw)
    return data


def test_a_reservation_is_added_and_changed_audited(client, lw):
    client.force_login(lw.canteen)
    assert (
        reverse("linkage:reservation_create")
        in client.get(reverse("linkage:reservations")).content.decode()
    )
    response = client.post(reverse("linkage:reservation_create"), reservation_data(lw))
    assert response.status_code == 302
    row = Reservation.objects.get()
    assert (row.year, row.reserved, row.buyer_path) == (2026, 30000, lw.canteen_org.path)
    url = reverse("linkage:reservation_edit", args=[row.pk])
    assert url in client.get(reverse("linkage:reservations")).content.decode()
    response = client.post(url, {"food_budget": "100000", "reserved": "45000"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.reserved == 45000
    actions = list(
        AuditEvent.objects.filter(object_type="linkage.reservation")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reserved": "200000"}, "reserved", "预留额不能超过年度食材预算"),
        ({"reserved": "-1"}, "reserved", "超出范围"),
        ({"year": "1999"}, "year", "年度应在2000到2100之间"),
        ({"food_budget": "abc"}, "food_budget", ""),
    ],
)
def test_bad_reservation_input_saves_nothing(client, lw, change, field, message):
    client.force_login(lw.canteen)
    response = client.post(reverse("linkage:reservation_create"), reservation_data(lw, **change))
    errors = errors_of(response, field)
    assert errors and message in errors[0]
    assert not Reservation.objects.exists()
    assert not AuditEvent.objects.filter(object_type="linkage.reservation").exists()


def test_a_buyer_out_of_scope_is_refused_like_a_missing_one(client, lw):
    client.force_login(lw.canteen)
    outside = client.post(
        reverse("linkage:reservation_create"), reservation_data(lw, buyer=lw.buyer_b.pk)
    )
    missing = client.post(reverse("linkage:reservation_create"), reservation_data(lw, buyer=999))
    assert errors_of(outside, "buyer") == errors_of(missing, "buyer")
    assert errors_of(outside, "buyer")
    assert not Reservation.objects.exists()


def test_editing_a_reservation_out_of_scope_looks_missing(client, lw):
    row = services.reservation_set(
        actor=lw.canteen, buyer=lw.buyer_a, year=2026, food_budget=100, reserved=10
    )
    url = reverse("linkage:reservation_edit", args=[row.pk])
    client.force_login(lw.admin_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"food_budget": "100", "reserved": "90"}).status_code == 404
    client.force_login(lw.canteen)
    response = client.post(url, {"food_budget": "100", "reserved": "101"})
    assert "预留额不能超过年度食材预算" in errors_of(response, "reserved")[0]
    row.refresh_from_db()
    assert row.reserved == 10


def test_hostile_names_are_escaped_on_the_forms(client, lw):
    client.force_login(lw.admin_a)
    response = client.post(
        reverse("linkage:producer_create"), producer_data(lw, name="<script>x</script>", lat="99")
    )
    text = response.content.decode()
    assert "<script>x</script>" not in text and "&lt;script&gt;x&lt;/script&gt;" in text
