"""A small deployment shared by the API tests and the permission matrix.

::

    city committee (石嘴山)
    ├── county A committee ── street A working committee ── village A branch (2 members)
    │                                                      └ joint org A (lead: village A)
    └── county B committee ── street B working committee ── village B branch (2 members)

Users: ``admin_a`` (admin of county A), ``admin_b`` (admin of county B), ``secretary_a``
(secretary of village A), ``member_a`` (member role at village A), ``norole`` (signed in, no
role at all), ``root`` (superuser). Each side has a failed import job uploaded by its admin.
"""

import datetime as dt
from dataclasses import dataclass, field

from tongchou.core.tests.factories import (
    OrganizationFactory,
    RegionFactory,
    UserFactory,
    create_member,
    grant,
)
from tongchou.members.models import ImportJob, ImportStatus
from tongchou.organizations.models import Organization, OrgKind, OrgType, RoleKind, Unit, UnitKind
from tongchou.regions.models import RegionKind, RegionLevel, UrbanRural

PASSWORD = "pass-Word-123"


@dataclass
class Side:
    county_region: object
    street_region: object
    village_region: object
    county: Organization
    street: Organization
    village: Organization
    unit: Unit
    members: list = field(default_factory=list)
    import_job: object = None  # a finished (failed) member import, uploaded by this side's admin


@dataclass
class World:
    city: Organization
    a: Side
    b: Side
    joint_a: Organization
    admin_a: object
    admin_b: object
    secretary_a: object
    member_a: object
    norole: object
    root: object


def _side(city, city_region, county_code: str, label: str, birth_year: int) -> Side:
    county_region = RegionFactory(
        code=county_code, name=f"县{label}", level=RegionLevel.COUNTY, parent=city_region
    )
    street_region = RegionFactory(
        code=f"{county_code}001",
        name=f"街道{label}",
        level=RegionLevel.TOWNSHIP,
        parent=county_region,
        kind=RegionKind.STREET,
        urban_rural=UrbanRural.URBAN,
    )
    village_region = RegionFactory(
        code=f"{county_code}001201",
        name=f"村{label}",
        level=RegionLevel.VILLAGE,
        parent=street_region,
        kind=RegionKind.VILLAGERS,
        urban_rural=UrbanRural.RURAL,
    )
    county = OrganizationFactory(
        name=f"{label}县委", kind=OrgKind.COMMITTEE, parent=city, region=county_region
    )
    street = OrganizationFactory(
        name=f"{label}街道党工委",
        kind=OrgKind.WORKING_COMMITTEE,
        parent=county,
        region=street_region,
    )
    unit = Unit.objects.create(
        name=f"{label}村委会", kind=UnitKind.VILLAGE_COMMITTEE, region=village_region
    )
    village = OrganizationFactory(
        name=f"{label}村党支部",
        kind=OrgKind.BRANCH,
        parent=street,
        region=village_region,
        urban_rural=UrbanRural.RURAL,
        units=[unit],
    )
    members = [
        create_member(
            village,
            name=f"{label}党员{i}",
            birth_date=dt.date(birth_year + i, 5, 1),
            phone=f"1390{birth_year}{i:03d}",  # unlike any example number in templates
        )
        for i in range(2)
    ]
    return Side(
        county_region, street_region, village_region, county, street, village, unit, members
    )


def build_world() -> World:
    province = RegionFactory(code="64", name="宁夏", level=RegionLevel.PROVINCE)
    city_region = RegionFactory(
        code="6402", name="石嘴山市", level=RegionLevel.CITY, parent=province
    )
    city = OrganizationFactory(name="石嘴山市委", kind=OrgKind.COMMITTEE, region=city_region)
    a = _side(city, city_region, "640202", "甲", 1980)
    b = _side(city, city_region, "640205", "乙", 1970)
    enterprise = Unit.objects.create(
        name="甲企业", kind=UnitKind.ENTERPRISE, region=a.street_region
    )
    joint_a = OrganizationFactory(
        name="甲村企联建党支部",
        kind=OrgKind.BRANCH,
        org_type=OrgType.JOINT,
        parent=a.street,
        region=a.village_region,
        lead=a.village,
        units=[a.unit, enterprise],
    )
    admin_a = UserFactory(username="admin_a")
    secretary_a = UserFactory(username="secretary_a")
    member_a = UserFactory(username="member_a")
    norole = UserFactory(username="norole")
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    grant(admin_a, a.county, RoleKind.ADMIN)
    grant(secretary_a, a.village, RoleKind.SECRETARY)
    grant(member_a, a.village, RoleKind.MEMBER)
    admin_b = UserFactory(username="admin_b")
    grant(admin_b, b.county, RoleKind.ADMIN)
    for side, admin in ((a, admin_a), (b, admin_b)):
        side.import_job = ImportJob.objects.create(
            filename="members.csv",
            created_by=admin,
            default_org=side.village,
            org_path=side.village.path,
            status=ImportStatus.FAILED,
            error_count=1,
            errors=[[3, "身份证号", "身份证号校验码不正确。"]],
        )
    return World(city, a, b, joint_a, admin_a, admin_b, secretary_a, member_a, norole, root)
