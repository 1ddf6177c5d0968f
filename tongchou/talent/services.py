"""Writes of the talent pool, needs, exchanges and matching rounds.

Who writes what:
  * a member edits their own profile (at /me/); secretaries and admins (``MANAGE_MEMBERS``)
    curate the profiles of their subtree and register outside experts;
  * an organization's secretary or admin posts its needs;
  * an exchange is written by a manager of either organization;
  * a matching round is run by a coordinator: an admin (``MANAGE_ORGS``) of a committee or
    working committee (a county, a street) over its subtree.

An exchange (assignment)::

    planned ──start──▶ active ──complete──▶ completed
       │                 │
       └──end early──────┴──────────────▶ ended_early

A matching round: proposed ──confirm──▶ confirmed (assignments made, both sides informed on
their home page) | ──discard──▶ discarded. While proposed, a pair may be removed or its talent
swapped for another who may fill the need.

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
from tongchou.organizations.models import Organization, OrgKind, OrgStatus
from tongchou.organizations.permissions import Action, can
from tongchou.talent import matching
from tongchou.talent.models import (
    Assignment,
    AssignmentState,
    Availability,
    ExchangeKind,
    MatchRound,
    Need,
    NeedStatus,
    Priority,
    Proposal,
    RoundState,
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


# --- matching rounds -------------------------------------------------------------------------


def can_coordinate(actor, organization: Organization) -> bool:
    """An admin of a committee or working committee (a county, a street) runs rounds over it."""
    return organization.kind in (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE) and can(
        actor, Action.MANAGE_ORGS, organization.path
    )


def _taken(need: Need) -> int:
    return need.assignments.exclude(state=AssignmentState.ENDED_EARLY).count()


def round_inputs(organization: Organization, *, today: dt.date):
    """The open needs (not started, slots left) and the talent that can be matched in the
    organization's subtree, as solver values; the model rows beside them, same order."""
    from tongchou.core import tree
    from tongchou.organizations.permissions import Scope
    from tongchou.talent import selectors

    q = tree.subtree_q(organization.path, "org_path")
    in_round = selectors.talent_scope_q(Scope(everything=False, paths=(organization.path,)))
    needs = list(
        Need.objects.filter(q, status=NeedStatus.OPEN, first_day__gte=today)
        .select_related("skill", "organization")
        .order_by("-priority", "first_day", "id")
    )
    left = selectors.slots_left([n.pk for n in needs])
    needs = [n for n in needs if left.get(n.pk, n.slots) > 0]
    talents = list(
        Talent.objects.filter(in_round, active=True, capacity__gt=0, home_lat__isnull=False)
        .select_related("member")
        .prefetch_related("skills", "availability", "regions")
        .order_by("id")
    )
    busy: dict[int, list[tuple[int, int]]] = {}
    for a in Assignment.objects.filter(
        talent__in=[t.pk for t in talents], state__in=BUSY_STATES
    ).only("talent_id", "first_day", "last_day"):
        busy.setdefault(a.talent_id, []).append((a.first_day.toordinal(), a.last_day.toordinal()))
    solver_talents, rows = [], []
    for t in talents:
        regions = tuple(r.code for r in t.regions.all())
        if t.max_km is None and not regions:
            continue  # no limit stated: not matched automatically
        solver_talents.append(
            matching.Talent(
                id=t.pk,
                skills=frozenset(s.code for s in t.skills.all()),
                lat=t.home_lat,
                lon=t.home_lon,
                max_km=float(t.max_km if t.max_km is not None else MAX_KM * 2),
                available=tuple(
                    (a.first_day.toordinal(), a.last_day.toordinal()) for a in t.availability.all()
                ),
                capacity=t.capacity,
                busy=tuple(busy.get(t.pk, ())),
                regions=regions,
            )
        )
        rows.append(t)
    solver_needs = [
        matching.Need(
            id=n.pk,
            skill=n.skill.code,
            lat=n.lat,
            lon=n.lon,
            first=n.first_day.toordinal(),
            last=n.last_day.toordinal(),
            slots=left.get(n.pk, n.slots),
            priority=n.priority,
            region=n.organization.region_id or "",
        )
        for n in needs
    ]
    return solver_talents, rows, solver_needs, needs


