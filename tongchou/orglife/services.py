"""Writes of organizational life: sessions and their attendance, each audited.

Attendance is recorded after the fact — a list of who was there online or offline, who was
excused and who was absent, typed in by the secretary (or the station's staff). The common case
takes one step: everyone expected (``roster``) marked present offline or online at once, the
exceptions named. Nothing asks a member to check in, share a location, upload a photo or stay
online for a time.

A session names its host and minute-taker (members of the organization, or mobile members its
inflow side looks after) and, for a Party lecture, its lecturer (a member the recorder may see,
or the name of someone who is not a member here).
"""

import datetime as dt
import unicodedata
from collections import Counter
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.members.models import Member
from tongchou.organizations.models import Organization, OrgKind, OrgStatus
from tongchou.organizations.permissions import Action, can
from tongchou.orglife import roster, rules
from tongchou.orglife.models import (
    PRESENT,
    Attendance,
    AttendanceStatus,
    Session,
    SessionFormat,
    SessionKind,
)
from tongchou.orglife.permissions import can_hold_at, can_manage

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_EXTENSIONS = frozenset(
    {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt", ".jpg", ".jpeg", ".png"}
)
PEOPLE = ("host", "minute_taker", "lecturer")
EDITABLE = frozenset(
    {
        "kind",
        "starts_at",
        "format",
        "topic",
        "place",
        "online_link",
        "minutes",
        "station",
        *PEOPLE,
        "lecturer_name",
    }
)
LECTURER_NAME_MAX = 50
AUDITED_FIELDS = [
    "kind",
    "organization",
    "station",
    "starts_at",
    "held_on",
    "format",
    "place",
    "online_link",
    "topic",
    "minutes",
    "host",
    "minute_taker",
    "lecturer",
    "lecturer_name",
]


PARTNERS_MAX = 10


def _audit_view(session: Session) -> dict:
    data = audit.snapshot(session, AUDITED_FIELDS)
    data["minutes"] = (data["minutes"] or "")[:500]
    data["attachment"] = session.attachment.name or ""
    if session.pk:
        data["partners"] = sorted(session.partners.values_list("pk", flat=True))
    return data


def _check_partners(partners, org: Organization) -> list[Organization]:
    """The organizations a joint session was held with: active, other than the holder, at
    most ``PARTNERS_MAX`` (each named once)."""
    found: list[Organization] = []
    for partner in partners or ():
        if not isinstance(partner, Organization):
            raise ApplicationError("invalid", _("请选择有效的党组织。"), field="partners")
        if partner.pk == org.pk:
            raise ApplicationError(
                "partner_is_holder",
                _("联合开展的党组织不能是召开组织生活的党组织本身。"),
                field="partners",
            )
        if partner.status != OrgStatus.ACTIVE:
            raise ApplicationError(
                "partner_dissolved",
                _("%(org)s已撤销，不能联合开展组织生活。") % {"org": partner.name},
                field="partners",
            )
        if partner not in found:
            found.append(partner)
    if len(found) > PARTNERS_MAX:
        raise ApplicationError(
            "too_many_partners",
            _("联合开展的党组织最多%(n)s个。") % {"n": PARTNERS_MAX},
            field="partners",
        )
    return found


# --- checks ----------------------------------------------------------------------------------


def _check_organization(org: Organization, kind: str) -> None:
    if org.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            "organization_dissolved",
            _("该党组织已撤销，不能登记组织生活。"),
            field="organization",
        )
    held = rules.KINDS_HELD.get(org.kind, frozenset())
    if kind not in held:
        allowed = "、".join(str(SessionKind(k).label) for k in rules.KIND_ORDER if k in held)
        raise ApplicationError(
            "kind_not_held",
            _("%(org)s（%(org_kind)s）不召开%(kind)s；可登记：%(allowed)s。")
            % {
                "org": org.name,
                "org_kind": OrgKind(org.kind).label,
                "kind": SessionKind(kind).label,
                "allowed": allowed or "—",
            },
            field="kind",
        )


def _check_choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise ApplicationError("invalid", _("请选择有效的选项。"), field=field)
    return value


def _check_station(station, org: Organization) -> None:
    if station is None:
        return
    if not station.org_path.startswith(org.path):
        raise ApplicationError(
            "station_outside_organization",
            _("党员服务站“%(station)s”不属于%(org)s或其下级组织。")
            % {"station": station.name, "org": org.name},
            field="station",
        )
    if not station.active:
        raise ApplicationError("station_inactive", _("该党员服务站已停止运行。"), field="station")


