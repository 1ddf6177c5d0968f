"""Shizuishan demo data for the jobs platform: openings posted by the 人社 bureaus of 大武口区
and 惠农区 (alliance units of the service demo) and by the enterprises' own Party branches
there; about forty job seekers in villages across the city, registered with their consent
(returned migrant workers and rural labour); and applications in every state, one opening
filled by its hires, two seekers who later withdrew consent.

Everything goes through the services; dates are spread over the past year (openings and seekers
are backdated after they are written, so the month-by-month figures have a year to show).
There are no centroids on the divisions, so points are typed near each county seat with a
deterministic jitter (as the talent demo does). Deterministic for a seed; idempotent (nothing
happens when openings exist)."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from tongchou.core.errors import ApplicationError
from tongchou.jobs import services
from tongchou.jobs.models import ApplicationState, JobSeeker, Opening, SeekerKind
from tongchou.members.models import Member
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.models import UnitKind as OrgUnitKind
from tongchou.regions.models import Region, RegionKind, RegionLevel
from tongchou.service.models import AllianceUnit
from tongchou.talent.models import Skill

ROOT_CODE = "6402"
CITY_COUNTIES = ("640202", "640205")  # 大武口区, 惠农区: the urban districts that post
SEATS = {"640202": (39.015, 106.384), "640205": (39.232, 106.775), "640221": (38.905, 106.545)}
SEEKERS = 40
# (title, skills, pay range, description)
BUREAU_POSTS = [
    ("城市公益性岗位·保洁员", ["housekeeping"], (2200, 2600), "街道公共区域保洁，就近安排。"),
    ("社区养老护理员", ["elderly-care", "housekeeping"], (3200, 4200), "提供岗前培训。"),
    ("市政维修电工", ["electrician"], (4500, 6000), "持低压电工证优先。"),
    ("物流园区叉车司机", ["driving", "logistics"], (4200, 5500), "包工作餐。"),
    ("电商直播助理", ["e-commerce"], (3500, 5000), "农产品电商直播间运营辅助。"),
]
ENTERPRISE_POSTS = [
    ("电焊工", ["welding", "machining"], (5500, 7500), "二保焊、氩弧焊均可。"),
    ("设备维修电工", ["electrician", "machining"], (5000, 7000), "三班倒，有宿舍。"),
    ("仓储物流专员", ["logistics", "driving"], (4000, 5200), "五险一金。"),
    ("食堂厨师", ["cooking"], (4000, 5500), "职工食堂，早九晚六。"),
    ("厂区建筑维修工", ["masonry"], (4500, 6000), "厂房及宿舍日常维修。"),
]
SURNAMES = "马王李张刘杨丁海田苏白金冯何周哈"
GIVEN = ["建军", "海龙", "秀英", "玉兰", "志强", "学文", "小军", "春梅", "国庆", "永福",
         "明亮", "桂花", "德胜", "红霞", "立新", "彩霞"]  # fmt: skip
SEEKER_SKILLS = [
    ["electrician"], ["welding"], ["driving"], ["housekeeping"], ["cooking"],
    ["logistics", "driving"], ["machining", "welding"], ["masonry"], ["elderly-care"],
    ["e-commerce"], ["electrician", "machining"], ["cooking", "housekeeping"],
    ["agri-tech"], ["livestock"],
]  # fmt: skip
OUTCOMES = {
    ApplicationState.HIRED: ["已录用，下周一报到", "试用期一个月，已签合同"],
    ApplicationState.NOT_HIRED: ["岗位要求持证，暂不符合", "面试后双方未达成一致"],
    ApplicationState.WITHDRAWN: ["本人已在本地找到工作", "家中有事，暂不外出"],
}


def _point(rng: random.Random, code: str, spread: float = 0.08) -> tuple[float, float]:
    lat, lon = SEATS.get(code[:6], SEATS["640202"])
    return round(lat + rng.uniform(-spread, spread), 5), round(
        lon + rng.uniform(-spread, spread), 5
    )


def _backdate(model, pk: int, when: dt.date) -> None:
    at = timezone.make_aware(dt.datetime.combine(when, dt.time(10)))
    model.objects.filter(pk=pk).update(created_at=at, updated_at=at)


def populate(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    if Opening.objects.exists():
        return {}
    actor = get_user_model().objects.filter(is_superuser=True, username="admin").first()
    root = Organization.objects.filter(code=ROOT_CODE, parent=None).first()
    if actor is None or root is None:
        return {}
    skills = set(Skill.objects.filter(active=True).values_list("code", flat=True))
    bureaus = [
        u
        for u in AllianceUnit.objects.filter(
            name__contains="人力资源和社会保障局", active=True
        ).select_related("organization")
        if u.organization.region_id[:6] in CITY_COUNTIES
    ]
    county_paths = list(
        Organization.objects.filter(parent=root, region_id__in=CITY_COUNTIES).values_list(
            "path", flat=True
        )
    )
    employers = [
        org
        for org in Organization.objects.filter(
            status=OrgStatus.ACTIVE, units__kind=OrgUnitKind.ENTERPRISE
        )
        .distinct()
        .order_by("code")
        if any(org.path.startswith(p) for p in county_paths)
    ]
    streets = list(
        Region.objects.filter(
            level=RegionLevel.TOWNSHIP, parent_id__in=CITY_COUNTIES, kind=RegionKind.STREET
        ).order_by("code")
    )
    villages = list(
        Organization.objects.filter(
            path__startswith=root.path,
            status=OrgStatus.ACTIVE,
            region__kind=RegionKind.VILLAGERS,
        ).order_by("path")
    )
    if not bureaus or not villages or not streets:
        return {}
    openings = []

    def post(title, codes, pay, description, *, unit=None, employer=None, region):
        codes = [c for c in codes if c in skills]
        if not codes:
            return
        first = today - dt.timedelta(days=rng.randint(0, 240))
        lat, lon = _point(rng, region.code, 0.04)
        street = rng.choice(["园区路", "工业大道", "朝阳街", "健康路"])
        opening = services.opening_create(
            actor=actor, unit=unit, employer=employer, title=title, region=region,
            address=f"{street}{rng.randint(1, 99)}号",
            lat=lat, lon=lon, pay_min=pay[0], pay_max=pay[1], skills=codes,
            positions=rng.randint(1, 4), first_day=first,
            last_day=first + dt.timedelta(days=rng.choice([300, 365, 540])),
            description=description,
        )  # fmt: skip
        _backdate(Opening, opening.pk, first - dt.timedelta(days=rng.randint(3, 20)))
        openings.append(opening)

    for unit in bureaus:
        county_streets = [s for s in streets if s.code.startswith(unit.organization.region_id)]
        for title, codes, pay, description in BUREAU_POSTS:
            post(title, codes, pay, description, unit=unit, region=rng.choice(county_streets))
    for index, employer in enumerate(employers):
        for title, codes, pay, description in rng.sample(ENTERPRISE_POSTS, 2 + index % 2):
            post(title, codes, pay, description, employer=employer, region=employer.region)

    # Seekers: residents of villages across the city (every county's), a few of them members.
    seekers = []
    chosen_villages = rng.sample(villages, min(len(villages), SEEKERS // 2))
    members = list(
        Member.objects.filter(
            organization__in=chosen_villages, archived=False, birth_date__year__gte=1975
        ).order_by("pk")[:4]
    )
    for i in range(SEEKERS):
        member = members[i] if i < len(members) else None
        village = member.organization if member else chosen_villages[i % len(chosen_villages)]
        lat, lon = _point(rng, village.region_id)
        codes = [c for c in rng.choice(SEEKER_SKILLS) if c in skills] or sorted(skills)[:1]
        consent = today - dt.timedelta(days=rng.randint(5, 330))
        far = rng.random() < 0.35  # will work anywhere in the two urban districts
        seeker = services.seeker_register(
            actor=actor,
            member=member,
            organization=None if member else village,
            name="" if member else rng.choice(SURNAMES) + rng.choice(GIVEN),
            phone="" if member else f"139{rng.randint(10000000, 99999999)}",
            kinds=[SeekerKind.RETURNED_MIGRANT if rng.random() < 0.55 else SeekerKind.RURAL_LABOUR],
            skills=codes,
            max_km=rng.choice([20, 30, 50, 80]),
            regions=list(CITY_COUNTIES) if far else [],
            lat=lat,
            lon=lon,
            available_from=consent + dt.timedelta(days=rng.randint(0, 30)),
            consent_on=consent,
            note="（演示数据）",
        )
        _backdate(JobSeeker, seeker.pk, consent)
        seekers.append(seeker)

    # Applications: each seeker to one or two suggested openings; the older, the further on.
    from tongchou.jobs import selectors

    made = {state: 0 for state in ApplicationState.values}
    for seeker in seekers:
        suggestions = selectors.suggestions_for_seeker(actor, seeker, today=today)
        for suggestion in suggestions[: rng.choice([0, 1, 1, 2])]:
            opening = suggestion.opening
            applied = max(seeker.available_from, opening.created_at.date(), seeker.consent_on)
            applied = min(today, applied + dt.timedelta(days=rng.randint(0, 40)))
            try:
                application = services.application_create(
                    actor=actor, seeker=seeker, opening=opening, applied_on=applied
                )
            except ApplicationError:
                continue
            roll = rng.random()
            steps = []
            if roll < 0.15:
                steps = []
            elif roll < 0.3:
                steps = [ApplicationState.INTERVIEWING]
            elif roll < 0.55:
                steps = [ApplicationState.INTERVIEWING, ApplicationState.HIRED]
            elif roll < 0.75:
                steps = [ApplicationState.INTERVIEWING, ApplicationState.NOT_HIRED]
            elif roll < 0.85:
                steps = [ApplicationState.NOT_HIRED]
            else:
                steps = [ApplicationState.WITHDRAWN]
            day = applied
            state = ApplicationState.APPLIED
            for step in steps:
                day = min(today, day + dt.timedelta(days=rng.randint(2, 12)))
                try:
                    services.application_step(
                        actor=actor, application=application, to_state=step, on=day,
                        outcome=rng.choice(OUTCOMES.get(step, [""])),
                    )  # fmt: skip
                except ApplicationError:
                    break
                state = step
            made[state] += 1
    # Two people later withdrew their consent (their open applications are withdrawn too).
    withdrawn = 0
    for seeker in seekers[-2:]:
        services.seeker_withdraw_consent(actor=actor, seeker=seeker, on=today)
        withdrawn += 1
    labels = dict(ApplicationState.choices)
    counts = {"招聘岗位": len(openings), "求职者": len(seekers), "撤回同意": withdrawn}
    counts.update({f"申请·{labels[s]}": n for s, n in made.items() if n})
    return counts
