"""Writes to the organization network. Every structural rule is checked here, inside one
transaction, and every change leaves an audit event."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from tongchou.core import audit, tree
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.organizations.models import (
    ALLOWED_PARENT_KINDS,
    ChainLink,
    Organization,
    OrgKind,
    OrgStatus,
    OrgType,
    Unit,
)
from tongchou.organizations.permissions import Action, can
from tongchou.regions.models import Region

AUDITED_FIELDS = [
    "code",
    "name",
    "kind",
    "org_type",
    "sector",
    "chain_links",
    "formation",
    "region",
    "urban_rural",
    "parent",
    "founded_on",
    "secretary_name",
    "status",
    "dissolved_on",
    "lead",
]


def _require(actor, action: str, path: str | None) -> None:
    allowed = actor.is_superuser if path is None else can(actor, action, path)
    if not allowed:
        raise PermissionDenied


def _check_parent(kind: str, parent: Organization | None) -> None:
    parent_kind = parent.kind if parent else None
    if parent is not None and parent.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            "parent_dissolved", _("上级组织已撤销，不能在其下设置组织。"), field="parent"
        )
    if parent_kind not in ALLOWED_PARENT_KINDS[kind]:
        if parent is None:
            message = _("%(kind)s不能作为顶级组织，请选择上级组织。") % {
                "kind": OrgKind(kind).label
            }
        else:
            message = _("%(kind)s不能设在%(parent)s之下。") % {
                "kind": OrgKind(kind).label,
                "parent": OrgKind(parent_kind).label,
            }
        raise ApplicationError("invalid_parent_kind", message, field="parent")
    if parent is not None and tree.depth(parent.path) >= tree.MAX_DEPTH:
        raise ApplicationError("too_deep", _("组织层级过深。"), field="parent")


def _check_type(org: Organization, units: list[Unit] | None) -> None:
    """Rules that depend on the organization type (joint, functional, industry chain)."""
    if org.org_type == OrgType.JOINT:
        if org.lead_id is None:
            raise ApplicationError(
                "joint_without_lead", _("联合党组织必须指定牵头组织，明确权责。"), field="lead"
            )
        if org.pk is not None and org.lead_id == org.pk:
            raise ApplicationError("lead_is_self", _("牵头组织不能是其本身。"), field="lead")
        lead = Organization.objects.only("status", "org_type").get(pk=org.lead_id)
        if lead.status != OrgStatus.ACTIVE:
            raise ApplicationError("lead_dissolved", _("牵头组织已撤销。"), field="lead")
        if lead.org_type == OrgType.JOINT:
            raise ApplicationError(
                "lead_is_joint", _("牵头组织不能是另一个联合党组织。"), field="lead"
            )
        if units is not None and len(units) < 2:
            raise ApplicationError(
                "joint_needs_units", _("联合党组织至少应联合两个单位。"), field="units"
            )
    elif org.lead_id is not None:
        raise ApplicationError("lead_not_joint", _("只有联合党组织需要牵头组织。"), field="lead")
    if org.org_type == OrgType.FUNCTIONAL and not org.sector:
        raise ApplicationError(
            "functional_without_sector", _("功能型党组织须注明服务的新就业群体。"), field="sector"
        )
    if org.org_type != OrgType.FUNCTIONAL and org.sector:
        org.sector = ""
    if org.org_type == OrgType.INDUSTRY_CHAIN:
        links = list(dict.fromkeys(org.chain_links or []))
        if any(link not in ChainLink.values for link in links) or len(links) < 2:
            raise ApplicationError(
                "chain_links",
                _("产业链党组织至少应联结两个环节（种植养殖、加工、销售物流）。"),
                field="chain_links",
            )
        org.chain_links = links
    elif org.chain_links:
        org.chain_links = []


def _default_urban_rural(region: Region, value: str) -> str:
    value = value or region.urban_rural
    if not value:
        raise ApplicationError(
            "urban_rural_required",
            _("该区划没有城乡分类，请选择城市或农村。"),
            field="urban_rural",
        )
    return value


def _check_dates(org: Organization) -> None:
    if org.founded_on is not None and org.founded_on > dt.date.today():
        raise ApplicationError("future_date", _("成立日期不能晚于今天。"), field="founded_on")


def _full_clean(org: Organization) -> None:
    try:
        org.full_clean(exclude=["path", "code", "units"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ApplicationError(
            "invalid", f"{field}: {messages[0]}", field=field, extra={"fields": exc.message_dict}
        ) from None


@transaction.atomic
def organization_create(
    *,
    actor,
    name: str,
    kind: str,
    region: Region,
    parent: Organization | None,
    org_type: str = OrgType.STANDARD,
    sector: str = "",
    chain_links: list[str] | None = None,
    formation: str = "single",
    urban_rural: str = "",
    founded_on: dt.date | None = None,
    secretary_name: str = "",
    code: str = "",
    lead: Organization | None = None,
    units: list[Unit] | None = None,
    new_units: list[dict] | None = None,
) -> Organization:
    """``new_units`` (name, kind, region) are created in the same transaction and joined to
    ``units``: a failure of either leaves neither."""
    _require(actor, Action.MANAGE_ORGS, parent.path if parent else None)
    units = _with_new_units(actor, units, new_units, parent.path if parent else "")
    if lead is not None:
        _require(actor, Action.VIEW_ORGS, lead.path)
    _check_parent(kind, parent)
    org = Organization(
        name=name.strip(),
        kind=kind,
        org_type=org_type,
        sector=sector,
        chain_links=chain_links or [],
        formation=formation,
        region=region,
        urban_rural=_default_urban_rural(region, urban_rural),
        parent=parent,
        founded_on=founded_on,
        secretary_name=secretary_name.strip(),
        lead=lead,
        code=code.strip(),
    )
    _check_type(org, (units or []) if org_type == OrgType.JOINT else None)
    _check_dates(org)
    _full_clean(org)
    if org.code and Organization.objects.filter(code=org.code).exists():
        raise ApplicationError("duplicate_code", _("组织代码已存在。"), field="code")
    org.path = f"tmp-{id(org)}"  # unique placeholder until the id is known
    org.save()
    org.path = tree.child_path(parent.path if parent else "", org.pk)
    org.depth = tree.depth(org.path)
    org.code = org.code or f"{region.code}-{org.pk}"
    org.save(update_fields=["path", "depth", "code"])
    if units:
        org.units.set(units)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=org,
        org_path=org.path,
        after=audit.snapshot(org, AUDITED_FIELDS),
    )
    return org


EDITABLE = {
    "name",
    "org_type",
    "sector",
    "chain_links",
    "formation",
    "region",
    "urban_rural",
    "founded_on",
    "secretary_name",
    "code",
    "lead",
    "kind",
}


@transaction.atomic
def organization_update(
    *,
    actor,
    org: Organization,
    units: list[Unit] | None = None,
    new_units: list[dict] | None = None,
    **changes,
) -> Organization:
    """Rename or change attributes. Moving and dissolving have their own services.
    ``new_units`` as for organization_create."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ApplicationError("not_editable", f"cannot change {', '.join(sorted(unknown))} here")
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _require(actor, Action.MANAGE_ORGS, org.path)
    if org.status != OrgStatus.ACTIVE:
        raise ApplicationError("dissolved", _("已撤销的组织不能修改。"))
    before = _update_view(org)
    if new_units:
        units = _with_new_units(actor, units, new_units, org.path)
    for field, value in changes.items():
        setattr(org, field, value.strip() if isinstance(value, str) else value)
    if "kind" in changes:
        _check_parent(org.kind, org.parent)
        _check_children_kinds(org)
    if "lead" in changes and org.lead is not None:
        _require(actor, Action.VIEW_ORGS, org.lead.path)
    org.urban_rural = _default_urban_rural(org.region, org.urban_rural)
    current_units = units if units is not None else list(org.units.all())
    _check_type(org, current_units if org.org_type == OrgType.JOINT else None)
    _check_dates(org)
    if not org.code:  # codes are generated on create only; an edit may change, not clear one
        raise ApplicationError("code_required", _("组织代码不能为空。"), field="code")
    _full_clean(org)
    if Organization.objects.filter(code=org.code).exclude(pk=org.pk).exists():
        raise ApplicationError("duplicate_code", _("组织代码已存在。"), field="code")
    org.save()
    if units is not None:
        org.units.set(units)
    # One event with what changed (the units included), none when nothing did.
    audit.record_update(
        actor=actor, obj=org, org_path=org.path, before=before, after=_update_view(org)
    )
    return org


