"""Writes of pairs: the pair, its members and its agreed items, each audited.

Rules:
  * a pair spans the urban–rural line: at least one urban-side and one rural-side member, each
    side derived by the regions' one rule (``regions.flows.class_of``: the region's code, else
    the organization's own); an organization whose side cannot be told is refused by name;
  * the period does not end before it starts; items are promised for a year inside it;
  * a promised quantity is a number ≥ 0 in a unit that fits the item's kind (money in yuan);
  * an organization joins a pair once;
  * the creator manages at least one of the organizations joined (the others may be anywhere:
    a pair crosses the line, often between counties); later changes need the same right over
    any one member (``permissions.can_manage_pair``).

Every write checks the actor's right, validates, runs in one transaction (the pair row locked
first, so two members removed at once cannot leave it one-sided), leaves an audit event on every
member's path and returns the object; a broken rule raises ApplicationError and changes nothing.
"""

import datetime as dt
import decimal
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from tongchou.core import audit
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.pairing import permissions
from tongchou.pairing.models import (
    UNITS_FOR_KIND,
    Giving,
    ItemKind,
    ItemUnit,
    Pair,
    PairItem,
    PairKind,
    PairMember,
    PairState,
)
from tongchou.regions.flows import class_of
from tongchou.regions.models import UrbanRural

PAIR_FIELDS = ["name", "kind", "starts_on", "ends_on", "state", "notes"]
EDITABLE = frozenset(PAIR_FIELDS)
MAX_MEMBERS = 20
MAX_QUANTITY = decimal.Decimal("1000000000000")
YEARS = (2000, 2100)


# --- checks ----------------------------------------------------------------------------------


def _text(value, *, field: str, label: str, required: bool = True, most: int = 200) -> str:
    value = str(value or "").replace("\x00", "").strip()
    if required and not value:
        raise ApplicationError("required", _("请填写%(label)s。") % {"label": label}, field=field)
    if len(value) > most:
        raise ApplicationError(
            "too_long", _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": most}, field=field
        )
    return value


def _choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise ApplicationError("invalid", _("请选择有效的选项。"), field=field)
    return value


def _period(starts_on, ends_on) -> None:
    for value, field in ((starts_on, "starts_on"), (ends_on, "ends_on")):
        if not isinstance(value, dt.date) or not YEARS[0] <= value.year <= YEARS[1]:
            raise ApplicationError("required", _("请填写有效的日期。"), field=field)
    if ends_on < starts_on:
        raise ApplicationError("period_order", _("结束日期不能早于开始日期。"), field="ends_on")


def side_of(organization: Organization) -> str:
    """Urban or rural, by the regions' one rule; "" when neither the region nor the
    organization says."""
    return class_of(organization.region, organization)


def _check_member(organization: Organization, field: str) -> str:
    if not isinstance(organization, Organization):
        raise ApplicationError("invalid", _("请选择有效的党组织。"), field=field)
    if organization.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            "organization_dissolved",
            _("%(org)s已撤销，不能结对。") % {"org": organization.name},
            field=field,
        )
    side = side_of(organization)
    if side not in UrbanRural.values:
        raise ApplicationError(
            "side_unknown",
            _("无法判断%(org)s属于城市还是农村（其区划和党组织均未标明城乡属性）。")
            % {"org": organization.name},
            field=field,
        )
    return side


def _check_spans(sides: Iterable[str], field: str = "organizations") -> None:
    present = set(sides)
    if not {UrbanRural.URBAN, UrbanRural.RURAL} <= present:
        raise ApplicationError(
            "not_across_line",
            _("结对共建须跨越城乡：至少一个城市一方的党组织和一个农村一方的党组织。"),
            field=field,
        )


def _paths(pair: Pair) -> list[str]:
    return list(pair.members.order_by("side", "org_path").values_list("org_path", flat=True))


def _audit_paths(pair: Pair) -> dict:
    paths = _paths(pair)
    return {"org_path": paths[0] if paths else "", "also_paths": paths[1:]}


def _locked(pair: Pair) -> Pair:
    return Pair.objects.select_for_update().get(pk=pair.pk)


def _require_manager(actor, pair: Pair) -> None:
    if not permissions.can_manage_pair(actor, pair):
        raise PermissionDenied


