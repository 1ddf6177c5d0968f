"""Writes of the jobs platform: openings, seekers (with their consent) and applications.

The life of an application::

    applied ─interview─▶ interviewing ─hire─▶ hired
       │                      └─────────reject─▶ not hired
       ├──reject─▶ not hired
       └──withdraw (also from interviewing)─▶ withdrawn

The opening's side (its unit's staff, the managers over its poster) interviews, hires and
rejects; the seeker's side (the village's managers) applies and withdraws. Hiring the last
position marks the opening filled. Every write: one transaction, the rows locked where a count
decides, ``full_clean``, one audit event (and one ``ApplicationEvent`` per step).
"""

import datetime as dt
import math
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit, crypto, tree
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.jobs import permissions
from tongchou.jobs.models import (
    PAY_MAX,
    TEXT_MAX,
    Application,
    ApplicationEvent,
    ApplicationState,
    JobSeeker,
    Opening,
    OpeningState,
    SeekerKind,
)
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.models import UnitKind as OrgUnitKind
from tongchou.organizations.permissions import Action, can
from tongchou.regions.models import Region, RegionLevel
from tongchou.service.models import AllianceUnit
from tongchou.talent.models import Skill

MAX_POSITIONS = 10_000
MAX_KM = 20_000
OPENING_FIELDS = [
    "title", "region", "address", "lat", "lon", "pay_min", "pay_max", "positions",
    "first_day", "last_day", "state", "description",
]  # fmt: skip
SEEKER_FIELDS = ["organization", "kinds", "max_km", "lat", "lon", "available_from", "active"]

# (from, to) → which side may take the step
STEPS: dict[tuple[str, str], str] = {
    (ApplicationState.APPLIED, ApplicationState.INTERVIEWING): "opening",
    (ApplicationState.APPLIED, ApplicationState.NOT_HIRED): "opening",
    (ApplicationState.INTERVIEWING, ApplicationState.HIRED): "opening",
    (ApplicationState.INTERVIEWING, ApplicationState.NOT_HIRED): "opening",
    (ApplicationState.APPLIED, ApplicationState.WITHDRAWN): "seeker",
    (ApplicationState.INTERVIEWING, ApplicationState.WITHDRAWN): "seeker",
}


# --- checking input ----------------------------------------------------------------------------


def _text(value, *, field: str, label: str, most: int, required: bool = True) -> str:
    value = str(value or "").replace("\x00", "").strip()
    if required and not value:
        raise ApplicationError("required", _("请填写%(label)s。") % {"label": label}, field=field)
    if len(value) > most:
        raise ApplicationError(
            "too_long", _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": most}, field=field
        )
    return value


def _int(value, *, field: str, label: str, lo: int, hi: int, required: bool = True) -> int | None:
    if value is None or value == "":
        if required:
            raise ApplicationError(
                "required", _("请填写%(label)s。") % {"label": label}, field=field
            )
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApplicationError(
            "invalid", _("%(label)s应为整数。") % {"label": label}, field=field
        ) from None
    if isinstance(value, float) and not value.is_integer():
        raise ApplicationError("invalid", _("%(label)s应为整数。") % {"label": label}, field=field)
    if not lo <= number <= hi:
        raise ApplicationError(
            "out_of_range",
            _("%(label)s应在%(lo)s到%(hi)s之间。") % {"label": label, "lo": lo, "hi": hi},
            field=field,
        )
    return number


