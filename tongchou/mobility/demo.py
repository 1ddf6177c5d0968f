"""Shizuishan demo data for mobility: four member service stations in the city streets of
大武口区 and 惠农区 (an industrial park, a logistics hub, two city streets) and about 150 village
members who went to work there — most registered on arrival by a station or a street's
organization (the same spell as their home branch's registration), some with no inflow side,
some not reached for more than six months, some back home — plus a few arrivals from outside
the deployment. Everything goes through the services (rules, audit), as a person would."""

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from tongchou.core.errors import ApplicationError
from tongchou.core.validators import id_check_char
from tongchou.demo.people import PersonGenerator
from tongchou.members.choices import Category, MemberStatus
from tongchou.members.models import Member
from tongchou.mobility import services
from tongchou.mobility.models import MobileMember, ServiceStation, StationKind, StationService
from tongchou.organizations.models import Organization, OrgKind, OrgStatus, OrgType
from tongchou.regions.models import Region, UrbanRural

DEMO_PASSWORD = "demo12345"  # the foundation demo's (tongchou.demo.generate)
STAFF_USERNAME = "station_staff"
MOBILE_MEMBERS = 150
EXTERNAL_ARRIVALS = 8

# (street code, name, kind, address, services)
STATIONS = [
    (
        "640202010",
        "长兴街道工业园区党员服务站",
        StationKind.INDUSTRIAL_PARK,
        "大武口区长兴街道工业园区综合服务中心",
        [StationService.TRANSFER, StationService.TRAINING, StationService.ORG_LIFE],
    ),
    (
        "640202001",
        "长胜街道党员服务站",
        StationKind.CITY_STREET,
        "大武口区长胜街道便民服务中心二楼",
        [StationService.TRANSFER, StationService.ORG_LIFE, StationService.CONSULTATION],
    ),
    (
        "640205006",
        "火车站街道物流园区党员服务站",
        StationKind.LOGISTICS_HUB,
        "惠农区火车站街道物流园区管理服务楼",
        [StationService.TRANSFER, StationService.TRAINING],
    ),
    (
        "640205001",
        "育才路街道党员服务站",
        StationKind.CITY_STREET,
        "惠农区育才路街道党群服务中心",
        [StationService.TRANSFER, StationService.TRAINING, StationService.CONSULTATION],
    ),
]
STAFFED_STREET = "640202001"  # station_staff works at 长胜街道党员服务站, like the demo logins
# City streets without a station: the street's working committee registers arrivals.
OTHER_STREETS = ["640202002", "640202003", "640205002"]

CONTACT_NOTES = ["", "工作稳定", "参加站点组织生活", "已告知党费缴纳方式"]

# Home organizations of people arriving from outside the deployment.
OUTSIDE_HOMES = [
    ("150302", "乌海市海勃湾区新华街道某社区党支部"),
    ("640104", "银川市兴庆区掌政镇某村党支部"),
    ("620402", "白银市白银区水川镇某村党支部"),
    ("610802", "榆林市榆阳区鱼河镇某村党支部"),
    ("152921", "阿拉善左旗巴彦浩特镇某社区党支部"),
]


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}"


def _day(today: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rng.randint(low, high))


def _staff_user():
    User = get_user_model()
    user = User.objects.filter(username=STAFF_USERNAME).first()
    if user is None:
        user = User.objects.create(username=STAFF_USERNAME, password=make_password(DEMO_PASSWORD))
    return user


def _external_id(rng: random.Random, region: str) -> str:
    birth = dt.date(rng.randint(1970, 1998), rng.randint(1, 12), rng.randint(1, 28))
    first17 = f"{region}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


