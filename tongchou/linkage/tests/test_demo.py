"""The linkage demo on a small foundation demo: one season planned and delivered, the previous
one sold the old way, a week with lots at risk, logins; deterministic and idempotent."""

import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongchou.linkage import demo, selectors
from tongchou.linkage.models import Buyer, Lot, Plan, Producer, Shipment, ShipmentState

pytestmark = pytest.mark.django_db


def test_populate_once_and_the_season_report():
    call_command("load_demo", members=1500, foundation_only=True, stdout=io.StringIO())
    today = timezone.localdate()
    counts = demo.populate(today=today, rng=random.Random(7))
    assert counts["生产主体"] == Producer.objects.count() >= 20
    assert counts["采购单位"] == Buyer.objects.count() == len(demo.BUYERS)
    assert {"outlet", "supermarket", "school", "hospital"} <= set(
        Buyer.objects.values_list("kind", flat=True)
    )
    assert Plan.objects.count() >= 20
    assert Shipment.objects.filter(state=ShipmentState.DELIVERED).exists()
    # Nothing was accepted beyond what was shipped, and no lot sold more than it had.
    for s in Shipment.objects.filter(state=ShipmentState.DELIVERED):
        assert s.sold_kg <= s.delivered_kg <= s.kg
    for lot in Lot.objects.all():
        assert lot.sold_kg + lot.spoiled_kg <= lot.kg

    from django.contrib.auth import get_user_model

    secretary = get_user_model().objects.get(username="chain_secretary")
    chain = selectors.chain_list_for(secretary).get()
    season = demo.season_of(today)
    report = selectors.season_report_for(secretary, chain.pk, year=season)
    # Coordinated, the season loses far less than the baseline and than the season before.
    assert report.total.loss < report.total.baseline_loss
    assert report.total.previous_loss is not None
    assert report.total.loss < report.total.previous_loss
    assert {r.label for r in report.products} >= {"枸杞", "番茄", "冷鲜滩羊肉"}
    board = selectors.season_board_for(secretary, chain.pk, year=today.year, today=today)
    assert board["at_risk"]

    # Idempotent: a second run changes nothing.
    before = (Producer.objects.count(), Lot.objects.count(), Shipment.objects.count())
    assert demo.populate(today=today, rng=random.Random(7)) == {}
    assert (Producer.objects.count(), Lot.objects.count(), Shipment.objects.count()) == before


def test_outlets_carry_cooperatives_and_a_year_of_sales_feeds_the_report():
    from tongchou.linkage.models import Outlet, OutletSale

    call_command("load_demo", members=1500, foundation_only=True, stdout=io.StringIO())
    today = timezone.localdate()
    demo.populate(today=today, rng=random.Random(7))
    counts = demo.populate_outlets(today=today, rng=random.Random(8))
    outlets = list(Outlet.objects.select_related("buyer__organization"))
    assert counts["乡村特产展销点"] == len(outlets) >= 3
    for outlet in outlets:
        assert outlet.buyer.kind == "outlet" and outlet.buyer.organization.urban_rural == "urban"
        assert outlet.producers.exists() and outlet.products.exists() and outlet.opening_hours
    assert counts["展销点月度销售"] == OutletSale.objects.count()
    assert OutletSale.objects.dates("month", "month").count() == demo.OUTLET_MONTHS
    from django.contrib.auth import get_user_model

    secretary = get_user_model().objects.get(username="chain_secretary")
    chain = selectors.chain_list_for(secretary).get()
    report = selectors.season_report_for(secretary, chain.pk, year=today.year)
    assert report.outlet_total.kg > 0 and report.outlet_products
    assert demo.populate_outlets(today=today, rng=random.Random(8)) == {}
