"""Writes of mobile members and service stations: one rule set, one audit trail.

A spell is one row that both sides fill in: the home side registers the member going out
(``outflow_register``), the inflow side registers them arriving (``inflow_register``) — on the
same row when the member already has an open spell, so the three-level link (home organization,
inflow organization, station) is made by the data, not by matching two records. A member has at
most one open spell (a partial unique constraint; a lost race reads as the same clear error).
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit, crypto
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.core.validators import (
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_phone,
)
from tongchou.members import services as member_services
from tongchou.members.choices import MemberStatus
from tongchou.members.id_numbers import spend_lookup
from tongchou.members.models import Member
from tongchou.mobility.models import (
    ContactChannel,
    MobileMember,
    MobilityContact,
    MobilityReason,
    MobilityStatus,
    ServiceStation,
    StationKind,
    StationService,
)
from tongchou.mobility.permissions import (
    accounts_in_scope,
    may_act_on_spell,
    may_manage_station,
    may_register_at_station,
    may_register_outflow,
    may_return,
)
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action, can
from tongchou.regions.models import Region

SPELL_AUDITED = [
    "member",
    "external_name",
    "home_org",
    "home_text",
    "destination_region",
    "destination_text",
    "since",
    "reason",
    "expected_return",
    "inflow_org",
    "station",
    "inflow_registered_on",
    "status",
    "ended_on",
    "last_contact_on",
    "note",
]
STATION_AUDITED = [
    "name",
    "kind",
    "organization",
    "region",
    "address",
    "phone",
    "services",
    "active",
]
STATION_EDITABLE = set(STATION_AUDITED) | {"staff"}
AWAY_STATUSES = (MemberStatus.NORMAL, MemberStatus.LOST_CONTACT, MemberStatus.MOBILE)
# The key under which a spell's event records the member's status following it (the audit page
# reads ``member__status`` as the member's 状态).
MEMBER_STATUS_KEY = "member__status"
ONE_OPEN_SPELL = _("该党员已有一条未结束的流动登记，请先登记返回或结束原登记。")


# --- helpers ---------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date | None, field: str) -> None:
    if day is None:
        raise ApplicationError("required", _("请填写日期。"), field=field)
    if day > _today():
        raise ApplicationError("future_date", _("日期不能晚于今天。"), field=field)


def _choice(value: str, choices, field: str) -> None:
    if value not in choices.values:
        raise ApplicationError("invalid", _("请选择有效的选项。"), field=field)


def _contact(contact: str) -> str:
    contact = normalize_phone(contact or "")
    if contact:
        try:
            validate_phone(contact)
        except ValidationError as exc:
            raise ApplicationError("invalid_phone", exc.messages[0], field="contact") from None
    return contact


def _clean(obj, *, exclude: Iterable[str] = ()) -> None:
    """``full_clean`` (field lengths, choices) with its first error as an ApplicationError."""
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        field, messages = next(iter(fields.items()))
        field = None if field == "__all__" else field
        raise ApplicationError(
            "invalid", messages[0], field=field, extra={"fields": fields}
        ) from None


def _spell_view(spell: MobileMember) -> dict:
    data = audit.snapshot(spell, SPELL_AUDITED)
    data["contact"] = spell.contact_masked
    if spell.external_id_enc:
        data["external_id_number"] = crypto.mask_id_number(crypto.decrypt(spell.external_id_enc))
    return data


def _spell_paths(spell: MobileMember) -> list[str]:
    return list(dict.fromkeys(p for p in (spell.home_path, spell.inflow_path, spell.station_path)))


def _audit_spell(
    actor,
    action: str,
    spell: MobileMember,
    before: dict | None,
    note: str = "",
    *,
    status: tuple[str, str] | None = None,
):
    """One event filed under every side (home, inflow organization, station's organization),
    so each side's admins find it in their own audit log, as for a member who changes
    organization. When the member's status followed the spell (``status``: before, after),
    the event says so (``member__status``): one change, one event."""
    after = _spell_view(spell)
    if before is not None:
        before, after = audit.changed(before, after)
    if status is not None:
        before = {**(before or {}), MEMBER_STATUS_KEY: status[0]}
        after[MEMBER_STATUS_KEY] = status[1]
    paths = [p for p in _spell_paths(spell) if p] or [""]
    audit.record(
        actor=actor,
        action=action,
        obj=spell,
        object_repr=spell.name,
        org_path=paths[0],
        also_paths=paths[1:],
        before=before,
        after=after,
        note=note,
    )


def _follow_status(member: Member, status: str) -> tuple[str, str] | None:
    """The member's status follows their spells (流动 while away, 正常 back home), whoever
    registered the spell (the home side, the member themself, the inflow side): the spell's own
    checks decided who may act, so this goes through members.services.member_status_follow.
    Returns (before, after) when it changed, for the spell's event (no event of its own)."""
    if member.archived or member.status == status:
        return None
    if member.status not in AWAY_STATUSES:
        return None  # transferred out or deceased: says more than "mobile" or "normal"
    was = member_services.member_status_follow(member=member, status=status)
    return None if was is None else (was, status)


def _save_spell(spell: MobileMember) -> None:
    try:
        with transaction.atomic():
            spell.save()
    except IntegrityError:  # a concurrent registration won the one open spell
        raise ApplicationError("already_mobile", ONE_OPEN_SPELL, field="member") from None


def _open_spell_locked(**filters) -> MobileMember | None:
    return (
        MobileMember.objects.select_for_update()
        .filter(status=MobilityStatus.OPEN, **filters)
        .first()
    )


def _locked(spell: MobileMember) -> MobileMember:
    return MobileMember.objects.select_for_update().get(pk=spell.pk)


# --- stations --------------------------------------------------------------------------------


def _check_station_org(actor, organization: Organization) -> None:
    if not can(actor, Action.MANAGE_ORGS, organization.path):
        raise PermissionDenied
    if organization.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            "organization_dissolved",
            _("该党组织已撤销，不能设立党员服务站。"),
            field="organization",
        )


