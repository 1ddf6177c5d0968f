"""Shizuishan demo data for shared resources: the city Party service centre (石嘴山市党群服务中心,
in 长胜街道 of 大武口区) opens its hall and meeting rooms to every village and community;
大武口区委 shares a projector and a mobile Party-school van; 平罗县's e-commerce training base
in a rural town is open to the whole city; trainers — two from outside, one a member (linked to
the member record, never copied). A season of bookings: the last three months (confirmed, so
the flow report has urban→rural, rural→urban and within flows) and the next four weeks (some
waiting for the centre's approval), by village and community branches across the city.

Everything goes through the services (past bookings with ``now`` set to a few days before
them, as if made then); the draws come from the step's own generator, so the data are the same
on every run for a given day. Idempotent: nothing happens when resources exist."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from tongchou.core.errors import ApplicationError
from tongchou.members.models import Member
from tongchou.organizations.models import Organization, OrgKind, OrgStatus
from tongchou.regions.models import UrbanRural
from tongchou.resources import services
from tongchou.resources.models import BookingState, Resource

ROOT_CODE = "6402"
CENTRE_REGION = "640202001"  # 长胜街道, 大武口区
WEEKDAYS = [["08:30", "17:30"]] * 5 + [None, None]
EVERY_DAY = [["08:00", "21:00"]] * 7
PURPOSES = [
    "主题党日",
    "支部党员大会",
    "党课",
    "党员冬训",
    "村（社区）“两委”联席会",
    "党员志愿服务培训",
]


def _resources(actor, root, county, rural_town, trainer_member) -> list[Resource]:
    centre = {"owner": root, "region_id": CENTRE_REGION, "address": "大武口区长胜街道党群服务中心"}
    specs = [
        dict(
            centre,
            kind="room",
            name="市党群服务中心多功能报告厅",
            capacity=200,
            visibility="all",
            auto_confirm=False,
            opening_hours=WEEKDAYS,
            lead_hours=24,
            buffer_before=30,
            buffer_after=30,
            monthly_quota=2,
        ),
        dict(
            centre,
            kind="room",
            name="市党群服务中心第一会议室",
            capacity=40,
            visibility="all",
            auto_confirm=True,
            opening_hours=WEEKDAYS,
            buffer_before=15,
            buffer_after=15,
            monthly_quota=4,
        ),
        dict(
            centre,
            kind="room",
            name="市党群服务中心第二会议室",
            capacity=20,
            visibility="all",
            auto_confirm=True,
            opening_hours=WEEKDAYS,
            buffer_after=10,
        ),
        dict(
            centre,
            kind="room",
            name="市党群服务中心党员教育培训室",
            capacity=60,
            visibility="all",
            auto_confirm=True,
            opening_hours=EVERY_DAY,
            closed_on_days_off=False,
            buffer_before=15,
            buffer_after=15,
        ),
        dict(
            owner=county,
            kind="equipment",
            name="便携式投影仪及音响",
            visibility="county",
            auto_confirm=True,
            opening_hours=WEEKDAYS,
            address="大武口区委组织部",
        ),
        dict(
            owner=county,
            kind="vehicle",
            name="流动党校宣讲车",
            capacity=12,
            visibility="all",
            auto_confirm=False,
            opening_hours=WEEKDAYS,
            lead_hours=48,
            buffer_before=60,
            buffer_after=60,
            max_minutes=8 * 60,
            address="大武口区委组织部",
        ),
        dict(
            centre,
            kind="trainer",
            name="市委党校党史党建讲师",
            person_name="王老师",
            topics="党史学习教育、党章党规、基层党建实务",
            visibility="all",
            auto_confirm=False,
            opening_hours=WEEKDAYS,
            lead_hours=72,
        ),
        dict(
            centre,
            kind="trainer",
            name="设施农业技术专家",
            person_name="李研究员",
            topics="设施农业、农机维修、乡村振兴",
            visibility="all",
            auto_confirm=True,
            opening_hours=WEEKDAYS,
        ),
        dict(
            owner=county,
            kind="material",
            name="《基层党支部工作手册》教材（50册）",
            visibility="county",
            auto_confirm=True,
            address="大武口区委组织部",
        ),
    ]
    if trainer_member is not None:
        specs.append(
            dict(
                owner=county,
                kind="trainer",
                name="社区治理宣讲员",
                member=trainer_member,
                topics="社区治理、网格化服务",
                visibility="all",
                auto_confirm=True,
                opening_hours=WEEKDAYS,
            )
        )
    if rural_town is not None:
        specs.append(
            dict(
                owner=rural_town,
                kind="room",
                name=f"{rural_town.name.removesuffix('委')}农村电商培训基地",
                capacity=50,
                visibility="all",
                auto_confirm=True,
                opening_hours=WEEKDAYS,
                buffer_after=30,
            )
        )
    made = []
    for spec in specs:
        region_id = spec.pop("region_id", None)
        if region_id:
            from tongchou.regions.models import Region

            spec["region"] = Region.objects.get(code=region_id)
        made.append(services.resource_create(actor=actor, **spec))
    return made


def _start(day: dt.date, rng: random.Random) -> dt.datetime:
    hour = rng.choice([9, 10, 14, 15])
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz)


def populate(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    if Resource.objects.exists():
        return {}
    actor = get_user_model().objects.filter(is_superuser=True, username="admin").first()
    root = Organization.objects.filter(code=ROOT_CODE, parent=None).first()
    if actor is None or root is None:
        return {}  # no foundation demo here
    county = Organization.objects.filter(parent=root, region_id="640202").first()
    if county is None:
        return {}
    rural_town = (
        Organization.objects.filter(
            region__code__startswith="640221",
            region__level=4,
            urban_rural=UrbanRural.RURAL,
            status=OrgStatus.ACTIVE,
        )
        .order_by("path")
        .first()
    )
    trainer_member = (
        Member.objects.filter(org_path__startswith=county.path, archived=False)
        .order_by("id")
        .first()
    )
    resources = _resources(actor, root, county, rural_town, trainer_member)
    branches = list(
        Organization.objects.filter(
            kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE, region__level=5
        ).order_by("path")
    )
    villages = [b for b in branches if b.urban_rural == UrbanRural.RURAL]
    communities = [b for b in branches if b.urban_rural == UrbanRural.URBAN]
    made = refused = 0
    for offset in range(-90, 29):
        day = today + dt.timedelta(days=offset)
        for _ in range(rng.choice([0, 1, 1, 2])):
            resource = rng.choice(resources)
            org = rng.choice(villages if rng.random() < 0.7 else communities)
            start = _start(day, rng)
            length = rng.choice([90, 120, 180])
            people = min(resource.capacity or 30, rng.randint(8, 45))
            now = timezone.now() if offset > 0 else start - dt.timedelta(days=5)
            try:
                booking = services.booking_request(
                    actor=actor,
                    resource=resource,
                    organization=org,
                    starts_at=start,
                    ends_at=start + dt.timedelta(minutes=length),
                    purpose=rng.choice(PURPOSES),
                    people=people,
                    now=now,
                )
            except ApplicationError:
                refused += 1  # a day off, a taken slot, the quota: as in life
                continue
            made += 1
            if booking.state == BookingState.REQUESTED and (offset <= 0 or rng.random() < 0.5):
                services.booking_confirm(actor=actor, booking=booking, now=now)
    return {"共享资源": len(resources), "资源预约": made}
