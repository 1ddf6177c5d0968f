"""A small two-county world for organizational life, built straight into the tables.

::

    county A committee ── street A working committee ┬ village A branch (3 members) ─ group A
                                                     ├ community A branch (1 member)
                                                     └ courier functional branch (1 member)
                         station A (of street A; staffed by ``staff``)
    county B committee ── village B branch (1 member)
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tongchou.core.tests.factories import (
    OrganizationFactory,
    RegionFactory,
    UserFactory,
    create_member,
    grant,
)
from tongchou.mobility.models import MobileMember, MobilityReason, ServiceStation, StationKind
from tongchou.organizations.models import OrgKind, OrgType, RoleKind, Sector
from tongchou.regions.models import RegionLevel


@pytest.fixture(autouse=True)
def _media_and_hashing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(days_ago: int, hour: int = 9) -> dt.datetime:
    """An aware datetime ``days_ago`` days before now, at ``hour`` local time."""
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def spell(member, *, home, inflow=None, station=None, since=None, contact=None, **kw):
    """An open spell written straight to the table (mobility's services are tested there)."""
    return MobileMember.objects.create(
        member=member,
        home_org=home,
        home_path=home.path if home else "",
        inflow_org=inflow,
        inflow_path=inflow.path if inflow else "",
        station=station,
        station_path=station.org_path if station else "",
        since=since or timezone.localdate() - dt.timedelta(days=30),
        reason=MobilityReason.WORK,
        last_contact_on=contact,
        **kw,
    )


@pytest.fixture
def w(db):
    region_a = RegionFactory(code="640202", name="大武口区", level=RegionLevel.COUNTY)
    region_b = RegionFactory(code="640205", name="惠农区", level=RegionLevel.COUNTY)

    def org(name, kind, region, parent=None, **kw):
        return OrganizationFactory(name=name, kind=kind, region=region, parent=parent, **kw)

    county_a = org("大武口区委", OrgKind.COMMITTEE, region_a)
    street_a = org("长胜街道党工委", OrgKind.WORKING_COMMITTEE, region_a, county_a)
    village_a = org("长胜村党支部", OrgKind.BRANCH, region_a, street_a)
    group_a = org("长胜村第一党小组", OrgKind.GROUP, region_a, village_a)
    community_a = org("长胜社区党支部", OrgKind.BRANCH, region_a, street_a)
    courier_a = org(
        "长胜街道快递员党支部",
        OrgKind.BRANCH,
        region_a,
        street_a,
        org_type=OrgType.FUNCTIONAL,
        sector=Sector.COURIER,
    )
    county_b = org("惠农区委", OrgKind.COMMITTEE, region_b)
    village_b = org("红果子村党支部", OrgKind.BRANCH, region_b, county_b)

    villagers = [
        create_member(village_a, name=f"村民{i}", birth_date=dt.date(1980 + i, 1, 1))
        for i in range(3)
    ]
    resident = create_member(community_a, name="居民", birth_date=dt.date(1990, 1, 1))
    courier = create_member(courier_a, name="快递员", birth_date=dt.date(1995, 1, 1))
    outsider = create_member(village_b, name="外县党员", birth_date=dt.date(1970, 1, 1))

    station_a = ServiceStation.objects.create(
        name="长胜街道党员服务站",
        kind=StationKind.CITY_STREET,
        organization=street_a,
        org_path=street_a.path,
        region=region_a,
    )
    admin_a = UserFactory(username="admin_a")
    grant(admin_a, county_a, RoleKind.ADMIN)
    secretary_v = UserFactory(username="secretary_v", last_name="王", first_name="书记")
    grant(secretary_v, village_a, RoleKind.SECRETARY)
    secretary_c = UserFactory(username="secretary_c")
    grant(secretary_c, community_a, RoleKind.SECRETARY)
    plain_member = UserFactory(username="plain_member")
    grant(plain_member, village_a, RoleKind.MEMBER)
    admin_b = UserFactory(username="admin_b")
    grant(admin_b, county_b, RoleKind.ADMIN)
    staff = UserFactory(username="staff")
    station_a.staff.add(staff)
    norole = UserFactory(username="norole")
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    return SimpleNamespace(**locals())
