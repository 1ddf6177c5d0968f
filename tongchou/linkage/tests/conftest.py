"""A small two-county world for linkage tests, built straight into the tables.

::

    city ─┬─ 大武口 county A ─┬─ 长胜街道 street A ─┬─ 长胜村 village A (a cooperative)
          │                   │                     └─ canteen branch A (buyer: 区机关食堂)
          │                   └─ 蔬菜产业链党委 chain A (coordinates the cooperative)
          └─ 惠农 county B ──┬─ 红果子村 village B (cooperative B)
                             └─ 瓜菜产业链党委 chain B

Users: chain_secretary (secretary of chain A), village_secretary (village A), canteen
(secretary of the canteen's branch), admin_a (county A), admin_b (county B), norole, root.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from tongchou.core.tests.factories import OrganizationFactory, RegionFactory, UserFactory, grant
from tongchou.linkage.models import Buyer, Producer, Product
from tongchou.organizations.models import OrgKind, OrgType, RoleKind
from tongchou.regions.models import RegionLevel, UrbanRural

DAY = dt.date(2026, 7, 1)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_producer(village, chain, **kw) -> Producer:
    values = {"name": "长胜番茄合作社", "kind": "cooperative", "lat": 39.02, "lon": 106.42}
    values.update(kw)
    return Producer.objects.create(
        village=village, chain=chain, village_path=village.path, chain_path=chain.path, **values
    )


def make_buyer(org, **kw) -> Buyer:
    values = {
        "name": "大武口区机关食堂",
        "kind": "government_canteen",
        "lat": 39.015,
        "lon": 106.385,
        "max_km": 60,
    }
    values.update(kw)
    return Buyer.objects.create(organization=org, org_path=org.path, **values)


@pytest.fixture
def lw(db):
    county_a_r = RegionFactory(code="640202000000", name="大武口区", level=RegionLevel.COUNTY)
    street_a_r = RegionFactory(
        code="640202001000", name="长胜街道", level=RegionLevel.TOWNSHIP, parent=county_a_r
    )
    village_r = RegionFactory(
        code="640202001201",
        name="长胜村",
        level=RegionLevel.VILLAGE,
        parent=street_a_r,
        urban_rural=UrbanRural.RURAL,
    )
    county_b_r = RegionFactory(code="640205000000", name="惠农区", level=RegionLevel.COUNTY)

    def org(name, code, kind, region, parent=None, **kw):
        return OrganizationFactory(
            name=name, code=code, kind=kind, region=region, parent=parent, **kw
        )

    city = org("石嘴山市委", "CITY", OrgKind.COMMITTEE, county_a_r)
    county_a = org("大武口区委", "C-A", OrgKind.COMMITTEE, county_a_r, city)
    street_a = org("长胜街道党工委", "S-A", OrgKind.WORKING_COMMITTEE, street_a_r, county_a)
    village_a = org("长胜村党支部", "V-A", OrgKind.BRANCH, village_r, street_a)
    canteen_org = org("区机关食堂党支部", "K-A", OrgKind.BRANCH, street_a_r, street_a)
    chain_a = org(
        "蔬菜产业链党委",
        "CH-A",
        OrgKind.COMMITTEE,
        county_a_r,
        county_a,
        org_type=OrgType.INDUSTRY_CHAIN,
        chain_links=["growing", "sales"],
    )
    county_b = org("惠农区委", "C-B", OrgKind.COMMITTEE, county_b_r, city)
    village_b = org("红果子村党支部", "V-B", OrgKind.BRANCH, county_b_r, county_b)
    chain_b = org(
        "瓜菜产业链党委",
        "CH-B",
        OrgKind.COMMITTEE,
        county_b_r,
        county_b,
        org_type=OrgType.INDUSTRY_CHAIN,
        chain_links=["growing", "sales"],
    )
    tomato = Product.objects.get(name="番茄")
    pepper = Product.objects.get(name="辣椒")
    producer_a = make_producer(village_a, chain_a)
    producer_b = make_producer(village_b, chain_b, name="红果子瓜菜合作社", lat=39.2, lon=106.7)
    buyer_a = make_buyer(canteen_org)
    buyer_b = make_buyer(county_b, name="惠农区第一中学", kind="school", lat=39.23, lon=106.77)

    root = UserFactory(username="root", is_superuser=True)
    admin_a = UserFactory(username="admin_a")
    grant(admin_a, county_a, RoleKind.ADMIN)
    admin_b = UserFactory(username="admin_b")
    grant(admin_b, county_b, RoleKind.ADMIN)
    chain_secretary = UserFactory(username="chain_secretary")
    grant(chain_secretary, chain_a, RoleKind.SECRETARY)
    village_secretary = UserFactory(username="village_secretary")
    grant(village_secretary, village_a, RoleKind.SECRETARY)
    canteen = UserFactory(username="canteen")
    grant(canteen, canteen_org, RoleKind.SECRETARY)
    norole = UserFactory(username="norole")
    return SimpleNamespace(**locals())