def _check_services(services) -> list[str]:
    services = list(dict.fromkeys(services or []))
    for value in services:
        if value not in StationService.values:
            raise ApplicationError("invalid", _("服务项目无效。"), field="services")
    return services


def _station_view(station: ServiceStation) -> dict:
    data = audit.snapshot(station, STATION_AUDITED)
    data["staff"] = sorted(station.staff.values_list("username", flat=True))
    return data


STAFF_NOT_IN_SCOPE = _(
    "您管理范围内没有这些用户名的有效账号：%(names)s。新的工作人员请在“账号”页为服务站开通账号。"
)


def _staff_refused(names: Iterable[str], field: str = "staff") -> ApplicationError:
    """One refusal for a username that does not exist and one outside the actor's accounts:
    nobody learns from it which accounts exist elsewhere."""
    return ApplicationError(
        "unknown_user", STAFF_NOT_IN_SCOPE % {"names": "、".join(sorted(names))}, field=field
    )


def _check_new_staff(actor, station: ServiceStation | None, users) -> list:
    """Staff added to a station must be active accounts the actor already manages
    (``permissions.accounts_in_scope``): being staff anchors an account at the station's
    organization, so anyone else would be pulled into the actor's reach. Those already on the
    station's staff stay as they are."""
    users = list(users)
    current = set(station.staff.values_list("pk", flat=True)) if station is not None else set()
    added = {u.pk: u for u in users if u.pk not in current}
    if added:
        allowed = set(
            accounts_in_scope(actor)
            .filter(pk__in=list(added), is_active=True)
            .values_list("pk", flat=True)
        )
        refused = [u.username for pk, u in added.items() if pk not in allowed]
        if refused:
            raise _staff_refused(refused)
    return users


def _set_staff(station: ServiceStation, users) -> None:
    station.staff.set(list(users))


@transaction.atomic
def station_create(
    *,
    actor,
    organization: Organization,
    name: str,
    kind: str,
    region: Region,
    address: str = "",
    phone: str = "",
    services: Iterable[str] = (),
    active: bool = True,
    staff: Iterable = (),
) -> ServiceStation:
    _check_station_org(actor, organization)
    _choice(kind, StationKind, "kind")
    station = ServiceStation(
        organization=organization,
        org_path=organization.path,
        name=(name or "").strip(),
        kind=kind,
        region=region,
        address=(address or "").strip(),
        phone=(phone or "").strip(),
        services=_check_services(services),
        active=active,
    )
    staff = _check_new_staff(actor, None, staff)
    _clean(station)
    station.save()
    _set_staff(station, staff)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=station,
        org_path=station.org_path,
        after=_station_view(station),
    )
    return station


