"""Shizuishan demo data for the talent pool: 40 talents (28 members of urban organizations and
returning entrepreneurs in villages, 12 outside experts registered by the county committees),
30 needs posted by villages, a season of exchanges both ways (驻村帮扶 and 第一书记 from the
city's streets to villages, 进城实训 from villages to city communities, 专家下乡, some
completed, some under way, some planned) with their work logs, and one matching round over the
city proposed for review.

Everything goes through the services. There are no centroids on the divisions, so home points and
need places are typed: near each county seat, with a deterministic jitter. Deterministic for a
seed; idempotent (nothing happens when profiles exist)."""

import datetime as dt
import random

from django.contrib.auth import get_user_model

from tongchou.members.models import Member
from tongchou.organizations.models import Organization, OrgKind, OrgStatus
from tongchou.regions.models import RegionKind, UrbanRural
from tongchou.talent import rounds, services
from tongchou.talent.models import Assignment, ExchangeKind, Priority, Skill, Talent

ROOT_CODE = "6402"
SEATS = {"640202": (39.015, 106.384), "640205": (39.232, 106.775), "640221": (38.905, 106.545)}
POSTS = ["区农业农村局农艺师", "市人民医院主治医师", "律师事务所律师", "电商产业园运营主管",
         "区教育局教研员", "街道社区党委书记", "农商银行客户经理", "住建局工程师",
         "文旅局科员", "社区养老服务中心主任", "区委组织部干部", "市委党校讲师"]  # fmt: skip
EXPERTS = ["马振华", "杨秀兰", "周建国", "何丽娟", "丁志强", "苏晓梅", "海军", "田玉珍",
           "冯德明", "白雪莲", "哈学斌", "金玉凤"]  # fmt: skip
NEEDS = {
    "agri-tech": "枸杞病虫害绿色防控指导",
    "e-commerce": "农产品电商直播带货辅导",
    "health": "村医坐诊与慢病随访",
    "law": "土地流转合同法律咨询",
    "education": "留守儿童假期课业辅导",
    "party-affairs": "村党支部规范化建设指导",
    "finance": "村集体经济账务规范",
    "construction": "农房改造与村容规划",
    "tourism": "乡村民宿与农家乐策划",
    "elderly-care": "互助养老幸福院运营",
    "governance": "网格化治理与矛盾调解",
    "livestock": "滩羊养殖技术服务",
}


def _point(rng: random.Random, code: str, spread: float = 0.08) -> tuple[float, float]:
    lat, lon = SEATS.get(code[:6], SEATS["640202"])
    return round(lat + rng.uniform(-spread, spread), 5), round(
        lon + rng.uniform(-spread, spread), 5
    )


