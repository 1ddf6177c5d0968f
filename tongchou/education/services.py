"""Writes of member education: courses, study records, skills trainings and their participants.

Every write checks the actor's right on the organization concerned, validates, runs in one
transaction and leaves an audit event. Hours are facts: a record holds more than 0 and at most
24 hours, on a day not in the future.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.education.models import Course, CourseMode, StudyRecord, Training
from tongchou.education.permissions import can_manage_training
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action, can

MAX_RECORD_HOURS = Decimal(24)
MAX_COURSE_HOURS = Decimal(999)
COURSE_FIELDS = ["title", "provider", "hours", "mode", "organization", "description"]
TRAINING_FIELDS = [
    "title",
    "skill",
    "organization",
    "station",
    "held_on",
    "hours",
    "trainer",
    "place",
]
RECORD_FIELDS = ["member", "course", "training", "title", "hours", "studied_on"]


def _hours(value, *, field: str = "hours", most: Decimal = MAX_RECORD_HOURS) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError("invalid_hours", _("学时应为数字。"), field=field) from None
    if hours <= 0:
        raise ApplicationError("invalid_hours", _("学时应大于0。"), field=field)
    if hours > most:
        raise ApplicationError("invalid_hours", _("学时不能超过%(n)s。") % {"n": most}, field=field)
    return hours


def _text(value: str, *, field: str, label: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError("required", _("请填写%(label)s。") % {"label": label}, field=field)
    return value


def _not_future(day: dt.date, *, field: str, label: str) -> None:
    if day > timezone.localdate():
        raise ApplicationError(
            "future_date", _("%(label)s不能晚于今天。") % {"label": label}, field=field
        )


def _active_org(org: Organization, field: str = "organization") -> None:
    if org.status != OrgStatus.ACTIVE:
        raise ApplicationError("organization_dissolved", _("该党组织已撤销。"), field=field)


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        field, messages = next(iter(fields.items()))
        extra = {"fields": fields}
        raise ApplicationError("invalid", messages[0], field=field, extra=extra) from None


# --- courses ---------------------------------------------------------------------------------


def _check_course(course: Course) -> None:
    course.title = _text(course.title, field="title", label=_("课程名称"))
    course.provider = _text(course.provider, field="provider", label=_("提供方"))
    course.hours = _hours(course.hours, most=MAX_COURSE_HOURS)
    if course.mode not in CourseMode.values:
        raise ApplicationError("invalid", _("请选择线上或线下。"), field="mode")
    _full_clean(course, exclude=["org_path"])


@transaction.atomic
def course_create(
    *,
    actor,
    organization: Organization,
    title: str,
    provider: str,
    hours,
    mode: str,
    description: str = "",
) -> Course:
    """A course offered by ``organization`` to its whole subtree."""
    if not can(actor, Action.MANAGE_MEMBERS, organization.path):
        raise PermissionDenied
    _active_org(organization)
    course = Course(
        organization=organization,
        org_path=organization.path,
        title=title,
        provider=provider,
        hours=hours,
        mode=mode,
        description=(description or "").strip(),
    )
    _check_course(course)
    course.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=course,
        org_path=course.org_path,
        after=audit.snapshot(course, COURSE_FIELDS),
    )
    return course


COURSE_EDITABLE = {"title", "provider", "hours", "mode", "description"}


@transaction.atomic
def course_update(*, actor, course: Course, **changes) -> Course:
    unknown = set(changes) - COURSE_EDITABLE
    if unknown:
        raise ApplicationError("not_editable", f"cannot change {', '.join(sorted(unknown))}")
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not can(actor, Action.MANAGE_MEMBERS, course.org_path):
        raise PermissionDenied
    before = audit.snapshot(course, COURSE_FIELDS)
    for field, value in changes.items():
        setattr(course, field, value)
    _check_course(course)
    course.save()
    audit.record_update(
        actor=actor,
        obj=course,
        org_path=course.org_path,
        before=before,
        after=audit.snapshot(course, COURSE_FIELDS),
    )
    return course


# --- study records ---------------------------------------------------------------------------


@transaction.atomic
def study_record_create(
    *,
    actor,
    member,
    studied_on: dt.date,
    hours=None,
    title: str = "",
    course: Course | None = None,
) -> StudyRecord:
    """One study record of a member in the actor's MANAGE_MEMBERS scope. With a course, the
    title comes from the course and the hours default to the course's."""
    from tongchou.education.selectors import courses_for_member

    if not can(actor, Action.MANAGE_MEMBERS, member.org_path):
        raise PermissionDenied
    if member.archived:
        raise ApplicationError("member_archived", _("已归档的党员不能登记学习。"), field="member")
    if course is not None:
        if not courses_for_member(member).filter(pk=course.pk).exists():
            raise ApplicationError(
                "course_not_offered",
                _("该课程不是该党员所在党组织或其上级开设的课程。"),
                field="course",
            )
        title = (title or "").strip() or course.title
        if hours in (None, ""):
            hours = course.hours
    if hours in (None, ""):
        raise ApplicationError("required", _("请填写学时。"), field="hours")
    record = StudyRecord(
        member=member,
        org_path=member.org_path,
        course=course,
        title=_text(title, field="title", label=_("学习内容")),
        hours=_hours(hours),
        studied_on=studied_on,
        recorded_by=actor,
    )
    _not_future(studied_on, field="studied_on", label=_("学习日期"))
    _full_clean(record, exclude=["org_path", "recorded_by", "training"])
    record.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        org_path=record.org_path,
        after=audit.snapshot(record, RECORD_FIELDS),
    )
    return record