def populate(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    if ServiceStation.objects.exists() or MobileMember.objects.exists():
        return {}
    actor = get_user_model().objects.filter(is_superuser=True, username="admin").first()
    streets = {o.code: o for o in Organization.objects.filter(code__in=[*dict.fromkeys(
        [s[0] for s in STATIONS] + OTHER_STREETS)])}  # fmt: skip
    if actor is None or len(streets) < len(STATIONS) + len(OTHER_STREETS):
        return {}  # no foundation demo here
    regions = {r.code: r for r in Region.objects.filter(code__in=list(streets))}
    staff = _staff_user()
    stations: dict[str, ServiceStation] = {}
    for code, name, kind, address, offered in STATIONS:
        stations[code] = services.station_create(
            actor=actor,
            organization=streets[code],
            name=name,
            kind=kind,
            region=regions[code],
            address=address,
            phone=f"0952-{rng.randint(2000000, 3999999)}",
            services=[str(s) for s in offered],
            staff=[staff] if code == STAFFED_STREET else [],
        )
    counts = {"服务站": len(stations), "流动党员": 0, "联系记录": 0}

    homes = Organization.objects.filter(
        kind=OrgKind.BRANCH,
        org_type=OrgType.STANDARD,
        urban_rural=UrbanRural.RURAL,
        status=OrgStatus.ACTIVE,
    )
    candidates = list(
        Member.objects.filter(
            organization__in=homes,
            status=MemberStatus.NORMAL,
            category=Category.FULL,
            archived=False,
            user=None,
        )
        .order_by("id")
        .values_list("pk", flat=True)
    )
    chosen = sorted(rng.sample(candidates, min(MOBILE_MEMBERS, len(candidates))))
    members = Member.objects.filter(pk__in=chosen).select_related("organization").order_by("id")
    destinations = list(stations) + OTHER_STREETS
    contacts = 0
    for member in members:
        try:
            with transaction.atomic():
                contacts += _one_member(member, today, rng, actor, staff, stations, streets,
                                        regions, destinations)  # fmt: skip
        except ApplicationError:
            continue  # a record the rules refuse today (e.g. its own data): leave it be
        counts["流动党员"] += 1
    counts["联系记录"] = contacts
    counts["区外流入党员"] = _externals(today, rng, actor, staff, stations)
    return counts


def _one_member(member, today, rng, actor, staff, stations, streets, regions, destinations) -> int:
    """One villager gone to work in a city street, in one of the demo's typical situations."""
    code = rng.choice(destinations)
    station = stations.get(code)
    by = staff if code == STAFFED_STREET else actor
    lost_after = settings.LOST_CONTACT_MONTHS * 31
    situation = rng.choices(
        ["linked", "arrived_first", "no_inflow", "lost", "returned"],
        weights=[58, 8, 12, 12, 10],
    )[0]
    reason = rng.choices(["work", "study", "other"], weights=[86, 4, 10])[0]
    if situation == "lost":
        since = _day(today, rng, lost_after + 60, 900)
    else:
        since = _day(today, rng, 20, 700)
    inflow_side = {"station": station} if station else {"inflow_org": streets[code]}
    if situation == "arrived_first":  # the station met them before the village registered it
        spell = services.inflow_register(
            actor=by, id_number=member.id_number, name=member.name,
            home_text=member.organization.name, since=since, reason=reason, contact=_phone(rng),
            **inflow_side,
        )  # fmt: skip
    else:
        spell = services.outflow_register(
            actor=actor,
            member=member,
            destination_region=regions[code],
            since=since,
            reason=reason,
            contact=_phone(rng),
            expected_return=since + dt.timedelta(days=rng.choice([180, 365, 730]))
            if rng.random() < 0.4
            else None,
            note=rng.choice(["", "", "在园区企业务工", "从事物流运输", "从事建筑装修"]),
        )
        if situation in ("linked", "lost", "returned"):
            arrived = min(since + dt.timedelta(days=rng.randint(3, 40)), today)
            spell = services.inflow_register(
                actor=by, id_number=member.id_number, name=member.name,
                home_text=member.organization.name, since=arrived, reason=reason, **inflow_side,
            )  # fmt: skip
    contacts = 0
    if situation in ("linked", "arrived_first", "no_inflow", "returned"):
        start = spell.last_contact_on or spell.since
        for _ in range(rng.randint(0 if situation == "no_inflow" else 1, 3)):
            if (today - start).days < 1:
                break
            on = start + dt.timedelta(days=rng.randint(1, (today - start).days))
            channel = rng.choice(["phone", "phone", "visit", "message", "meeting"])
            services.contact_record(
                actor=by if situation != "no_inflow" else actor, spell=spell, on=on,
                channel=channel, note=rng.choice(CONTACT_NOTES),
            )  # fmt: skip
            contacts += 1
    if situation == "returned":
        spell.refresh_from_db()
        earliest = max(spell.last_contact_on or spell.since, spell.since)
        if (today - earliest).days >= 1:
            on = earliest + dt.timedelta(days=rng.randint(1, (today - earliest).days))
            services.spell_return(actor=actor, spell=spell, on=on)
    return contacts


def _externals(today, rng, actor, staff, stations) -> int:
    names = PersonGenerator(rng.randint(0, 10_000))
    created = 0
    for i in range(EXTERNAL_ARRIVALS):
        region, home = OUTSIDE_HOMES[i % len(OUTSIDE_HOMES)]
        code = list(stations)[i % len(stations)]
        gender = "M" if rng.random() < 0.8 else "F"
        services.inflow_register(
            actor=staff if code == STAFFED_STREET else actor,
            station=stations[code],
            id_number=_external_id(rng, region),
            name=names.name(gender, "03" if rng.random() < 0.3 else "01"),
            home_text=home,
            since=_day(today, rng, 15, 400),
            reason="work",
            contact=_phone(rng),
            note="组织关系在区外，持流动党员活动证",
        )
        created += 1
    return created
