"""Writes to the member registry: one rule set (members.rules), one audit trail.

Apps above members keep facts that follow a member's record (an open mobility spell's home
side follows the member's organization; archiving the record ends the spell). They register a
``Follower`` here (in their ``AppConfig.ready``) and these services call it in the same
transaction, so members never imports them (dependencies point down).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit, crypto
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.core.validators import id_number_facts, normalize_id_number, normalize_phone
from tongchou.members.choices import MemberStatus
from tongchou.members.id_numbers import ID_TAKEN_MESSAGE, spend_lookup
from tongchou.members.models import Member
from tongchou.members.rules import check_member, hand_set_status_error
from tongchou.organizations.models import Organization, OrgKind, OrgStatus
from tongchou.organizations.permissions import Action, can


@dataclass(frozen=True)
class Follower:
    """What an app above members does when a record changes (each may be None):
    ``moved(actor=, member_id=, organization=, status=, note=)`` after the member's
    organization changed (``status`` is the member's, ``note`` says why: a transfer's letter);
    ``archiving(actor=, member=, reason=)`` just before the record is archived."""

    key: str
    moved: Callable[..., None] | None = None
    archiving: Callable[..., None] | None = None


FOLLOWERS: dict[str, Follower] = {}


def register_follower(follower: Follower) -> None:
    FOLLOWERS[follower.key] = follower


def _followers_moved(
    actor, member_id: int, organization: Organization, *, status: str, note: str
) -> None:
    for follower in FOLLOWERS.values():
        if follower.moved is not None:
            follower.moved(
                actor=actor,
                member_id=member_id,
                organization=organization,
                status=status,
                note=note,
            )


def _followers_archiving(actor, member: Member, reason: str) -> None:
    for follower in FOLLOWERS.values():
        if follower.archiving is not None:
            follower.archiving(actor=actor, member=member, reason=reason)


PLAIN_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "occupation",
    "category",
    "admission_date",
    "full_member_date",
    "status",
    "home_region",
]
AUDITED_FIELDS = [*PLAIN_FIELDS, "organization", "archived"]


def _audit_view(member: Member) -> dict:
    """What the audit log keeps: plain fields, and personal numbers only masked."""
    data = audit.snapshot(member, AUDITED_FIELDS)
    data["id_number"] = member.id_number_masked
    data["phone"] = member.phone_masked
    return data


def check_organization_accepts_members(org: Organization) -> None:
    if org.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            "organization_dissolved", _("该党组织已撤销，不能接收党员。"), field="organization"
        )
    if org.kind == OrgKind.GROUP:
        raise ApplicationError(
            "organization_is_group",
            _("党员的组织关系应在党支部（或党总支、党委），不能在党小组。"),
            field="organization",
        )


def _raise_rule_errors(errors: dict[str, str]) -> None:
    if errors:
        field, message = next(iter(errors.items()))
        raise ApplicationError(
            "invalid", message, field=field, extra={"fields": {k: [v] for k, v in errors.items()}}
        )


def _values(member: Member, id_number: str, phone: str) -> dict:
    values = {f: getattr(member, f) for f in PLAIN_FIELDS if f != "home_region"}
    values.update(id_number=id_number, phone=phone)
    return values


def _derive_from_id_number(fields: dict, id_number: str) -> None:
    """Birth date and gender are read off the ID number (never typed twice): filled in where
    not given; where given, ``check_member`` insists they agree."""
    try:
        birth, gender = id_number_facts(id_number)
    except ValidationError:
        return  # check_member names what is wrong with the number
    if not fields.get("birth_date"):
        fields["birth_date"] = birth
    if not fields.get("gender"):
        fields["gender"] = gender


def _check_status(status: str, *, current: str | None = None) -> None:
    message = hand_set_status_error(status, current=current)
    if message:
        raise ApplicationError("status_not_settable", message, field="status")


def check_id_number_free(
    actor,
    id_number: str,
    *,
    exclude_pk: int | None = None,
    archived_too: bool = True,
    code: str = "duplicate_id_number",
) -> None:
    """Refuse an ID number another record holds. Inside the actor's scope the answer names the
    record; outside it, the same words whoever it belongs to, active or archived (see
    members.id_numbers), with an audit event at the record's organization saying someone
    tried. Each refusal spends a lookup of the actor's hourly budget. ``archived_too=False``
    lets an archived record's number pass (an inward transfer restores that record).

    Call it before the write's transaction: its trace (the lookup counted, the audit event)
    must stay when the write is refused."""
    digest = crypto.lookup_hash(normalize_id_number(id_number))
    if not digest:
        return
    taken = Member.objects.filter(id_number_hash=digest).exclude(pk=exclude_pk)
    if not archived_too:
        taken = taken.filter(archived=False)
    taken = taken.select_related("organization").first()
    if taken is None:
        return
    spend_lookup(actor)
    if can(actor, Action.VIEW_MEMBERS, taken.org_path):
        names = {"name": taken.name, "org": taken.organization.name}
        message = (
            _(
                "该身份证号属于已归档的党员记录：%(name)s（%(org)s）。"
                "如其组织关系转回本系统，请办理组织关系转入以恢复该记录。"
            )
            if taken.archived
            else _("该身份证号已登记为党员：%(name)s（%(org)s）。")
        ) % names
        raise ApplicationError(code, message, field="id_number", extra={"member": taken.pk})
    audit.record(
        actor=actor,
        action=AuditAction.REVEAL,
        obj=taken,
        org_path=taken.org_path,
        note=_("他人以本组织党员的身份证号登记，已拒绝（对方未获知该党员的任何信息）"),
    )
    raise ApplicationError(code, str(ID_TAKEN_MESSAGE), field="id_number")


def member_create(
    *,
    actor,
    organization: Organization,
    id_number: str,
    phone: str = "",
    **fields,
) -> Member:
    """A new member. Birth date and gender come from the ID number when not given; the status
    is one a person may set (members.rules.HAND_SET_STATUSES)."""
    if not can(actor, Action.MANAGE_MEMBERS, organization.path):
        raise PermissionDenied
    check_id_number_free(actor, id_number)
    return _member_create(
        actor=actor, organization=organization, id_number=id_number, phone=phone, **fields
    )


@transaction.atomic
def _member_create(*, actor, organization: Organization, id_number: str, phone: str, **fields):
    check_organization_accepts_members(organization)
    id_number = normalize_id_number(id_number)
    phone = normalize_phone(phone)
    fields = {k: v for k, v in fields.items() if v is not None or k == "full_member_date"}
    _check_status(fields.setdefault("status", MemberStatus.NORMAL))
    _derive_from_id_number(fields, id_number)
    member = Member(organization=organization, org_path=organization.path, **fields)
    _raise_rule_errors(check_member(_values(member, id_number, phone)))
    member.id_number_hash = crypto.lookup_hash(id_number)
    if Member.objects.filter(id_number_hash=member.id_number_hash).exists():
        raise ApplicationError("duplicate_id_number", str(ID_TAKEN_MESSAGE), field="id_number")
    member.id_number_enc = crypto.encrypt(id_number)
    member.phone_enc = crypto.encrypt(phone)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:  # a concurrent create of the same person
        raise ApplicationError(
            "duplicate_id_number", str(ID_TAKEN_MESSAGE), field="id_number"
        ) from None
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=member,
        org_path=member.org_path,
        after=_audit_view(member),
    )
    return member


EDITABLE = set(PLAIN_FIELDS) | {"organization", "id_number", "phone"}


def member_update(*, actor, member: Member, **changes) -> Member:
    """Change a member's fields (``EDITABLE``). A new ID number brings its birth date and
    gender unless they are given too; the status changes only between hand-set statuses."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ApplicationError("not_editable", f"cannot change {', '.join(sorted(unknown))}")
    if not can(actor, Action.MANAGE_MEMBERS, member.org_path):
        raise PermissionDenied
    if changes.get("id_number"):
        check_id_number_free(actor, changes["id_number"], exclude_pk=member.pk)
    return _member_update(actor=actor, member=member, **changes)


