"""A need's page: the reassign form only for those who may reassign, its choices the units that
serve the need (or sit in the reader's scope), every unit on request; the queries pinned."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongchou.service import services
from tongchou.service.models import AllianceUnit, Intake

pytestmark = pytest.mark.django_db


def _unit(world, name, side, *, categories=(), regions=()):
    unit = AllianceUnit.objects.create(
        name=name, kind="department", organization=side.county, org_path=side.county.path
    )
    unit.categories.set(categories)
    unit.regions.set(regions)
    return unit


@pytest.fixture
def need(world):
    return services.need_submit(
        actor=world.admin_a,
        intake=Intake.STAFF,
        category=world.employment,
        organization=world.a.village,
        summary="想进城务工",
    )


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_reassign_choices_are_the_units_that_serve_the_need(world, need):
    world.employment.units.add(world.bureau)
    serving = _unit(world, "乙县劳务站", world.b, categories=[world.employment],
                    regions=[world.a.county_region])  # fmt: skip
    anywhere = _unit(world, "市就业服务中心", world.b, categories=[world.employment])
    elsewhere = _unit(world, "乙县就业局", world.b, categories=[world.employment],
                      regions=[world.b.county_region])  # fmt: skip
    other_kind = _unit(world, "乙县医院", world.b, categories=[world.health])
    c = Client()
    c.force_login(world.admin_a)
    page = c.get(f"/service/{need.pk}/").content.decode()
    for unit in (world.bureau, world.hospital, serving, anywhere):  # county A's own, and serving
        assert unit.name in page
    for unit in (elsewhere, other_kind):
        assert unit.name not in page
    everything = c.get(f"/service/{need.pk}/?units=all").content.decode()
    for unit in (elsewhere, other_kind):
        assert unit.name in everything


def test_no_reassign_form_for_who_may_not_reassign_and_queries_pinned(world, need):
    staff, manager = Client(), Client()
    staff.force_login(world.bureau_staff)
    manager.force_login(world.admin_a)
    url = f"/service/{need.pk}/"
    staff_queries, page = _queries(staff, url)
    assert 'name="reason"' not in page and world.hospital.name not in page
    manager_queries, page = _queries(manager, url)
    assert 'name="reason"' in page and world.hospital.name in page
    # Forty more units, serving the need or not: neither page asks more of the database.
    for i in range(20):
        _unit(world, f"乙县单位{i}", world.b, categories=[world.health])
        _unit(world, f"甲县单位{i}", world.a, categories=[world.employment])
    staff.force_login(world.bureau_staff)
    manager.force_login(world.admin_a)
    again, page = _queries(staff, url)
    assert again == staff_queries and "甲县单位3" not in page
    again, page = _queries(manager, url)
    assert again == manager_queries and "甲县单位3" in page and "乙县单位3" not in page
    assert (staff_queries, manager_queries) == (STAFF_QUERIES, MANAGER_QUERIES)


# One of them asks which proxy stations the reader works at (whose staff read the needs filed
# there; cached for the request).
STAFF_QUERIES = 11
MANAGER_QUERIES = 16
