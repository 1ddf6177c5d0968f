"""Writes of organizational relationship transfers (组织关系转接).

Every step is one transaction. A step names the ``version`` of the transfer the actor saw (the
page's hidden field, the API's ``version``; in-process callers default to the version of the
object they read): if the transfer has moved since — an approval and a cancellation sent at
the same moment, a second tab — the step is refused with what changed, and nothing of it is
kept. The move itself is a conditional UPDATE on that version (``filter(pk=…, version=seen)
.update(…, version=seen + 1)``, rowcount checked), so two people acting at once cannot both win
even when both read the same version. Each step appends a ``TransferStep`` and an audit event.
Completion changes the member's record in the same transaction.

Who may take which step: see ``transfers.permissions``; the person who requested a transfer
never approves it (separation of duties, the superuser included). State machine::

    requested ─approve_out─▶ out_approved ─approve_upper─▶ awaiting_inflow ─accept─▶ completed
        │   (no upper approval needed) ──────────────────────▶ │
        └──────────── return ▶ returned · cancel ▶ cancelled ◀──┘  (from any open state)

The introduction letter is issued by the last approval the transfer needs (the upper
committee's when it crosses counties, else the outflow side's): only then does it take a
serial, so a transfer returned or cancelled before that uses no number and the serials of a
year are the letters issued, without gaps. The outflow side states the month the member's dues
are paid up to when it approves; the issuing side gives its phone (offered again from the last
letter it issued).

Inward transfers start at ``awaiting_inflow``: the receiving side registers the letter it was
sent, then receives the member (there is no outflow side here to approve).
"""

import datetime as dt
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit, crypto, tree
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.core.validators import normalize_id_number, normalize_phone
from tongchou.members import services as member_services
from tongchou.members.choices import MemberStatus
from tongchou.members.id_numbers import ID_TAKEN_MESSAGE
from tongchou.members.models import Member
from tongchou.members.rules import check_member
from tongchou.organizations.models import Organization, OrgKind
from tongchou.regions.models import RegionLevel
from tongchou.transfers import letters, permissions, selectors
from tongchou.transfers.models import (
    OPEN_STATES,
    LetterCounter,
    StepAction,
    Transfer,
    TransferKind,
    TransferState,
    TransferStep,
)

# --------------------------------------------------------------------------------------------
# Letter serial numbers: 〈prefix〉〔〈year〉〕〈6-digit sequence〉号, e.g. 石组转〔2026〕000123号.
# The prefix names the deployment (settings.TRANSFER_LETTER_PREFIX: 石组转 for Shizuishan);
# the sequence restarts every year (LetterCounter).

SERIAL_RE = re.compile(r"^(?P<prefix>[^\s〔〕]{1,12})〔(?P<year>\d{4})〕(?P<seq>\d{6})号$")
LETTER_MAX_LENGTH = 40
TEXT_MAX = 200
NOTE_MAX = 500
UPPER_KINDS = (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE)
# A member with an open mobility spell is away (mobility keeps the status while the spell is
# open); only then can a transfer settle a spell.
AWAY_STATUSES = (MemberStatus.MOBILE, MemberStatus.LOST_CONTACT)


def letter_prefix() -> str:
    return settings.TRANSFER_LETTER_PREFIX


def format_serial(year: int, seq: int) -> str:
    if not 1 <= seq <= 999_999:
        raise ApplicationError("letter_serial_exhausted", _("本年度介绍信编号已用尽。"))
    return f"{letter_prefix()}〔{year:04d}〕{seq:06d}号"


def parse_serial(value: str) -> tuple[str, int, int] | None:
    """(prefix, year, sequence) of a serial issued here, or None if it is not one."""
    match = SERIAL_RE.match(value or "")
    if match is None:
        return None
    return match["prefix"], int(match["year"]), int(match["seq"])


