"""The one rule for which way something flows between town and country (城乡流向).

A flow goes from a provider's place to a user's place (a resource's region to the booking
organization's, a sending organization to the receiving one). Each side is classed urban or
rural by its region's code (``Region.urban_rural``); a side whose region carries no code — or
has no region — falls back to its organization's own ``urban_rural``. The pair of classes
gives the direction: urban→rural (``u2r``), rural→urban (``r2u``), otherwise ``within`` (both
the same class, or a side unknown).

Every app classes its flows here: resources (bookings and trainer dispatches, the direction
stored at confirmation) and talent (exchanges, classed from the organizations as they are).
The rule exists twice only in form — ``direction_of`` in Python and ``with_direction`` as a
database expression for totals grouped in SQL — both read from ``RULE``, and the tests check
them against each other for every pair of classes.
"""

from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from tongchou.regions.models import UrbanRural


class FlowDirection(models.TextChoices):
    URBAN_TO_RURAL = "u2r", _("城→乡")
    RURAL_TO_URBAN = "r2u", _("乡→城")
    WITHIN = "within", _("同类区域内")


# (provider class, user class) -> direction; every other pair is WITHIN.
RULE = {
    (UrbanRural.URBAN, UrbanRural.RURAL): FlowDirection.URBAN_TO_RURAL,
    (UrbanRural.RURAL, UrbanRural.URBAN): FlowDirection.RURAL_TO_URBAN,
}


def class_of(region, organization) -> str:
    """The urban/rural class of a place: the region's code, else the organization's ("" when
    neither says)."""
    code = region.urban_rural if region is not None else ""
    return code or organization.urban_rural or ""


def direction_of(from_class: str, to_class: str) -> str:
    """The direction of a flow from a place of class ``from_class`` to one of ``to_class``."""
    return RULE.get((from_class, to_class), FlowDirection.WITHIN).value


def class_sql(region: str, organization: str):
    """``class_of`` as a database expression, given the lookups of the region and of the
    organization (``"from_org__region"``, ``"from_org"``; ``""`` for the queried model
    itself): the region's code when not blank, else the organization's."""

    def code(prefix: str) -> F:
        return F(f"{prefix}__urban_rural" if prefix else "urban_rural")

    return Coalesce(
        NullIf(code(region), Value("")),
        NullIf(code(organization), Value("")),
        Value(""),
        output_field=models.CharField(),
    )


def with_direction(queryset, name: str, *, from_class, to_class):
    """``queryset`` annotated with ``name``: ``direction_of`` as a database expression over
    two class expressions (see ``class_sql``), for totals grouped by direction in SQL."""
    return queryset.alias(_flow_from=from_class, _flow_to=to_class).annotate(
        **{
            name: Case(
                *(
                    When(_flow_from=from_value, _flow_to=to_value, then=Value(direction.value))
                    for (from_value, to_value), direction in RULE.items()
                ),
                default=Value(FlowDirection.WITHIN.value),
                output_field=models.CharField(),
            )
        }
    )
