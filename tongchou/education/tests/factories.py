"""Education rows written straight to the tables (services are tested on their own)."""

import datetime as dt
from decimal import Decimal

from tongchou.education.models import Course, StudyRecord, Training


def make_course(org, **kw) -> Course:
    values = {
        "title": "学习党章党规",
        "provider": "石嘴山市委党校",
        "hours": Decimal("4"),
        "mode": "offline",
    }
    values.update(kw)
    return Course.objects.create(organization=org, org_path=org.path, **values)


def make_record(member, **kw) -> StudyRecord:
    values = {"title": "自学", "hours": Decimal("2"), "studied_on": dt.date.today()}
    values.update(kw)
    return StudyRecord.objects.create(member=member, org_path=member.org_path, **values)


def make_training(org, **kw) -> Training:
    values = {
        "title": "电商直播培训",
        "skill": "电商直播",
        "held_on": dt.date.today() - dt.timedelta(days=1),
        "hours": Decimal("6"),
    }
    values.update(kw)
    return Training.objects.create(organization=org, org_path=org.path, **values)
