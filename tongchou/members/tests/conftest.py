"""A small two-county world for member tests, built straight into the tables."""

import datetime as dt
from types import SimpleNamespace

import pytest

from tongchou.core.tests.factories import OrganizationFactory, RegionFactory, UserFactory, grant
from tongchou.core.validators import id_check_char
from tongchou.organizations.models import OrgKind, OrgStatus, RoleKind
from tongchou.regions.models import RegionLevel, UrbanRural


def id_number(birth: dt.date = dt.date(1985, 3, 14), gender: str = "M", seq: int = 1) -> str:
    """A valid ID number: region 640202, the birth date, a sequence (gender in its parity)."""
    digit = (seq % 5) * 2 + (1 if gender == "M" else 0)
    first17 = f"640202{birth:%Y%m%d}{seq // 5 % 100:02d}{digit}"
    return first17 + id_check_char(first17)


@pytest.fixture(autouse=True)
def _media_and_hashing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w(db):
    county_a_r = RegionFactory(code="640202000000", name="大武口区", level=RegionLevel.COUNTY)
    county_b_r = RegionFactory(code="640205000000", name="惠农区", level=RegionLevel.COUNTY)
    village_r = RegionFactory(
        code="640202001201",
        name="长胜村",
        level=RegionLevel.VILLAGE,
        parent=county_a_r,
        urban_rural=UrbanRural.RURAL,
    )
    community_r = RegionFactory(
        code="640202001001", name="长胜社区", level=RegionLevel.VILLAGE, parent=county_a_r
    )

    def org(name, code, kind, region, parent=None, **kw):
        return OrganizationFactory(
            name=name,
            code=code,
            kind=kind,
            region=region,
            parent=parent,
            urban_rural=region.urban_rural or UrbanRural.URBAN,
            **kw,
        )

    county_a = org("大武口区委", "C-A", OrgKind.COMMITTEE, county_a_r)
    street_a = org("长胜街道党工委", "S-A", OrgKind.WORKING_COMMITTEE, county_a_r, county_a)
    village_a = org("长胜村党支部", "V-A", OrgKind.BRANCH, village_r, street_a)
    community_a = org("长胜社区党支部", "M-A", OrgKind.BRANCH, community_r, street_a)
    group_a = org("长胜村第一党小组", "G-A", OrgKind.GROUP, village_r, village_a)
    dissolved_a = org(
        "已撤销党支部", "D-A", OrgKind.BRANCH, community_r, street_a, status=OrgStatus.DISSOLVED
    )
    county_b = org("惠农区委", "C-B", OrgKind.COMMITTEE, county_b_r)
    village_b = org("红果子村党支部", "V-B", OrgKind.BRANCH, county_b_r, county_b)

    admin_a = UserFactory(username="admin_a")
    grant(admin_a, county_a, RoleKind.ADMIN)
    secretary_v = UserFactory(username="secretary_v")
    grant(secretary_v, village_a, RoleKind.SECRETARY)
    plain_member = UserFactory(username="plain_member")
    grant(plain_member, village_a, RoleKind.MEMBER)
    admin_b = UserFactory(username="admin_b")
    grant(admin_b, county_b, RoleKind.ADMIN)
    norole = UserFactory(username="norole")
    return SimpleNamespace(**locals())