def _check_attachment(attachment) -> None:
    if not attachment:
        return
    name = getattr(attachment, "name", "") or ""
    if Path(name).suffix.lower() not in ATTACHMENT_EXTENSIONS:
        raise ApplicationError(
            "attachment_type",
            _("附件格式不支持，请上传 PDF、Word、Excel、PPT、文本或图片文件。"),
            field="attachment",
        )
    if (getattr(attachment, "size", 0) or 0) > ATTACHMENT_MAX_BYTES:
        raise ApplicationError(
            "attachment_too_large",
            _("附件不能超过 %(mb)s MB。") % {"mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            field="attachment",
        )


def _check_fields(session: Session, org: Organization) -> None:
    """The rules on a session's own fields (create and update alike)."""
    _check_choice(session.kind, SessionKind, "kind")
    _check_choice(session.format, SessionFormat, "format")
    session.topic = (session.topic or "").strip()
    session.place = (session.place or "").strip()
    session.online_link = (session.online_link or "").strip()
    if not session.topic:
        raise ApplicationError("topic_required", _("请填写主题。"), field="topic")
    if not isinstance(session.starts_at, dt.datetime):
        raise ApplicationError("invalid", _("请填写会议时间。"), field="starts_at")
    if timezone.is_naive(session.starts_at):
        session.starts_at = timezone.make_aware(session.starts_at)
    session.held_on = timezone.localdate(session.starts_at)
    if org.founded_on and session.held_on < org.founded_on:
        raise ApplicationError(
            "before_founding",
            _("会议时间早于该党组织的成立日期（%(date)s）。")
            % {"date": f"{org.founded_on:%Y-%m-%d}"},
            field="starts_at",
        )
    if session.format in (SessionFormat.ONLINE, SessionFormat.BOTH) and not session.online_link:
        raise ApplicationError(
            "online_link_required",
            _("线上或线上线下结合的组织生活请填写线上会议号或链接。"),
            field="online_link",
        )
    if session.format == SessionFormat.ONLINE and session.place:
        session.place = ""  # an online session has no room; drop a stale one quietly
    if session.format == SessionFormat.OFFLINE:
        session.online_link = ""
    _check_organization(org, session.kind)
    _check_station(session.station, org)


def _may_see(actor, session: Session, member: Member) -> bool:
    if can(actor, Action.VIEW_MEMBERS, member.org_path):
        return True
    return _at_station(session, member) and can_manage(actor, session)


def _check_people(session: Session, actor, changed: set[str]) -> None:
    """Host and minute-taker: members of the session (its organization's, or mobile members its
    inflow side looks after, or expected on its date); the lecturer: a Party lecture's only, a
    member the recorder may see or the name of someone else. Only what changed is checked, so a
    host archived since the session stays named."""
    labels = {"host": _("主持人"), "minute_taker": _("记录人"), "lecturer": _("授课人")}
    base = rules.membership_path(session.org_path, session.organization.kind)
    session.lecturer_name = (session.lecturer_name or "").strip()
    if session.kind != SessionKind.LECTURE:
        if {"lecturer", "lecturer_name"} & changed and (
            session.lecturer_id or session.lecturer_name
        ):
            raise ApplicationError(
                "lecturer_for_lectures",
                _("只有党课需要填写授课人。"),
                field="lecturer" if session.lecturer_id else "lecturer_name",
            )
        session.lecturer, session.lecturer_name = None, ""  # a kind changed since: dropped
    if session.lecturer_id and session.lecturer_name:
        raise ApplicationError(
            "lecturer_twice",
            _("授课人是本组织党员的请选择，不是的请填写姓名，二者只填其一。"),
            field="lecturer_name",
        )
    if len(session.lecturer_name) > LECTURER_NAME_MAX or any(
        unicodedata.category(c) == "Cc" for c in session.lecturer_name
    ):
        raise ApplicationError(
            "invalid",
            _("授课人姓名不能超过%(n)s个字，且不能含控制字符。") % {"n": LECTURER_NAME_MAX},
            field="lecturer_name",
        )
    expected = None
    for field in PEOPLE:
        member = getattr(session, field)
        if field not in changed or member is None:
            continue
        if not _may_see(actor, session, member):
            raise ApplicationError(
                "member_not_found", _("党员不存在：%(id)s。") % {"id": member.pk}, field=field
            )
        if member.archived:
            raise ApplicationError(
                "member_archived",
                _("%(name)s 的党员记录已归档，不能作为%(role)s。")
                % {"name": member.name, "role": labels[field]},
                field=field,
            )
        if field == "lecturer":
            continue
        if not _accepts(session, base, member):
            if expected is None:
                expected = roster.expected_members(session) if session.pk else set()
            if member.pk not in expected:
                raise ApplicationError(
                    "member_outside_organization",
                    _("%(name)s 不是%(org)s的党员，不能作为%(role)s。")
                    % {
                        "name": member.name,
                        "org": session.organization.name,
                        "role": labels[field],
                    },
                    field=field,
                )


def _in_future(session: Session) -> bool:
    return session.starts_at > timezone.now()


# --- sessions --------------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *,
    actor,
    organization: Organization | None = None,
    kind: str,
    starts_at: dt.datetime,
    format: str,  # noqa: A002 - the model's field name
    topic: str,
    place: str = "",
    online_link: str = "",
    minutes: str = "",
    station=None,
    attachment=None,
    host: Member | None = None,
    minute_taker: Member | None = None,
    lecturer: Member | None = None,
    lecturer_name: str = "",
    partners: list[Organization] | None = None,
) -> Session:
    """A session of ``organization``. A station's staff record sessions held at their station,
    which then belong to the station's organization (``organization`` may be left out).
    ``partners``: the organizations it was held together with (a joint session)."""
    if organization is None:
        if station is None:
            raise ApplicationError("invalid", _("请选择党组织。"), field="organization")
        organization = station.organization
    if not can_hold_at(actor, organization, station):
        raise PermissionDenied
    session = Session(
        kind=kind,
        organization=organization,
        org_path=organization.path,
        station=station,
        starts_at=starts_at,
        format=format,
        place=place,
        online_link=online_link,
        topic=topic,
        minutes=(minutes or "").strip(),
        host=host,
        minute_taker=minute_taker,
        lecturer=lecturer,
        lecturer_name=lecturer_name or "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _check_fields(session, organization)
    _check_people(session, actor, {*PEOPLE, "lecturer_name"})
    _check_attachment(attachment)
    partners = _check_partners(partners, organization)
    if attachment:
        session.attachment = attachment
    session.save()
    if partners:
        session.partners.set(partners)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=session,
        org_path=session.org_path,
        after=_audit_view(session),
    )
    return session