@transaction.atomic
def round_run(*, actor, organization: Organization, today: dt.date | None = None) -> MatchRound:
    if not can_coordinate(actor, organization):
        raise PermissionDenied
    today = today or timezone.localdate()
    s_talents, talents, s_needs, needs = round_inputs(organization, today=today)
    result = matching.solve(s_talents, s_needs)
    match = MatchRound.objects.create(
        organization=organization,
        org_path=organization.path,
        priority=result.priority,
        km=round(result.km, 3),
        talents=len(s_talents),
        needs=len(s_needs),
        unfilled=[
            {
                "need": needs[u.need].pk,
                "slots": u.slots,
                "reason": u.reason,
                "taken_by": [needs[k].pk for k in u.taken_by],
            }
            for u in result.unfilled
        ],
        created_by=actor,
    )
    Proposal.objects.bulk_create(
        [
            Proposal(round=match, talent=talents[p.talent], need=needs[p.need], km=p.km)
            for p in result.pairs
        ]
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=match,
        org_path=match.org_path,
        after={"pairs": len(result.pairs), "priority": result.priority, "km": match.km},
    )
    return match


def _open_round(actor, match: MatchRound) -> MatchRound:
    match = MatchRound.objects.select_for_update().get(pk=match.pk)
    if not can_coordinate(actor, match.organization):
        raise PermissionDenied
    if match.state != RoundState.PROPOSED:
        raise ApplicationError("wrong_state", _("该匹配轮次已确认或已放弃。"), field="state")
    return match


@transaction.atomic
def proposal_remove(*, actor, proposal: Proposal) -> None:
    match = _open_round(actor, proposal.round)
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=proposal,
        org_path=match.org_path,
        before={"talent": proposal.talent_id, "need": proposal.need_id, "km": proposal.km},
    )
    proposal.delete()


def pair_check(talent: Talent, need: Need, *, busy=()) -> float:
    """The km of a pair the rules allow, or ApplicationError saying which rule it breaks."""
    if not talent.active or talent.capacity < 1:
        raise ApplicationError("talent_inactive", _("该人才已不在库中。"), field="talent")
    if not talent.skills.filter(pk=need.skill_id).exists():
        raise ApplicationError(
            "no_skill", _("%(name)s没有所需技能。") % {"name": talent.name}, field="talent"
        )
    if not talent.has_home:
        raise ApplicationError(
            "no_home", _("%(name)s未填写常住地经纬度。") % {"name": talent.name}, field="talent"
        )
    first, last = need.first_day.toordinal(), need.last_day.toordinal()
    value = matching.Talent(
        id=talent.pk,
        skills=frozenset(),
        lat=talent.home_lat,
        lon=talent.home_lon,
        max_km=float(talent.max_km if talent.max_km is not None else MAX_KM * 2),
        available=tuple(
            (a.first_day.toordinal(), a.last_day.toordinal()) for a in talent.availability.all()
        ),
        busy=tuple(busy),
        regions=tuple(r.code for r in talent.regions.all()),
    )
    place = matching.Need(
        need.pk, "", need.lat, need.lon, first, last, 1, 1, need.organization.region_id or ""
    )
    if not matching.covers(value, first, last):
        raise ApplicationError(
            "unavailable", _("%(name)s在该时段没空。") % {"name": talent.name}, field="talent"
        )
    km = matching.haversine_km(value.lat, value.lon, need.lat, need.lon)
    if (talent.max_km is None and not value.regions) or km > value.max_km:
        raise ApplicationError(
            "too_far", _("%(name)s距离太远。") % {"name": talent.name}, field="talent"
        )
    if not matching.goes_to(value, place):
        raise ApplicationError(
            "too_far", _("%(name)s不去该地区服务。") % {"name": talent.name}, field="talent"
        )
    return round(km, 3)


