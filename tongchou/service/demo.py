"""Shizuishan demo data for serving the people: the service alliance of every county (the 人社
bureau, the people's hospital, the civil affairs bureau, legal aid, an enterprise and a social
organization), routing rules, a year of needs in every state, and households with visits for
villages. Needs go through the services (routing and working-day deadlines as in real use);
deterministic (the demo's generator makes the tracking codes) and idempotent (nothing happens
when alliance units exist)."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from tongchou.core.workdays import load_calendar
from tongchou.members.models import Member
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.regions.models import RegionLevel
from tongchou.service import services
from tongchou.service.models import (
    AllianceUnit,
    Household,
    HouseholdPerson,
    Intake,
    Need,
    NeedCategory,
    RoutingRule,
    SituationTag,
)

ROOT_CODE = "6402"
DEMO_PASSWORD = "demo12345"  # the foundation demo's (tongchou.demo.generate)
NEEDS = 900
HOUSEHOLDS_PER_VILLAGE = 4
VILLAGES_WITH_HOUSEHOLDS = 60
STAFF_USERNAME = "renshe"  # staff of the first county's 人社 bureau

# (name suffix, kind, categories)
UNITS = [
    ("人力资源和社会保障局", "department", ["employment"]),
    ("人民医院", "hospital", ["health"]),
    ("民政局", "department", ["social_assistance", "elderly_care", "other"]),
    ("法律援助中心", "legal_aid", ["legal_aid"]),
    ("农业农村局", "department", ["agriculture", "infrastructure"]),
    ("教育局", "department", ["education"]),
    ("志愿者协会", "social_org", []),
]
SUMMARIES = {
    "employment": ["返乡后想在城里找份工作", "想参加电工技能培训", "孩子大学毕业想就业"],
    "health": ["老人慢性病需要定期上门随访", "想预约专家门诊", "医保报销有疑问"],
    "elderly_care": ["独居老人需要助餐服务", "希望安装适老化扶手"],
    "education": ["留守儿童课后无人辅导", "子女入学手续咨询"],
    "legal_aid": ["务工工资被拖欠", "土地承包纠纷需要咨询"],
    "social_assistance": ["申请临时救助", "低保资格复核咨询"],
    "infrastructure": ["村道路灯损坏", "巷道积水需要疏通"],
    "agriculture": ["枸杞滞销希望帮助联系销路", "需要农机维修服务"],
    "other": ["希望组织文化活动", "反映小区垃圾清运不及时"],
}
RESOLUTIONS = ["已联系相关单位上门办理", "已推荐到园区企业面试并录用", "已安排专人跟进并办结"]
STREETS = ["一组", "二组", "三组", "四组", "五组"]


def populate(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    if AllianceUnit.objects.exists():
        return {}
    User = get_user_model()
    actor = User.objects.filter(is_superuser=True, username="admin").first()
    root = Organization.objects.filter(code=ROOT_CODE, parent=None).first()
    if actor is None or root is None:
        return {}
    categories = {c.code: c for c in NeedCategory.objects.all()}
    counties = list(
        Organization.objects.filter(parent=root, status=OrgStatus.ACTIVE)
        .select_related("region")
        .order_by("code")
    )
    units = rules = 0
    for index, county in enumerate(counties):
        for suffix, kind, codes in UNITS:
            unit = AllianceUnit.objects.create(
                name=f"{county.region.name}{suffix}",
                kind=kind,
                organization=county,
                org_path=county.path,
            )
            unit.categories.set([categories[c] for c in codes])
            unit.regions.set([county.region])
            units += 1
            for code in codes:
                RoutingRule.objects.create(
                    category=categories[code], region=county.region, unit=unit
                )
                rules += 1
            if index == 0 and suffix.startswith("人力"):
                staff = User.objects.filter(username=STAFF_USERNAME).first() or User.objects.create(
                    username=STAFF_USERNAME, password=make_password(DEMO_PASSWORD)
                )
                unit.staff.add(staff)
    villages = list(
        Organization.objects.filter(
            path__startswith=root.path,
            status=OrgStatus.ACTIVE,
            region__level=RegionLevel.VILLAGE,
        ).order_by("path")
    )
    if not villages:
        return {"联盟单位": units, "分派规则": rules}
    counts = {"联盟单位": units, "分派规则": rules}
    counts.update(_needs(today, rng, actor, villages, categories))
    counts.update(_households(today, rng, actor, villages, categories))
    return counts


def _needs(today, rng, actor, villages, categories) -> dict[str, int]:
    from tongchou.service.services import Router

    calendar, router = load_calendar(), Router()
    codes = sorted(c for c in categories if c in SUMMARIES)  # city services: populate_proxy
    made = []
    for _ in range(NEEDS):
        code = rng.choice(codes)
        days_ago = rng.randint(0, 365)
        when = dt.datetime.combine(
            today - dt.timedelta(days=days_ago), dt.time(rng.randint(8, 17), rng.randint(0, 59))
        ).astimezone(dt.UTC)
        need = services.need_submit(
            actor=actor,
            intake=rng.choice([Intake.STAFF, Intake.PUBLIC, Intake.STAFF, Intake.STATION]),
            category=categories[code],
            organization=rng.choice(villages),
            summary=rng.choice(SUMMARIES[code]),
            description="（演示数据）",
            now=when,
            calendar=calendar,
            router=router,
            check=False,
            rng=rng,
        )
        made.append((need, days_ago))
    # Move them along: the older a need, the further it has gone.
    for need, days_ago in made:
        roll = rng.random()
        if days_ago < 3 and roll < 0.6:
            continue  # just submitted
        need = services.need_accept(actor=actor, need=need)
        if days_ago < 10 and roll < 0.5:
            continue
        need = services.need_start(actor=actor, need=need)
        if roll < 0.12:
            continue  # still in progress (some will be overdue)
        took = rng.randint(1, 25)
        resolved_at = min(
            need.submitted_at + dt.timedelta(days=took),
            dt.datetime.combine(today, dt.time(9)).astimezone(dt.UTC),
        )
        need = services.need_resolve(
            actor=actor, need=need, resolution=rng.choice(RESOLUTIONS), now=resolved_at
        )
        if roll < 0.2:
            continue  # waiting for the resident's answer
        recent = timezone.now() - resolved_at < dt.timedelta(days=services.REOPEN_DAYS - 1)
        if roll < 0.3 and recent:
            services.need_reopen(tracking_code=need.tracking_code, reason="问题还没有完全解决")
            continue
        need = services.need_confirm(
            tracking_code=need.tracking_code,
            rating=rng.choice([5, 5, 4, 4, 3, 2]),
            comment=rng.choice(["满意", "办得很快", "", "还可以"]),
        )
        if roll > 0.5:
            services.need_close(actor=actor, need=need)
    # A few duplicates merged.
    open_needs = list(
        Need.objects.filter(pk__in=[n.pk for n, _ in made], state="submitted").order_by("pk")
    )
    merged = 0
    for first, second in zip(open_needs[::2], open_needs[1::2], strict=False):
        if merged >= 5:
            break
        if first.organization_id == second.organization_id:
            continue
        services.need_merge(actor=actor, duplicate=second, into=first)
        merged += 1
    streets, counties = services.needs_escalate(today=today, calendar=calendar)
    return {"群众诉求": len(made), "合并": merged, "督办": streets + counties}


def _households(today, rng, actor, villages, categories) -> dict[str, int]:
    tags = [t.value for t in SituationTag if t != SituationTag.OTHER]
    households = visits = 0
    for village in villages[:VILLAGES_WITH_HOUSEHOLDS]:
        members = list(
            Member.objects.filter(organization=village, archived=False).order_by("pk")[:5]
        )
        for i in range(HOUSEHOLDS_PER_VILLAGE):
            household = Household.objects.create(
                address=f"{village.name.removesuffix('党支部')}{rng.choice(STREETS)}{i + 1}号",
                organization=village,
                org_path=village.path,
                head_name=rng.choice("王李张刘陈杨马") + rng.choice(["大爷", "大妈", "师傅"]),
                tags=rng.sample(tags, rng.randint(0, 2)),
                consent=True,
                consent_on=today - dt.timedelta(days=rng.randint(30, 300)),
                contact=members[i % len(members)] if members else None,
            )
            HouseholdPerson.objects.create(
                household=household, name=household.head_name, relation="户主"
            )
            households += 1
            if rng.random() < 0.7:
                raised = []
                if rng.random() < 0.3:
                    raised = [{"category": categories["employment"], "summary": "想找工作"}]
                services.visit_record(
                    actor=actor,
                    household=household,
                    member=household.contact,
                    visited_on=today - dt.timedelta(days=rng.randint(0, 200)),
                    way=rng.choice(["in_person", "in_person", "phone", "online"]),
                    notes="（演示数据）了解家庭近况",
                    needs=raised,
                )
                visits += 1
    return {"联系户": households, "走访": visits}


# --- city-service proxy stations (城市服务代办站) ------------------------------------------------

PROXY_STATIONS_PER_COUNTY = 2
PROXY_NEEDS_PER_STATION = 21  # three of every state
PROXY_STAFF = ["proxy_staff", "proxy_staff2", "proxy_staff3"]  # station_staff: mobility
PROXY_HOURS = [["08:30", "17:30"]] * 5 + [["09:00", "12:00"], None]
# The city services' units in each county (name suffix, category codes); the 人社 bureau exists.
CITY_UNITS = [
    ("医疗保障局", ["medical_insurance"]),
    ("政务服务中心", ["certificates"]),
]
PROXY_SUMMARIES = {
    "social_security": ["代办城乡居民养老保险参保登记", "代办养老金领取资格认证", "社保卡补办"],
    "medical_insurance": ["代办医保异地就医备案", "代办门诊慢特病待遇申请", "医保关系转移接续"],
    "certificates": ["代办居住证", "代办身份证换领预约", "代办营业执照变更"],
    "employment": ["代办就业失业登记", "代办职业技能培训报名"],
    "social_assistance": ["代办临时救助申请"],
    "other": ["代办不动产登记咨询"],
}
PROXY_STATES = [
    "submitted",
    "accepted",
    "in_progress",
    "resolved",
    "reopened",
    "confirmed",
    "closed",
]


def populate_proxy(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    """Proxy stations in two villages of every county, three of them staffed (logins
    ``proxy_staff``, ``proxy_staff2``, ``proxy_staff3``; the demo password), the city
    services' alliance units and routing (社保 → the 人社 bureau, 医保 → the 医疗保障局, 证照 →
    the 政务服务中心), and a year of needs filed at each station in every state. Idempotent:
    nothing happens when a proxy station exists (or before the alliance is there)."""
    from tongchou.regions.models import UrbanRural
    from tongchou.service.models import ProxyService, ProxyStation

    if ProxyStation.objects.exists() or not AllianceUnit.objects.exists():
        return {}
    User = get_user_model()
    actor = User.objects.filter(is_superuser=True, username="admin").first()
    root = Organization.objects.filter(code=ROOT_CODE, parent=None).first()
    if actor is None or root is None:
        return {}
    categories = {c.code: c for c in NeedCategory.objects.all()}
    counties = list(
        Organization.objects.filter(parent=root, status=OrgStatus.ACTIVE)
        .select_related("region")
        .order_by("code")
    )
    units = 0
    for county in counties:
        bureau = AllianceUnit.objects.filter(
            organization=county, name__endswith="人力资源和社会保障局"
        ).first()
        routes = [(bureau, ["social_security"])] if bureau else []
        for suffix, codes in CITY_UNITS:
            unit, created = AllianceUnit.objects.get_or_create(
                name=f"{county.region.name}{suffix}",
                organization=county,
                defaults={"kind": "department", "org_path": county.path},
            )
            units += created
            unit.regions.add(county.region)
            routes.append((unit, codes))
        for unit, codes in routes:
            for code in codes:
                unit.categories.add(categories[code])
                RoutingRule.objects.get_or_create(
                    category=categories[code], region=county.region, unit=unit
                )
    stations = []
    for county in counties:
        villages = list(
            Organization.objects.filter(
                path__startswith=county.path,
                status=OrgStatus.ACTIVE,
                region__level=RegionLevel.VILLAGE,
                urban_rural=UrbanRural.RURAL,
            )
            .select_related("region")
            .order_by("path")[: PROXY_STATIONS_PER_COUNTY * 5 : 5]
        )
        for village in villages:
            base = village.name.removesuffix("党支部").removesuffix("党总支")
            index = len(stations)
            staff = []
            if index < len(PROXY_STAFF):
                user = User.objects.filter(username=PROXY_STAFF[index]).first()
                staff = [
                    user
                    or User.objects.create(
                        username=PROXY_STAFF[index], password=make_password(DEMO_PASSWORD)
                    )
                ]
            stations.append(
                services.proxy_station_create(
                    actor=actor,
                    name=f"{base}城市服务代办站",
                    organization=village,
                    address=f"{village.region.name}党群服务中心一楼",
                    opening_hours=PROXY_HOURS,
                    phone=f"0952{rng.randint(2000000, 2999999)}",
                    services=list(ProxyService.values),
                    staff=staff,
                )
            )
    needs = _proxy_needs(today, rng, actor, stations)
    return {"城市服务代办站": len(stations), "代办诉求": needs, "城市服务联盟单位": units}


def _proxy_needs(today, rng, actor, stations) -> int:
    from tongchou.service.services import Router

    calendar, router = load_calendar(), Router()
    now = timezone.now()
    made = 0
    for station in stations:
        filer = station.staff.first() or actor
        for index in range(PROXY_NEEDS_PER_STATION):
            target = PROXY_STATES[index % len(PROXY_STATES)]
            service = rng.choice(list(PROXY_SUMMARIES))
            # Waiting for the resident or reopened: resolved in the last days (inside the
            # reopening window); the rest anywhere in the year, some of the open ones overdue.
            if target in ("resolved", "reopened"):
                days_ago = rng.randint(5, 12)
            elif target == "submitted":
                days_ago = rng.choice([0, 1, 2, 20])
            else:
                days_ago = rng.randint(3, 365)
            when = dt.datetime.combine(
                today - dt.timedelta(days=days_ago), dt.time(rng.randint(8, 16), rng.randint(0, 59))
            ).astimezone(dt.UTC)
            need = services.proxy_need_file(
                actor=filer,
                station=station,
                service=service,
                summary=rng.choice(PROXY_SUMMARIES[service]),
                description="（演示数据）",
                resident_name=rng.choice("王李张刘陈杨马") + rng.choice(["大爷", "大妈", "女士"]),
                now=when,
                calendar=calendar,
                router=router,
                rng=rng,
            )
            made += 1
            if target == "submitted":
                continue
            need = services.need_accept(actor=actor, need=need)
            if target == "accepted":
                continue
            need = services.need_start(actor=actor, need=need)
            if target == "in_progress":
                continue
            resolved_at = min(
                need.submitted_at + dt.timedelta(days=rng.randint(1, 12)),
                now - dt.timedelta(days=2),
            )
            need = services.need_resolve(
                actor=actor, need=need, resolution="已代办完成，结果已送达群众", now=resolved_at
            )
            if target == "resolved":
                continue
            if target == "reopened":
                services.need_reopen(tracking_code=need.tracking_code, reason="材料还差一项")
                continue
            need = services.need_confirm(
                tracking_code=need.tracking_code,
                rating=rng.choice([5, 5, 4, 4, 3]),
                comment=rng.choice(["不用跑城里了", "满意", ""]),
            )
            if target == "closed":
                services.need_close(actor=actor, need=need)
    return made