def _value_of(session: Session, field: str):
    if field in PEOPLE or field == "station":
        return getattr(session, f"{field}_id")
    return getattr(session, field)


def _value_of_given(value):
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def session_update(*, actor, session: Session, attachment=None, **changes) -> Session:
    """Change a session's fields (``EDITABLE``); the organization stays. ``attachment``
    replaces the file; ``attachment=False`` removes it; ``partners`` (a list) replaces the
    organizations it was held together with."""
    partners = changes.pop("partners", None)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ApplicationError("not_editable", f"cannot change {', '.join(sorted(unknown))}")
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("station").get(pk=session.pk)
    )
    if not can_manage(actor, session):
        raise PermissionDenied
    org = Organization.objects.get(pk=session.organization_id)
    station = changes.get("station", session.station)
    if "station" in changes and not can_hold_at(actor, org, station):
        raise PermissionDenied
    before = _audit_view(session)
    old_held_on = session.held_on
    changed = {f for f, v in changes.items() if _value_of(session, f) != _value_of_given(v)}
    for field, value in changes.items():
        setattr(session, field, value)
    _check_fields(session, org)
    session.organization = org
    _check_people(session, actor, changed)
    if _in_future(session) and session.attendance.exists():
        raise ApplicationError(
            "future_with_attendance",
            _("已登记出席情况的组织生活，时间不能改到将来。"),
            field="starts_at",
        )
    if attachment is False:
        session.attachment = ""
    elif attachment:
        _check_attachment(attachment)
        session.attachment = attachment
    if partners is not None:
        partners = _check_partners(partners, org)
    session.save()
    if partners is not None:
        session.partners.set(partners)
    if session.held_on != old_held_on:
        session.attendance.update(held_on=session.held_on)
    audit.record_update(
        actor=actor,
        obj=session,
        org_path=session.org_path,
        before=before,
        after=_audit_view(session),
    )
    return session


