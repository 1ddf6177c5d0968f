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


# --- a busier world: the same, with members in motion, organizational life, education and a
# transfer across the two counties (for tests that walk every page, e.g. test_links_open.py) ---


@dataclass
class Busy:
    """``build_world()`` plus: ``member_a`` linked to village A's first member (their /me/
    pages); ``staff_a``, staff of a member service station at street A with no role; village
    A's second member away at county B's village (its inflow side), county B's first member
    away at street A's station; a past branch meeting of village A with attendance; a theme day
    at the station (street A's session, the guest from B attending); a course of the city; a
    training held by county B's village with A's mobile member as participant (a study record
    in A's scope naming a training outside it); a study record of the city's course; a
    cross-county transfer of village A's first member awaiting county A's approval."""

    world: World
    staff_a: object
    station_a: object
    spell_out: object  # a.members[1] at b.village
    spell_in: object  # b.members[0] at station_a
    session_a: object
    station_session: object
    course: object
    training_b: object
    transfer: object


def build_busy_world() -> Busy:
    from tongchou.education import services as education
    from tongchou.members.models import Member
    from tongchou.mobility import services as mobility
    from tongchou.orglife import services as orglife
    from tongchou.transfers import services as transfers

    w = build_world()
    a, b, root = w.a, w.b, w.root
    today = dt.date.today()
    Member.objects.filter(pk=a.members[0].pk).update(user=w.member_a)
    staff_a = UserFactory(username="staff_a")
    station_a = mobility.station_create(
        actor=root, organization=a.street, name="甲街道党员服务站", kind="city_street",
        region=a.street_region, services=["transfer", "training", "org_life"], staff=[staff_a],
    )  # fmt: skip
    away_since = today - dt.timedelta(days=60)
    spell_out = mobility.outflow_register(
        actor=root, member=a.members[1], destination_region=b.village_region, since=away_since,
        reason="work",
    )  # fmt: skip
    mobility.inflow_register(
        actor=root, inflow_org=b.village, id_number=a.members[1].id_number,
        name=a.members[1].name, home_text=a.village.name, since=away_since, reason="work",
    )  # fmt: skip
    spell_in = mobility.inflow_register(
        actor=root, station=station_a, id_number=b.members[0].id_number, name=b.members[0].name,
        home_text=b.village.name, since=away_since, reason="work",
    )  # fmt: skip
    mobility.contact_record(actor=staff_a, spell=spell_in, on=today, channel="phone")
    held = dt.datetime.combine(today - dt.timedelta(days=7), dt.time(9, 30), tzinfo=dt.UTC)
    session_a = orglife.session_create(
        actor=root, organization=a.village, kind="general_meeting", starts_at=held,
        format="offline", topic="学习党章", host=a.members[0],
    )  # fmt: skip
    orglife.attendance_record(
        actor=root, session=session_a, entries={m.pk: "offline" for m in a.members}
    )
    station_session = orglife.session_create(
        actor=staff_a, station=station_a, kind="theme_day", starts_at=held, format="offline",
        topic="流动党员主题党日",
    )  # fmt: skip
    orglife.attendance_record(
        actor=staff_a, session=station_session, entries={b.members[0].pk: "offline"}
    )
    course = education.course_create(
        actor=root, organization=w.city, title="党的二十大精神", provider="市委党校",
        hours="4", mode="online",
    )  # fmt: skip
    education.study_record_create(
        actor=root, member=a.members[0], studied_on=today - dt.timedelta(days=3), course=course
    )
    training_b = education.training_create(
        actor=root, organization=b.village, title="电商直播培训", held_on=today - dt.timedelta(2),
        hours="3",
    )  # fmt: skip
    education.training_participants_set(actor=root, training=training_b, members=[a.members[1]])
    transfer = transfers.transfer_request(
        actor=w.secretary_a, member=a.members[0], kind="within", to_org=b.village,
        reason="工作调动",
    )  # fmt: skip
    return Busy(
        w, staff_a, station_a, spell_out, spell_in, session_a, station_session, course,
        training_b, transfer,
    )  # fmt: skip
