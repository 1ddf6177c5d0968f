"""Regions: read-only, for role holders, filterable."""

import pytest

from tongchou.core.tests.factories import RegionFactory
from tongchou.regions.models import RegionLevel

pytestmark = pytest.mark.django_db


def codes(body) -> list[str]:
    return [row["code"] for row in body["results"]]


def test_filters(client, world):
    client.force_login(world.secretary_a)
    assert codes(client.get("/api/regions/", {"level": 3}).json()) == ["640202", "640205"]
    assert codes(client.get("/api/regions/", {"parent": "640202"}).json()) == ["640202001"]
    assert codes(client.get("/api/regions/", {"urban_rural": "rural", "q": "村"}).json()) == [
        "640202001201",
        "640205001201",
    ]
    assert codes(client.get("/api/regions/", {"q": "石嘴山"}).json()) == ["6402"]


def test_invalid_level_is_400_naming_the_field(client, world):
    client.force_login(world.admin_a)
    response = client.get("/api/regions/", {"level": "x"})
    assert response.status_code == 400
    assert response.json()["field"] == "level"


def test_detail_and_children(client, world):
    client.force_login(world.admin_a)
    body = client.get("/api/regions/640202001/").json()
    assert body["name"] == "街道甲"
    assert body["parent"] == "640202"
    assert body["kind"] == "street"
    assert codes(client.get("/api/regions/640202/children/").json()) == ["640202001"]
    response = client.get("/api/regions/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_list_query_count(client, world, django_assert_num_queries):
    for i in range(20):
        RegionFactory(
            code=f"640202{100 + i:03d}",
            name=f"镇{i}",
            level=RegionLevel.TOWNSHIP,
            parent_id="640202",
        )
    client.force_login(world.member_a)
    # session, user, roles, count, page
    with django_assert_num_queries(5):
        body = client.get("/api/regions/", {"parent": "640202"}).json()
    assert body["count"] == 21
