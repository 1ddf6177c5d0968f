"""A small two-county world for education tests, built straight into the tables.

::

    county A ── street A ─┬─ village A (m1, m2)       station A (street A; staff: station_staff)
                          └─ community A (m3)
    county B ── village B (mb: away, at station A; mb2: at home)
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from tongchou.core.tests.factories import (
    OrganizationFactory,
    RegionFactory,
    UserFactory,
    create_member,
    grant,
)
from tongchou.organizations.models import OrgKind, RoleKind
from tongchou.regions.models import RegionLevel, UrbanRural


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_station(org, region, **kw):
    from tongchou.mobility.models import ServiceStation

    return ServiceStation.objects.create(
        name=kw.pop("name", "长胜街道党员服务站"),
        kind=kw.pop("kind", "city_street"),
        organization=org,
        org_path=org.path,
        region=region,
        address=kw.pop("address", "长胜街道1号"),
        **kw,
    )


def make_spell(member, *, station=None, inflow_org=None, status="open"):
    from tongchou.mobility.models import MobileMember

    return MobileMember.objects.create(
        member=member,
        home_org=member.organization,
        home_path=member.org_path,
        since=dt.date(2024, 3, 1),
        reason="work",
        station=station,
        station_path=station.org_path if station else "",
        inflow_org=inflow_org,
        inflow_path=inflow_org.path if inflow_org else "",
        status=status,
    )


@pytest.fixture
def w(db):
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
    community_a = org("长胜社区党支部", "M-A", OrgKind.BRANCH, street_a_r, street_a)
    county_b = org("惠农区委", "C-B", OrgKind.COMMITTEE, county_b_r, city)
    village_b = org("红果子村党支部", "V-B", OrgKind.BRANCH, county_b_r, county_b)

    m1 = create_member(village_a, name="王村民")
    m2 = create_member(village_a, name="李村民", birth_date=dt.date(1990, 1, 2))
    m3 = create_member(community_a, name="赵社区", birth_date=dt.date(1991, 1, 2))
    mb = create_member(village_b, name="马流动", birth_date=dt.date(1992, 1, 2))
    mb2 = create_member(village_b, name="杨在家", birth_date=dt.date(1993, 1, 2))

    station = make_station(street_a, street_a_r)
    spell = make_spell(mb, station=station)

    root = UserFactory(username="root", is_superuser=True)
    city_admin = UserFactory(username="city_admin")
    grant(city_admin, city, RoleKind.ADMIN)
    admin_a = UserFactory(username="admin_a")
    grant(admin_a, county_a, RoleKind.ADMIN)
    secretary_v = UserFactory(username="secretary_v")
    grant(secretary_v, village_a, RoleKind.SECRETARY)
    plain_member = UserFactory(username="plain_member")
    grant(plain_member, village_a, RoleKind.MEMBER)
    admin_b = UserFactory(username="admin_b")
    grant(admin_b, county_b, RoleKind.ADMIN)
    norole = UserFactory(username="norole")
    station_staff = UserFactory(username="station_staff")
    station.staff.add(station_staff)
    return SimpleNamespace(**locals())