def _update_view(org: Organization) -> dict:
    data = audit.snapshot(org, AUDITED_FIELDS)
    data["units"] = sorted(org.units.values_list("pk", flat=True))
    return data


def _check_children_kinds(org: Organization) -> None:
    for child_kind in org.children.filter(status=OrgStatus.ACTIVE).values_list("kind", flat=True):
        if org.kind not in ALLOWED_PARENT_KINDS[child_kind]:
            raise ApplicationError(
                "invalid_child_kind", _("现有下级组织的类别与新的层级类别不相容。"), field="kind"
            )


@transaction.atomic
def organization_move(*, actor, org: Organization, new_parent: Organization) -> Organization:
    """Put ``org`` (and its whole subtree) under ``new_parent``. Every path, and every copy of a
    path on other tables, is rewritten in this one transaction."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    new_parent = Organization.objects.select_for_update().get(pk=new_parent.pk)
    _require(actor, Action.MANAGE_ORGS, org.path)
    _require(actor, Action.MANAGE_ORGS, new_parent.path)
    if org.parent_id is None:
        raise ApplicationError("move_root", _("顶级组织不能移动。"), field="parent")
    if new_parent.path.startswith(org.path):
        raise ApplicationError(
            "move_cycle", _("不能把组织移到它自己或它的下级组织之下。"), field="parent"
        )
    if new_parent.pk == org.parent_id:
        raise ApplicationError("move_same_parent", _("组织已在该上级组织之下。"), field="parent")
    if org.status != OrgStatus.ACTIVE:
        raise ApplicationError("dissolved", _("已撤销的组织不能移动。"))
    _check_parent(org.kind, new_parent)
    old_path = org.path
    new_path = tree.child_path(new_parent.path, org.pk)
    deepest = (
        Organization.objects.filter(tree.subtree_q(old_path))
        .order_by("-depth")
        .values_list("depth", flat=True)
        .first()
    )
    if deepest - org.depth + tree.depth(new_path) > tree.MAX_DEPTH:
        raise ApplicationError("too_deep", _("移动后组织层级过深。"), field="parent")
    shift = tree.depth(new_path) - tree.depth(old_path)
    tail = Substr("path", len(old_path) + 1)
    Organization.objects.filter(tree.subtree_q(old_path)).update(
        path=Concat(Value(new_path), tail), depth=F("depth") + shift
    )
    for model, field in tree.PATH_COPIES:
        model.objects.filter(tree.subtree_q(old_path, field)).update(
            **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
        )
    old_parent_id = org.parent_id
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    for hook in tree.MOVE_HOOKS:
        hook(old_path, new_path)
    org.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditAction.MOVE,
        obj=org,
        org_path=org.path,
        before={"parent": old_parent_id, "path": old_path},
        after={"parent": new_parent.pk, "path": org.path},
    )
    return org


@transaction.atomic
def organization_dissolve(
    *, actor, org: Organization, on: dt.date | None = None, note: str = ""
) -> Organization:
    """Dissolve an organization that no longer has active children or members."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _require(actor, Action.MANAGE_ORGS, org.path)
    if org.status != OrgStatus.ACTIVE:
        raise ApplicationError("already_dissolved", _("该组织已撤销。"))
    if org.children.filter(status=OrgStatus.ACTIVE).exists():
        raise ApplicationError("has_children", _("该组织仍有下级组织，请先撤销或移走下级组织。"))
    # Its children are all dissolved (checked above), so its own members are all there are.
    if org.member_count > 0:
        raise ApplicationError("has_members", _("该组织仍有党员，请先转出。"))
    if org.led_joint_organizations.filter(status=OrgStatus.ACTIVE).exists():
        raise ApplicationError("leads_joint", _("该组织仍牵头联合党组织，请先更换牵头组织。"))
    on = on or dt.date.today()
    if on > dt.date.today():
        raise ApplicationError("future_date", _("撤销日期不能晚于今天。"), field="on")
    if org.founded_on is not None and on < org.founded_on:
        raise ApplicationError("before_founding", _("撤销日期不能早于成立日期。"), field="on")
    org.status = OrgStatus.DISSOLVED
    org.dissolved_on = on
    org.save(update_fields=["status", "dissolved_on", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.DISSOLVE,
        obj=org,
        org_path=org.path,
        before={"status": OrgStatus.ACTIVE},
        after={"status": org.status, "dissolved_on": str(org.dissolved_on)},
        note=note,
    )
    return org


@transaction.atomic
def _with_new_units(
    actor, units: list[Unit] | None, new_units: list[dict] | None, org_path: str
) -> list[Unit] | None:
    if not new_units:
        return units
    created = [unit_create(actor=actor, org_path=org_path, **row) for row in new_units]
    return list(units or []) + created


def unit_create(*, actor, name: str, kind: str, region: Region, org_path: str = "") -> Unit:
    """A new unit (village committee, enterprise, …). Units are shared facts, not scoped
    themselves; ``org_path`` files the audit event under the organization it was created for."""
    if not actor.is_superuser and not can(actor, Action.MANAGE_ORGS):
        raise PermissionDenied
    unit = Unit(name=name.strip(), kind=kind, region=region)
    try:
        unit.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ApplicationError(
            "invalid", f"{field}: {messages[0]}", field=field, extra={"fields": exc.message_dict}
        ) from None
    unit.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=unit,
        org_path=org_path,
        after=audit.snapshot(unit, ["name", "kind", "region"]),
    )
    return unit
