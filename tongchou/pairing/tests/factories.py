"""Pairs and joint records for tests. Pairs go through the services; the records they read
(sessions, trainings, exchanges) are written straight to their tables (their own services are
tested in their apps)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tongchou.education.models import StudyRecord
from tongchou.education.tests.factories import make_training
from tongchou.orglife.models import Attendance, AttendanceStatus, Session, SessionKind
from tongchou.pairing import services
from tongchou.talent.models import AssignmentState
from tongchou.talent.tests.factories import create_assignment, make_expert


def make_pair(
    world, *, orgs=None, actor=None, start=dt.date(2025, 1, 1), end=dt.date(2027, 12, 31), **kw
):
    """Street A (urban) with village A (rural), by county A's admin."""
    values = {"name": "甲街道·甲村结对共建", "kind": "pairing"}
    values.update(kw)
    return services.pair_create(
        actor=actor or world.admin_a,
        organizations=orgs or [world.a.street, world.a.village],
        starts_on=start,
        ends_on=end,
        **values,
    )


def joint_session(holder, partners, day: dt.date, *, present=(), topic="联合主题党日"):
    starts_at = dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())
    session = Session.objects.create(
        kind=SessionKind.THEME_DAY,
        organization=holder,
        org_path=holder.path,
        starts_at=starts_at,
        held_on=day,
        topic=topic,
    )
    session.partners.set(partners)
    for member in present:
        Attendance.objects.create(
            session=session,
            member=member,
            status=AttendanceStatus.PRESENT_OFFLINE,
            held_on=day,
        )
    return session


def training_for(holder, participants, day: dt.date, hours=Decimal("6")):
    training = make_training(holder, held_on=day, hours=hours)
    for member in participants:
        StudyRecord.objects.create(
            member=member,
            org_path=member.org_path,
            training=training,
            title=training.title,
            hours=hours,
            studied_on=day,
        )
    return training


def exchange(from_org, to_org, first: dt.date, days: int, *, state=AssignmentState.ACTIVE):
    talent = make_expert(from_org, name="王农技")
    return create_assignment(
        talent=talent,
        kind="stationed",
        from_org=from_org,
        from_path=from_org.path,
        to_org=to_org,
        to_path=to_org.path,
        first_day=first,
        last_day=first + dt.timedelta(days=days - 1),
        state=state,
    )
