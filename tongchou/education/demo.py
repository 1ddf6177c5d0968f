"""Shizuishan demo data for member education: a dozen courses (the city Party school's, the
county schools', online ones from 共产党员网 and 学习强国), study records for about three
thousand members this year and last, and skills trainings (电商直播, 农机维修, 快递安全 …) at the
member service stations and at rural townships, with participants — mobile members at the
stations among them, so their hours count at home.

Courses and trainings go through the services. Study records are many, so they are written
with ``bulk_create`` after the same checks the service makes (hours, date, course offered to the
member) and one audit event for the batch. Idempotent: nothing happens when courses exist."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model

from tongchou.core import audit, tree
from tongchou.core.models import AuditAction
from tongchou.education import services
from tongchou.education.models import Course, CourseMode, StudyRecord
from tongchou.members.models import Member
from tongchou.organizations.models import Organization, OrgKind, OrgStatus
from tongchou.regions.models import UrbanRural

ROOT_CODE = "6402"
STUDYING_MEMBERS = 3000

# (offered by: "root" or a county code, title, provider, hours, mode)
COURSES = [
    ("root", "学习贯彻习近平新时代中国特色社会主义思想", "石嘴山市委党校", "4", "offline"),
    ("root", "党章党规党纪专题学习", "石嘴山市委党校", "3", "offline"),
    ("root", "党的二十届三中全会精神解读", "共产党员网", "2", "online"),
    ("root", "铸牢中华民族共同体意识", "共产党员网", "1.5", "online"),
    ("root", "乡村振兴政策与实践", "学习强国", "2", "online"),
    ("root", "网络安全与保密常识", "学习强国", "1", "online"),
    ("root", "黄河流域生态保护和高质量发展", "石嘴山市委党校", "3", "offline"),
    ("640202", "基层党组织书记履职能力提升", "大武口区委党校", "4", "offline"),
    ("640202", "城市社区治理专题", "大武口区委党校", "2", "offline"),
    ("640205", "新就业群体党建工作实务", "惠农区委党校", "2", "offline"),
    ("640221", "现代农业实用技术", "平罗县委党校", "3", "offline"),
    ("640221", "农村集体经济发展", "平罗县委党校", "2.5", "online"),
]
SELF_STUDY = ["自学《习近平谈治国理政》", "观看党员教育电视片", "参加“三会一课”专题党课"]

# (skill, title, hours, trainer)
SKILLS = [
    ("电商直播", "农产品电商直播带货培训", "6", "石嘴山市电子商务协会讲师"),
    ("农机维修", "农机具维修保养实操培训", "8", "平罗县农机推广中心技术员"),
    ("快递安全", "快递外卖骑手交通与消防安全培训", "3", "大武口区交警大队民警"),
    ("家政服务", "家政服务技能培训", "6", "石嘴山市人社局职业培训中心"),
    ("电工", "低压电工上岗培训", "8", "石嘴山工贸职业技术学院教师"),
]


def _day(today: dt.date, rng: random.Random, year: int) -> dt.date:
    start = dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), today)
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def populate(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    if Course.objects.exists():
        return {}
    actor = get_user_model().objects.filter(is_superuser=True, username="admin").first()
    root = Organization.objects.filter(code=ROOT_CODE, parent=None).first()
    if actor is None or root is None:
        return {}  # no foundation demo here
    counties = {o.code: o for o in Organization.objects.filter(parent=root)}
    courses = []
    for offered_by, title, provider, hours, mode in COURSES:
        org = root if offered_by == "root" else counties.get(offered_by)
        if org is None:
            continue
        courses.append(
            services.course_create(
                actor=actor,
                organization=org,
                title=title,
                provider=provider,
                hours=Decimal(hours),
                mode=CourseMode(mode),
                description=f"{provider}{'线上' if mode == 'online' else '线下'}课程。",
            )
        )
    records = _study_records(today, rng, actor, courses)
    trainings, attended = _trainings(today, rng, actor)
    return {"课程": len(courses), "学习记录": records, "技能培训": trainings, "参训人次": attended}


def _study_records(today: dt.date, rng: random.Random, actor, courses: list[Course]) -> int:
    ids = list(Member.objects.filter(archived=False).order_by("id").values_list("pk", flat=True))
    chosen = sorted(rng.sample(ids, min(STUDYING_MEMBERS, len(ids))))
    members = Member.objects.filter(pk__in=chosen).values_list("pk", "org_path")
    rows: list[StudyRecord] = []
    for member_id, org_path in members.iterator(chunk_size=2000):
        offered = [c for c in courses if org_path.startswith(c.org_path)]
        for year, low, high in ((today.year - 1, 3, 9), (today.year, 1, 6)):
            for _ in range(rng.randint(low, high)):
                course = rng.choice(offered) if offered and rng.random() < 0.8 else None
                title = course.title if course else rng.choice(SELF_STUDY)
                hours = course.hours if course else Decimal(rng.choice(["1", "1.5", "2"]))
                studied_on = _day(today, rng, year)
                # The service's own checks, row by row.
                services._hours(hours)
                services._not_future(studied_on, field="studied_on", label="学习日期")
                rows.append(
                    StudyRecord(
                        member_id=member_id,
                        org_path=org_path,
                        course=course,
                        title=title,
                        hours=hours,
                        studied_on=studied_on,
                        recorded_by=actor,
                    )
                )
    StudyRecord.objects.bulk_create(rows, batch_size=2000)
    audit.record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type="education.studyrecord",
        object_repr=f"学习记录 {len(rows)} 条（演示数据）",
        org_path=Organization.objects.get(code=ROOT_CODE, parent=None).path,
        note=f"demo: {len(rows)} study records of {len(chosen)} members",
    )
    return len(rows)


def _trainings(today: dt.date, rng: random.Random, actor) -> tuple[int, int]:
    from tongchou.mobility.models import MobileMember, MobilityStatus, ServiceStation

    held = 0
    attended = 0
    places = [(s.organization, s) for s in ServiceStation.objects.filter(active=True)]
    places.sort(key=lambda p: p[1].pk)
    townships = list(
        Organization.objects.filter(
            depth=3,
            kind=OrgKind.COMMITTEE,
            urban_rural=UrbanRural.RURAL,
            status=OrgStatus.ACTIVE,
        ).order_by("code")[:4]
    )
    places += [(org, None) for org in townships]
    by_skill = {s[0]: s for s in SKILLS}
    station_skills = ["快递安全", "电商直播", "家政服务", "电工"]
    for index, (org, station) in enumerate(places):
        if station is None:  # rural townships: machinery and selling the produce online
            chosen = [by_skill["农机维修"], by_skill["电商直播"]]
        else:
            chosen = [by_skill[station_skills[(index + k) % 4]] for k in range(3)]
        for skill, title, hours, trainer in chosen:
            for year in (today.year - 1, today.year):
                held_on = _day(today, rng, year)
                training = services.training_create(
                    actor=actor,
                    organization=org,
                    station=station,
                    title=title,
                    skill=skill,
                    held_on=held_on,
                    hours=Decimal(hours),
                    trainer=trainer,
                    place="" if station else f"{org.name}党群服务中心",
                )
                local = list(
                    Member.objects.filter(tree.subtree_q(org.path, "org_path"), archived=False)
                    .order_by("id")
                    .values_list("pk", flat=True)[:400]
                )
                away = []
                if station is not None:
                    away = list(
                        MobileMember.objects.filter(
                            station=station, status=MobilityStatus.OPEN, member__isnull=False
                        ).values_list("member_id", flat=True)
                    )
                ids = set(rng.sample(local, min(len(local), rng.randint(8, 25))))
                ids.update(rng.sample(away, min(len(away), rng.randint(3, 10))))
                members = list(Member.objects.filter(pk__in=ids))
                services.training_participants_set(actor=actor, training=training, members=members)
                held += 1
                attended += len(members)
    return held, attended
