"""A small world for the member's own pages: a village member with a login, a city street
with a member service station, another county."""

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
from tongchou.regions.models import RegionKind, RegionLevel, UrbanRural


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w(db):
    from tongchou.mobility.models import ServiceStation

    city_r = RegionFactory(code="6402", name="石嘴山市", level=RegionLevel.CITY)
    county_a_r = RegionFactory(
        code="640221", name="平罗县", level=RegionLevel.COUNTY, parent=city_r
    )
    town_r = RegionFactory(
        code="640221100",
        name="姚伏镇",
        level=RegionLevel.TOWNSHIP,
        parent=county_a_r,
        urban_rural=UrbanRural.RURAL,
    )
    village_r = RegionFactory(
        code="640221100201",
        name="姚伏村",
        level=RegionLevel.VILLAGE,
        parent=town_r,
        urban_rural=UrbanRural.RURAL,
    )
    county_b_r = RegionFactory(
        code="640202", name="大武口区", level=RegionLevel.COUNTY, parent=city_r
    )
    street_r = RegionFactory(
        code="640202001",
        name="长胜街道",
        level=RegionLevel.TOWNSHIP,
        parent=county_b_r,
        kind=RegionKind.STREET,
    )

    def org(name, code, kind, region, parent=None, **kw):
        return OrganizationFactory(
            name=name, code=code, kind=kind, region=region, parent=parent, **kw
        )

    city = org("石嘴山市委", "6402", OrgKind.COMMITTEE, city_r)
    county_a = org("平罗县委", "640221", OrgKind.COMMITTEE, county_a_r, city)
    town = org("姚伏镇党委", "640221100", OrgKind.COMMITTEE, town_r, county_a)
    village = org(
        "姚伏村党支部", "V-1", OrgKind.BRANCH, village_r, town, urban_rural=UrbanRural.RURAL
    )
    county_b = org("大武口区委", "640202", OrgKind.COMMITTEE, county_b_r, city)
    street = org("长胜街道党工委", "640202001", OrgKind.WORKING_COMMITTEE, street_r, county_b)
    community = org("长胜社区党支部", "C-1", OrgKind.BRANCH, street_r, street)

    me_user = UserFactory(username="villager")
    me = create_member(village, name="马文明", phone="13995011111")
    me.user = me_user
    me.save()
    neighbour = create_member(village, name="马邻居", birth_date=dt.date(1980, 1, 1))
    station = ServiceStation.objects.create(
        name="长胜街道党员服务站",
        kind="city_street",
        organization=street,
        org_path=street.path,
        region=street_r,
    )
    nobody = UserFactory(username="nobody")
    village_secretary = UserFactory(username="village_secretary")
    grant(village_secretary, village, RoleKind.SECRETARY)
    return SimpleNamespace(**locals())