@transaction.atomic
def station_update(*, actor, station: ServiceStation, **changes) -> ServiceStation:
    """Change a station's fields; ``staff`` (users) replaces the staff list. Moving it to
    another organization needs ``MANAGE_ORGS`` on both."""
    unknown = set(changes) - STATION_EDITABLE
    if unknown:
        raise ApplicationError("not_editable", f"cannot change {', '.join(sorted(unknown))}")
    station = ServiceStation.objects.select_for_update().get(pk=station.pk)
    if not may_manage_station(actor, station):
        raise PermissionDenied
    before = _station_view(station)
    staff = changes.pop("staff", None)
    new_org = changes.pop("organization", None)
    if new_org is not None and new_org.pk != station.organization_id:
        _check_station_org(actor, new_org)
        station.organization = new_org
        station.org_path = new_org.path
        # The station's spells follow it: the new organization sees them.
        MobileMember.objects.filter(station=station).update(station_path=new_org.path)
    if "services" in changes:
        changes["services"] = _check_services(changes["services"])
    if "kind" in changes:
        _choice(changes["kind"], StationKind, "kind")
    for field, value in changes.items():
        setattr(station, field, value.strip() if isinstance(value, str) else value)
    if staff is not None:
        staff = _check_new_staff(actor, station, staff)
    _clean(station)
    station.save()
    if staff is not None:
        _set_staff(station, staff)
    audit.record_update(
        actor=actor,
        obj=station,
        org_path=station.org_path,
        before=before,
        after=_station_view(station),
    )
    return station


def _staff_change(actor, station: ServiceStation, user, *, add: bool) -> ServiceStation:
    station = ServiceStation.objects.select_for_update().get(pk=station.pk)
    if not may_manage_station(actor, station):
        raise PermissionDenied
    present = station.staff.filter(pk=user.pk).exists()
    if add == present:
        return station
    if add:
        _check_new_staff(actor, station, [user])
    before = _station_view(station)
    (station.staff.add if add else station.staff.remove)(user)
    audit.record_update(
        actor=actor,
        obj=station,
        org_path=station.org_path,
        before=before,
        after=_station_view(station),
    )
    return station


@transaction.atomic
def station_staff_add(*, actor, station: ServiceStation, user) -> ServiceStation:
    return _staff_change(actor, station, user, add=True)


@transaction.atomic
def station_staff_remove(*, actor, station: ServiceStation, user) -> ServiceStation:
    return _staff_change(actor, station, user, add=False)


def users_by_username(
    usernames: Iterable[str],
    *,
    actor,
    station: ServiceStation | None = None,
    field: str = "staff",
) -> list:
    """Staff named by username: active accounts the actor manages, and the station's current
    staff as they are. Any other name — unknown, or an account elsewhere — gets the same
    refusal naming it."""
    names = list(dict.fromkeys(n.strip() for n in usernames if n and n.strip()))
    found = {
        u.username: u for u in accounts_in_scope(actor).filter(username__in=names, is_active=True)
    }
    if station is not None:
        found.update({u.username: u for u in station.staff.filter(username__in=names)})
    missing = [n for n in names if n not in found]
    if missing:
        raise _staff_refused(missing, field)
    return [found[n] for n in names]


# --- outflow ---------------------------------------------------------------------------------


def _check_destination(member: Member, region: Region | None, text: str) -> None:
    home = member.organization
    if region is None and not text:
        raise ApplicationError(
            "destination_required",
            _("请选择流入地区划，或填写区外的流入地。"),
            field="destination_region",
        )
    if region is not None and text:
        raise ApplicationError(
            "destination_ambiguous",
            _("流入地区划和区外流入地只填一项。"),
            field="destination_text",
        )
    if region is not None and region.pk == home.region_id:
        raise ApplicationError(
            "destination_is_home",
            _("流入地与流出地党组织所在区划相同，不是流动。"),
            field="destination_region",
        )
    if text and text in (home.name, home.region.name):
        raise ApplicationError(
            "destination_is_home",
            _("流入地与流出地党组织相同，不是流动。"),
            field="destination_text",
        )