@transaction.atomic
def session_delete(*, actor, session: Session, reason: str = "") -> None:
    """Delete a session entered by mistake, with its attendance (audited with both)."""
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("station").get(pk=session.pk)
    )
    if not can_manage(actor, session):
        raise PermissionDenied
    counts = Counter(session.attendance.values_list("status", flat=True))
    before = _audit_view(session)
    before["attendance"] = dict(counts)
    pk, repr_, path = session.pk, str(session), session.org_path
    session.delete()
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type=Session._meta.label_lower,
        object_id=str(pk),
        object_repr=repr_,
        org_path=path,
        before=before,
        note=reason,
    )


# --- attendance ------------------------------------------------------------------------------


def _entries_by_member(entries) -> dict[int, tuple[Member | None, str]]:
    """``entries`` as {member id: (member or None, status)}; a member listed twice is refused."""
    found: dict[int, tuple[Member | None, str]] = {}
    if isinstance(entries, dict):
        for key, status in entries.items():
            try:
                member_id = int(key.pk if isinstance(key, Member) else key)
            except (TypeError, ValueError):
                raise ApplicationError(
                    "invalid", _("党员编号无效：%(id)s。") % {"id": key}, field="entries"
                ) from None
            found[member_id] = (key if isinstance(key, Member) else None, status)
        return found
    for item in entries:
        member, status = item
        member_id = member.pk if isinstance(member, Member) else int(member)
        if member_id in found:
            name = member.name if isinstance(member, Member) else member_id
            raise ApplicationError(
                "duplicate_member",
                _("%(name)s 重复登记。") % {"name": name},
                field="entries",
            )
        found[member_id] = (member if isinstance(member, Member) else None, status)
    return found


def _accepts(session: Session, base_path: str, member: Member) -> bool:
    """Is ``member`` one of the session's organization's, or a mobile member whose open
    spell's inflow side is that organization's subtree or the session's station?"""
    if member.org_path.startswith(base_path):
        return True
    from tongchou.mobility.selectors import inflow_side_of

    paths, station_ids = inflow_side_of(member)
    if session.station_id is not None and session.station_id in station_ids:
        return True
    return any(p and p.startswith(base_path) for p in paths)


def _at_station(session: Session, member: Member) -> bool:
    if session.station_id is None:
        return False
    from tongchou.mobility.selectors import inflow_side_of

    _paths, station_ids = inflow_side_of(member)
    return session.station_id in station_ids


def _check_status(status: str, session: Session, member: Member) -> str:
    if status not in AttendanceStatus.values:
        raise ApplicationError(
            "invalid_status",
            _("%(name)s 的出席情况无效。") % {"name": member.name},
            field="status",
        )
    if session.format == SessionFormat.ONLINE and status == AttendanceStatus.PRESENT_OFFLINE:
        raise ApplicationError(
            "status_format",
            _("本次为线上组织生活，%(name)s 只能登记为线上参加。") % {"name": member.name},
            field="status",
        )
    if session.format == SessionFormat.OFFLINE and status == AttendanceStatus.PRESENT_ONLINE:
        raise ApplicationError(
            "status_format",
            _("本次为线下组织生活，%(name)s 只能登记为线下参加（或把形式改为线上线下结合）。")
            % {"name": member.name},
            field="status",
        )
    return status


