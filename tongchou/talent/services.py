"""Writes of the talent pool, needs and exchanges.

Who writes what:
  * a member edits their own profile (at /me/); secretaries and admins (``MANAGE_MEMBERS``)
    curate the profiles of their subtree and register outside experts;
  * an organization's secretary or admin posts its needs;
  * an exchange is written by a manager of either organization;
  * a matching round is run by a coordinator (``tongchou/talent/rounds.py``).

An exchange (assignment)::

    planned ──start──▶ active ──complete──▶ completed
       │                 │
       └──end early──────┴──────────────▶ ended_early

Matching rounds are in ``tongchou/talent/rounds.py``.

Every write checks the actor's right, validates, runs in one transaction, leaves an audit event
and returns the object; a broken rule raises ApplicationError and changes nothing.
"""

import datetime as dt
import math
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit, crypto
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.core.validators import normalize_phone, validate_phone
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action, can
from tongchou.regions.flows import class_of, direction_of
from tongchou.talent.models import (
    Assignment,
    AssignmentState,
    Availability,
    ExchangeKind,
    Need,
    NeedStatus,
    Priority,
    Skill,
    Talent,
    TalentKind,
    WorkLogEntry,
)

TALENT_FIELDS = [
    "kind",
    "member",
    "expert_name",
    "organization",
    "current_post",
    "returning",
    "max_km",
    "home_lat",
    "home_lon",
    "capacity",
    "active",
    "note",
]
NEED_FIELDS = [
    "organization",
    "title",
    "skill",
    "kind",
    "first_day",
    "last_day",
    "place",
    "lat",
    "lon",
    "slots",
    "priority",
    "description",
    "status",
]
ASSIGNMENT_FIELDS = [
    "talent",
    "kind",
    "from_org",
    "to_org",
    "first_day",
    "last_day",
    "ended_on",
    "goals",
    "state",
    "summary",
    "need",
]
MAX_KM = 20_000  # half the Earth's circumference, rounded down
MAX_SLOTS = 100
MAX_CAPACITY = 20
BUSY_STATES = (AssignmentState.PLANNED, AssignmentState.ACTIVE)


# --- checks ----------------------------------------------------------------------------------


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False)
    except DjangoValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        field, messages = next(iter(fields.items()))
        raise ApplicationError(
            "invalid", messages[0], field=field, extra={"fields": fields}
        ) from None


def _text(value, *, field: str, label: str, required: bool = True, most: int = 200) -> str:
    value = str(value or "").replace("\x00", "").strip()
    if required and not value:
        raise ApplicationError("required", _("请填写%(label)s。") % {"label": label}, field=field)
    if len(value) > most:
        raise ApplicationError(
            "too_long", _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": most}, field=field
        )
    return value


def _period(first, last, *, field: str = "last_day") -> tuple[dt.date, dt.date]:
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        raise ApplicationError("required", _("请填写开始和结束日期。"), field=field)
    if last < first:
        raise ApplicationError("period_order", _("结束日期不能早于开始日期。"), field=field)
    return first, last


def _coordinate(value, *, field: str, lo: float, hi: float, required: bool) -> float | None:
    if value is None or value == "":
        if required:
            raise ApplicationError("required", _("请填写经纬度。"), field=field)
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApplicationError("invalid_coordinate", _("经纬度应为数字。"), field=field) from None
    if not math.isfinite(number) or not lo <= number <= hi:
        raise ApplicationError(
            "invalid_coordinate",
            _("经纬度超出范围（纬度 -90～90，经度 -180～180）。"),
            field=field,
        )
    return number


def _int(value, *, field: str, label: str, lo: int, hi: int, required: bool = True):
    if value is None or value == "":
        if required:
            raise ApplicationError(
                "required", _("请填写%(label)s。") % {"label": label}, field=field
            )
        return None
    if isinstance(value, bool):
        value = "x"
    try:
        number = int(value)
        if number != value and str(number) != str(value).strip():
            raise ValueError
    except (TypeError, ValueError):
        raise ApplicationError(
            "invalid_number", _("%(label)s应为整数。") % {"label": label}, field=field
        ) from None
    if not lo <= number <= hi:
        raise ApplicationError(
            "out_of_range",
            _("%(label)s应在%(lo)s～%(hi)s之间。") % {"label": label, "lo": lo, "hi": hi},
            field=field,
        )
    return number