@transaction.atomic
def outflow_register(
    *,
    actor,
    member: Member,
    destination_region: Region | None = None,
    destination_text: str = "",
    since: dt.date,
    reason: str,
    contact: str = "",
    expected_return: dt.date | None = None,
    note: str = "",
) -> MobileMember:
    """The home side (or the member themself) registers the member going out."""
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("organization__region")
        .get(pk=member.pk)
    )
    if not may_register_outflow(actor, member):
        raise PermissionDenied
    if member.archived or member.status not in AWAY_STATUSES:
        raise ApplicationError(
            "member_not_active",
            _("该党员记录已归档或已转出，不能登记外出。"),
            field="member",
        )
    destination_text = (destination_text or "").strip()
    _check_destination(member, destination_region, destination_text)
    _not_future(since, "since")
    if expected_return is not None and expected_return < since:
        raise ApplicationError(
            "return_before_since", _("预计返回日期不能早于外出时间。"), field="expected_return"
        )
    _choice(reason, MobilityReason, "reason")
    contact = _contact(contact) or member.phone  # blank: the phone on the member's record
    if _open_spell_locked(member=member) is not None:
        raise ApplicationError("already_mobile", ONE_OPEN_SPELL, field="member")
    spell = MobileMember(
        member=member,
        home_org=member.organization,
        home_path=member.org_path,
        destination_region=destination_region,
        destination_text=destination_text,
        since=since,
        reason=reason,
        contact_enc=crypto.encrypt(contact),
        expected_return=expected_return,
        note=(note or "").strip(),
        created_by=actor if actor.is_authenticated else None,
    )
    _clean(spell, exclude=["created_by"])
    _save_spell(spell)
    followed = _follow_status(member, MemberStatus.MOBILE)
    _audit_spell(actor, AuditAction.CREATE, spell, None, _("登记外出"), status=followed)
    return spell


# --- inflow ----------------------------------------------------------------------------------


def _is_own_record(actor, digest: str) -> bool:
    """Is the ID number the actor's own (a member registering their own arrival)?"""
    member = getattr(actor, "member", None) if actor is not None else None
    return member is not None and not member.archived and member.id_number_hash == digest


def _check_inflow_side(
    actor,
    inflow_org: Organization | None,
    station: ServiceStation | None,
    *,
    own_record: bool = False,
):
    if inflow_org is None and station is None:
        raise ApplicationError(
            "inflow_side_required", _("请选择流入党组织或党员服务站。"), field="inflow_org"
        )
    if inflow_org is not None:
        if not own_record and not can(actor, Action.MANAGE_MEMBERS, inflow_org.path):
            raise PermissionDenied
        if inflow_org.status != OrgStatus.ACTIVE:
            raise ApplicationError(
                "organization_dissolved", _("该党组织已撤销。"), field="inflow_org"
            )
    if station is not None:
        if not own_record and not may_register_at_station(actor, station):
            raise PermissionDenied
        if not station.active:
            raise ApplicationError("station_inactive", _("该服务站已停止运行。"), field="station")


def _inflow_fields(spell, inflow_org, station, since, contact, note) -> None:
    spell.inflow_org = inflow_org
    spell.inflow_path = inflow_org.path if inflow_org is not None else ""
    spell.station = station
    spell.station_path = station.org_path if station is not None else ""
    spell.inflow_registered_on = since
    if contact:
        spell.contact_enc = crypto.encrypt(contact)
    if note:
        spell.note = f"{spell.note}\n{note}".strip() if spell.note else note
    # Registering someone who arrived is meeting them: a contact.
    if spell.last_contact_on is None or spell.last_contact_on < since:
        spell.last_contact_on = since