@transaction.atomic
def attendance_record(*, actor, session: Session, entries, everyone: str | None = None) -> Session:
    """Replace the session's attendance with ``entries`` — ``[(member, status), …]`` or
    ``{member_id: status}`` — in one transaction: all of it or none of it. ``everyone`` (present
    offline or online) is the status of every expected member (``roster``) not in ``entries``:
    the common case is one step, everyone present, the exceptions named.

    Online and offline presence are one record per member per session (the status says which),
    so a functional branch's mixed meetings and a mobile member's attendance away from home
    land in the same member history."""
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("organization", "station")
        .get(pk=session.pk)
    )
    if not can_manage(actor, session):
        raise PermissionDenied
    if _in_future(session):
        raise ApplicationError(
            "session_in_future",
            _("组织生活尚未召开（%(at)s），不能登记出席情况。")
            % {"at": f"{timezone.localtime(session.starts_at):%Y-%m-%d %H:%M}"},
            field="starts_at",
        )
    wanted = _entries_by_member(entries)
    manager = can(actor, Action.MANAGE_MEMBERS, session.org_path)
    expected = roster.expected_members(session) if roster.has_roster(session) else set()
    if everyone:
        _check_everyone(everyone, session, manager)
        for pk in expected - set(wanted):
            wanted[pk] = (None, everyone)
    members = {m.pk: m for m, _status in wanted.values() if m is not None}
    missing = [pk for pk in wanted if pk not in members]
    if missing:
        members.update(Member.objects.in_bulk(missing))
    already = set(session.attendance.values_list("member_id", flat=True))
    base_path = rules.membership_path(session.org_path, session.organization.kind)
    accepted = {
        pk
        for pk, m in members.items()
        if pk in wanted and (pk in expected or _accepts(session, base_path, m))
    }
    if not manager:
        # Station staff (no role there) act for their station: the mobile members it looks
        # after, and whoever is recorded already — not the rest of the organization.
        accepted = {pk for pk in accepted if pk in already or _at_station(session, members[pk])}
    # A member the actor may not see looks missing, as everywhere: the refusal must not tell
    # them the name (or the existence) of someone outside their scope.
    unknown = [
        pk
        for pk in wanted
        if pk not in members
        or (
            pk not in accepted
            and pk not in already
            and not can(actor, Action.VIEW_MEMBERS, members[pk].org_path)
        )
    ]
    if unknown:
        raise ApplicationError(
            "member_not_found",
            _("党员不存在：%(ids)s。") % {"ids": "、".join(str(pk) for pk in unknown[:10])},
            field="entries",
        )
    rows = []
    for pk, (_given, status) in wanted.items():
        member = members[pk]
        if member.archived and pk not in already and pk not in expected:
            raise ApplicationError(
                "member_archived",
                _("%(name)s 的党员记录已归档，不能登记出席。") % {"name": member.name},
                field="entries",
            )
        if pk not in accepted:
            raise ApplicationError(
                "member_outside_organization",
                _(
                    "%(name)s 不是%(org)s的党员，也不是流入本组织或本服务站的流动党员，"
                    "不能登记出席情况。"
                )
                % {"name": member.name, "org": session.organization.name},
                field="entries",
                extra={"member": pk},
            )
        _check_status(status, session, member)
        rows.append(Attendance(session=session, member=member, status=status))
    before = Counter(session.attendance.values_list("status", flat=True))
    session.attendance.all().delete()
    for row in rows:
        row.held_on = session.held_on
    Attendance.objects.bulk_create(rows, batch_size=500)
    after = Counter(row.status for row in rows)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=session,
        org_path=session.org_path,
        before={"attendance": dict(before)},
        after={"attendance": dict(after)},
        note=_attendance_note(rows, expected, everyone),
    )
    return session


def _check_everyone(status: str, session: Session, manager: bool) -> None:
    if status not in PRESENT:
        raise ApplicationError(
            "invalid_status", _("全员登记只能是线下参加或线上参加。"), field="everyone"
        )
    if not roster.has_roster(session):
        raise ApplicationError(
            "no_roster",
            _(
                "本次组织生活没有固定的应到名单（支委会由支部委员参加，党小组的党员登记在"
                "党支部，党委的党课、主题党日按邀请参加），请逐人登记。"
            ),
            field="everyone",
        )
    if not manager:
        raise ApplicationError(
            "everyone_needs_manager",
            _("全员登记由管理本组织党员的书记办理；服务站工作人员请逐人登记流动党员。"),
            field="everyone",
        )
    allowed = {
        SessionFormat.OFFLINE: {AttendanceStatus.PRESENT_OFFLINE},
        SessionFormat.ONLINE: {AttendanceStatus.PRESENT_ONLINE},
    }.get(session.format, set(PRESENT))
    if status not in allowed:
        raise ApplicationError(
            "status_format",
            _("本次为%(format)s组织生活，不能全员登记为%(status)s。")
            % {
                "format": SessionFormat(session.format).label,
                "status": AttendanceStatus(status).label,
            },
            field="everyone",
        )


def _attendance_note(rows, expected: set[int], everyone: str | None) -> str:
    note = _("登记出席情况：%(n)s人") % {"n": len(rows)}
    if everyone:
        note += _("（应到%(due)s人，未单独登记的记为%(status)s）") % {
            "due": len(expected),
            "status": AttendanceStatus(everyone).label,
        }
    return note


def held_on_of(starts_at: dt.datetime) -> dt.date:
    """The local date a session held at ``starts_at`` counts for (the demo's fast path)."""
    return timezone.localdate(starts_at)