def skills_from(values: Iterable) -> list[Skill]:
    """Skills by instance, id or code; any unknown or retired one is refused by name."""
    values = list(values or [])
    wanted_codes = {str(v) for v in values if not isinstance(v, Skill | int)}
    wanted_ids = {v for v in values if isinstance(v, int) and not isinstance(v, bool)}
    found = {s.code: s for s in Skill.objects.filter(code__in=wanted_codes, active=True)}
    by_id = {s.pk: s for s in Skill.objects.filter(pk__in=wanted_ids, active=True)}
    out = []
    for v in values:
        skill = (
            v if isinstance(v, Skill) else by_id.get(v) if isinstance(v, int) else found.get(str(v))
        )
        if skill is None or not skill.active:
            raise ApplicationError(
                "unknown_skill",
                _("未知的技能：%(s)s（请从技能类别中选择）。") % {"s": str(v)[:50]},
                field="skills",
            )
        if skill not in out:
            out.append(skill)
    return out


def regions_from(values: Iterable) -> list:
    """Divisions by instance or code; an unknown code is refused by name."""
    from tongchou.regions.models import Region

    values = list(values or [])
    codes = {str(v).strip() for v in values if not isinstance(v, Region)}
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    out = []
    for v in values:
        region = v if isinstance(v, Region) else found.get(str(v).strip())
        if region is None:
            raise ApplicationError(
                "unknown_region",
                _("未知的区划代码：%(c)s。") % {"c": str(v)[:20]},
                field="regions",
            )
        if region not in out:
            out.append(region)
    return out


def _active_org(org: Organization, field: str = "organization") -> None:
    if org.status != OrgStatus.ACTIVE:
        raise ApplicationError("organization_dissolved", _("该党组织已撤销。"), field=field)


def _is_own(actor, talent: Talent) -> bool:
    return bool(
        talent.member_id
        and getattr(actor, "is_authenticated", False)
        and talent.member.user_id == actor.pk
    )


def may_edit_talent(actor, talent: Talent) -> bool:
    return _is_own(actor, talent) or can(actor, Action.MANAGE_MEMBERS, talent.scope_path)


# --- talent profiles -------------------------------------------------------------------------


def _profile_values(talent: Talent, values: dict) -> None:
    if "current_post" in values:
        talent.current_post = _text(
            values["current_post"],
            field="current_post",
            label=_("现任职务"),
            required=False,
            most=100,
        )
    if "returning" in values:
        talent.returning = bool(values["returning"])
    if "max_km" in values:
        talent.max_km = _int(
            values["max_km"],
            field="max_km",
            label=_("最远服务距离"),
            lo=0,
            hi=MAX_KM,
            required=False,
        )
    if "capacity" in values:
        talent.capacity = _int(
            values["capacity"],
            field="capacity",
            label=_("可同时承担的需求数"),
            lo=0,
            hi=MAX_CAPACITY,
        )
    if "home_lat" in values or "home_lon" in values:
        lat = _coordinate(
            values.get("home_lat", talent.home_lat),
            field="home_lat",
            lo=-90,
            hi=90,
            required=False,
        )
        lon = _coordinate(
            values.get("home_lon", talent.home_lon),
            field="home_lon",
            lo=-180,
            hi=180,
            required=False,
        )
        if (lat is None) != (lon is None):
            raise ApplicationError(
                "invalid_coordinate", _("经度和纬度应同时填写或同时留空。"), field="home_lon"
            )
        talent.home_lat, talent.home_lon = lat, lon
    if "active" in values:
        talent.active = bool(values["active"])
    if "note" in values:
        talent.note = _text(
            values["note"], field="note", label=_("备注"), required=False, most=2000
        )


