"""Writes to the member registry: one rule set (members.rules), one audit trail."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit, crypto
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.core.validators import normalize_id_number, normalize_phone
from tongchou.members.choices import MemberStatus
from tongchou.members.models import Member
from tongchou.members.rules import check_member
from tongchou.organizations.models import Organization, OrgKind, OrgStatus
from tongchou.organizations.permissions import Action, can

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


@transaction.atomic
def member_create(
    *,
    actor,
    organization: Organization,
    id_number: str,
    phone: str = "",
    **fields,
) -> Member:
    if not can(actor, Action.MANAGE_MEMBERS, organization.path):
        raise PermissionDenied
    check_organization_accepts_members(organization)
    id_number = normalize_id_number(id_number)
    phone = normalize_phone(phone)
    member = Member(organization=organization, org_path=organization.path, **fields)
    _raise_rule_errors(check_member(_values(member, id_number, phone)))
    member.id_number_hash = crypto.lookup_hash(id_number)
    if Member.objects.filter(id_number_hash=member.id_number_hash).exists():
        raise ApplicationError(
            "duplicate_id_number", _("该身份证号已登记为党员。"), field="id_number"
        )
    member.id_number_enc = crypto.encrypt(id_number)
    member.phone_enc = crypto.encrypt(phone)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:  # a concurrent create of the same person
        raise ApplicationError(
            "duplicate_id_number", _("该身份证号已登记为党员。"), field="id_number"
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


@transaction.atomic
def member_update(*, actor, member: Member, **changes) -> Member:
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ApplicationError("not_editable", f"cannot change {', '.join(sorted(unknown))}")
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not can(actor, Action.MANAGE_MEMBERS, member.org_path):
        raise PermissionDenied
    if member.archived:
        raise ApplicationError("archived", _("已归档的党员记录不能修改。"))
    before = _audit_view(member)
    old_path = member.org_path
    id_number = normalize_id_number(changes.pop("id_number", None) or member.id_number)
    phone = normalize_phone(changes.pop("phone", member.phone) or "")
    new_org = changes.pop("organization", None)
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
            raise ApplicationError(
                "duplicate_id_number", _("该身份证号已登记为党员。"), field="id_number"
            )
        member.id_number_hash = digest
        member.id_number_enc = crypto.encrypt(id_number)
    if phone != member.phone:
        member.phone_enc = crypto.encrypt(phone)
    member.save()
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


def member_status_follow(*, actor, member: Member, status: str, note: str) -> Member:
    """Set the status another workflow implies (流动 while away, 正常 back, 已转出)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.archived:
        raise ApplicationError("archived", _("已归档的党员记录不能修改。"))
    if member.status == status:
        return member
    before = member.status
    member.status = status
    member.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=member,
        org_path=member.org_path,
        before={"status": before},
        after={"status": status},
        note=note,
    )
    return member


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