def populate(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    if Talent.objects.exists():
        return {}
    actor = get_user_model().objects.filter(is_superuser=True, username="admin").first()
    root = Organization.objects.filter(code=ROOT_CODE, parent=None).first()
    if actor is None or root is None:
        return {}
    skills = list(Skill.objects.filter(active=True).order_by("order", "code"))
    codes = [s.code for s in skills]
    active = Organization.objects.filter(status=OrgStatus.ACTIVE)
    villages = list(
        active.filter(kind=OrgKind.BRANCH, region__kind=RegionKind.VILLAGERS).order_by("code")
    )
    communities = list(
        active.filter(kind=OrgKind.BRANCH, region__kind=RegionKind.RESIDENTS).order_by("code")
    )
    streets = list(active.filter(kind=OrgKind.WORKING_COMMITTEE).order_by("code"))
    counties = list(active.filter(parent=root).order_by("code"))
    if not villages or not communities or not streets:
        return {}
    season = today.replace(day=1) - dt.timedelta(days=120)

    def availability():
        first = today - dt.timedelta(days=rng.randint(0, 60))
        return [(first, today + dt.timedelta(days=rng.randint(150, 330)))]

    talents = []
    # Members of urban organizations (28), the first four returning entrepreneurs in villages.
    urban = list(
        Member.objects.filter(
            archived=False,
            organization__urban_rural=UrbanRural.URBAN,
            organization__kind=OrgKind.BRANCH,
        ).order_by("id")[:2000]
    )
    rural = list(
        Member.objects.filter(
            archived=False, organization__region__kind=RegionKind.VILLAGERS
        ).order_by("id")[:2000]
    )
    people = [(m, False) for m in rng.sample(urban, 24)] + [(m, True) for m in rng.sample(rural, 4)]
    for member, returning in people:
        lat, lon = _point(rng, member.organization.region_id or "640202")
        talents.append(
            services.talent_create_for_member(
                actor=actor,
                member=member,
                skills=rng.sample(codes, rng.choice([1, 2, 2, 3])),
                current_post="返乡创业带头人" if returning else rng.choice(POSTS),
                returning=returning,
                max_km=rng.choice([30, 50, 80, 120]),
                capacity=rng.choice([1, 1, 1, 2]),
                home_lat=lat,
                home_lon=lon,
                availability=availability(),
            )
        )
    for index, name in enumerate(EXPERTS):
        county = counties[index % len(counties)]
        lat, lon = _point(rng, county.region_id or "640202")
        talents.append(
            services.talent_create_expert(
                actor=actor,
                organization=county,
                name=name,
                phone=f"139{rng.randint(10000000, 99999999)}",
                skills=rng.sample(codes, rng.choice([1, 2])),
                current_post=rng.choice(["宁夏大学教授", "农科院研究员", "退休医生", "执业律师"]),
                max_km=rng.choice([80, 120, 200]),
                home_lat=lat,
                home_lon=lon,
                availability=availability(),
            )
        )

    # Needs of villages (30), in the months ahead.
    needs = 0
    for village in rng.sample(villages, 30):
        code = rng.choice(codes)
        first = today + dt.timedelta(days=rng.randint(14, 150))
        lat, lon = _point(rng, village.region_id or "640221")
        services.need_create(
            actor=actor,
            organization=village,
            title=NEEDS.get(code, "技术服务"),
            skill=code,
            kind=rng.choice([ExchangeKind.STATIONED, ExchangeKind.EXPERT_VISIT]),
            first_day=first,
            last_day=first + dt.timedelta(days=rng.randint(5, 60)),
            place=f"{village.name.removesuffix('党支部')}村委会",
            lat=lat,
            lon=lon,
            slots=rng.choice([1, 1, 2]),
            priority=rng.choice(Priority.values),
            description="请具备相关专长的同志前来帮扶，村里提供食宿。",
        )
        needs += 1

    # A season of exchanges both ways.
    made = 0
    members = [t for t in talents if t.member_id and not t.returning]
    for index, talent in enumerate(members[:12]):
        first = season + dt.timedelta(days=rng.randint(0, 60))
        kind = ExchangeKind.FIRST_SECRETARY if index % 4 == 0 else ExchangeKind.STATIONED
        a = services.assignment_create(
            actor=actor, talent=talent, kind=kind, from_org=talent.member.organization,
            to_org=rng.choice(villages), first_day=first,
            last_day=first + dt.timedelta(days=rng.choice([60, 90, 180])),
            goals="抓党建促乡村振兴：规范支部建设，发展村集体经济。",
        )  # fmt: skip
        made += 1
        _season(actor, a, today, rng)
    returning = [t for t in talents if t.returning]
    for talent in returning:  # 进城实训: village members trained in city communities
        first = season + dt.timedelta(days=rng.randint(0, 90))
        a = services.assignment_create(
            actor=actor, talent=talent, kind=ExchangeKind.CITY_TRAINING,
            from_org=talent.member.organization, to_org=rng.choice(communities),
            first_day=first, last_day=first + dt.timedelta(days=30),
            goals="到城市社区跟岗学习电商运营和社区治理。",
        )  # fmt: skip
        made += 1
        _season(actor, a, today, rng)
    for talent in [t for t in talents if not t.member_id][:4]:  # 专家下乡
        first = season + dt.timedelta(days=rng.randint(0, 100))
        a = services.assignment_create(
            actor=actor, talent=talent, kind=ExchangeKind.EXPERT_VISIT,
            from_org=talent.organization, to_org=rng.choice(villages), first_day=first,
            last_day=first + dt.timedelta(days=7), goals="田间地头现场指导。",
        )  # fmt: skip
        made += 1
        _season(actor, a, today, rng)

    match = rounds.round_run(actor=actor, organization=root, today=today)
    return {
        "人才": len(talents),
        "人才需求": needs,
        "交流任职": made,
        "匹配建议": match.proposals.count(),
    }


LOG = ["走访农户，了解产业发展需求", "召开村党支部委员会，研究集体经济项目", "组织党员学习",
       "协调解决灌溉用水问题", "开展技术培训一场", "对接销售渠道"]  # fmt: skip


def _season(actor, a: Assignment, today: dt.date, rng: random.Random) -> None:
    """Move an exchange as far as the calendar says: started if begun, closed if over."""
    if a.first_day > today:
        return
    a = services.assignment_start(actor=actor, assignment=a)
    day = a.first_day
    while day <= min(today, a.last_day):
        services.log_add(actor=actor, assignment=a, day=day, text=rng.choice(LOG))
        day += dt.timedelta(days=rng.randint(14, 30))
    if a.last_day < today:
        services.assignment_complete(
            actor=actor, assignment=a, summary="完成既定目标，建立了长效帮扶机制。"
        )