def _after_profile(talent: Talent, *, skills, regions, availability) -> None:
    if skills is not None:
        talent.skills.set(skills_from(skills))
    if regions is not None:
        talent.regions.set(regions_from(regions))
    if availability is not None:
        periods = [_period(a, b, field="availability") for a, b in availability]
        talent.availability.all().delete()
        Availability.objects.bulk_create(
            [Availability(talent=talent, first_day=a, last_day=b) for a, b in periods]
        )


def _snapshot(talent: Talent) -> dict:
    data = audit.snapshot(talent, TALENT_FIELDS)
    data["skills"] = sorted(talent.skills.values_list("code", flat=True))
    data["regions"] = sorted(talent.regions.values_list("code", flat=True))
    data["availability"] = [
        f"{a.first_day}/{a.last_day}" for a in talent.availability.order_by("first_day")
    ]
    return data


@transaction.atomic
def talent_create_for_member(
    *, actor, member, skills, regions=None, availability=None, **values
) -> Talent:
    """A member's profile: by the member themself or a manager of their organization."""
    own = getattr(actor, "is_authenticated", False) and member.user_id == actor.pk
    if not own and not can(actor, Action.MANAGE_MEMBERS, member.org_path):
        raise PermissionDenied
    if member.archived:
        raise ApplicationError("member_archived", _("该党员已归档。"), field="member")
    if Talent.objects.filter(member=member).exists():
        raise ApplicationError("duplicate", _("该党员已在人才库中。"), field="member")
    talent = Talent(
        kind=TalentKind.MEMBER,
        member=member,
        organization=member.organization,
        org_path=member.org_path,
    )
    _profile_values(talent, values)
    _full_clean(talent, exclude=["org_path", "phone_enc"])
    if not skills:
        raise ApplicationError("required", _("请至少选择一项技能。"), field="skills")
    resolved = skills_from(skills)
    talent.save()
    _after_profile(talent, skills=resolved, regions=regions, availability=availability or [])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=talent,
        org_path=talent.org_path,
        after=_snapshot(talent),
    )
    return talent


@transaction.atomic
def talent_create_expert(
    *,
    actor,
    organization: Organization,
    name: str,
    phone: str = "",
    skills,
    regions=None,
    availability=None,
    **values,
) -> Talent:
    """An outside expert registered by an organization (its subtree sees the profile)."""
    if not can(actor, Action.MANAGE_MEMBERS, organization.path):
        raise PermissionDenied
    _active_org(organization)
    talent = Talent(
        kind=TalentKind.EXPERT,
        expert_name=_text(name, field="name", label=_("姓名"), most=50),
        organization=organization,
        org_path=organization.path,
    )
    talent.phone_enc = _phone_enc(phone)
    _profile_values(talent, values)
    _full_clean(talent, exclude=["org_path", "phone_enc"])
    if not skills:
        raise ApplicationError("required", _("请至少选择一项技能。"), field="skills")
    resolved = skills_from(skills)
    talent.save()
    _after_profile(talent, skills=resolved, regions=regions, availability=availability or [])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=talent,
        org_path=talent.org_path,
        after=_snapshot(talent),
    )
    return talent


def _phone_enc(phone: str) -> str:
    phone = normalize_phone(phone or "")
    if not phone:
        return ""
    try:
        validate_phone(phone)
    except DjangoValidationError as exc:
        raise ApplicationError("phone_format", exc.messages[0], field="phone") from None
    return crypto.encrypt(phone)


PROFILE_EDITABLE = {
    "current_post",
    "returning",
    "max_km",
    "capacity",
    "home_lat",
    "home_lon",
    "active",
    "note",
    "skills",
    "regions",
    "availability",
    "name",
    "phone",
}