@transaction.atomic
def study_record_delete(*, actor, record: StudyRecord) -> None:
    """Remove a record entered by mistake. A training's records change with its participants
    (``training_participants_set``), not one by one."""
    record = StudyRecord.objects.select_for_update().filter(pk=record.pk).first()
    if record is None:
        raise ApplicationError("not_found", _("该学习记录已不存在。"))
    if not can(actor, Action.MANAGE_MEMBERS, record.org_path):
        raise PermissionDenied
    if record.training_id:
        raise ApplicationError(
            "training_record",
            _("培训的学习记录随参训名单变动，请在培训页修改参训党员。"),
        )
    before = audit.snapshot(record, RECORD_FIELDS)
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=record,
        org_path=record.org_path,
        before=before,
    )
    record.delete()


# --- trainings -------------------------------------------------------------------------------


def _check_training(training: Training) -> None:
    training.title = _text(training.title, field="title", label=_("培训名称"))
    training.skill = (training.skill or "").strip()
    training.trainer = (training.trainer or "").strip()
    training.place = (training.place or "").strip()
    training.hours = _hours(training.hours)
    _full_clean(training, exclude=["org_path", "created_by"])


@transaction.atomic
def training_create(
    *,
    actor,
    organization: Organization | None = None,
    station=None,
    title: str,
    skill: str = "",
    held_on: dt.date,
    hours,
    trainer: str = "",
    place: str = "",
) -> Training:
    """A skills training held by an organization, or at a member service station (then the
    station's organization holds it, and the station's staff may write it). A training may be
    planned ahead; participants are listed once it has been held."""
    if station is not None:
        if organization is None:
            organization = station.organization
        elif organization.pk != station.organization_id:
            raise ApplicationError(
                "station_elsewhere", _("该服务站不属于所选党组织。"), field="station"
            )
        if not station.active:
            raise ApplicationError("station_closed", _("该服务站已停止运行。"), field="station")
    if organization is None:
        raise ApplicationError("required", _("请选择举办党组织或服务站。"), field="organization")
    if not can_manage_training(actor, org_path=organization.path, station=station):
        raise PermissionDenied
    _active_org(organization)
    training = Training(
        organization=organization,
        org_path=organization.path,
        station=station,
        title=title,
        skill=skill,
        held_on=held_on,
        hours=hours,
        trainer=trainer,
        place=(place or "").strip() or (station.address if station is not None else ""),
        created_by=actor,
    )
    _check_training(training)
    training.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=training,
        org_path=training.org_path,
        after=audit.snapshot(training, TRAINING_FIELDS),
    )
    return training


