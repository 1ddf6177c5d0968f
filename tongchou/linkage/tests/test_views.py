"""Linkage pages: each opens for its people, the journey works through the forms, and out of
scope looks missing."""

import datetime as dt

import pytest
from django.urls import reverse

from tongchou.linkage import services
from tongchou.linkage.models import Lot, Order, Plan, Shipment, ShipmentState

from .conftest import DAY

pytestmark = pytest.mark.django_db


def test_the_journey_through_the_pages(client, lw):
    client.force_login(lw.village_secretary)
    response = client.post(
        reverse("linkage:lot_create"),
        {
            "producer": lw.producer_a.pk,
            "product": lw.tomato.pk,
            "kg": 800,
            "harvest_on": DAY.isoformat(),
            "price": "2.40",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lot = Lot.objects.get()
    client.force_login(lw.canteen)
    response = client.post(
        reverse("linkage:order_create"),
        {
            "buyer": lw.buyer_a.pk,
            "chain": lw.chain_a.pk,
            "product": lw.tomato.pk,
            "kg": 500,
            "deliver_on": (DAY + dt.timedelta(days=2)).isoformat(),
            "max_price": "3.50",
        },
    )
    assert response.status_code == 302
    assert Order.objects.count() == 1
    client.force_login(lw.chain_secretary)
    board = client.get(reverse("linkage:board", args=[lw.chain_a.pk]) + "?year=2026")
    assert board.status_code == 200
    assert b"tc-board-data" in board.content
    response = client.post(
        reverse("linkage:plan_create", args=[lw.chain_a.pk]),
        {"start": DAY.isoformat(), "days": 14, "cost_per_kg_km": "0.004", "local_km": "8"},
    )
    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "linkage:plan_detail", args=[plan.pk]
    )
    assert client.get(response.url).status_code == 200
    shipment = Shipment.objects.get()
    for user, side in ((lw.village_secretary, "producer"), (lw.canteen, "buyer")):
        client.force_login(user)
        page = client.get(reverse("linkage:shipments"))
        assert f'value="{side}"'.encode() in page.content
        client.post(reverse("linkage:shipment_confirm", args=[shipment.pk]), {"side": side})
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.CONFIRMED
    # confirming twice: refused with a message, nothing changes
    response = client.post(
        reverse("linkage:shipment_confirm", args=[shipment.pk]), {"side": "buyer"}, follow=True
    )
    assert "这一方已确认过该发运" in response.content.decode()
    response = client.post(
        reverse("linkage:shipment_outcome", args=[shipment.pk]),
        {"delivered_kg": 500, "sold_kg": 600},
        follow=True,
    )
    assert "售出数量不能超过送达数量" in response.content.decode()
    client.post(
        reverse("linkage:shipment_outcome", args=[shipment.pk]),
        {"delivered_kg": 500, "sold_kg": 480},
    )
    lot.refresh_from_db()
    assert lot.sold_kg == 480
    client.force_login(lw.chain_secretary)
    report = client.get(reverse("linkage:report", args=[lw.chain_a.pk]) + "?year=2026")
    text = report.content.decode()
    assert "40.0%" in text  # (800 - 480) / 800 sold so far
    assert "37.5%" in text  # the baseline: the canteen buys 500 of the 800 kg nearby


def test_pages_open_for_a_role_holder(client, lw):
    client.force_login(lw.admin_a)
    for name in (
        "index",
        "lots",
        "lot_create",
        "orders",
        "order_create",
        "shipments",
        "producers",
        "buyers",
        "reservations",
    ):
        assert client.get(reverse(f"linkage:{name}")).status_code == 200, name
    client.force_login(lw.norole)
    assert client.get(reverse("linkage:lots")).status_code == 403


def test_out_of_scope_looks_missing(client, lw):
    client.force_login(lw.admin_b)
    assert client.get(reverse("linkage:board", args=[lw.chain_a.pk])).status_code == 404
    assert client.get(reverse("linkage:report", args=[lw.chain_a.pk])).status_code == 404
    response = client.post(
        reverse("linkage:plan_create", args=[lw.chain_a.pk]),
        {"start": DAY.isoformat(), "days": 7},
    )
    assert response.status_code == 404
    assert not Plan.objects.exists()


def test_hostile_names_are_escaped(client, lw):
    lw.producer_a.name = "<script>alert(1)</script>"
    lw.producer_a.save()
    services.lot_create(
        actor=lw.village_secretary,
        producer=lw.producer_a,
        product=lw.tomato,
        kg=5,
        harvest_on=DAY,
        price=1,
    )
    client.force_login(lw.admin_a)
    page = client.get(reverse("linkage:lots")).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