@transaction.atomic
def talent_update(*, actor, talent: Talent, **changes) -> Talent:
    unknown = set(changes) - PROFILE_EDITABLE
    if unknown:
        raise ApplicationError("not_editable", f"cannot change {', '.join(sorted(unknown))}")
    talent = (
        Talent.objects.select_for_update(of=("self",)).select_related("member").get(pk=talent.pk)
    )
    if not may_edit_talent(actor, talent):
        raise PermissionDenied
    before = _snapshot(talent)
    skills = changes.pop("skills", None)
    regions = changes.pop("regions", None)
    availability = changes.pop("availability", None)
    if talent.kind == TalentKind.EXPERT:
        if "name" in changes:
            talent.expert_name = _text(changes.pop("name"), field="name", label=_("姓名"), most=50)
        if "phone" in changes:
            talent.phone_enc = _phone_enc(changes.pop("phone"))
    elif {"name", "phone"} & set(changes):
        # A member's name and phone live in the member record, edited there.
        raise ApplicationError(
            "not_editable", _("党员的姓名和电话请在党员信息中修改。"), field="name"
        )
    _profile_values(talent, changes)
    if skills is not None and not skills:
        raise ApplicationError("required", _("请至少选择一项技能。"), field="skills")
    resolved = skills_from(skills) if skills is not None else None
    _full_clean(talent, exclude=["org_path", "phone_enc"])
    talent.save()
    _after_profile(talent, skills=resolved, regions=regions, availability=availability)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=talent,
        org_path=talent.org_path,
        before=before,
        after=_snapshot(talent),
    )
    return talent


# --- needs -----------------------------------------------------------------------------------


def _need_values(need: Need, values: dict) -> None:
    if "title" in values:
        need.title = _text(values["title"], field="title", label=_("需求名称"))
    if "skill" in values:
        need.skill = skills_from([values["skill"]])[0] if values["skill"] else None
        if need.skill is None:
            raise ApplicationError("required", _("请选择所需技能。"), field="skill")
    if "kind" in values:
        if values["kind"] not in ExchangeKind.values:
            raise ApplicationError("invalid", _("请选择帮扶方式。"), field="kind")
        need.kind = values["kind"]
    if "first_day" in values or "last_day" in values:
        need.first_day, need.last_day = _period(
            values.get("first_day", need.first_day), values.get("last_day", need.last_day)
        )
    if "place" in values:
        need.place = _text(values["place"], field="place", label=_("地点"), required=False)
    if "lat" in values:
        need.lat = _coordinate(values["lat"], field="lat", lo=-90, hi=90, required=True)
    if "lon" in values:
        need.lon = _coordinate(values["lon"], field="lon", lo=-180, hi=180, required=True)
    if "slots" in values:
        need.slots = _int(values["slots"], field="slots", label=_("人数"), lo=1, hi=MAX_SLOTS)
    if "priority" in values:
        if values["priority"] not in Priority.values:
            raise ApplicationError("invalid", _("请选择紧急程度。"), field="priority")
        need.priority = values["priority"]
    if "description" in values:
        need.description = _text(
            values["description"],
            field="description",
            label=_("说明"),
            required=False,
            most=4000,
        )


@transaction.atomic
def need_create(*, actor, organization: Organization, **values) -> Need:
    if not can(actor, Action.MANAGE_MEMBERS, organization.path):
        raise PermissionDenied
    _active_org(organization)
    need = Need(organization=organization, org_path=organization.path, created_by=actor)
    for required in ("title", "skill", "first_day", "last_day", "lat", "lon", "slots"):
        values.setdefault(required, None)
    values.setdefault("priority", Priority.MEDIUM)
    _need_values(need, values)
    _full_clean(need, exclude=["org_path", "created_by"])
    need.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=need,
        org_path=need.org_path,
        after=audit.snapshot(need, NEED_FIELDS),
    )
    return need


NEED_EDITABLE = {
    "title",
    "skill",
    "kind",
    "first_day",
    "last_day",
    "place",
    "lat",
    "lon",
    "slots",
    "priority",
    "description",
    "status",
}