def inflow_register(
    *,
    actor,
    inflow_org: Organization | None = None,
    station: ServiceStation | None = None,
    id_number: str,
    name: str = "",
    home_text: str = "",
    since: dt.date,
    reason: str,
    contact: str = "",
    note: str = "",
) -> MobileMember:
    """The inflow side (an organization or a station) registers someone who arrived.

    The person is found across the whole deployment (the inflow side is usually in another
    county) by ID number *and* name, as on the ID card they show: a member with an open spell
    gets its inflow side filled in (the same row); a member without one gets a spell opened from
    their own organization. Anything else — a number nobody in the deployment holds, an
    archived record's (someone who transferred out is a member from outside now), a record
    whose status is not away-able, or a name that differs — is registered the same way, as a
    member from outside with the name and home organization given here. So no refusal tells
    the inflow side anything about whom a number belongs to; when the number was a record's,
    that record's organization gets an audit event saying so. The name and the home
    organization are asked of everyone, for the same reason. Each registration spends one
    lookup of the hour's budget (members.id_numbers).

    A member may register their own arrival (their own ID number) at any inflow organization
    or station of the deployment; anyone else needs to act for the inflow side."""
    id_number = normalize_id_number(id_number)
    try:
        validate_id_number(id_number)
    except ValidationError as exc:
        raise ApplicationError("invalid_id_number", exc.messages[0], field="id_number") from None
    digest = crypto.lookup_hash(id_number)
    own_record = _is_own_record(actor, digest)
    _check_inflow_side(actor, inflow_org, station, own_record=own_record)
    name = (name or "").strip()
    home_text = (home_text or "").strip()
    note = (note or "").strip()
    if not own_record:
        if not name:
            raise ApplicationError("name_required", _("请填写姓名（与身份证一致）。"), field="name")
        if not home_text:
            raise ApplicationError(
                "home_text_required",
                _("请填写其组织关系所在党组织（党员本人所述，如流动党员活动证所载）。"),
                field="home_text",
            )
    _not_future(since, "since")
    _choice(reason, MobilityReason, "reason")
    contact = _contact(contact)
    if not own_record:
        spend_lookup(actor)  # before the write's transaction: a refused registration counts too
    return _inflow_register(
        actor, inflow_org, station, id_number, digest, name, home_text, since, reason, contact,
        note, own_record=own_record,
    )  # fmt: skip


def _matches(member: Member | None, name: str, *, own_record: bool) -> bool:
    """Does the registration name this member (an active record, and the same name)?"""
    return (
        member is not None
        and not member.archived
        and member.status in AWAY_STATUSES
        and (own_record or name == member.name)
    )


@transaction.atomic
def _inflow_register(
    actor, inflow_org, station, id_number, digest, name, home_text, since, reason, contact, note,
    *, own_record: bool,
) -> MobileMember:  # fmt: skip
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(id_number_hash=digest)
        .first()
    )
    if own_record and not _matches(member, name, own_record=True):
        raise ApplicationError(
            "member_not_active",
            _("您的党员记录已转出或状态不能登记流入，请与所在党组织联系。"),
            field="id_number",
        )
    if not _matches(member, name, own_record=own_record):
        if member is not None:
            _record_unmatched_use(actor, member, inflow_org, station)
        return _external_inflow(
            actor, inflow_org, station, id_number, digest, name, home_text, since, reason,
            contact, note,
        )  # fmt: skip
    if inflow_org is not None and inflow_org.pk == member.organization_id:
        raise ApplicationError(
            "inflow_is_home", _("该党员的组织关系就在这个党组织，不是流入。"), field="inflow_org"
        )
    if station is not None and station.organization_id == member.organization_id:
        raise ApplicationError(
            "inflow_is_home", _("该党员的组织关系就在这个服务站所属党组织，不是流入。"),
            field="station",
        )  # fmt: skip
    # A number typed here is the latest; else the spell's, else the member's record's.
    on_record = member.phone
    spell = _open_spell_locked(member=member)
    if spell is not None:
        if spell.inflow_org_id or spell.station_id:
            same = spell.inflow_org_id == getattr(inflow_org, "pk", None) and (
                spell.station_id == getattr(station, "pk", None)
            )
            message = (
                _("该党员已在此登记流入。")
                if same
                else _("该党员已由其他流入地党组织或服务站登记，请与其流出地党组织联系。")
            )
            raise ApplicationError("inflow_already_registered", message, field="id_number")
        before = _spell_view(spell)
        contact = contact or ("" if spell.contact_enc else on_record)
        _inflow_fields(spell, inflow_org, station, since, contact, note)
        _clean(spell, exclude=["created_by"])
        spell.save()
        _audit_spell(actor, AuditAction.UPDATE, spell, before, note=_("登记流入"))
        return spell
    region = inflow_org.region if inflow_org is not None else station.region
    spell = MobileMember(
        member=member,
        home_org_id=member.organization_id,
        home_path=member.org_path,
        destination_region=region,
        since=since,
        reason=reason,
        created_by=actor if actor.is_authenticated else None,
    )
    _inflow_fields(spell, inflow_org, station, since, contact or on_record, note)
    _clean(spell, exclude=["created_by"])
    _save_spell(spell)
    followed = _follow_status(member, MemberStatus.MOBILE)
    _audit_spell(actor, AuditAction.CREATE, spell, None, _("登记流入"), status=followed)
    return spell