@transaction.atomic
def _member_update(*, actor, member: Member, **changes) -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not can(actor, Action.MANAGE_MEMBERS, member.org_path):
        raise PermissionDenied
    if member.archived:
        raise ApplicationError("archived", _("已归档的党员记录不能修改。"))
    before = _audit_view(member)
    old_path = member.org_path
    new_id = normalize_id_number(changes.pop("id_number", None) or "")
    id_number = new_id or member.id_number
    phone = normalize_phone(changes.pop("phone", member.phone) or "")
    new_org = changes.pop("organization", None)
    if "status" in changes:
        _check_status(changes["status"], current=member.status)
    if new_id and new_id != member.id_number:
        derived: dict = {k: changes.get(k) for k in ("birth_date", "gender")}
        _derive_from_id_number(derived, new_id)
        changes.update(derived)
    for field in ("birth_date", "gender"):
        if field in changes and changes[field] is None:
            changes.pop(field)  # not given: the record keeps what its ID number says
    for field, value in changes.items():
        setattr(member, field, value.strip() if isinstance(value, str) else value)
    if new_org is not None and new_org.pk != member.organization_id:
        if not can(actor, Action.MANAGE_MEMBERS, new_org.path):
            raise PermissionDenied
        check_organization_accepts_members(new_org)
        member.organization = new_org
        member.org_path = new_org.path
    _raise_rule_errors(check_member(_values(member, id_number, phone)))
    digest = crypto.lookup_hash(id_number)
    if digest != member.id_number_hash:
        if Member.objects.filter(id_number_hash=digest).exclude(pk=member.pk).exists():
            raise ApplicationError("duplicate_id_number", str(ID_TAKEN_MESSAGE), field="id_number")
        member.id_number_hash = digest
        member.id_number_enc = crypto.encrypt(id_number)
    if phone != member.phone:
        member.phone_enc = crypto.encrypt(phone)
    member.save()
    if member.org_path != old_path:
        _followers_moved(
            actor,
            member.pk,
            member.organization,
            status=member.status,
            note=_("党员信息修改：所在党组织变更为%(org)s") % {"org": member.organization.name},
        )
    old, new = audit.changed(before, _audit_view(member))
    # A member who changes organization is one event filed on both sides, so the admins of
    # the organization they left see them leave.
    if new:
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=member,
            org_path=member.org_path,
            also_paths=[old_path],
            before=old,
            after=new,
        )
    return member


