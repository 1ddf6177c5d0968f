"""Supply–sales linkage in a real Chromium: a cooperative's village secretary lists a lot of
tomatoes, a canteen posts an order, the chain's secretary plans on the season board, both sides
confirm, the canteen records what arrived and was sold, and the season report shows the loss
beside the uncoordinated baseline."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.session import login
from tongchou.core.tests.factories import OrganizationFactory, RegionFactory, UserFactory, grant
from tongchou.linkage.models import Lot, Product, Shipment, ShipmentState
from tongchou.linkage.tests.conftest import make_buyer, make_producer
from tongchou.organizations.models import OrgKind, OrgType, RoleKind
from tongchou.regions.models import RegionLevel, UrbanRural

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-123"


@pytest.fixture
def chain_world():
    county_r = RegionFactory(code="640221000000", name="平罗县", level=RegionLevel.COUNTY)
    village_r = RegionFactory(
        code="640221100201",
        name="姚伏村",
        level=RegionLevel.VILLAGE,
        parent=county_r,
        urban_rural=UrbanRural.RURAL,
    )
    county = OrganizationFactory(name="平罗县委", code="T-COUNTY", region=county_r)
    village = OrganizationFactory(
        name="姚伏村党支部",
        kind=OrgKind.BRANCH,
        parent=county,
        region=village_r,
        code="T-VILLAGE",
        urban_rural=UrbanRural.RURAL,
    )
    canteen_org = OrganizationFactory(
        name="县机关食堂党支部", kind=OrgKind.BRANCH, parent=county, region=county_r, code="T-K"
    )
    chain = OrganizationFactory(
        name="瓜菜产业链党委",
        parent=county,
        region=county_r,
        code="T-CHAIN",
        org_type=OrgType.INDUSTRY_CHAIN,
        chain_links=["growing", "sales"],
    )
    # The catalogue is seeded by a migration; a transactional test starts from empty tables.
    tomato, _ = Product.objects.get_or_create(
        name="番茄", defaults={"shelf_days": 7, "grades": ["一级", "二级"]}
    )
    producer = make_producer(village, chain, name="姚伏番茄合作社", lat=38.95, lon=106.52)
    buyer = make_buyer(canteen_org, name="平罗县机关食堂", lat=38.905, lon=106.545)
    for username, org in (
        ("coop", village),
        ("canteen", canteen_org),
        ("coordinator", chain),
    ):
        grant(UserFactory(username=username), org, RoleKind.SECRETARY)
    return {"chain": chain, "producer": producer, "buyer": buyer, "tomato": tomato}


def test_lot_order_plan_confirm_outcome_report(page, chain_world):
    today = timezone.localdate()
    chain = chain_world["chain"]

    # The cooperative lists 800 kg of tomatoes (shelf life from the catalogue).
    login(page, "coop")
    page.goto("/linkage/")
    page.get_by_role("link", name="挂牌供应批次").first.click()
    page.select_option("select[name=producer]", str(chain_world["producer"].pk))
    page.select_option("select[name=product]", str(chain_world["tomato"].pk))
    page.fill("input[name=kg]", "800")
    page.fill("input[name=harvest_on]", today.isoformat())
    page.fill("input[name=price]", "2.40")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/linkage/lots/")
    assert page.get_by_text("姚伏番茄合作社").first.is_visible()
    assert Lot.objects.get().shelf_days == 7

    # The canteen posts an order for 500 kg in two days, at most 3.50 yuan delivered.
    login(page, "canteen")
    page.goto("/linkage/orders/new/")
    page.select_option("select[name=buyer]", str(chain_world["buyer"].pk))
    page.select_option("select[name=chain]", str(chain.pk))
    page.select_option("select[name=product]", str(chain_world["tomato"].pk))
    page.fill("input[name=kg]", "500")
    page.fill("input[name=deliver_on]", (today + dt.timedelta(days=2)).isoformat())
    page.fill("input[name=max_price]", "3.50")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/linkage/orders/")
    assert page.get_by_text("平罗县机关食堂").first.is_visible()

    # The chain's secretary opens the season board (drawn by ECharts) and plans two weeks.
    login(page, "coordinator")
    page.goto(f"/linkage/chains/{chain.pk}/")
    page.wait_for_selector("#tc-chart-supply canvas")
    page.fill("input[name=start]", today.isoformat())
    page.fill("input[name=days]", "14")
    page.get_by_role("button", name="生成对接方案").click()
    page.wait_for_url("**/linkage/plans/*/")
    assert page.locator("#tc-plan-loss").inner_text() == "37.5%"
    assert page.get_by_text("需求已由更近的批次满足").is_visible()

    # Both sides confirm.
    login(page, "coop")
    page.goto("/linkage/shipments/")
    page.get_by_role("button", name="供方确认").click()
    assert page.get_by_text("已确认发运").is_visible()
    login(page, "canteen")
    page.goto("/linkage/shipments/")
    page.get_by_role("button", name="需方确认").click()
    assert Shipment.objects.get().state == ShipmentState.CONFIRMED

    # The canteen records the outcome: 500 kg arrived, 480 kg accepted and sold.
    page.fill("input[name=delivered_kg]", "500")
    page.fill("input[name=sold_kg]", "480")
    page.get_by_role("button", name="登记结果").click()
    assert page.get_by_text("已登记结果").is_visible()

    # The season report: 320 of 800 kg unsold so far, beside the baseline of the same lots and
    # orders (the canteen, 5 km away from the cooperative, would have found it on its own).
    login(page, "coordinator")
    page.goto(f"/linkage/chains/{chain.pk}/report/?year={today.year}")
    total = page.locator("#tc-report-total tbody tr").first
    cells = total.locator("td").all_inner_texts()
    assert cells == ["800", "480", "40.0%", "37.5%", "—"]
    assert page.console_errors == []