def _coordinate(value, *, field: str, lo: float, hi: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApplicationError("invalid_coordinate", _("坐标应为数字。"), field=field) from None
    if not math.isfinite(number) or not lo <= number <= hi:
        raise ApplicationError(
            "invalid_coordinate",
            _("坐标应在%(lo)s到%(hi)s之间。") % {"lo": lo, "hi": hi},
            field=field,
        )
    return number


def _point(lat, lon) -> tuple[float | None, float | None]:
    lat = _coordinate(lat, field="lat", lo=-90, hi=90)
    lon = _coordinate(lon, field="lon", lo=-180, hi=180)
    if (lat is None) != (lon is None):
        raise ApplicationError(
            "invalid_coordinate", _("经度和纬度应同时填写或同时留空。"), field="lon"
        )
    return lat, lon


def _date(value, *, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        raise ApplicationError(
            "invalid_date", _("请填写正确的%(label)s。") % {"label": label}, field=field
        ) from None


def skills_from(values: Iterable) -> list[Skill]:
    """Skills of the one taxonomy, by instance or code; an unknown one is an error naming it."""
    values = list(values or [])
    if not values:
        raise ApplicationError("required", _("请至少选择一项技能。"), field="skills")
    codes = [v.code if isinstance(v, Skill) else str(v).strip() for v in values]
    found = {s.code: s for s in Skill.objects.filter(active=True, code__in=codes)}
    for code in codes:
        if code not in found:
            raise ApplicationError(
                "unknown_skill", _("未知的技能：%(code)s。") % {"code": code[:40]}, field="skills"
            )
    return [found[c] for c in dict.fromkeys(codes)]


def regions_from(values: Iterable) -> list[Region]:
    values = list(values or [])
    codes = [v.code if isinstance(v, Region) else str(v).strip() for v in values]
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    for code in codes:
        if code not in found:
            raise ApplicationError(
                "unknown_region",
                _("未知的区划代码：%(code)s。") % {"code": code[:20]},
                field="regions",
            )
    return [found[c] for c in dict.fromkeys(codes)]


def _region(value) -> Region:
    if isinstance(value, Region):
        return value
    region = Region.objects.filter(code=str(value or "").strip()).first()
    if region is None:
        raise ApplicationError("unknown_region", _("请填写正确的区划代码。"), field="region")
    return region


def _kinds(values) -> list[str]:
    kinds = list(dict.fromkeys(str(v) for v in (values or [])))
    if not kinds:
        raise ApplicationError("required", _("请选择人员类别。"), field="kinds")
    for kind in kinds:
        if kind not in SeekerKind.values:
            raise ApplicationError(
                "invalid", _("未知的人员类别：%(kind)s。") % {"kind": kind[:30]}, field="kinds"
            )
    return kinds


def _phone(value: str) -> str:
    value = str(value or "").strip().replace(" ", "").replace("-", "")
    if value and not (value.isdigit() and 7 <= len(value) <= 15):
        raise ApplicationError("invalid_phone", _("电话号码格式不正确。"), field="phone")
    return value


def _clean(obj) -> None:
    try:
        obj.full_clean(exclude=["created_by", "consent_recorded_by"])
    except DjangoValidationError as exc:
        fields = exc.message_dict
        field, messages = next(iter(fields.items()))
        raise ApplicationError(
            "invalid",
            messages[0],
            field=None if field == "__all__" else field,
            extra={"fields": fields},
        ) from None


def _paths(org: Organization) -> tuple[str, str]:
    """(street/township path, county path) at or above ``org``: the highest organization seated
    in a township-level and in a county-level division (an enterprise's branch seated in a
    street's division belongs to the street's committee above it); "" where there is none."""
    ids = tree.ancestor_ids(org.path) + [org.pk]
    rows = Organization.objects.filter(pk__in=ids).values_list("path", "region__level")
    street = county = ""
    for path, level in sorted(rows, key=lambda r: len(r[0]), reverse=True):
        if level == RegionLevel.TOWNSHIP:
            street = path
        elif level == RegionLevel.COUNTY:
            county = path
    return street, county


# --- openings ----------------------------------------------------------------------------------


def _check_opening(opening: Opening) -> None:
    opening.title = _text(opening.title, field="title", label=_("岗位名称"), most=100)
    opening.address = _text(
        opening.address, field="address", label=_("详细地址"), most=200, required=False
    )
    opening.description = _text(
        opening.description, field="description", label=_("岗位说明"), most=TEXT_MAX, required=False
    )
    opening.pay_min = _int(opening.pay_min, field="pay_min", label=_("月薪下限"), lo=0, hi=PAY_MAX)
    opening.pay_max = _int(opening.pay_max, field="pay_max", label=_("月薪上限"), lo=0, hi=PAY_MAX)
    if opening.pay_min > opening.pay_max:
        raise ApplicationError("pay_range", _("月薪下限不能高于上限。"), field="pay_max")
    opening.positions = _int(
        opening.positions, field="positions", label=_("招聘人数"), lo=1, hi=MAX_POSITIONS
    )
    opening.first_day = _date(opening.first_day, field="first_day", label=_("用工开始日期"))
    opening.last_day = _date(opening.last_day, field="last_day", label=_("用工结束日期"))
    if opening.last_day < opening.first_day:
        raise ApplicationError(
            "period_order", _("用工结束日期不能早于开始日期。"), field="last_day"
        )
    opening.lat, opening.lon = _point(opening.lat, opening.lon)


def _opening_snapshot(opening: Opening) -> dict:
    data = audit.snapshot(opening, OPENING_FIELDS)
    data["skills"] = sorted(opening.skills.values_list("code", flat=True)) if opening.pk else []
    return data


@transaction.atomic
def opening_create(
    *,
    actor,
    title: str,
    region,
    pay_min,
    pay_max,
    skills: Iterable,
    first_day,
    last_day,
    unit: AllianceUnit | None = None,
    employer: Organization | None = None,
    positions=1,
    address: str = "",
    lat=None,
    lon=None,
    description: str = "",
) -> Opening:
    """Post an opening for an alliance unit (its staff, or managers over the unit's
    registering organization) or an enterprise's Party organization (its managers)."""
    if (unit is None) == (employer is None):
        raise ApplicationError("poster", _("请选择发布单位或企业党组织（二选一）。"), field="unit")
    if unit is not None:
        if not unit.active:
            raise ApplicationError("unit_inactive", _("该联盟单位已停用。"), field="unit")
        if not permissions.can_post_for_unit(actor, unit):
            raise PermissionDenied
        place = unit.organization
        org_path = unit.org_path
    else:
        if not can(actor, Action.MANAGE_MEMBERS, employer.path):
            raise PermissionDenied
        if employer.status != OrgStatus.ACTIVE:
            raise ApplicationError(
                "organization_dissolved", _("该党组织已撤销。"), field="employer"
            )
        if not employer.units.filter(kind=OrgUnitKind.ENTERPRISE).exists():
            raise ApplicationError(
                "not_enterprise", _("只有企业的党组织可以发布岗位。"), field="employer"
            )
        place = employer
        org_path = employer.path
    street, county = _paths(place)
    opening = Opening(
        unit=unit,
        employer=employer,
        org_path=org_path,
        street_path=street,
        county_path=county,
        title=title,
        region=_region(region),
        address=address,
        lat=lat,
        lon=lon,
        pay_min=pay_min,
        pay_max=pay_max,
        positions=positions,
        first_day=first_day,
        last_day=last_day,
        description=description,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _check_opening(opening)
    chosen = skills_from(skills)
    _clean(opening)
    opening.save()
    opening.skills.set(chosen)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=opening,
        org_path=opening.org_path,
        after=_opening_snapshot(opening),
    )
    return opening


@transaction.atomic
def opening_update(*, actor, opening: Opening, **values) -> Opening:
    """Change an opening's fields (``state``: open or closed; filled follows the hires)."""
    opening = Opening.objects.select_for_update().get(pk=opening.pk)
    if not permissions.can_manage_opening(actor, opening):
        raise PermissionDenied
    before = _opening_snapshot(opening)
    unknown = set(values) - {*OPENING_FIELDS, "skills"}
    if unknown:
        raise ApplicationError("invalid", f"unknown field {sorted(unknown)[0]}")
    for name in OPENING_FIELDS:
        if name in values and name not in ("region", "state"):
            setattr(opening, name, values[name])
    if "region" in values:
        opening.region = _region(values["region"])
    if "state" in values and values["state"] != opening.state:
        state = values["state"]
        hired = opening.applications.filter(state=ApplicationState.HIRED).count()
        if state == OpeningState.CLOSED:
            opening.state = OpeningState.CLOSED
        elif state == OpeningState.OPEN:
            if hired >= _int(
                opening.positions, field="positions", label=_("招聘人数"), lo=1, hi=MAX_POSITIONS
            ):
                raise ApplicationError(
                    "positions_filled", _("岗位已招满，不能重新开放。"), field="state"
                )
            opening.state = OpeningState.OPEN
        else:
            raise ApplicationError("invalid", _("只能开放或关闭岗位。"), field="state")
    _check_opening(opening)
    hired = opening.applications.filter(state=ApplicationState.HIRED).count()
    if opening.positions < hired:
        raise ApplicationError(
            "positions_below_hired",
            _("招聘人数不能少于已录用的%(n)s人。") % {"n": hired},
            field="positions",
        )
    if opening.state == OpeningState.OPEN and hired >= opening.positions:
        opening.state = OpeningState.FILLED
    elif opening.state == OpeningState.FILLED and hired < opening.positions:
        opening.state = OpeningState.OPEN
    _clean(opening)
    opening.save()
    if "skills" in values:
        opening.skills.set(skills_from(values["skills"]))
    audit.record_update(
        actor=actor,
        obj=opening,
        org_path=opening.org_path,
        before=before,
        after=_opening_snapshot(opening),
    )
    return opening


# --- seekers -----------------------------------------------------------------------------------


def _village(organization) -> Organization:
    if organization is None:
        raise ApplicationError("required", _("请选择所在村。"), field="organization")
    if organization.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            "organization_dissolved", _("该党组织已撤销。"), field="organization"
        )
    if organization.region.level != RegionLevel.VILLAGE:
        raise ApplicationError(
            "not_village", _("求职者应登记在村（社区）党组织。"), field="organization"
        )
    return organization


def _check_reach(seeker: JobSeeker, regions: list) -> None:
    seeker.max_km = _int(
        seeker.max_km, field="max_km", label=_("最远通勤距离"), lo=0, hi=MAX_KM, required=False
    )
    seeker.lat, seeker.lon = _point(seeker.lat, seeker.lon)
    if seeker.max_km is None and not regions:
        raise ApplicationError(
            "where_required",
            _("请填写最远通勤距离或愿意工作的地区。"),
            field="max_km",
        )
    if seeker.max_km is not None and seeker.lat is None:
        raise ApplicationError("point_required", _("按距离匹配需要填写常住地经纬度。"), field="lat")


def _seeker_snapshot(seeker: JobSeeker) -> dict:
    data = audit.snapshot(seeker, SEEKER_FIELDS)
    if seeker.pk:
        data["skills"] = sorted(seeker.skills.values_list("code", flat=True))
        data["regions"] = sorted(seeker.regions.values_list("code", flat=True))
    return data


@transaction.atomic
def seeker_register(
    *,
    actor,
    consent_on,
    kinds: Iterable[str],
    skills: Iterable,
    available_from,
    organization: Organization | None = None,
    member=None,
    name: str = "",
    phone: str = "",
    max_km=None,
    regions: Iterable = (),
    lat=None,
    lon=None,
    note: str = "",
) -> JobSeeker:
    """Register a job seeker of a village, with the date they agreed; the actor is recorded as
    the one who took the consent. A member is linked (nothing of theirs copied); a resident's
    phone is encrypted."""
    if consent_on in (None, ""):
        raise ApplicationError(
            "consent_required", _("须本人同意后才能登记求职信息。"), field="consent_on"
        )
    consent_on = _date(consent_on, field="consent_on", label=_("同意登记日期"))
    if consent_on > timezone.localdate():
        raise ApplicationError("future_date", _("同意登记日期不能晚于今天。"), field="consent_on")
    if member is not None:
        if member.archived:
            raise ApplicationError("member_archived", _("该党员已归档。"), field="member")
        organization = member.organization
        if JobSeeker.objects.filter(member=member).exists():
            raise ApplicationError(
                "already_registered", _("该党员已登记为求职者。"), field="member"
            )
        name, phone = "", ""
    else:
        name = _text(name, field="name", label=_("姓名"), most=50)
        phone = _phone(phone)
    organization = _village(organization)
    if not can(actor, Action.MANAGE_MEMBERS, organization.path):
        raise PermissionDenied
    street, county = _paths(organization)
    seeker = JobSeeker(
        member=member,
        resident_name=name,
        phone_enc=crypto.encrypt(phone) if phone else "",
        organization=organization,
        org_path=organization.path,
        street_path=street,
        county_path=county,
        kinds=_kinds(kinds),
        max_km=max_km,
        lat=lat,
        lon=lon,
        available_from=_date(available_from, field="available_from", label=_("可上岗日期")),
        consent_on=consent_on,
        consent_recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=_text(note, field="note", label=_("备注"), most=TEXT_MAX, required=False),
    )
    chosen_regions = regions_from(regions)
    _check_reach(seeker, chosen_regions)
    chosen = skills_from(skills)
    _clean(seeker)
    seeker.save()
    seeker.skills.set(chosen)
    seeker.regions.set(chosen_regions)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=seeker,
        org_path=seeker.org_path,
        after=_seeker_snapshot(seeker),
        note=f"consent {consent_on}",
    )
    return seeker