@transaction.atomic
def member_archive(*, actor, member: Member, reason: str = "") -> Member:
    """Archive instead of delete: the record stays, out of lists and counts."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not can(actor, Action.MANAGE_MEMBERS, member.org_path):
        raise PermissionDenied
    if member.archived:
        raise ApplicationError("already_archived", _("该党员记录已归档。"))
    _followers_archiving(actor, member, reason)
    member.refresh_from_db(fields=["status"])  # a follower may have changed it (spell ended)
    member.archived = True
    member.archived_at = timezone.now()
    member.save(update_fields=["archived", "archived_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.ARCHIVE,
        obj=member,
        org_path=member.org_path,
        before={"archived": False},
        after={"archived": True},
        note=reason,
    )
    return member


def member_reveal(*, actor, member: Member) -> dict[str, str]:
    """The unmasked ID number and phone, for a role that needs them; every call is audited."""
    if not can(actor, Action.REVEAL, member.org_path):
        raise PermissionDenied
    audit.record(
        actor=actor,
        action=AuditAction.REVEAL,
        obj=member,
        org_path=member.org_path,
        note="id_number,phone",
    )
    return {"id_number": member.id_number, "phone": member.phone}


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --------------------------------------------------------------------------------------------
# Changes another workflow has decided and authorized (a completed transfer, a mobility spell).
# The caller checks who may act (the outflow side approved, the inflow side accepts, the member
# registers their own spell); these only write the member and audit it, without asking the
# actor to manage the member's organization or re-checking the rest of the record.


def member_status_follow(*, member: Member, status: str) -> str | None:
    """Set the status another workflow implies (流动 while a mobility spell is open, 正常 when
    it closes). Returns the status before, or None if it already was ``status``. No event of
    its own: the status follows the workflow's record, whose one event says so (one change,
    one event)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.archived:
        raise ApplicationError("archived", _("已归档的党员记录不能修改。"))
    if member.status == status:
        return None
    before = member.status
    member.status = status
    member.save(update_fields=["status", "updated_at"])
    return before


def member_leave(*, actor, member: Member, status: str, note: str) -> Member:
    """The member's relation has left the deployment (a completed outward transfer): the
    status says why and the record is archived — one change, so one event (not a status update
    and then an archiving)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.archived:
        raise ApplicationError("already_archived", _("该党员记录已归档。"))
    before = {"status": member.status, "archived": False}
    member.status = status
    member.archived = True
    member.archived_at = timezone.now()
    member.save(update_fields=["status", "archived", "archived_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.ARCHIVE,
        obj=member,
        org_path=member.org_path,
        before=before,
        after={"status": status, "archived": True},
        note=note,
    )
    return member


def member_relocate(
    *, actor, member_id: int, member_name: str, from_org: Organization, to_org: Organization,
    note: str,
) -> str:  # fmt: skip
    """Move a member from ``from_org`` to ``to_org`` (a completed transfer), one audit event
    filed on both sides; returns the member's status. One conditional statement: a member
    moved or archived since the workflow began is refused, so two completions cannot both move
    them."""
    check_organization_accepts_members(to_org)
    table = connection.ops.quote_name(Member._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET organization_id = %s, org_path = %s, updated_at = %s "
            f"WHERE id = %s AND organization_id = %s AND archived = %s RETURNING status",
            [
                to_org.pk,
                to_org.path,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                member_id,
                from_org.pk,
                False,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise ApplicationError(
            "member_changed",
            _("该党员的组织关系在申请后已有变动（或已归档），请退回本转接后重新申请。"),
            field="member",
        )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=Member._meta.label_lower,
        object_id=str(member_id),
        object_repr=member_name,
        org_path=to_org.path,
        also_paths=[from_org.path],
        before={"organization": from_org.pk},
        after={"organization": to_org.pk},
        note=note,
    )
    _followers_moved(actor, member_id, to_org, status=row[0], note=note)
    return row[0]


def member_restore(*, actor, member: Member, organization: Organization, note: str) -> Member:
    """Bring an archived record back, in ``organization`` (someone who once transferred out
    transfers in again): audited where they were and where they are now."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not member.archived:
        raise ApplicationError("not_archived", _("该党员记录未归档。"))
    check_organization_accepts_members(organization)
    before = {"archived": True, "organization": member.organization_id, "status": member.status}
    old_path = member.org_path
    member.archived = False
    member.archived_at = None
    member.status = MemberStatus.NORMAL
    member.organization = organization
    member.org_path = organization.path
    restored = ["archived", "archived_at", "status", "organization", "org_path", "updated_at"]
    member.save(update_fields=restored)
    after = {"archived": False, "organization": organization.pk, "status": member.status}
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=member,
        org_path=organization.path,
        also_paths=[old_path],
        before=before,
        after=after,
        note=note,
    )
    return member