def _next_sequence(year: int) -> int:
    """The next serial of ``year``, in one statement that inserts or increments the counter and
    returns it (PostgreSQL and SQLite both do upsert … RETURNING). The row stays locked until
    the transaction ends, so concurrent letters get distinct numbers; a rolled-back step gives
    its number back."""
    table = connection.ops.quote_name(LetterCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        return int(cursor.fetchone()[0])


def clean_letter_number(value: str) -> str:
    """A letter number typed in (an inward transfer's received letter)."""
    value = (value or "").strip()
    if not value:
        raise ApplicationError(
            "letter_number_required", _("请填写转入介绍信的编号。"), field="letter_number"
        )
    if len(value) > LETTER_MAX_LENGTH:
        raise ApplicationError(
            "letter_number_invalid",
            _("介绍信编号不能超过%(n)s个字符。") % {"n": LETTER_MAX_LENGTH},
            field="letter_number",
        )
    if any(unicodedata.category(c)[0] == "C" for c in value):
        raise ApplicationError(
            "letter_number_invalid",
            _("介绍信编号含有不可见的控制字符，请重新输入。"),
            field="letter_number",
        )
    if not any(c.isdigit() for c in value):
        raise ApplicationError(
            "letter_number_invalid",
            _("介绍信编号应含有数字（如“银组转〔2026〕000123号”）。"),
            field="letter_number",
        )
    return value


def _text(value, *, field: str, max_length: int, required: bool, label: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError("required", _("请填写%(label)s。") % {"label": label}, field=field)
    if len(value) > max_length:
        raise ApplicationError(
            "too_long",
            _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": max_length},
            field=field,
        )
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ApplicationError(
            "invalid", _("%(label)s含有控制字符。") % {"label": label}, field=field
        )
    return value


# --------------------------------------------------------------------------------------------
# Organizations


def county_code(org: Organization) -> str:
    """The county-level division an organization sits in: its region code's first 6 digits."""
    return (org.region_id or "")[:6]


def upper_committee(from_org: Organization) -> tuple[int, str]:
    """(id, path) of the committee that approves a transfer crossing counties: the nearest
    ancestor of the outflow organization that is a committee or working committee at county
    level, else the root of the tree. One query."""
    ancestor_ids = tree.ancestor_ids(from_org.path)
    if not ancestor_ids:
        return from_org.pk, from_org.path
    rows = Organization.objects.filter(pk__in=ancestor_ids).values_list(
        "pk", "path", "kind", "region__level"
    )
    by_id = {pk: (path, kind, level) for pk, path, kind, level in rows}
    for pk in reversed(ancestor_ids):
        path, kind, level = by_id.get(pk, ("", "", None))
        if kind in UPPER_KINDS and level == RegionLevel.COUNTY:
            return pk, path
    root = ancestor_ids[0]
    return root, by_id.get(root, ("",))[0]


def _check_destination(org: Organization) -> None:
    try:
        member_services.check_organization_accepts_members(org)
    except ApplicationError as exc:
        raise ApplicationError(exc.code, exc.message, field="to_org") from None


# --------------------------------------------------------------------------------------------
# Inward: the member's details travel with the letter


INCOMING_PLAIN = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "occupation",
    "category",
    "admission_date",
    "full_member_date",
)
INCOMING_DATES = ("birth_date", "admission_date", "full_member_date")


def _as_date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ApplicationError(
            "invalid", _("日期格式应为“年-月-日”，如2020-07-01。"), field=field
        ) from None


def clean_incoming(incoming: dict | None) -> tuple[dict, str]:
    """Validate an incoming member's details with the member rules (members.rules, exactly as
    member_create does) and return (what is stored, ID-number hash). The ID number and phone
    are stored encrypted, with the masked forms beside them for display."""
    data = dict(incoming or {})
    values = {name: data.get(name) or "" for name in INCOMING_PLAIN}
    for name in INCOMING_DATES:
        values[name] = _as_date(data.get(name), name)
    values["name"] = (values["name"] or "").strip()
    values["occupation"] = (values["occupation"] or "").strip()
    values["status"] = MemberStatus.NORMAL
    id_number = normalize_id_number(data.get("id_number") or "")
    phone = normalize_phone(data.get("phone") or "")
    errors = check_member({**values, "id_number": id_number, "phone": phone})
    if errors:
        field, message = next(iter(errors.items()))
        raise ApplicationError(
            "invalid", message, field=field, extra={"fields": {k: [v] for k, v in errors.items()}}
        )
    stored = {name: values[name] for name in INCOMING_PLAIN}
    for name in INCOMING_DATES:
        stored[name] = values[name].isoformat() if values[name] else None
    stored.update(
        id_number_enc=crypto.encrypt(id_number),
        id_number_masked=crypto.mask_id_number(id_number),
        phone_enc=crypto.encrypt(phone),
        phone_masked=crypto.mask_phone(phone) if phone else "",
    )
    return stored, crypto.lookup_hash(id_number)


def _incoming_member_fields(incoming: dict) -> dict:
    fields = {name: incoming.get(name) or "" for name in INCOMING_PLAIN}
    for name in INCOMING_DATES:
        fields[name] = _as_date(incoming.get(name), name)
    fields["id_number"] = crypto.decrypt(incoming.get("id_number_enc", ""))
    fields["phone"] = crypto.decrypt(incoming.get("phone_enc", ""))
    return fields


# --------------------------------------------------------------------------------------------
# Steps


def _record(transfer: Transfer, *, actor, action: str, before: str | None, path: str, note=""):
    """The step row and its audit event (two INSERTs)."""
    TransferStep.objects.create(
        transfer=transfer, action=action, state_after=transfer.state, actor=actor, note=note
    )
    label = StepAction(action).label
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if action == StepAction.REQUEST else AuditAction.UPDATE,
        object_type=Transfer._meta.label_lower,
        object_id=str(transfer.pk),
        object_repr=str(transfer.member_name),
        org_path=path,
        before={"state": before} if before else None,
        after={"state": transfer.state},
        note=f"{label}：{note}" if note else str(label),
    )