@transaction.atomic
def need_update(*, actor, need: Need, **changes) -> Need:
    unknown = set(changes) - NEED_EDITABLE
    if unknown:
        raise ApplicationError("not_editable", f"cannot change {', '.join(sorted(unknown))}")
    need = Need.objects.select_for_update().get(pk=need.pk)
    if not can(actor, Action.MANAGE_MEMBERS, need.org_path):
        raise PermissionDenied
    before = audit.snapshot(need, NEED_FIELDS)
    if "status" in changes:
        if changes["status"] not in NeedStatus.values:
            raise ApplicationError("invalid", _("请选择状态。"), field="status")
        need.status = changes.pop("status")
    _need_values(need, changes)
    _full_clean(need, exclude=["org_path", "created_by"])
    need.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=need,
        org_path=need.org_path,
        before=before,
        after=audit.snapshot(need, NEED_FIELDS),
    )
    return need


# --- exchanges -------------------------------------------------------------------------------


def _check_free(talent: Talent, first: dt.date, last: dt.date, *, exclude: int | None = None):
    """A person serves at most ``capacity`` exchanges at a time (one, unless their profile says
    more: an expert may visit several villages in the same weeks)."""
    clashes = list(
        Assignment.objects.filter(
            talent=talent, state__in=BUSY_STATES, first_day__lte=last, last_day__gte=first
        )
        .exclude(pk=exclude)
        .select_related("to_org")[: max(1, talent.capacity)]
    )
    if len(clashes) >= max(1, talent.capacity):
        clash = clashes[0]
        raise ApplicationError(
            "talent_busy",
            _("%(name)s在%(a)s至%(b)s已有交流任职（%(org)s）。")
            % {
                "name": talent.name,
                "a": clash.first_day,
                "b": clash.last_day,
                "org": clash.to_org.name,
            },
            field="first_day",
        )


def _may_manage_assignment(actor, from_path: str, to_path: str) -> bool:
    return can(actor, Action.MANAGE_MEMBERS, from_path) or can(
        actor, Action.MANAGE_MEMBERS, to_path
    )


def served_days(first: dt.date, last: dt.date) -> int:
    """Days served from ``first`` to ``last``, both counted (an exchange's person-days)."""
    return (last - first).days + 1


def stamp_flow_facts(assignment: Assignment) -> Assignment:
    """Set the facts the flow report groups (``talent.flows``) from the exchange's organizations
    and days: the direction between their regions, the month it starts, the days served."""
    a, b = assignment.from_org, assignment.to_org
    assignment.direction = direction_of(class_of(a.region, a), class_of(b.region, b))
    assignment.month = assignment.first_day.replace(day=1)
    assignment.days = served_days(assignment.first_day, assignment.end_day)
    return assignment


def _make_assignment(*, actor, talent, kind, from_org, to_org, first_day, last_day, goals, need):
    if kind not in ExchangeKind.values:
        raise ApplicationError("invalid", _("请选择交流类型。"), field="kind")
    _active_org(from_org, "from_org")
    _active_org(to_org, "to_org")
    first_day, last_day = _period(first_day, last_day)
    _check_free(talent, first_day, last_day)
    assignment = Assignment(
        talent=talent,
        kind=kind,
        from_org=from_org,
        from_path=from_org.path,
        to_org=to_org,
        to_path=to_org.path,
        first_day=first_day,
        last_day=last_day,
        goals=_text(goals, field="goals", label=_("工作目标"), required=False, most=4000),
        need=need,
        created_by=actor,
    )
    stamp_flow_facts(assignment)
    _full_clean(assignment, exclude=["from_path", "to_path", "created_by", "need"])
    assignment.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assignment,
        org_path=assignment.from_path,
        also_paths=[assignment.to_path],
        after=audit.snapshot(assignment, ASSIGNMENT_FIELDS),
    )
    return assignment


@transaction.atomic
def assignment_create(
    *,
    actor,
    talent: Talent,
    kind: str,
    from_org: Organization,
    to_org: Organization,
    first_day: dt.date,
    last_day: dt.date,
    goals: str = "",
    need: Need | None = None,
) -> Assignment:
    """An exchange written by a manager of either organization; the person must be free."""
    if not _may_manage_assignment(actor, from_org.path, to_org.path):
        raise PermissionDenied
    if not talent.active:
        raise ApplicationError("talent_inactive", _("该人才已不在库中。"), field="talent")
    return _make_assignment(
        actor=actor,
        talent=talent,
        kind=kind,
        from_org=from_org,
        to_org=to_org,
        first_day=first_day,
        last_day=last_day,
        goals=goals,
        need=need,
    )