TRAINING_EDITABLE = {"title", "skill", "held_on", "hours", "trainer", "place"}


def _lock_training(actor, training: Training) -> Training:
    training = (
        Training.objects.select_for_update(of=("self",))
        .select_related("station")
        .get(pk=training.pk)
    )
    if not can_manage_training(actor, org_path=training.org_path, station=training.station):
        raise PermissionDenied
    return training


@transaction.atomic
def training_update(*, actor, training: Training, **changes) -> Training:
    """Change a training; its participants' records follow (title, hours, date)."""
    unknown = set(changes) - TRAINING_EDITABLE
    if unknown:
        raise ApplicationError("not_editable", f"cannot change {', '.join(sorted(unknown))}")
    training = _lock_training(actor, training)
    before = audit.snapshot(training, TRAINING_FIELDS)
    for field, value in changes.items():
        setattr(training, field, value)
    _check_training(training)
    records = StudyRecord.objects.filter(training=training)
    if training.held_on > timezone.localdate() and records.exists():
        raise ApplicationError(
            "future_date",
            _("已登记参训党员的培训，日期不能晚于今天。"),
            field="held_on",
        )
    training.save()
    records.update(title=training.title, hours=training.hours, studied_on=training.held_on)
    audit.record_update(
        actor=actor,
        obj=training,
        org_path=training.org_path,
        before=before,
        after=audit.snapshot(training, TRAINING_FIELDS),
    )
    return training


@transaction.atomic
def training_participants_set(*, actor, training: Training, members) -> Training:
    """Make ``members`` the training's participants: each becomes one study record linked to
    the training with its hours and date (filed under the member's own organization, so the
    hours count at home); those no longer listed lose theirs.

    Who may be listed is ``selectors.training_candidates_for``: members of the holding
    organization's subtree, mobile members whose inflow side is it (or this station), and any
    member in the actor's own MANAGE_MEMBERS scope. Anyone else refuses the whole list (nothing
    is written); someone already listed may stay even if they no longer qualify.
    """
    from tongchou.education.selectors import training_candidates_for

    training = _lock_training(actor, training)
    wanted = {m.pk: m for m in members}
    if wanted and training.held_on > timezone.localdate():
        raise ApplicationError(
            "not_held_yet", _("培训尚未举行，举行后再登记参训党员。"), field="members"
        )
    listed = StudyRecord.objects.filter(training=training)
    existing = set(listed.values_list("member_id", flat=True))
    removed = sorted(existing - set(wanted))
    added = sorted(set(wanted) - existing)
    # Only newcomers are checked: someone listed before stays until unticked, even if they
    # have moved away since.
    allowed = dict(
        training_candidates_for(actor, training).filter(pk__in=added).values_list("pk", "org_path")
    )
    refused = sorted(set(added) - set(allowed))
    if refused:
        raise ApplicationError(
            "participant_not_allowed",
            _(
                "编号为 %(ids)s 的党员不能登记为本培训的参训党员"
                "（不在本组织、未流入本地，也不在您的管理范围内）。"
            )
            % {"ids": "、".join(str(pk) for pk in refused[:10])},
            field="members",
        )
    if removed:
        StudyRecord.objects.filter(training=training, member_id__in=removed).delete()
    StudyRecord.objects.bulk_create(
        [
            StudyRecord(
                member_id=pk,
                org_path=allowed[pk],
                training=training,
                title=training.title,
                hours=training.hours,
                studied_on=training.held_on,
                recorded_by=actor,
            )
            for pk in added
        ]
    )
    if added or removed:
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=training,
            org_path=training.org_path,
            before={"participants": sorted(existing)},
            after={"participants": sorted(wanted)},
            note=f"+{len(added)} -{len(removed)}",
        )
    return training
