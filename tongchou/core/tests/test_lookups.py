"""core.lookups: an id from a URL or a form, or the same 404 whatever was wrong with it."""

import pytest
from django.http import Http404

from tongchou.core.lookups import one_or_404, pk_or_404
from tongchou.core.tests.factories import RegionFactory
from tongchou.organizations.models import Organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["7", 7, " 7 "])
def test_an_id_is_read(value):
    assert pk_or_404(value) == 7


@pytest.mark.parametrize("value", [None, "", "abc", "0", "-3", "+3", "²", "1.5", str(2**63)])
def test_anything_else_is_a_404(value):
    with pytest.raises(Http404):
        pk_or_404(value)


def test_one_row_of_the_scoped_queryset_or_a_404():
    region = RegionFactory()
    org = Organization.objects.create(
        code="X1", name="甲", kind="branch", region=region, urban_rural="rural", path="p"
    )
    assert one_or_404(Organization.objects.all(), str(org.pk)) == org
    with pytest.raises(Http404):  # outside the caller's rows: the same answer as no row
        one_or_404(Organization.objects.none(), org.pk)
    with pytest.raises(Http404):
        one_or_404(Organization.objects.all(), "x")