@transaction.atomic
def proposal_swap(*, actor, proposal: Proposal, talent: Talent) -> Proposal:
    """Put another talent on the pair: every rule is checked again, including what the round
    already gives them (capacity, one slot a need, overlapping periods). When the other talent
    is at capacity in this round, the two pairs exchange their talents, if both new pairs hold."""
    match = _open_round(actor, proposal.round)
    need = proposal.need
    if talent.pk == proposal.talent_id:
        return proposal
    from tongchou.core import tree

    if not tree.covers([match.org_path], talent.scope_path):
        raise ApplicationError("out_of_round", _("该人才不在本轮范围内。"), field="talent")
    others = list(
        match.proposals.filter(talent=talent).exclude(pk=proposal.pk).select_related("need")
    )
    if any(p.need_id == need.pk for p in others):
        raise ApplicationError("duplicate", _("该人才已在此需求中。"), field="talent")
    km = pair_check(talent, need, busy=_busy(talent))
    partner = None
    if len(others) >= talent.capacity:
        # Exchange with one of their pairs: the displaced talent takes that need instead.
        current = proposal.talent
        mine = set(match.proposals.filter(talent=current).values_list("need_id", flat=True))
        for other in others:
            if other.need_id in mine:
                continue
            try:
                other_km = pair_check(current, other.need, busy=_busy(current))
            except ApplicationError:
                continue
            partner = other
            break
        if partner is None:
            raise ApplicationError(
                "capacity", _("%(name)s本轮已满额。") % {"name": talent.name}, field="talent"
            )
    before = {"talent": proposal.talent_id, "need": need.pk, "km": proposal.km}
    if partner is not None:
        partner.talent, partner.km, partner.adjusted = proposal.talent, other_km, True
    proposal.talent, proposal.km, proposal.adjusted = talent, km, True
    proposal.save()
    if partner is not None:
        partner.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=proposal,
        org_path=match.org_path,
        before=before,
        after={
            "talent": talent.pk,
            "need": need.pk,
            "km": km,
            "exchanged_with": partner.pk if partner else None,
        },
    )
    return proposal


def _busy(talent: Talent) -> list[tuple[int, int]]:
    return [
        (a.first_day.toordinal(), a.last_day.toordinal())
        for a in talent.assignments.filter(state__in=BUSY_STATES)
    ]


@transaction.atomic
def round_confirm(*, actor, match: MatchRound) -> list[Assignment]:
    """Every remaining pair becomes a planned exchange (the need's kind and period, from the
    talent's organization to the need's); both organizations see it waiting on their home page.
    A pair whose talent became busy meanwhile stops the whole confirmation, naming them."""
    match = _open_round(actor, match)
    made = []
    for p in match.proposals.select_related(
        "talent",
        "talent__member__organization",
        "talent__organization",
        "need",
        "need__organization",
    ).order_by("need_id", "id"):
        made.append(
            _make_assignment(
                actor=actor,
                talent=p.talent,
                kind=p.need.kind,
                from_org=p.talent.home_organization,
                to_org=p.need.organization,
                first_day=p.need.first_day,
                last_day=p.need.last_day,
                goals=p.need.description,
                need=p.need,
            )
        )
    match.state = RoundState.CONFIRMED
    match.save(update_fields=["state", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=match,
        org_path=match.org_path,
        after={"state": match.state, "assignments": [a.pk for a in made]},
    )
    return made


@transaction.atomic
def round_discard(*, actor, match: MatchRound) -> MatchRound:
    match = _open_round(actor, match)
    match.state = RoundState.DISCARDED
    match.save(update_fields=["state", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=match,
        org_path=match.org_path,
        after={"state": match.state},
    )
    return match