@transaction.atomic
def seeker_update(*, actor, seeker: JobSeeker, **values) -> JobSeeker:
    seeker = JobSeeker.objects.select_for_update().get(pk=seeker.pk)
    if not permissions.can_manage_seeker(actor, seeker):
        raise PermissionDenied
    allowed = {"kinds", "skills", "max_km", "regions", "lat", "lon", "available_from", "active",
               "note", "name", "phone"}  # fmt: skip
    unknown = set(values) - allowed
    if unknown:
        raise ApplicationError("invalid", f"unknown field {sorted(unknown)[0]}")
    before = _seeker_snapshot(seeker)
    if values.get("active") and not seeker.consenting:
        raise ApplicationError(
            "consent_withdrawn", _("本人已撤回同意，不能重新启用；请重新登记。"), field="active"
        )
    if "kinds" in values:
        seeker.kinds = _kinds(values["kinds"])
    for name in ("max_km", "lat", "lon"):
        if name in values:
            setattr(seeker, name, values[name])
    if "available_from" in values:
        seeker.available_from = _date(
            values["available_from"], field="available_from", label=_("可上岗日期")
        )
    if "active" in values:
        seeker.active = bool(values["active"])
    if "note" in values:
        seeker.note = _text(values["note"], field="note", label=_("备注"), most=TEXT_MAX,
                            required=False)  # fmt: skip
    if seeker.member_id is None:
        if "name" in values:
            seeker.resident_name = _text(values["name"], field="name", label=_("姓名"), most=50)
        if "phone" in values:
            phone = _phone(values["phone"])
            seeker.phone_enc = crypto.encrypt(phone) if phone else ""
    regions = regions_from(values["regions"]) if "regions" in values else list(seeker.regions.all())
    _check_reach(seeker, regions)
    skills = skills_from(values["skills"]) if "skills" in values else None
    _clean(seeker)
    seeker.save()
    if skills is not None:
        seeker.skills.set(skills)
    if "regions" in values:
        seeker.regions.set(regions)
    audit.record_update(
        actor=actor, obj=seeker, org_path=seeker.org_path, before=before,
        after=_seeker_snapshot(seeker),
    )  # fmt: skip
    return seeker


