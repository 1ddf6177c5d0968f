"""The linkage API: the journey over REST, errors naming the field, out of scope as missing."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tongchou.linkage.models import Lot, Shipment

from .conftest import DAY

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_journey_over_rest(lw):
    r = api(lw.village_secretary).post(
        "/api/linkage/lots/",
        {
            "producer": lw.producer_a.pk,
            "product": lw.tomato.pk,
            "kg": 600,
            "harvest_on": DAY.isoformat(),
            "price": "2.30",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["shelf_days"] == lw.tomato.shelf_days
    r = api(lw.canteen).post(
        "/api/linkage/orders/",
        {
            "buyer": lw.buyer_a.pk,
            "chain": lw.chain_a.pk,
            "product": lw.tomato.pk,
            "kg": 400,
            "deliver_on": (DAY + dt.timedelta(days=1)).isoformat(),
            "max_price": "3.00",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    r = api(lw.chain_secretary).post(
        "/api/linkage/plans/",
        {"chain": lw.chain_a.pk, "start": DAY.isoformat(), "days": 7},
        format="json",
    )
    assert r.status_code == 201, r.json()
    plan = r.json()
    assert plan["shipped_kg"] == 400
    assert plan["unshipped"] == [{"lot": Lot.objects.get().pk, "kg": 200, "reason": "demand_met"}]
    shipment = Shipment.objects.get()
    url = f"/api/linkage/shipments/{shipment.pk}/"
    assert api(lw.village_secretary).post(url + "confirm/", {"side": "producer"}).status_code == 200
    again = api(lw.village_secretary).post(url + "confirm/", {"side": "producer"})
    assert again.status_code == 400 and again.json()["code"] == "already_confirmed"
    assert api(lw.canteen).post(url + "confirm/", {"side": "buyer"}).json()["state"] == "confirmed"
    too_much = api(lw.canteen).post(url + "outcome/", {"delivered_kg": 400, "sold_kg": 401})
    assert too_much.status_code == 400 and too_much.json()["field"] == "sold_kg"
    done = api(lw.canteen).post(url + "outcome/", {"delivered_kg": 400, "sold_kg": 380})
    assert done.json()["state"] == "delivered"
    report = api(lw.chain_secretary).get(f"/api/linkage/chains/{lw.chain_a.pk}/report/?year=2026")
    assert report.json()["total"]["loss"] == pytest.approx(220 / 600)
    board = api(lw.chain_secretary).get(f"/api/linkage/chains/{lw.chain_a.pk}/board/?year=2026")
    assert board.json()["supply"] == {"番茄": [600, 0]}


def test_references_out_of_scope_look_missing(lw):
    body = {
        "producer": lw.producer_b.pk,  # county B's cooperative
        "product": lw.tomato.pk,
        "kg": 1,
        "harvest_on": DAY.isoformat(),
        "price": "1",
    }
    r = api(lw.village_secretary).post("/api/linkage/lots/", body, format="json")
    assert r.status_code == 404 and r.json()["field"] == "producer"
    r = api(lw.admin_b).get(f"/api/linkage/chains/{lw.chain_a.pk}/board/")
    assert r.status_code == 404
    r = api(lw.canteen).post(
        "/api/linkage/orders/",
        {
            "buyer": lw.buyer_a.pk,
            "chain": lw.county_a.pk,  # not an industry chain
            "product": lw.tomato.pk,
            "kg": 1,
            "deliver_on": DAY.isoformat(),
            "max_price": "1",
        },
        format="json",
    )
    assert r.status_code == 404 and r.json()["field"] == "chain"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kg": 0}, "kg"),
        ({"kg": -1}, "kg"),
        ({"price": "abc"}, "price"),
        ({"lat": 95, "lon": 106}, "lat"),
        ({"shelf_days": 0}, "shelf_days"),
        ({"product": 999999}, "product"),
    ],
)
def test_bad_lots_name_the_field_and_write_nothing(lw, change, field):
    body = {
        "producer": lw.producer_a.pk,
        "product": lw.tomato.pk,
        "kg": 10,
        "harvest_on": DAY.isoformat(),
        "price": "1.00",
        **change,
    }
    r = api(lw.village_secretary).post("/api/linkage/lots/", body, format="json")
    assert r.status_code in (400, 404)
    assert r.json()["field"] == field
    assert not Lot.objects.exists()


def test_a_village_secretary_adds_its_cooperative_to_a_chain_above_its_view(lw):
    """Any active industry chain, as on the page; the village must be in scope and managed."""
    body = {
        "name": "长胜辣椒合作社",
        "kind": "cooperative",
        "village": lw.village_a.pk,
        "chain": lw.chain_a.pk,
        "lat": 39.03,
        "lon": 106.41,
    }
    r = api(lw.village_secretary).post("/api/linkage/producers/", body, format="json")
    assert r.status_code == 201, r.json()
    not_a_chain = api(lw.village_secretary).post(
        "/api/linkage/producers/", {**body, "chain": lw.village_a.pk}, format="json"
    )
    assert not_a_chain.status_code == 404 and not_a_chain.json()["field"] == "chain"
