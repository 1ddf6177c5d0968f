"""Shizuishan demo data for pairing (结对共建, 两联两帮, 六联共建): a handful of pairs across the
urban–rural line, built on the organizations and records the other demos made:

* 石嘴山市委 (owner of the city Party service centre) with the village that booked the centre
  most — the bookings already made show as resources flowing city→village;
* the street working committee and the village of the busiest stationed exchange (驻村帮扶) —
  the exchange shows as talent flowing city→village;
* the city community and the village of a 进城实训 exchange — talent flowing village→city;
* an enterprise's branch in 大武口区 with a village of 星海镇 — joint theme days and an
  e-commerce training for the village's members;
* 大武口区委 with a village of 平罗县 (六联共建).

Each pair gets its items for this year and last (joint activities, rooms, talent, money
promised) and a few joint organizational-life sessions held by either side with the other as
partner, recorded through the orglife services (attendance: everyone expected present). What
flowed is never typed: the summaries read those sessions, the bookings, trainings and
exchanges. Deterministic for a seed; idempotent (nothing happens when pairs exist)."""

import datetime as dt
import random
from collections import Counter

from django.contrib.auth import get_user_model
from django.utils import timezone

from tongchou.core.errors import ApplicationError
from tongchou.organizations.models import Organization, OrgKind, OrgStatus
from tongchou.pairing import services
from tongchou.pairing.models import Pair
from tongchou.regions.models import RegionKind, UrbanRural

ROOT_CODE = "6402"
THEMES = [
    "城乡结对联学：学习党的二十届四中全会精神",
    "联合主题党日：走进田间地头",
    "结对共建志愿服务：为老人义诊理发",
    "联合党课：乡村振兴中的党员作用",
    "城乡共话产业发展座谈",
    "联合主题党日：社区居民进村采摘助农",
]


def _items(pair: Pair, year: int, rng: random.Random, actor) -> int:
    specs = [
        ("activities", "u2r", "城市一方到村开展联合主题党日", rng.choice([4, 6]), "uses"),
        ("activities", "r2u", "村党员进城参加联学联建活动", rng.choice([2, 3]), "uses"),
        ("resources", "u2r", "开放党群服务中心场地供村组织生活使用", rng.choice([6, 8]), "uses"),
        ("talent", "u2r", "选派干部驻村帮扶", rng.choice([60, 90, 120]), "person_days"),
        ("talent", "r2u", "村党员进城实训", rng.choice([2, 3, 5]), "people"),
        ("money", "u2r", "支持村集体经济和阵地建设资金", rng.choice([30000, 50000, 80000]), "yuan"),
    ]
    n = 0
    for kind, direction, description, quantity, unit in specs:
        try:
            services.pair_item_add(
                actor=actor,
                pair=pair,
                year=year,
                kind=kind,
                direction=direction,
                description=description,
                quantity=quantity,
                unit=unit,
            )
            n += 1
        except ApplicationError:
            continue
    return n


def _sessions(pair_orgs, today: dt.date, rng: random.Random, actor) -> int:
    """Joint sessions this season: the urban side hosts most, the village some."""
    from tongchou.orglife import services as orglife
    from tongchou.orglife.models import SessionFormat, SessionKind

    urban, rural = pair_orgs
    n = 0
    for i in range(rng.randint(3, 5)):
        days_ago = rng.randint(10, 150)
        host, partner = (urban, rural) if i % 3 != 2 else (rural, urban)
        starts_at = timezone.make_aware(
            dt.datetime.combine(
                today - dt.timedelta(days=days_ago), dt.time(rng.choice([9, 14, 15]))
            )
        )
        try:
            session = orglife.session_create(
                actor=actor,
                organization=host,
                kind=SessionKind.THEME_DAY,
                starts_at=starts_at,
                format=SessionFormat.OFFLINE,
                topic=rng.choice(THEMES),
                place=f"{rural.name.removesuffix('党支部').removesuffix('党总支')}村部"
                if host == rural
                else "党群服务中心",
                partners=[partner],
            )
            orglife.attendance_record(actor=actor, session=session, entries={}, everyone="offline")
        except ApplicationError:
            continue
        n += 1
    return n