def _step(*, actor, assignment: Assignment, allowed: tuple, to: str, **fields) -> Assignment:
    """One state step: a conditional UPDATE whose row count says whether it was still allowed."""
    if not _may_manage_assignment(actor, assignment.from_path, assignment.to_path):
        raise PermissionDenied
    before = audit.snapshot(assignment, ASSIGNMENT_FIELDS)
    changed = Assignment.objects.filter(pk=assignment.pk, state__in=allowed).update(
        state=to, updated_at=timezone.now(), **fields
    )
    if not changed:
        raise ApplicationError(
            "wrong_state", _("该交流任职当前状态不能进行此操作。"), field="state"
        )
    assignment.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=assignment,
        org_path=assignment.from_path,
        also_paths=[assignment.to_path],
        before=before,
        after=audit.snapshot(assignment, ASSIGNMENT_FIELDS),
    )
    return assignment


@transaction.atomic
def assignment_start(*, actor, assignment: Assignment) -> Assignment:
    return _step(
        actor=actor,
        assignment=assignment,
        allowed=(AssignmentState.PLANNED,),
        to=AssignmentState.ACTIVE,
    )


@transaction.atomic
def assignment_complete(*, actor, assignment: Assignment, summary: str) -> Assignment:
    summary = _text(summary, field="summary", label=_("总结"), most=8000)
    return _step(
        actor=actor,
        assignment=assignment,
        allowed=(AssignmentState.ACTIVE,),
        to=AssignmentState.COMPLETED,
        summary=summary,
    )


@transaction.atomic
def assignment_end_early(
    *, actor, assignment: Assignment, ended_on: dt.date, summary: str
) -> Assignment:
    summary = _text(summary, field="summary", label=_("总结"), most=8000)
    if not isinstance(ended_on, dt.date):
        raise ApplicationError("required", _("请填写实际结束日期。"), field="ended_on")
    if ended_on > assignment.last_day:
        raise ApplicationError(
            "period_order", _("提前结束的日期应早于计划结束日期。"), field="ended_on"
        )
    if assignment.state == AssignmentState.ACTIVE and ended_on < assignment.first_day:
        raise ApplicationError(
            "period_order", _("实际结束日期不能早于开始日期。"), field="ended_on"
        )
    return _step(
        actor=actor,
        assignment=assignment,
        allowed=(AssignmentState.PLANNED, AssignmentState.ACTIVE),
        to=AssignmentState.ENDED_EARLY,
        summary=summary,
        ended_on=max(ended_on, assignment.first_day),
        days=served_days(assignment.first_day, max(ended_on, assignment.first_day)),
    )


@transaction.atomic
def log_add(*, actor, assignment: Assignment, day: dt.date, text: str) -> WorkLogEntry:
    """A fact of the work done (any day, as often as there is something to say)."""
    if not (
        _may_manage_assignment(actor, assignment.from_path, assignment.to_path)
        or _is_own(actor, assignment.talent)
    ):
        raise PermissionDenied
    if assignment.state not in BUSY_STATES:
        raise ApplicationError("wrong_state", _("该交流任职已结束。"), field="text")
    if not isinstance(day, dt.date):
        raise ApplicationError("required", _("请填写日期。"), field="day")
    if day > timezone.localdate():
        raise ApplicationError("future_date", _("日期不能晚于今天。"), field="day")
    entry = WorkLogEntry.objects.create(
        assignment=assignment,
        day=day,
        text=_text(text, field="text", label=_("工作内容"), most=4000),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        org_path=assignment.from_path,
        also_paths=[assignment.to_path],
        after={"assignment": assignment.pk, "day": str(day)},
    )
    return entry
