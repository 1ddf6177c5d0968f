"""A small two-county world for organization tests, built straight into the tables (the
services are tested on their own in test_services.py)."""

from types import SimpleNamespace

from django.contrib.auth import get_user_model

from tongchou.core.tests.factories import (
    OrganizationFactory,
    RegionFactory,
    UserFactory,
    grant,
)
from tongchou.organizations.models import OrgKind, OrgType, RoleKind, Unit, UnitKind
from tongchou.regions.models import RegionLevel, UrbanRural


def build_world() -> SimpleNamespace:
    city_r = RegionFactory(code="640200000000", name="石嘴山市", level=RegionLevel.CITY)
    county_a_r = RegionFactory(
        code="640202000000", name="大武口区", level=RegionLevel.COUNTY, parent=city_r
    )
    county_b_r = RegionFactory(
        code="640205000000", name="惠农区", level=RegionLevel.COUNTY, parent=city_r
    )
    street_a_r = RegionFactory(
        code="640202001000", name="长胜街道", level=RegionLevel.TOWNSHIP, parent=county_a_r
    )
    street_b_r = RegionFactory(
        code="640205100000", name="红果子镇", level=RegionLevel.TOWNSHIP, parent=county_b_r
    )
    village_a_r = RegionFactory(
        code="640202001201",
        name="长胜村",
        level=RegionLevel.VILLAGE,
        parent=street_a_r,
        urban_rural=UrbanRural.RURAL,
    )
    community_a_r = RegionFactory(
        code="640202001001", name="长胜社区", level=RegionLevel.VILLAGE, parent=street_a_r
    )
    village_b_r = RegionFactory(
        code="640205100201",
        name="红果子村",
        level=RegionLevel.VILLAGE,
        parent=street_b_r,
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

    city = org("石嘴山市委", OrgKind.COMMITTEE, city_r, code="C-CITY")
    county_a = org("大武口区委", OrgKind.COMMITTEE, county_a_r, city, code="C-A")
    county_b = org("惠农区委", OrgKind.COMMITTEE, county_b_r, city, code="C-B")
    street_a = org("长胜街道党工委", OrgKind.WORKING_COMMITTEE, street_a_r, county_a, code="S-A")
    street_b = org("红果子镇党委", OrgKind.COMMITTEE, street_b_r, county_b, code="S-B")
    village_a = org("长胜村党支部", OrgKind.BRANCH, village_a_r, street_a, code="V-A")
    community_a = org("长胜社区党支部", OrgKind.BRANCH, community_a_r, street_a, code="M-A")
    village_b = org("红果子村党支部", OrgKind.BRANCH, village_b_r, street_b, code="V-B")
    unit1 = Unit.objects.create(
        name="长胜村委会", kind=UnitKind.VILLAGE_COMMITTEE, region=village_a_r
    )
    unit2 = Unit.objects.create(
        name="红果子村委会", kind=UnitKind.VILLAGE_COMMITTEE, region=village_b_r
    )
    # A joint organization led from village A but sitting under street B (another county).
    joint = org(
        "长胜红果子村村联建党支部",
        OrgKind.BRANCH,
        village_b_r,
        street_b,
        code="J-1",
        org_type=OrgType.JOINT,
        lead=village_a,
        units=[unit1, unit2],
    )

    User = get_user_model()
    superuser = User.objects.create_superuser("root", password="pass-Word-123")
    admin_a = UserFactory(username="admin_a")
    grant(admin_a, county_a, RoleKind.ADMIN)
    admin_b = UserFactory(username="admin_b")
    grant(admin_b, county_b, RoleKind.ADMIN)
    admin_street = UserFactory(username="admin_street")
    grant(admin_street, street_a, RoleKind.ADMIN)
    secretary = UserFactory(username="secretary")
    grant(secretary, village_a, RoleKind.SECRETARY)
    member_user = UserFactory(username="member_user")
    grant(member_user, village_a, RoleKind.MEMBER)
    norole = UserFactory(username="norole")

    return SimpleNamespace(**locals())