def _closed_error(transfer: Transfer, wanted: str) -> ApplicationError:
    state = TransferState(transfer.state)
    if state in (TransferState.COMPLETED, TransferState.RETURNED, TransferState.CANCELLED):
        message = _("该转接%(state)s，不能再%(step)s。") % {
            "state": state.label,
            "step": StepAction(wanted).label,
        }
        return ApplicationError("transfer_closed", message, field="state")
    return ApplicationError(
        "wrong_state",
        _("该转接当前状态为“%(state)s”，不能%(step)s。")
        % {"state": state.label, "step": StepAction(wanted).label},
        field="state",
    )


def _changed_error(transfer_pk: int) -> ApplicationError:
    """The transfer moved since the actor saw it: say what it is now and what happened last."""
    current = Transfer.objects.filter(pk=transfer_pk).values_list("state", flat=True).first()
    state = TransferState(current).label if current else "—"
    last = (
        TransferStep.objects.filter(transfer_id=transfer_pk)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if last is None:
        step = "—"
    else:
        who = (last.actor.get_full_name() or last.actor.get_username()) if last.actor else "—"
        step = _("%(who)s于%(at)s%(action)s") % {
            "who": who,
            "at": f"{timezone.localtime(last.at):%Y-%m-%d %H:%M}",
            "action": last.get_action_display(),
        }
    return ApplicationError(
        "stale_state",
        _(
            "该转接在您打开后已有变动：当前状态为“%(state)s”（最近一步：%(step)s）。"
            "您的操作未执行，请查看最新情况后再办理。"
        )
        % {"state": state, "step": step},
        field="state",
    )


def _check_seen(transfer: Transfer, version: int | None) -> int:
    """The version the step acts on: the one the actor saw, which must still be current."""
    if version is None:
        return transfer.version
    if version != transfer.version:
        raise _changed_error(transfer.pk)
    return version


def _advance(
    transfer: Transfer,
    *,
    actor,
    action: str,
    seen: int,
    new_state: str,
    path: str,
    note: str = "",
    **updates,
) -> Transfer:
    """Move the transfer from version ``seen`` (what the actor saw) to ``new_state`` with a
    conditional UPDATE; if anyone moved it first, nothing is written and the actor is told."""
    now = timezone.now()
    before = transfer.state
    moved = Transfer.objects.filter(pk=transfer.pk, version=seen, state=before).update(
        state=new_state, updated_at=now, version=seen + 1, **updates
    )
    if moved != 1:
        raise _changed_error(transfer.pk)
    for name, value in updates.items():
        setattr(transfer, name, value)
    transfer.state = new_state
    transfer.updated_at = now
    transfer.version = seen + 1
    _record(transfer, actor=actor, action=action, before=before, path=path, note=note)
    return transfer


def transfer_request(*, actor, kind: str, incoming: dict | None = None, **fields) -> Transfer:
    """Start a transfer (see ``_transfer_request``). An inward transfer's ID number is checked
    against the registry first, outside the request's transaction, so that a refusal keeps its
    trace (members.services.check_id_number_free: one answer out of scope, audited, counted);
    an archived record's number passes (accepting the transfer restores that record)."""
    to_org = fields.get("to_org")
    if (
        kind == TransferKind.INWARD
        and (incoming or {}).get("id_number")
        and to_org is not None
        and permissions._manages(actor, to_org.path)  # else the request is refused anyway
    ):
        member_services.check_id_number_free(
            actor, incoming["id_number"], archived_too=False, code="already_member"
        )
    return _transfer_request(actor=actor, kind=kind, incoming=incoming, **fields)


@transaction.atomic
def _transfer_request(
    *,
    actor,
    member: Member | None = None,
    kind: str,
    to_org: Organization | None = None,
    to_text: str = "",
    to_region=None,
    reason: str,
    from_text: str = "",
    letter_number: str = "",
    incoming: dict | None = None,
    reverses: Transfer | None = None,
) -> Transfer:
    """Start a transfer. ``reverses`` (a completed within transfer of the same member) makes
    this the reversal of that one: it must go back where the member came from."""
    reason = _text(reason, field="reason", max_length=TEXT_MAX, required=True, label=_("转接原因"))
    if kind in (TransferKind.WITHIN, TransferKind.OUTWARD):
        transfer = _outgoing(
            actor=actor,
            member=member,
            kind=kind,
            to_org=to_org,
            to_text=to_text,
            to_region=to_region,
            reverses=reverses,
        )
    elif kind == TransferKind.INWARD:
        transfer = _inward(
            actor=actor,
            member=member,
            to_org=to_org,
            from_text=from_text,
            letter_number=letter_number,
            incoming=incoming,
        )
    else:
        raise ApplicationError("invalid_kind", _("请选择转接类型。"), field="kind")
    transfer.reason = reason
    transfer.requested_by = actor if getattr(actor, "is_authenticated", False) else None
    try:
        transfer.save()
    except IntegrityError:
        # The partial unique constraints: a concurrent request for the same member/person.
        raise _already_open() from None
    _record(
        transfer,
        actor=actor,
        action=StepAction.REQUEST,
        before=None,
        path=permissions.outflow_path(transfer),
        note=reason,
    )
    return transfer


def _already_open() -> ApplicationError:
    return ApplicationError(
        "already_open",
        _("该党员已有一项正在办理的组织关系转接，请先办结、退回或撤回后再申请。"),
        field="member",
    )


def _outgoing(*, actor, member, kind, to_org, to_text, to_region, reverses) -> Transfer:
    if member is None:
        raise ApplicationError("member_required", _("请选择要转接的党员。"), field="member")
    if not permissions.may_request(actor, member):
        raise PermissionDenied
    if member.archived:
        raise ApplicationError(
            "archived", _("已归档的党员记录不能办理组织关系转接。"), field="member"
        )
    from_org = member.organization
    transfer = Transfer(
        kind=kind,
        member=member,
        member_name=member.name,
        from_org=from_org,
        from_path=from_org.path,
    )
    if kind == TransferKind.WITHIN:
        if to_org is None:
            raise ApplicationError("to_org_required", _("请选择转入党组织。"), field="to_org")
        if to_org.pk == member.organization_id:
            raise ApplicationError(
                "same_organization",
                _("转入党组织与该党员当前所在党组织相同，无需转接。"),
                field="to_org",
            )
        _check_destination(to_org)
        transfer.to_org, transfer.to_path = to_org, to_org.path
        transfer.needs_upper_approval = county_code(from_org) != county_code(to_org)
    else:
        if to_org is not None:
            raise ApplicationError(
                "to_org_in_deployment",
                _("转入党组织在本系统内，请选择“系统内转接”。"),
                field="to_org",
            )
        transfer.to_text = _text(
            to_text, field="to_text", max_length=TEXT_MAX, required=True, label=_("转入党组织名称")
        )
        transfer.to_region = to_region
        transfer.needs_upper_approval = True  # leaving the deployment crosses counties
    if transfer.needs_upper_approval:
        transfer.upper_org_id, transfer.upper_path = upper_committee(from_org)
    if reverses is not None:
        _check_reversal(member, transfer, reverses)
        transfer.reverses = reverses
    return transfer


def _check_reversal(member: Member, transfer: Transfer, reverses: Transfer) -> None:
    if reverses.state != TransferState.COMPLETED or reverses.kind != TransferKind.WITHIN:
        raise ApplicationError(
            "reverses_invalid",
            _("只能撤销已完成的系统内转接。"),
            field="reverses",
        )
    if reverses.member_id != member.pk or member.organization_id != reverses.to_org_id:
        raise ApplicationError(
            "reverses_invalid",
            _("被撤销的转接不是该党员当前组织关系的来源。"),
            field="reverses",
        )
    if transfer.kind != TransferKind.WITHIN or transfer.to_org_id != reverses.from_org_id:
        raise ApplicationError(
            "reverses_not_back",
            _("撤销转接应将组织关系转回原党组织（%(org)s）。") % {"org": reverses.from_label},
            field="to_org",
        )
    undone = Transfer.objects.filter(reverses=reverses).exclude(
        state__in=[TransferState.RETURNED, TransferState.CANCELLED]
    )
    if undone.exists():
        raise ApplicationError(
            "already_reversed", _("该转接已经撤销过（或正在撤销）。"), field="reverses"
        )


def _inward(*, actor, member, to_org, from_text, letter_number, incoming) -> Transfer:
    if member is not None:
        raise ApplicationError(
            "member_in_deployment",
            _("该党员已在本系统内，请办理系统内转接。"),
            field="member",
        )
    if to_org is None:
        raise ApplicationError("to_org_required", _("请选择转入党组织。"), field="to_org")
    if not permissions._manages(actor, to_org.path):
        raise PermissionDenied
    _check_destination(to_org)
    from_text = _text(
        from_text, field="from_text", max_length=TEXT_MAX, required=True, label=_("转出党组织名称")
    )
    letter_number = clean_letter_number(letter_number)
    stored, digest = clean_incoming(incoming)
    known = Member.objects.filter(id_number_hash=digest).values_list("archived", flat=True).first()
    if known is False:  # registered since transfer_request checked: the same words
        raise ApplicationError("already_member", str(ID_TAKEN_MESSAGE), field="id_number")
    return Transfer(
        kind=TransferKind.INWARD,
        state=TransferState.AWAITING_INFLOW,
        member_name=stored["name"],
        incoming=stored,
        incoming_hash=digest,
        from_text=from_text,
        to_org=to_org,
        to_path=to_org.path,
        letter_number=letter_number,
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _require_state(transfer: Transfer, state: str, action: str) -> None:
    if transfer.state != state:
        raise _closed_error(transfer, action)


def _require_other_than_requester(actor, transfer: Transfer, action: str) -> None:
    """Separation of duties: whoever requested a transfer does not approve it — not even the
    superuser, whose approval would otherwise make every request self-approved."""
    if permissions.is_requester(actor, transfer):
        raise ApplicationError(
            "requester_cannot_approve",
            _("您是本转接的申请人，不能自己审批（%(step)s）；请由另一位有审批权限的同志办理。")
            % {"step": StepAction(action).label},
            field="state",
        )


def _step_start(transfer: Transfer, *, actor, allowed: bool, action: str, state: str, version):
    """The checks every step makes first, in order: is the transfer still as the actor saw it,
    is it waiting for this step (``state``; None: any open state), may the actor take it, and
    is the actor someone other than the requester (approvals). Returns the version acted on."""
    seen = _check_seen(transfer, version)
    if state is None:
        if transfer.state not in OPEN_STATES:
            raise _closed_error(transfer, action)
    else:
        _require_state(transfer, state, action)
    _require(allowed)
    if action in (StepAction.APPROVE_OUT, StepAction.APPROVE_UPPER):
        _require_other_than_requester(actor, transfer, action)
    return seen


# --------------------------------------------------------------------------------------------
# What the letter states besides the member

PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}[0-9](转[0-9]{1,6})?$")
DUES_AHEAD_MONTHS = 12  # dues may be paid in advance, up to a year


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def clean_dues_paid_to(value, *, member: Member | None, today: dt.date) -> dt.date:
    """The month the member's Party dues are paid up to, as the first day of that month. Takes a
    date, "2026-05", "2026-05-31" or "2026年5月"; not before the member joined the Party, and at
    most a year ahead."""
    field = "dues_paid_to"
    if value in (None, ""):
        raise ApplicationError("required", _("请填写党费交至的年月（如2026-05）。"), field=field)
    if isinstance(value, dt.date):
        month = value.replace(day=1)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        match = re.fullmatch(r"(\d{4})\s*(?:-|/|年)\s*(\d{1,2})(?:\s*月|-\d{1,2})?", text)
        try:
            month = dt.date(int(match[1]), int(match[2]), 1) if match else None
        except ValueError:
            month = None
        if month is None:
            raise ApplicationError("invalid", _("党费交至应写成“年-月”，如2026-05。"), field=field)
    if _month_index(month) > _month_index(today) + DUES_AHEAD_MONTHS:
        raise ApplicationError(
            "invalid",
            _("党费交至不能晚于%(limit)s（最多预交一年）。")
            % {"limit": _month_label(_add_months(today, DUES_AHEAD_MONTHS))},
            field=field,
        )
    joined = member.admission_date if member is not None else None
    if joined is not None and _month_index(month) < _month_index(joined):
        raise ApplicationError(
            "invalid",
            _("党费交至不能早于该党员的入党时间（%(joined)s）。")
            % {"joined": _month_label(joined)},
            field=field,
        )
    return month


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(_month_index(day) + months, 12)
    return dt.date(year, month + 1, 1)


def _month_label(day: dt.date) -> str:
    return _("%(y)s年%(m)s月") % {"y": day.year, "m": day.month}


def clean_issuer_phone(value: str, *, transfer: Transfer) -> str:
    """The issuing organization's phone for the letter: as given, else the one on the last
    letter that organization issued (asked once per organization, not once per letter)."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        text = selectors.last_issuer_phone(transfer)
    if not text:
        raise ApplicationError(
            "required",
            _("请填写开具介绍信的党组织的联系电话（印在介绍信上，下次自动带出）。"),
            field="issuer_phone",
        )
    if not PHONE_RE.match(text) or sum(c.isdigit() for c in text) < 7:
        raise ApplicationError(
            "invalid",
            _("联系电话格式不正确，如 0952-2012345 或 13995012345。"),
            field="issuer_phone",
        )
    return text


def _letter_fields(transfer: Transfer, issuer_phone: str) -> dict:
    """The letter's serial, date, validity and the issuer's phone (the issuing step only). A
    letter issued before this rule (numbered at the outflow approval) keeps its number."""
    phone = clean_issuer_phone(issuer_phone, transfer=transfer)
    if transfer.letter_number:
        return {"issuer_phone": phone}
    today = timezone.localdate()
    return {
        "letter_number": format_serial(today.year, _next_sequence(today.year)),
        "letter_issued_on": today,
        "letter_valid_until": today + dt.timedelta(days=settings.TRANSFER_LETTER_VALID_DAYS),
        "issuer_phone": phone,
    }


# --------------------------------------------------------------------------------------------
# The steps


@transaction.atomic
def transfer_approve_out(
    *,
    actor,
    transfer: Transfer,
    note: str = "",
    dues_paid_to=None,
    issuer_phone: str = "",
    version: int | None = None,
) -> Transfer:
    """The outflow side agrees and states the month the member's dues are paid up to. When no
    upper approval is needed this issues the letter (serial, date, validity, the phone)."""
    seen = _step_start(
        transfer,
        actor=actor,
        allowed=permissions.may_approve_out(actor, transfer),
        action=StepAction.APPROVE_OUT,
        state=TransferState.REQUESTED,
        version=version,
    )
    note = _text(note, field="note", max_length=NOTE_MAX, required=False, label=_("说明"))
    updates = {
        "dues_paid_to": clean_dues_paid_to(
            dues_paid_to, member=transfer.member, today=timezone.localdate()
        )
    }
    if transfer.needs_upper_approval:
        new_state = TransferState.OUT_APPROVED
    else:
        new_state = TransferState.AWAITING_INFLOW
        updates.update(_letter_fields(transfer, issuer_phone))
    return _advance(
        transfer,
        actor=actor,
        action=StepAction.APPROVE_OUT,
        seen=seen,
        new_state=new_state,
        path=transfer.from_path,
        note=note,
        **updates,
    )


@transaction.atomic
def transfer_approve_upper(
    *,
    actor,
    transfer: Transfer,
    note: str = "",
    issuer_phone: str = "",
    version: int | None = None,
) -> Transfer:
    """The county-level committee agrees; its approval issues the letter."""
    seen = _step_start(
        transfer,
        actor=actor,
        allowed=permissions.may_approve_upper(actor, transfer),
        action=StepAction.APPROVE_UPPER,
        state=TransferState.OUT_APPROVED,
        version=version,
    )
    note = _text(note, field="note", max_length=NOTE_MAX, required=False, label=_("说明"))
    return _advance(
        transfer,
        actor=actor,
        action=StepAction.APPROVE_UPPER,
        seen=seen,
        new_state=TransferState.AWAITING_INFLOW,
        path=transfer.upper_path,
        note=note,
        **_letter_fields(transfer, issuer_phone),
    )


@transaction.atomic
def transfer_accept(
    *, actor, transfer: Transfer, note: str = "", version: int | None = None
) -> Transfer:
    """The inflow side receives the member (for an outward transfer: the outflow side confirms
    the receipt came back). The member's record changes in this same transaction."""
    seen = _step_start(
        transfer,
        actor=actor,
        allowed=permissions.may_accept(actor, transfer),
        action=StepAction.ACCEPT,
        state=TransferState.AWAITING_INFLOW,
        version=version,
    )
    note = _text(note, field="note", max_length=NOTE_MAX, required=False, label=_("说明"))
    now = timezone.now()
    _advance(
        transfer,
        actor=actor,
        action=StepAction.ACCEPT,
        seen=seen,
        new_state=TransferState.COMPLETED,
        path=permissions.accepting_path(transfer),
        note=note,
        completed_at=now,
    )
    if transfer.kind == TransferKind.WITHIN:
        status = _move_member(actor, transfer)
        if status in AWAY_STATUSES:
            _end_mobility(actor, transfer, inflow_org_id=transfer.to_org_id)
    elif transfer.kind == TransferKind.OUTWARD:
        _transfer_out(actor, transfer)
    else:
        member = _receive(actor, transfer)
        Transfer.objects.filter(pk=transfer.pk).update(member=member)
        transfer.member = member
    return transfer


def _letter_note(transfer: Transfer) -> str:
    text = _("组织关系转接：%(from)s → %(to)s") % {
        "from": transfer.from_label,
        "to": transfer.to_label,
    }
    if transfer.letter_number:
        text += _("（介绍信 %(n)s）") % {"n": transfer.letter_number}
    return text


def _move_member(actor, transfer: Transfer) -> str:
    """Move the member to the inflow organization (members.services.member_relocate: audited on
    both sides, refused if the member moved or was archived since the request); returns their
    status, so the mobility spell is looked up only for a member who is away.

    Not member_update: that asks the actor to manage both organizations, while a transfer is
    exactly the case where the outflow side approved and the inflow side receives (each checked
    above)."""
    to_org = transfer.to_org
    _check_destination(to_org)
    status = member_services.member_relocate(
        actor=actor,
        member_id=transfer.member_id,
        member_name=transfer.member_name,
        from_org=transfer.from_org,
        to_org=to_org,
        note=_letter_note(transfer),
    )
    if Transfer.member.is_cached(transfer):  # keep a loaded member in step with the row
        transfer.member.organization, transfer.member.org_path = to_org, to_org.path
    return status


def _transfer_out(actor, transfer: Transfer) -> None:
    """Outward: the member's relation has left the deployment — status 已转出, then archived;
    an open mobility spell ends after, so the status goes from 流动 to 已转出 in the member's
    one event (ended first, the spell would set 正常 on the way: a second, false change)."""
    member = transfer.member
    if member.archived or member.organization_id != transfer.from_org_id:
        raise ApplicationError(
            "member_changed",
            _("该党员的组织关系在申请后已有变动（或已归档），请退回本转接后重新申请。"),
            field="member",
        )
    member_services.member_leave(
        actor=actor,
        member=member,
        status=MemberStatus.TRANSFERRED_OUT,
        note=_letter_note(transfer),
    )
    _end_mobility(actor, transfer, inflow_org_id=None)


def _receive(actor, transfer: Transfer) -> Member:
    """Inward: register the member at the receiving organization, or, if the ID number is an
    archived member's (e.g. one who once transferred out), restore and move that record."""
    known = Member.objects.filter(id_number_hash=transfer.incoming_hash).first()
    fields = _incoming_member_fields(transfer.incoming)
    if known is None:
        return member_services.member_create(actor=actor, organization=transfer.to_org, **fields)
    if not known.archived:
        raise ApplicationError("already_member", str(ID_TAKEN_MESSAGE), field="id_number")
    return member_services.member_restore(
        actor=actor,
        member=known,
        organization=transfer.to_org,
        note=_("组织关系转入（恢复原党员记录，来自%(from)s，介绍信 %(n)s）")
        % {"from": transfer.from_text, "n": transfer.letter_number},
    )


def _end_mobility(actor, transfer: Transfer, *, inflow_org_id: int | None) -> None:
    """End the member's open mobility spell when the transfer settles it: a within transfer to
    the spell's inflow organization (or its station's), or any outward transfer."""
    try:
        from tongchou.mobility import services as mobility_services
        from tongchou.mobility.models import MobileMember, MobilityStatus
    except ImportError:  # pragma: no cover - the mobility app is always installed
        return
    spells = MobileMember.objects.filter(member_id=transfer.member_id, status=MobilityStatus.OPEN)
    if inflow_org_id is not None:
        spells = spells.filter(
            Q(inflow_org_id=inflow_org_id) | Q(station__organization_id=inflow_org_id)
        )
    spell = spells.first()
    if spell is not None:
        mobility_services.spell_end(
            actor=actor, spell=spell, on=timezone.localdate(), note=_letter_note(transfer)
        )


@transaction.atomic
def transfer_return(
    *, actor, transfer: Transfer, reason: str, version: int | None = None
) -> Transfer:
    """Refuse the transfer at the step it waits for (closed: a new request may follow)."""
    seen = _step_start(
        transfer,
        actor=actor,
        allowed=permissions.may_return(actor, transfer),
        action=StepAction.RETURN,
        state=None,
        version=version,
    )
    reason = _text(reason, field="reason", max_length=NOTE_MAX, required=True, label=_("退回理由"))
    return _advance(
        transfer,
        actor=actor,
        action=StepAction.RETURN,
        seen=seen,
        new_state=TransferState.RETURNED,
        path=permissions.pending_path(transfer),
        note=reason,
    )


@transaction.atomic
def transfer_cancel(
    *, actor, transfer: Transfer, note: str = "", version: int | None = None
) -> Transfer:
    seen = _step_start(
        transfer,
        actor=actor,
        allowed=permissions.may_cancel(actor, transfer),
        action=StepAction.CANCEL,
        state=None,
        version=version,
    )
    note = _text(note, field="note", max_length=NOTE_MAX, required=False, label=_("说明"))
    return _advance(
        transfer,
        actor=actor,
        action=StepAction.CANCEL,
        seen=seen,
        new_state=TransferState.CANCELLED,
        path=permissions.outflow_path(transfer),
        note=note,
    )


# --------------------------------------------------------------------------------------------
# Printing the letter


LETTER_MEDIA = ("page", "pdf")


@transaction.atomic
def transfer_letter_print(*, actor, transfer: Transfer, medium: str) -> "letters.Letter":
    """The letter as this person may print it (``medium``: the printable page or the PDF), and
    an audit event for the print naming the transfer, the person and whether the member's ID
    number and phone were shown in full — in full for roles that may reveal them on either side
    of the transfer, masked for anyone else (the member themself, station staff)."""
    if medium not in LETTER_MEDIA:
        raise ValueError(medium)
    if not transfer.has_letter:
        raise ApplicationError("no_letter", _("该转接尚未开具介绍信。"))
    full = permissions.may_print_in_full(actor, transfer)
    letter = letters.letter_for(transfer, full_personal_data=full)
    label = _("打印页") if medium == "page" else "PDF"
    if full:
        note = _("打印介绍信（%(medium)s，身份证号完整显示）") % {"medium": label}
    else:
        note = _("打印介绍信（%(medium)s，身份证号已遮蔽）") % {"medium": label}
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=Transfer._meta.label_lower,
        object_id=str(transfer.pk),
        object_repr=str(transfer.member_name),
        org_path=transfer.from_path,
        after={"letter": transfer.letter_number, "medium": medium, "full_id_number": full},
        note=note,
    )
    return letter