@transaction.atomic
def seeker_withdraw_consent(*, actor, seeker: JobSeeker, on: dt.date | None = None) -> JobSeeker:
    """The person no longer agrees: the record is deactivated, leaves every suggestion, and
    their open applications are withdrawn."""
    seeker = JobSeeker.objects.select_for_update().get(pk=seeker.pk)
    if not permissions.can_manage_seeker(actor, seeker):
        raise PermissionDenied
    if not seeker.consenting:
        raise ApplicationError("already_withdrawn", _("本人已撤回同意。"), field="consent_on")
    seeker.consent_withdrawn_on = on or timezone.localdate()
    seeker.active = False
    seeker.save(update_fields=["consent_withdrawn_on", "active", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=seeker,
        org_path=seeker.org_path,
        after={"consent_withdrawn_on": str(seeker.consent_withdrawn_on), "active": False},
        note="consent withdrawn",
    )
    for application in seeker.applications.filter(state__in=[
        ApplicationState.APPLIED, ApplicationState.INTERVIEWING
    ]):  # fmt: skip
        _move(application, ApplicationState.WITHDRAWN, actor=actor, outcome=_("本人撤回同意"),
              on=seeker.consent_withdrawn_on)  # fmt: skip
    return seeker


# --- applications ------------------------------------------------------------------------------


def _event(application: Application, *, actor, from_state: str, note: str = "") -> None:
    ApplicationEvent.objects.create(
        application=application,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_state=from_state,
        to_state=application.state,
        note=note[:500],
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if not from_state else AuditAction.UPDATE,
        obj=application,
        org_path=application.seeker_path,
        also_paths=[application.opening_path],
        before={"state": from_state} if from_state else None,
        after={"state": application.state},
        note=note,
    )


@transaction.atomic
def application_create(
    *,
    actor,
    seeker: JobSeeker,
    opening: Opening,
    applied_on: dt.date | None = None,
    note: str = "",
) -> Application:
    """The seeker's village records that the seeker applies to an open opening (once)."""
    seeker = JobSeeker.objects.select_for_update().get(pk=seeker.pk)
    opening = Opening.objects.select_for_update().get(pk=opening.pk)
    if not permissions.can_manage_seeker(actor, seeker):
        raise PermissionDenied
    if not seeker.active or not seeker.consenting:
        raise ApplicationError("seeker_inactive", _("该求职者已不在求职中。"), field="seeker")
    if opening.state != OpeningState.OPEN:
        raise ApplicationError("opening_not_open", _("该岗位已不再招聘。"), field="opening")
    if Application.objects.filter(seeker=seeker, opening=opening).exists():
        raise ApplicationError("already_applied", _("该求职者已报名这个岗位。"), field="opening")
    applied_on = applied_on or timezone.localdate()
    if applied_on > timezone.localdate():
        raise ApplicationError("future_date", _("报名日期不能晚于今天。"), field="applied_on")
    application = Application(
        seeker=seeker,
        opening=opening,
        opening_path=opening.org_path,
        seeker_path=seeker.org_path,
        applied_on=applied_on,
        outcome=_text(note, field="outcome", label=_("说明"), most=TEXT_MAX, required=False),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _clean(application)
    application.save()
    _event(application, actor=actor, from_state="", note=application.outcome)
    return application


def _move(application: Application, to_state: str, *, actor, outcome: str, on: dt.date) -> None:
    before = application.state
    application.state = to_state
    if to_state in (ApplicationState.HIRED, ApplicationState.NOT_HIRED, ApplicationState.WITHDRAWN):
        application.decided_on = on
    if outcome:
        application.outcome = outcome
    application.save(update_fields=["state", "decided_on", "outcome", "updated_at"])
    _event(application, actor=actor, from_state=before, note=outcome)


@transaction.atomic
def application_step(
    *,
    actor,
    application: Application,
    to_state: str,
    outcome: str = "",
    on: dt.date | None = None,
) -> Application:
    """Move an application one step (see the drawing at the top); hiring the last position
    fills the opening."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    opening = Opening.objects.select_for_update().get(pk=application.opening_id)
    side = STEPS.get((application.state, to_state))
    if side is None:
        raise ApplicationError(
            "invalid_transition",
            _("不能从“%(a)s”变为“%(b)s”。")
            % {
                "a": ApplicationState(application.state).label,
                "b": dict(ApplicationState.choices).get(to_state, to_state),
            },
            field="state",
        )
    seeker = application.seeker
    allowed = (
        permissions.can_manage_opening(actor, opening)
        if side == "opening"
        else permissions.can_manage_seeker(actor, seeker)
    )
    if not allowed:
        raise PermissionDenied
    outcome = _text(outcome, field="outcome", label=_("结果说明"), most=TEXT_MAX, required=False)
    on = on or timezone.localdate()
    if on < application.applied_on:
        raise ApplicationError("invalid_date", _("结果日期不能早于报名日期。"), field="on")
    if to_state == ApplicationState.HIRED and opening.state != OpeningState.OPEN:
        raise ApplicationError("opening_not_open", _("该岗位已不再招聘。"), field="state")
    _move(application, to_state, actor=actor, outcome=outcome, on=on)
    if to_state == ApplicationState.HIRED:
        hired = opening.applications.filter(state=ApplicationState.HIRED).count()
        if hired >= opening.positions:
            opening.state = OpeningState.FILLED
            opening.save(update_fields=["state", "updated_at"])
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=opening,
                org_path=opening.org_path,
                before={"state": OpeningState.OPEN},
                after={"state": OpeningState.FILLED},
                note="all positions filled",
            )
    return application