def _training(urban, rural, today: dt.date, actor) -> int:
    from tongchou.education import services as education
    from tongchou.members.models import Member

    try:
        training = education.training_create(
            actor=actor,
            organization=urban,
            title="农产品电商直播带货培训",
            skill="电商直播",
            held_on=today - dt.timedelta(days=40),
            hours=6,
            trainer="企业电商运营主管",
            place="企业电商直播间",
        )
        members = list(
            Member.objects.filter(organization=rural, archived=False).order_by("pk")[:12]
        )
        education.training_participants_set(actor=actor, training=training, members=members)
    except ApplicationError:
        return 0
    return 1


def populate(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    from tongchou.resources.models import Booking, BookingState
    from tongchou.talent.flows import FLOWED
    from tongchou.talent.models import Assignment

    if Pair.objects.exists():
        return {}
    actor = get_user_model().objects.filter(is_superuser=True, username="admin").first()
    root = Organization.objects.filter(code=ROOT_CODE, parent=None).first()
    if actor is None or root is None:
        return {}
    active = Organization.objects.filter(status=OrgStatus.ACTIVE).select_related("region")
    rural = {
        o.pk: o for o in active.filter(kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH])
        if services.side_of(o) == UrbanRural.RURAL
    }  # fmt: skip
    used: set[int] = set()
    plans: list[tuple[str, str, Organization, Organization, bool]] = []

    def plan(name, kind, urban, village, training=False):
        if urban is None or village is None or urban.pk in used or village.pk in used:
            return
        if services.side_of(urban) != UrbanRural.URBAN or village.pk not in rural:
            return
        used.update({urban.pk, village.pk})
        plans.append((name, kind, urban, village, training))

    # 1. The city committee (its Party service centre) with the village that booked it most.
    bookers = Counter(
        Booking.objects.filter(
            state=BookingState.CONFIRMED, resource__owner=root, organization_id__in=rural
        ).values_list("organization_id", flat=True)
    )
    if bookers:
        village = rural[bookers.most_common(1)[0][0]]
        plan(f"市党群服务中心·{village.name}结对共建", "pairing", root, village)
    # 2–3. The busiest exchanges each way (驻村帮扶 city→village, 进城实训 village→city).
    exchanges = Assignment.objects.filter(state__in=FLOWED).select_related(
        "from_org__region", "to_org__region"
    )
    for a in exchanges.order_by("first_day", "pk"):
        if a.kind in ("stationed", "first_secretary") and a.to_org_id in rural:
            plan(f"{a.from_org.name}·{a.to_org.name}两联两帮", "two_links", a.from_org, a.to_org)
            break
    for a in exchanges.order_by("first_day", "pk"):
        if a.kind == "city_training" and a.from_org_id in rural:
            plan(f"{a.to_org.name}·{a.from_org.name}结对共建", "pairing", a.to_org, a.from_org)
            break
    # 4. An enterprise of 大武口区 with a village of 星海镇 (e-commerce training).
    enterprise = active.filter(code="640202010E01").first()
    village = next(
        (
            o
            for o in active.filter(
                code__startswith="640202100", region__kind=RegionKind.VILLAGERS
            ).order_by("code")
            if o.pk in rural and o.pk not in used
        ),
        None,
    )
    if enterprise is not None and village is not None:
        plan(f"{enterprise.name}·{village.name}村企结对", "two_links", enterprise, village, True)
    # 5. 大武口区委 with a village of 平罗县 (六联共建).
    county = active.filter(code="640202").first()
    village = next(
        (
            o
            for o in active.filter(
                code__startswith="640221", region__kind=RegionKind.VILLAGERS
            ).order_by("code")[:200]
            if o.pk in rural and o.pk not in used
        ),
        None,
    )
    plan(f"大武口区委·{village.name if village else ''}六联共建", "six_links", county, village)

    pairs = items = sessions = trainings = 0
    start = dt.date(today.year - 1, 1, 1)
    for name, kind, urban, village, training in plans:
        try:
            pair = services.pair_create(
                actor=actor,
                name=name[:200],
                kind=kind,
                starts_on=start,
                ends_on=dt.date(today.year + 1, 12, 31),
                organizations=[urban, village],
                notes="按年度签订结对共建协议，约定活动共办、阵地共用、人才共育、资金帮扶。",
            )
        except ApplicationError:
            continue
        pairs += 1
        for year in (today.year - 1, today.year):
            items += _items(pair, year, rng, actor)
        sessions += _sessions((urban, village), today, rng, actor)
        if training:
            trainings += _training(urban, village, today, actor)
    return {"结对共建": pairs, "共建事项": items, "联合组织生活": sessions, "结对培训": trainings}
