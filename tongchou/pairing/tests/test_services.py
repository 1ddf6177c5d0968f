"""The rules of a pair: across the urban–rural line, a period in order, quantities ≥ 0 in a
unit fitting the kind, each organization once, and at least one organization the writer
manages; a refused write changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import OrganizationFactory, RegionFactory
from tongchou.organizations.models import OrgKind
from tongchou.pairing import services
from tongchou.pairing.models import Pair, PairItem, PairMember

from .factories import make_pair

pytestmark = pytest.mark.django_db


def _refused(code: str, field: str, call):
    pairs, members, items = (
        Pair.objects.count(),
        PairMember.objects.count(),
        PairItem.objects.count(),
    )
    with pytest.raises(ApplicationError) as info:
        call()
    assert (info.value.code, info.value.field) == (code, field)
    assert (Pair.objects.count(), PairMember.objects.count(), PairItem.objects.count()) == (
        pairs,
        members,
        items,
    )
    return info.value


def test_a_pair_of_a_city_street_and_a_village_gets_both_sides_and_an_audit_event(world):
    pair = make_pair(world)
    sides = dict(pair.members.values_list("organization_id", "side"))
    assert sides == {world.a.street.pk: "urban", world.a.village.pk: "rural"}
    assert set(pair.members.values_list("org_path", flat=True)) == {
        world.a.street.path,
        world.a.village.path,
    }
    event = AuditEvent.objects.get(object_type="pairing.pair", object_id=str(pair.pk))
    assert event.after["members"] == [world.a.street.pk, world.a.village.pk]


def test_a_pair_must_span_the_urban_rural_line(world):
    error = _refused(
        "not_across_line",
        "organizations",
        lambda: make_pair(world, orgs=[world.a.street, world.a.county]),
    )
    assert "城乡" in str(error.message)


def test_an_organization_whose_side_cannot_be_told_is_named(world):
    unknown = OrganizationFactory(
        name="无属性党支部",
        kind=OrgKind.BRANCH,
        parent=world.a.street,
        region=RegionFactory(code="640202001299", urban_rural=""),
        urban_rural="",
    )
    error = _refused(
        "side_unknown",
        "organizations",
        lambda: make_pair(world, orgs=[world.a.village, unknown]),
    )
    assert "无属性党支部" in str(error.message)


def test_the_period_does_not_end_before_it_starts(world):
    _refused(
        "period_order",
        "ends_on",
        lambda: make_pair(world, start=dt.date(2026, 6, 1), end=dt.date(2026, 5, 31)),
    )


def test_an_organization_is_listed_once(world):
    _refused(
        "duplicate_member",
        "organizations",
        lambda: make_pair(world, orgs=[world.a.street, world.a.village, world.a.street]),
    )
    pair = make_pair(world)
    _refused(
        "duplicate_member",
        "organization",
        lambda: services.pair_member_add(
            actor=world.admin_a, pair=pair, organization=world.a.village
        ),
    )


def test_the_writer_manages_at_least_one_of_the_organizations(world):
    # County B's admin names only county A's organizations: refused by name of the rule.
    _refused(
        "organization_out_of_scope", "organizations", lambda: make_pair(world, actor=world.admin_b)
    )
    # A member role manages nothing: no right to keep pairs at all.
    with pytest.raises(PermissionDenied):
        make_pair(world, actor=world.member_a)


def test_the_other_side_may_be_anywhere_and_a_manager_of_either_side_changes_it(world):
    pair = make_pair(world, orgs=[world.b.street, world.a.village], actor=world.secretary_a)
    services.pair_update(actor=world.admin_b, pair=pair, name="乙街道·甲村")
    pair.refresh_from_db()
    assert pair.name == "乙街道·甲村"
    other = make_pair(world)
    with pytest.raises(PermissionDenied):
        services.pair_update(actor=world.admin_b, pair=other, name="x")


def test_items_refuse_a_negative_quantity_a_wrong_unit_and_a_year_outside(world):
    pair = make_pair(world, start=dt.date(2025, 3, 1), end=dt.date(2026, 12, 31))

    def add(**kw):
        values = {
            "year": 2025,
            "kind": "activities",
            "direction": "u2r",
            "description": "联合主题党日",
            "quantity": Decimal("4"),
            "unit": "uses",
        }
        values.update(kw)
        return services.pair_item_add(actor=world.admin_a, pair=pair, **values)

    _refused("negative_quantity", "quantity", lambda: add(quantity=Decimal("-1")))
    _refused("invalid_number", "quantity", lambda: add(quantity="NaN"))
    _refused("unit_for_kind", "unit", lambda: add(kind="money", unit="uses"))
    _refused("year_outside_period", "year", lambda: add(year=2027))
    _refused("required", "description", lambda: add(description="  "))
    item = add()
    money = add(kind="money", unit="yuan", quantity="50000", description="村集体经济扶持资金")
    assert (item.quantity, money.quantity) == (Decimal("4"), Decimal("50000"))
    # The period cannot shrink past a year that has items.
    _refused(
        "items_outside_period",
        "ends_on",
        lambda: services.pair_update(actor=world.admin_a, pair=pair, starts_on=dt.date(2026, 1, 1)),
    )
    services.pair_item_remove(actor=world.admin_a, pair=pair, item=money)
    assert list(pair.items.all()) == [item]


def test_removing_a_member_keeps_the_pair_across_the_line(world):
    pair = make_pair(world, orgs=[world.a.street, world.b.street, world.a.village])
    village = pair.members.get(organization=world.a.village)
    _refused(
        "not_across_line",
        "member",
        lambda: services.pair_member_remove(actor=world.admin_a, pair=pair, member=village),
    )
    street_b = pair.members.get(organization=world.b.street)
    services.pair_member_remove(actor=world.admin_a, pair=pair, member=street_b)
    assert pair.members.count() == 2
    member = services.pair_member_add(actor=world.admin_a, pair=pair, organization=world.b.village)
    assert member.side == "rural"