def _record_unmatched_use(actor, member: Member, inflow_org, station) -> None:
    """Someone registered an arrival with this record's ID number but not as this member
    (another name, or the record is archived): the person registering learns nothing, the
    record's organization sees it happened (a typing error to correct, or a misuse)."""
    where = inflow_org.name if inflow_org is not None else station.name
    audit.record(
        actor=actor,
        action=AuditAction.REVEAL,
        obj=member,
        org_path=member.org_path,
        note=_("%(where)s以本组织党员的身份证号登记流入，姓名或记录状态不符，已按区外党员登记")
        % {"where": where},
    )


def _external_inflow(
    actor, inflow_org, station, id_number, digest, name, home_text, since, reason, contact, note
) -> MobileMember:
    existing = _open_spell_locked(member=None, external_id_hash=digest)
    if existing is not None:
        raise ApplicationError(
            "inflow_already_registered",
            _("该身份证号已有一条未结束的区外党员流入登记。"),
            field="id_number",
        )
    region = inflow_org.region if inflow_org is not None else station.region
    spell = MobileMember(
        external_name=name,
        external_id_enc=crypto.encrypt(id_number),
        external_id_hash=digest,
        home_text=home_text,
        destination_region=region,
        since=since,
        reason=reason,
        created_by=actor if actor.is_authenticated else None,
    )
    _inflow_fields(spell, inflow_org, station, since, contact, note)
    _clean(spell, exclude=["created_by"])
    try:
        with transaction.atomic():
            spell.save()
    except IntegrityError:
        raise ApplicationError(
            "inflow_already_registered",
            _("该身份证号已有一条未结束的区外党员流入登记。"),
            field="id_number",
        ) from None
    _audit_spell(actor, AuditAction.CREATE, spell, None, note=_("登记流入（区外党员）"))
    return spell


# --- the end of a spell, contacts ------------------------------------------------------------


def _closing(actor, spell: MobileMember, on: dt.date, *, allowed) -> MobileMember:
    spell = _locked(spell)
    if not allowed(actor, spell):
        raise PermissionDenied
    if spell.status != MobilityStatus.OPEN:
        raise ApplicationError(
            "spell_not_open", _("这条流动登记已经结束，不能再操作。"), field="on"
        )
    _not_future(on, "on")
    if on < spell.since:
        raise ApplicationError("before_since", _("日期不能早于外出时间。"), field="on")
    return spell


@transaction.atomic
def spell_return(*, actor, spell: MobileMember, on: dt.date) -> MobileMember:
    """The member came home: the spell closes, the member's status is 正常 again."""
    spell = _closing(actor, spell, on, allowed=may_return)
    before = _spell_view(spell)
    spell.status = MobilityStatus.RETURNED
    spell.ended_on = on
    spell.save(update_fields=["status", "ended_on", "updated_at"])
    followed = _follow_status(spell.member, MemberStatus.NORMAL) if spell.member_id else None
    _audit_spell(actor, AuditAction.UPDATE, spell, before, _("登记返回"), status=followed)
    return spell


@transaction.atomic
def spell_end(*, actor, spell: MobileMember, on: dt.date, note: str) -> MobileMember:
    """Close a spell for another reason (e.g. the relationship moved to the inflow side)."""
    spell = _closing(actor, spell, on, allowed=may_act_on_spell)
    note = (note or "").strip()
    if not note:
        raise ApplicationError("note_required", _("请说明结束原因。"), field="note")
    return _end(actor, spell, on, note)