# --- pairs -----------------------------------------------------------------------------------


@transaction.atomic
def pair_create(
    *,
    actor,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    organizations: list[Organization],
    kind: str = PairKind.PAIRING,
    notes: str = "",
) -> Pair:
    """A pair of the given organizations (the actor manages at least one of them)."""
    if not permissions.can_keep_pairs(actor):
        raise PermissionDenied
    pair = Pair(
        name=_text(name, field="name", label=_("名称")),
        kind=_choice(kind, PairKind, "kind"),
        starts_on=starts_on,
        ends_on=ends_on,
        notes=_text(notes, field="notes", label=_("备注"), required=False, most=4000),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _period(starts_on, ends_on)
    organizations = list(organizations or [])
    if len(organizations) < 2:
        raise ApplicationError(
            "too_few_members", _("结对共建至少需要两个党组织。"), field="organizations"
        )
    if len(organizations) > MAX_MEMBERS:
        raise ApplicationError(
            "too_many_members",
            _("一个结对共建最多%(n)s个党组织。") % {"n": MAX_MEMBERS},
            field="organizations",
        )
    seen: set[int] = set()
    sides = []
    for org in organizations:
        sides.append(_check_member(org, "organizations"))
        if org.pk in seen:
            raise ApplicationError(
                "duplicate_member",
                _("%(org)s重复列出。") % {"org": org.name},
                field="organizations",
            )
        seen.add(org.pk)
    _check_spans(sides)
    if not permissions.manages_any(actor, [o.path for o in organizations]):
        raise ApplicationError(
            "organization_out_of_scope",
            _("结对的党组织中至少要有一个在您的管理范围内。"),
            field="organizations",
        )
    pair.save()
    PairMember.objects.bulk_create(
        PairMember(pair=pair, organization=org, org_path=org.path, side=side)
        for org, side in zip(organizations, sides, strict=True)
    )
    after = audit.snapshot(pair, PAIR_FIELDS)
    after["members"] = [o.pk for o in organizations]
    audit.record(
        actor=actor, action=AuditAction.CREATE, obj=pair, after=after, **_audit_paths(pair)
    )
    return pair


@transaction.atomic
def pair_update(*, actor, pair: Pair, **changes) -> Pair:
    """Change a pair's own fields (``EDITABLE``): name, kind, period, state, notes."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ApplicationError("not_editable", f"cannot change {', '.join(sorted(unknown))}")
    pair = _locked(pair)
    _require_manager(actor, pair)
    before = audit.snapshot(pair, PAIR_FIELDS)
    for field, value in changes.items():
        setattr(pair, field, value)
    pair.name = _text(pair.name, field="name", label=_("名称"))
    pair.notes = _text(pair.notes, field="notes", label=_("备注"), required=False, most=4000)
    _choice(pair.kind, PairKind, "kind")
    _choice(pair.state, PairState, "state")
    _period(pair.starts_on, pair.ends_on)
    outside = pair.items.exclude(year__gte=pair.starts_on.year, year__lte=pair.ends_on.year)
    if outside.exists():
        raise ApplicationError(
            "items_outside_period",
            _("已有共建事项的年度不在新的共建期内，请先调整或删除这些事项。"),
            field="ends_on",
        )
    pair.save()
    audit.record_update(
        actor=actor,
        obj=pair,
        before=before,
        after=audit.snapshot(pair, PAIR_FIELDS),
        **_audit_paths(pair),
    )
    return pair


# --- members ---------------------------------------------------------------------------------


@transaction.atomic
def pair_member_add(*, actor, pair: Pair, organization: Organization) -> PairMember:
    pair = _locked(pair)
    _require_manager(actor, pair)
    side = _check_member(organization, "organization")
    if pair.members.filter(organization=organization).exists():
        raise ApplicationError(
            "duplicate_member",
            _("%(org)s已在该结对共建中。") % {"org": organization.name},
            field="organization",
        )
    if pair.members.count() >= MAX_MEMBERS:
        raise ApplicationError(
            "too_many_members",
            _("一个结对共建最多%(n)s个党组织。") % {"n": MAX_MEMBERS},
            field="organization",
        )
    member = PairMember.objects.create(
        pair=pair, organization=organization, org_path=organization.path, side=side
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=pair,
        note=f"member added: {organization.pk}",
        after={"member_added": organization.pk, "side": side},
        **_audit_paths(pair),
    )
    return member


@transaction.atomic
def pair_member_remove(*, actor, pair: Pair, member: PairMember) -> None:
    """Remove a member; the rest must still span the urban–rural line."""
    pair = _locked(pair)
    _require_manager(actor, pair)
    if member.pair_id != pair.pk:
        raise ApplicationError("not_found", _("该党组织不在此结对共建中。"), field="member")
    paths = _audit_paths(pair)
    rest = pair.members.exclude(pk=member.pk)
    _check_spans(rest.values_list("side", flat=True), field="member")
    if rest.count() < 2:
        raise ApplicationError("too_few_members", _("结对共建至少需要两个党组织。"), field="member")
    org_id = member.organization_id
    member.delete()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=pair,
        note=f"member removed: {org_id}",
        before={"member_removed": org_id},
        **paths,
    )


# --- items -----------------------------------------------------------------------------------


def _quantity(value) -> decimal.Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise ApplicationError("required", _("请填写约定数量。"), field="quantity")
    try:
        number = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        raise ApplicationError(
            "invalid_number", _("约定数量应为数字。"), field="quantity"
        ) from None
    if not number.is_finite():
        raise ApplicationError("invalid_number", _("约定数量应为数字。"), field="quantity")
    if number < 0:
        raise ApplicationError("negative_quantity", _("约定数量不能为负数。"), field="quantity")
    if number >= MAX_QUANTITY or number != number.quantize(decimal.Decimal("0.01")):
        raise ApplicationError(
            "invalid_number",
            _("约定数量应小于一万亿，最多两位小数。"),
            field="quantity",
        )
    return number


@transaction.atomic
def pair_item_add(
    *,
    actor,
    pair: Pair,
    year: int,
    kind: str,
    direction: str,
    description: str,
    quantity,
    unit: str,
) -> PairItem:
    """An agreed item for one year of the pair's period: e.g. 4 joint sessions city→village."""
    pair = _locked(pair)
    _require_manager(actor, pair)
    _choice(kind, ItemKind, "kind")
    _choice(direction, Giving, "direction")
    _choice(unit, ItemUnit, "unit")
    if isinstance(year, bool) or not isinstance(year, int):
        raise ApplicationError("required", _("请填写年度。"), field="year")
    if not pair.starts_on.year <= year <= pair.ends_on.year:
        raise ApplicationError(
            "year_outside_period",
            _("年度应在共建期内（%(a)s–%(b)s年）。")
            % {"a": pair.starts_on.year, "b": pair.ends_on.year},
            field="year",
        )
    if unit not in UNITS_FOR_KIND[kind]:
        allowed = "、".join(str(ItemUnit(u).label) for u in UNITS_FOR_KIND[kind])
        raise ApplicationError(
            "unit_for_kind",
            _("%(kind)s的单位可选：%(allowed)s。")
            % {"kind": ItemKind(kind).label, "allowed": allowed},
            field="unit",
        )
    item = PairItem.objects.create(
        pair=pair,
        year=year,
        kind=kind,
        direction=direction,
        description=_text(description, field="description", label=_("约定内容"), most=300),
        quantity=_quantity(quantity),
        unit=unit,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=item,
        after=audit.snapshot(
            item, ["pair", "year", "kind", "direction", "description", "quantity", "unit"]
        ),
        **_audit_paths(pair),
    )
    return item


@transaction.atomic
def pair_item_remove(*, actor, pair: Pair, item: PairItem) -> None:
    pair = _locked(pair)
    _require_manager(actor, pair)
    if item.pair_id != pair.pk:
        raise ApplicationError("not_found", _("该事项不在此结对共建中。"), field="item")
    before = audit.snapshot(
        item, ["pair", "year", "kind", "direction", "description", "quantity", "unit"]
    )
    pk, repr_ = item.pk, str(item)
    item.delete()
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type=PairItem._meta.label_lower,
        object_id=str(pk),
        object_repr=repr_,
        before=before,
        **_audit_paths(pair),
    )
