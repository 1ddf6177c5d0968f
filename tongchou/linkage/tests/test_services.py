"""Services and selectors of supply–sales linkage: the journey from a listed lot to the season
report, the rules that refuse bad input, and who may do what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.linkage import selectors, services
from tongchou.linkage.models import (
    Lot,
    LotState,
    Order,
    OrderState,
    Product,
    ShipmentState,
)

from .conftest import DAY

pytestmark = pytest.mark.django_db


def list_lot(lw, **kw):
    values = {
        "producer": lw.producer_a,
        "product": lw.tomato,
        "kg": 500,
        "harvest_on": DAY,
        "price": "2.40",
    }
    values.update(kw)
    return services.lot_create(actor=lw.village_secretary, **values)


def post_order(lw, **kw):
    values = {
        "buyer": lw.buyer_a,
        "chain": lw.chain_a,
        "product": lw.tomato,
        "kg": 300,
        "deliver_on": DAY + dt.timedelta(days=2),
        "max_price": "3.20",
    }
    values.update(kw)
    return services.order_create(actor=lw.canteen, **values)


def plan(lw, **kw):
    values = {"chain": lw.chain_a, "start": DAY, "days": 14}
    values.update(kw)
    return services.plan_create(actor=lw.chain_secretary, **values)


def test_the_journey_from_lot_to_season_report(lw):
    lot = list_lot(lw)
    assert lot.shelf_days == lw.tomato.shelf_days  # the product's default
    assert lot.state == LotState.LISTED
    far = list_lot(lw, kg=200, lat=38.2, lon=106.2)  # 90 km south: beyond the canteen's 60 km
    order = post_order(lw)
    assert (order.lat, order.lon) == (lw.buyer_a.lat, lw.buyer_a.lon)

    p = plan(lw)
    assert p.shipped_kg == 300 and p.lot_kg == 700
    assert p.loss == pytest.approx(400 / 700)
    reasons = {u["lot"]: u["reason"] for u in p.unshipped}
    assert reasons == {lot.pk: "demand_met", far.pk: "buyers_too_far"}
    (shipment,) = p.shipments.all()
    assert (shipment.lot, shipment.order, shipment.kg) == (lot, order, 300)
    assert shipment.delivered_price <= order.max_price
    lot.refresh_from_db()
    order.refresh_from_db()
    assert lot.state == LotState.PLANNED and order.state == OrderState.PLANNED

    services.shipment_confirm(actor=lw.village_secretary, shipment=shipment, side="producer")
    with pytest.raises(ApplicationError) as twice:
        services.shipment_confirm(actor=lw.village_secretary, shipment=shipment, side="producer")
    assert twice.value.code == "already_confirmed"
    with pytest.raises(ApplicationError) as early:
        services.shipment_record_outcome(
            actor=lw.canteen, shipment=shipment, delivered_kg=300, sold_kg=300
        )
    assert early.value.code == "not_confirmed"
    shipment = services.shipment_confirm(actor=lw.canteen, shipment=shipment, side="buyer")
    assert shipment.state == ShipmentState.CONFIRMED

    with pytest.raises(ApplicationError) as more:
        services.shipment_record_outcome(
            actor=lw.canteen, shipment=shipment, delivered_kg=301, sold_kg=290
        )
    assert more.value.code == "more_than_shipped"
    with pytest.raises(ApplicationError) as sold_more:
        services.shipment_record_outcome(
            actor=lw.canteen, shipment=shipment, delivered_kg=280, sold_kg=290
        )
    assert sold_more.value.code == "more_than_shipped"
    shipment = services.shipment_record_outcome(
        actor=lw.canteen, shipment=shipment, delivered_kg=300, sold_kg=290
    )
    assert shipment.state == ShipmentState.DELIVERED
    with pytest.raises(ApplicationError) as again:
        services.shipment_record_outcome(
            actor=lw.canteen, shipment=shipment, delivered_kg=300, sold_kg=290
        )
    assert again.value.code == "outcome_recorded"
    lot.refresh_from_db()
    assert (lot.state, lot.sold_kg) == (LotState.SHIPPED, 290)
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED

    # Still fresh: not yet spoiled; after its shelf life, the rest is the loss.
    with pytest.raises(ApplicationError):
        services.lot_close(actor=lw.chain_secretary, lot=lot, today=DAY)
    closed = services.lots_close_expired(
        actor=lw.chain_secretary, chain=lw.chain_a, today=DAY + dt.timedelta(days=30)
    )
    assert closed == 2
    lot.refresh_from_db()
    assert (lot.state, lot.spoiled_kg) == (LotState.SPOILED, 210)

    report = selectors.season_report_for(lw.chain_secretary, lw.chain_a.pk, year=2026)
    assert report.total.lot_kg == 700 and report.total.sold_kg == 290
    assert report.total.loss == pytest.approx(410 / 700)
    # Without coordination the canteen knows only lots within 8 km: the cooperative is 2.8 km
    # away, so it would have bought its 300 kg there too.
    assert report.total.baseline_loss == pytest.approx(400 / 700)
    assert report.total.previous_loss is None
    assert [r.label for r in report.products] == ["番茄"]
    assert [r.label for r in report.villages] == ["长胜村党支部"]
    assert AuditEvent.objects.filter(object_type="linkage.shipment").count() == 3


def test_report_beside_the_previous_season_and_the_baseline(lw):
    old = list_lot(lw, harvest_on=DAY.replace(year=2025), kg=100)
    Lot.objects.filter(pk=old.pk).update(sold_kg=40)
    # A lot 20 km away the canteen does not know; the plan would ship it.
    list_lot(lw, kg=100, lat=39.2, lon=106.42)
    post_order(lw, kg=100)
    report = selectors.season_report_for(lw.admin_a, lw.chain_a.pk, year=2026)
    assert report.total.previous_loss == pytest.approx(0.6)
    assert report.total.baseline_loss == pytest.approx(1.0)
    assert report.total.loss == pytest.approx(1.0)  # nothing sold yet this season


def test_bad_input_is_refused_and_nothing_changes(lw):
    before = Lot.objects.count()
    cases = [
        ({"kg": 0}, "kg"),
        ({"kg": -5}, "kg"),
        ({"kg": "many"}, "kg"),
        ({"price": "cheap"}, "price"),
        ({"price": "NaN"}, "price"),
        ({"price": "-1"}, "price"),
        ({"shelf_days": 0}, "shelf_days"),
        ({"lat": 91, "lon": 106}, "lat"),
        ({"lat": 39, "lon": 200}, "lon"),
        ({"lat": 39}, "lat"),
        ({"grade": "特级"}, "grade"),
    ]
    for change, field in cases:
        with pytest.raises(ApplicationError) as caught:
            list_lot(lw, **change)
        assert caught.value.field == field, change
    Product.objects.filter(pk=lw.tomato.pk).update(active=False)
    lw.tomato.refresh_from_db()
    with pytest.raises(ApplicationError) as unknown:
        list_lot(lw)
    assert unknown.value.code == "unknown_product"
    assert Lot.objects.count() == before
    with pytest.raises(ApplicationError) as not_chain:
        post_order(lw, chain=lw.county_a, product=lw.pepper)
    assert not_chain.value.code == "not_a_chain"
    with pytest.raises(ApplicationError):
        post_order(lw, product=lw.pepper, max_price="abc")
    assert Order.objects.count() == 0
    with pytest.raises(ApplicationError):
        plan(lw, days=0)


def test_who_may_do_what(lw):
    with pytest.raises(PermissionDenied):  # the canteen lists no lots
        services.lot_create(
            actor=lw.canteen,
            producer=lw.producer_a,
            product=lw.tomato,
            kg=1,
            harvest_on=DAY,
            price=1,
        )
    with pytest.raises(PermissionDenied):  # nor does another county's admin
        services.lot_create(
            actor=lw.admin_b,
            producer=lw.producer_a,
            product=lw.tomato,
            kg=1,
            harvest_on=DAY,
            price=1,
        )
    with pytest.raises(PermissionDenied):  # the village secretary posts no orders
        services.order_create(
            actor=lw.village_secretary,
            buyer=lw.buyer_a,
            chain=lw.chain_a,
            product=lw.tomato,
            kg=1,
            deliver_on=DAY,
            max_price=3,
        )
    with pytest.raises(PermissionDenied):  # nor plans
        services.plan_create(actor=lw.village_secretary, chain=lw.chain_a, start=DAY, days=7)
    services.plan_create(actor=lw.admin_a, chain=lw.chain_a, start=DAY, days=7)  # county admin

    list_lot(lw)
    post_order(lw)
    p = plan(lw)
    shipment = p.shipments.get()
    with pytest.raises(PermissionDenied):
        services.shipment_confirm(actor=lw.canteen, shipment=shipment, side="producer")
    with pytest.raises(PermissionDenied):
        services.shipment_confirm(actor=lw.village_secretary, shipment=shipment, side="buyer")
    with pytest.raises(ApplicationError):
        services.shipment_confirm(actor=lw.admin_a, shipment=shipment, side="both")


def test_reads_are_scoped(lw):
    lot = list_lot(lw)
    order = post_order(lw)
    p = plan(lw)
    shipment = p.shipments.get()
    # Each side sees its own; the coordinator sees the chain's; county B sees none of it.
    assert list(selectors.lot_list_for(lw.village_secretary)) == [lot]
    assert list(selectors.lot_list_for(lw.chain_secretary)) == [lot]
    assert list(selectors.lot_list_for(lw.canteen)) == []
    assert list(selectors.order_list_for(lw.canteen)) == [order]
    assert list(selectors.order_list_for(lw.chain_secretary)) == [order]
    assert list(selectors.order_list_for(lw.village_secretary)) == []
    assert list(selectors.buyer_list_for(lw.chain_secretary)) == [lw.buyer_a]
    for user in (lw.village_secretary, lw.canteen, lw.chain_secretary, lw.admin_a):
        assert list(selectors.shipment_list_for(user)) == [shipment]
    assert list(selectors.plan_list_for(lw.chain_secretary)) == [p]
    assert list(selectors.plan_list_for(lw.canteen)) == []
    for fetch, pk in (
        (selectors.lot_get_for, lot.pk),
        (selectors.order_get_for, order.pk),
        (selectors.plan_get_for, p.pk),
        (selectors.shipment_get_for, shipment.pk),
        (selectors.chain_get_for, lw.chain_a.pk),
    ):
        with pytest.raises(Http404):
            fetch(lw.admin_b, pk)
        with pytest.raises(Http404):
            fetch(lw.norole, pk)
    assert list(selectors.chain_list_for(lw.admin_b)) == [lw.chain_b]


def test_season_board(lw):
    list_lot(lw, harvest_on=DAY, shelf_days=3)  # last day DAY+2: at risk in the week of DAY
    list_lot(lw, harvest_on=DAY, kg=100, product=lw.pepper)
    post_order(lw, kg=200, deliver_on=DAY + dt.timedelta(days=1))
    plan(lw)
    board = selectors.season_board_for(lw.chain_secretary, lw.chain_a.pk, year=2026, today=DAY)
    assert board["days"] == ["2026-07-01", "2026-07-02"]
    assert board["supply"] == {"番茄": [500, 0], "辣椒": [100, 0]}
    assert board["demand"] == {"番茄": [0, 200]}
    assert board["planned"] == [0, 200]
    risk = {(r["product"], r["unplanned_kg"]) for r in board["at_risk"]}
    assert ("番茄", 300) in risk  # 500 kg, 200 planned, shelf ends on DAY+2
    # pepper keeps 10 days: its shelf life ends after the week
    assert all(r["product"] != "辣椒" for r in board["at_risk"])
    with pytest.raises(Http404):
        selectors.season_board_for(lw.admin_b, lw.chain_a.pk, year=2026, today=DAY)


def test_reservations_reserved_vs_bought(lw):
    r = services.reservation_set(
        actor=lw.canteen, buyer=lw.buyer_a, year=2026, food_budget="100000", reserved="30000"
    )
    list_lot(lw)
    post_order(lw)
    shipment = plan(lw).shipments.get()
    services.shipment_confirm(actor=lw.village_secretary, shipment=shipment, side="producer")
    services.shipment_confirm(actor=lw.canteen, shipment=shipment, side="buyer")
    services.shipment_record_outcome(
        actor=lw.canteen, shipment=shipment, delivered_kg=300, sold_kg=250
    )
    (facts,) = selectors.reservation_facts(selectors.reservation_list_for(lw.canteen))
    assert facts.reservation == r
    assert facts.bought == Decimal(250) * shipment.delivered_price
    with pytest.raises(ApplicationError) as over:
        services.reservation_set(
            actor=lw.canteen, buyer=lw.buyer_a, year=2026, food_budget="100", reserved="300"
        )
    assert over.value.code == "reserved_over_budget"
    with pytest.raises(PermissionDenied):
        services.reservation_set(
            actor=lw.village_secretary, buyer=lw.buyer_a, year=2026, food_budget=1, reserved=1
        )


def producer_fields(producer, **kw) -> dict:
    values = {
        "name": producer.name,
        "kind": producer.kind,
        "village": producer.village,
        "chain": producer.chain,
        "lat": producer.lat,
        "lon": producer.lon,
    }
    values.update(kw)
    return values


def test_producer_update_needs_the_right_where_it_is_and_where_it_goes(lw):
    p = lw.producer_a
    with pytest.raises(PermissionDenied):  # another county's admin
        services.producer_update(actor=lw.admin_b, producer=p, **producer_fields(p, name="x"))
    with pytest.raises(PermissionDenied):  # the village secretary cannot move it to county B
        services.producer_update(
            actor=lw.village_secretary,
            producer=p,
            **producer_fields(p, village=lw.village_b, chain=lw.chain_b),
        )
    with pytest.raises(ApplicationError) as exc:  # the same rules as adding
        services.producer_update(actor=lw.root, producer=p, **producer_fields(p, lon=181))
    assert exc.value.field == "lon"
    p.refresh_from_db()
    assert (p.name, p.village, p.lon) == ("长胜番茄合作社", lw.village_a, 106.42)
    # Without lots the root may move it; the paths follow.
    services.producer_update(
        actor=lw.root, producer=p, **producer_fields(p, village=lw.village_b, chain=lw.chain_b)
    )
    p.refresh_from_db()
    assert (p.village_path, p.chain_path) == (lw.village_b.path, lw.chain_b.path)
    assert not AuditEvent.objects.filter(object_type="linkage.producer", actor=lw.admin_b)


def test_buyer_update_keeps_a_buyer_with_orders_in_its_organization(lw):
    b = lw.buyer_a
    fields = {"name": b.name, "kind": "outlet", "lat": b.lat, "lon": b.lon, "max_km": 30}
    with pytest.raises(PermissionDenied):
        services.buyer_update(actor=lw.admin_b, buyer=b, organization=b.organization, **fields)
    post_order(lw)
    with pytest.raises(ApplicationError) as exc:
        services.buyer_update(actor=lw.root, buyer=b, organization=lw.county_b, **fields)
    assert exc.value.code == "buyer_has_orders"
    services.buyer_update(actor=lw.canteen, buyer=b, organization=b.organization, **fields)
    b.refresh_from_db()
    assert (b.kind, b.max_km, b.org_path) == ("outlet", 30, lw.canteen_org.path)
    event = AuditEvent.objects.get(object_type="linkage.buyer", action="update")
    assert event.before == {"kind": "government_canteen", "max_km": 60}
