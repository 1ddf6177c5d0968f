"""The one rule for the direction of a flow between town and country, in Python and in SQL."""

import itertools

import pytest
from django.db.models import Value

from tongchou.core.tests.factories import OrganizationFactory, RegionFactory
from tongchou.organizations.models import Organization
from tongchou.regions.flows import (
    FlowDirection,
    class_of,
    class_sql,
    direction_of,
    with_direction,
)
from tongchou.regions.models import RegionLevel

URBAN, RURAL, NONE = "urban", "rural", ""
EXPECTED = {
    (URBAN, URBAN): FlowDirection.WITHIN,
    (URBAN, RURAL): FlowDirection.URBAN_TO_RURAL,
    (URBAN, NONE): FlowDirection.WITHIN,
    (RURAL, URBAN): FlowDirection.RURAL_TO_URBAN,
    (RURAL, RURAL): FlowDirection.WITHIN,
    (RURAL, NONE): FlowDirection.WITHIN,
    (NONE, URBAN): FlowDirection.WITHIN,
    (NONE, RURAL): FlowDirection.WITHIN,
    (NONE, NONE): FlowDirection.WITHIN,
}


@pytest.mark.parametrize(("pair", "expected"), list(EXPECTED.items()))
def test_every_pair_of_classes_has_its_direction(pair, expected):
    assert direction_of(*pair) == expected


def test_the_stored_codes_stay_those_bookings_hold():
    assert FlowDirection.values == ["u2r", "r2u", "within"]


class _Place:
    def __init__(self, urban_rural):
        self.urban_rural = urban_rural


def test_a_place_is_classed_by_its_region_else_its_organization():
    assert class_of(_Place(URBAN), _Place(RURAL)) == URBAN
    assert class_of(_Place(""), _Place(RURAL)) == RURAL
    assert class_of(None, _Place(URBAN)) == URBAN
    assert class_of(None, _Place("")) == ""


@pytest.mark.django_db
def test_the_database_expression_follows_the_same_rule():
    """Organizations with every combination of region code (urban, rural, blank) and own code,
    each flowing to each class: SQL and Python agree on every one."""
    orgs = []
    for n, (region_code, own) in enumerate(
        itertools.product((URBAN, RURAL, NONE), (URBAN, RURAL, NONE))
    ):
        region = RegionFactory(
            code=f"640299{n:03d}", level=RegionLevel.TOWNSHIP, urban_rural=region_code
        )
        orgs.append(OrganizationFactory(region=region, urban_rural=own))
    checked = 0
    for to_class in (URBAN, RURAL, NONE):
        rows = with_direction(
            Organization.objects.filter(pk__in=[o.pk for o in orgs]),
            "direction",
            from_class=class_sql("region", ""),
            to_class=Value(to_class),
        ).values_list("pk", "direction")
        for pk, in_sql in rows:
            org = Organization.objects.select_related("region").get(pk=pk)
            assert in_sql == direction_of(class_of(org.region, org), to_class), (pk, to_class)
            checked += 1
    assert checked == 27