def _end(actor, spell: MobileMember, on: dt.date, note: str) -> MobileMember:
    """End an open spell (locked by the caller, who decided it may end) with ``note``."""
    before = _spell_view(spell)
    spell.status = MobilityStatus.ENDED
    spell.ended_on = on
    spell.note = (f"{spell.note}\n{note}".strip() if spell.note else note)[:500]
    _clean(spell, exclude=["created_by"])
    spell.save(update_fields=["status", "ended_on", "note", "updated_at"])
    followed = _follow_status(spell.member, MemberStatus.NORMAL) if spell.member_id else None
    _audit_spell(actor, AuditAction.UPDATE, spell, before, _("结束流动登记"), status=followed)
    return spell


# --- following the member's record (members.services.Follower) -----------------------------


def member_moved(
    *, actor, member_id: int, organization: Organization, status: str, note: str
) -> None:
    """The member's organization changed (an edit, a completed transfer): their open spell's
    home side follows, so the roster and the report count them in the same subtree. When the
    new organization is the spell's inflow side, the relationship has moved there: the spell
    ends (the member is no longer away from it), with ``note`` (e.g. the transfer's letter).
    Only a member whose status is away has an open spell (mobility keeps the two together):
    nobody else costs a query."""
    if status not in (MemberStatus.MOBILE, MemberStatus.LOST_CONTACT):
        return
    spell = _open_spell_locked(member_id=member_id)
    if spell is None:
        return
    station_org = spell.station.organization_id if spell.station_id else None
    if organization.pk in (spell.inflow_org_id, station_org):
        _end(actor, spell, max(_today(), spell.since), note)
        return
    if spell.home_org_id == organization.pk and spell.home_path == organization.path:
        return
    before = _spell_view(spell)
    spell.home_org = organization
    spell.home_path = organization.path
    spell.save(update_fields=["home_org", "home_path", "updated_at"])
    _audit_spell(
        actor, AuditAction.UPDATE, spell, before, note=_("党员组织关系变动，流出党组织随之变更")
    )


def member_archiving(*, actor, member: Member, reason: str) -> None:
    """The member's record is being archived: their open spell ends with it (an archived record
    is out of every list and count; an open spell would keep it in the report)."""
    spell = _open_spell_locked(member_id=member.pk)
    if spell is not None:
        note = _("党员记录归档：%(reason)s") % {"reason": reason or "—"}
        _end(actor, spell, max(_today(), spell.since), note)


@transaction.atomic
def contact_record(
    *, actor, spell: MobileMember, on: dt.date, channel: str, note: str = ""
) -> MobilityContact:
    """Someone from either side reached the member; ``last_contact_on`` keeps the latest."""
    spell = MobileMember.objects.get(pk=spell.pk)
    if not may_act_on_spell(actor, spell):
        raise PermissionDenied
    if spell.status != MobilityStatus.OPEN:
        raise ApplicationError(
            "spell_not_open", _("这条流动登记已经结束，不能再记录联系。"), field="on"
        )
    _not_future(on, "on")
    if on < spell.since:
        raise ApplicationError("before_since", _("联系日期不能早于外出时间。"), field="on")
    _choice(channel, ContactChannel, "channel")
    contact = MobilityContact(
        mobile=spell,
        on=on,
        channel=channel,
        note=(note or "").strip(),
        by=actor if actor.is_authenticated else None,
    )
    _clean(contact, exclude=["mobile", "by"])
    contact.save()
    # Conditional: two contacts recorded at once both leave the later date.
    MobileMember.objects.filter(pk=spell.pk).filter(
        Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=on)
    ).update(last_contact_on=on, updated_at=timezone.now())
    paths = [p for p in _spell_paths(spell) if p] or [""]
    audit.record(  # one event, filed under every side of the spell
        actor=actor,
        action=AuditAction.CREATE,
        obj=contact,
        object_repr=f"{spell.name} {contact}",
        org_path=paths[0],
        also_paths=paths[1:],
        after=audit.snapshot(contact, ["mobile", "on", "channel", "note"]),
    )
    return contact
