"""A two-county world for mobility tests: a village member goes to work in a city street.

::

    county A (大武口区) ── street A (长胜街道) ─┬ village A branch (rural; members m1, m2, me)
                                              ├ community A branch (urban)
                                              └ station A (staff: staff_a, no role)
    county B (惠农区)   ── street B (育才路街道) ── village B branch (member mb)
                                              └ station B (staff: staff_b, no role)
"""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from tongchou.accounts.hashers import ISSUED_HASHER
from tongchou.core.tests.factories import (
    OrganizationFactory,
    RegionFactory,
    UserFactory,
    create_member,
    grant,
)
from tongchou.mobility.models import ServiceStation, StationKind
from tongchou.organizations.models import OrgKind, RoleKind
from tongchou.regions.models import RegionKind, RegionLevel, UrbanRural


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", ISSUED_HASHER]


def _station(name, org, region, *staff):
    station = ServiceStation.objects.create(
        name=name,
        kind=StationKind.CITY_STREET,
        organization=org,
        org_path=org.path,
        region=region,
        services=["transfer", "training"],
    )
    station.staff.set(staff)
    return station


@pytest.fixture
def m(db):
    city_r = RegionFactory(code="6402", name="石嘴山市", level=RegionLevel.CITY)
    county_a_r = RegionFactory(
        code="640202", name="大武口区", level=RegionLevel.COUNTY, parent=city_r
    )
    street_a_r = RegionFactory(
        code="640202001",
        name="长胜街道",
        level=RegionLevel.TOWNSHIP,
        parent=county_a_r,
        kind=RegionKind.STREET,
    )
    village_a_r = RegionFactory(
        code="640202100201",
        name="潮湖村",
        level=RegionLevel.VILLAGE,
        parent=county_a_r,
        kind=RegionKind.VILLAGERS,
        urban_rural=UrbanRural.RURAL,
    )
    community_a_r = RegionFactory(
        code="640202001001", name="长胜社区", level=RegionLevel.VILLAGE, parent=street_a_r
    )
    county_b_r = RegionFactory(
        code="640205", name="惠农区", level=RegionLevel.COUNTY, parent=city_r
    )
    street_b_r = RegionFactory(
        code="640205001",
        name="育才路街道",
        level=RegionLevel.TOWNSHIP,
        parent=county_b_r,
        kind=RegionKind.STREET,
    )
    village_b_r = RegionFactory(
        code="640205200201",
        name="庙台村",
        level=RegionLevel.VILLAGE,
        parent=county_b_r,
        urban_rural=UrbanRural.RURAL,
    )

    def org(name, kind, region, parent=None, **kw):
        return OrganizationFactory(
            name=name,
            kind=kind,
            region=region,
            parent=parent,
            urban_rural=region.urban_rural or UrbanRural.URBAN,
            **kw,
        )

    city = org("石嘴山市委", OrgKind.COMMITTEE, city_r)
    county_a = org("大武口区委", OrgKind.COMMITTEE, county_a_r, city)
    street_a = org("长胜街道党工委", OrgKind.WORKING_COMMITTEE, street_a_r, county_a)
    village_a = org("潮湖村党支部", OrgKind.BRANCH, village_a_r, street_a)
    community_a = org("长胜社区党支部", OrgKind.BRANCH, community_a_r, street_a)
    county_b = org("惠农区委", OrgKind.COMMITTEE, county_b_r, city)
    street_b = org("育才路街道党工委", OrgKind.WORKING_COMMITTEE, street_b_r, county_b)
    village_b = org("庙台村党支部", OrgKind.BRANCH, village_b_r, street_b)

    admin_a = UserFactory(username="admin_a")
    grant(admin_a, county_a, RoleKind.ADMIN)
    secretary_v = UserFactory(username="secretary_v")
    grant(secretary_v, village_a, RoleKind.SECRETARY)
    secretary_c = UserFactory(username="secretary_c")
    grant(secretary_c, community_a, RoleKind.SECRETARY)
    admin_b = UserFactory(username="admin_b")
    grant(admin_b, county_b, RoleKind.ADMIN)
    root = UserFactory(username="root", is_superuser=True)
    staff_a = UserFactory(username="staff_a")
    staff_b = UserFactory(username="staff_b")
    norole = UserFactory(username="norole")
    me_user = UserFactory(username="me")

    m1 = create_member(village_a, name="王建军", phone="13909520001")
    m2 = create_member(village_a, name="李秀兰", gender="F", phone="13909520002")
    me = create_member(village_a, name="马志强", phone="13909520003")
    me.user = me_user
    me.save(update_fields=["user"])
    mb = create_member(village_b, name="张海燕", gender="F", phone="13909520004")

    station_a = _station("长胜街道党员服务站", street_a, street_a_r, staff_a)
    station_b = _station("育才路街道党员服务站", street_b, street_b_r, staff_b)
    today = timezone.localdate()
    return SimpleNamespace(**locals())
