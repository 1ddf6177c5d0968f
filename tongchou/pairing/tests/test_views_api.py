"""The pairing pages and API: the list and detail through the scope, creating a pair and adding
an item from the page, the summary with its year switcher, the API's writes naming the field at
fault, and the summary over REST."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tongchou.pairing.models import Pair, PairItem

from .factories import joint_session, make_pair

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_list_and_detail_show_the_summary_with_a_year_switcher(client, world):
    pair = make_pair(world)
    joint_session(
        world.a.street,
        [world.a.village],
        dt.date(2026, 4, 1),
        topic="联学共建党课",
        present=world.a.members,
    )
    _login(client, world.secretary_a)
    page = client.get(reverse("pairing:list")).content.decode()
    assert pair.name in page
    response = client.get(reverse("pairing:detail", args=[pair.pk]), {"year": 2026})
    body = response.content.decode()
    assert response.status_code == 200
    assert "联学共建党课" in body and "?year=2027" in body
    assert "1 次 · 2 人次" in body  # the city→village cell of joint activities
    assert "暂无资金往来记录" in body
    _login(client, world.admin_b)
    assert client.get(reverse("pairing:detail", args=[pair.pk])).status_code == 404


def test_a_secretary_registers_a_pair_and_adds_an_item_from_the_pages(client, world):
    _login(client, world.secretary_a)
    response = client.post(
        reverse("pairing:create"),
        {
            "name": "乙街道·甲村结对",
            "kind": "two_links",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "organizations": f"{world.b.street.code} {world.a.village.code}",
        },
    )
    pair = Pair.objects.get(name="乙街道·甲村结对")
    assert response.status_code == 302
    url = reverse("pairing:item_add", args=[pair.pk])
    bad = client.post(
        url,
        {"year": 2026, "kind": "activities", "direction": "u2r", "description": "x",
         "quantity": "-4", "unit": "uses"},
    )  # fmt: skip
    assert bad.status_code == 400 and "约定数量不能为负数" in bad.content.decode()
    assert not PairItem.objects.exists()
    ok = client.post(
        url,
        {"year": 2026, "kind": "activities", "direction": "u2r", "description": "联合主题党日",
         "quantity": "4", "unit": "uses"},
    )  # fmt: skip
    assert ok.status_code == 302 and pair.items.count() == 1


def test_a_pair_not_across_the_line_is_refused_on_the_page(client, world):
    _login(client, world.admin_a)
    response = client.post(
        reverse("pairing:create"),
        {
            "name": "两个街道",
            "kind": "pairing",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "organizations": f"{world.a.street.code} {world.b.street.code}",
        },
    )
    assert response.status_code == 200
    assert "须跨越城乡" in response.content.decode()
    assert not Pair.objects.exists()


def test_the_api_creates_reads_and_summarises_in_scope(world):
    api = APIClient()
    api.force_authenticate(world.admin_a)
    body = {
        "name": "甲街道·甲村",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "organizations": [world.a.street.pk, world.a.village.pk],
    }
    created = api.post("/api/pairing/pairs/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert {m["side"] for m in created.json()["members"]} == {"urban", "rural"}
    bad = api.post(
        f"/api/pairing/pairs/{pk}/items/",
        {"year": 2026, "kind": "money", "direction": "u2r", "description": "扶持资金",
         "quantity": "-1", "unit": "yuan"},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400 and bad.json()["field"] == "quantity"
    item = api.post(
        f"/api/pairing/pairs/{pk}/items/",
        {"year": 2026, "kind": "money", "direction": "u2r", "description": "扶持资金",
         "quantity": "50000", "unit": "yuan"},
        format="json",
    )  # fmt: skip
    assert item.status_code == 201
    summary = api.get(f"/api/pairing/pairs/{pk}/summary/", {"year": 2026}).json()
    money = next(k for k in summary["kinds"] if k["kind"] == "money")
    assert money["has_records"] is False and money["promises"][0]["flowed"] is None
    assert api.get(f"/api/pairing/pairs/{pk}/summary/", {"year": 2030}).status_code == 400
    across = api.post(
        "/api/pairing/pairs/",
        {**body, "organizations": [world.a.street.pk, world.a.county.pk]},
        format="json",
    )
    assert across.status_code == 400 and across.json()["code"] == "not_across_line"
    other = APIClient()
    other.force_authenticate(world.admin_b)
    assert other.get(f"/api/pairing/pairs/{pk}/").status_code == 404
    assert other.get("/api/pairing/pairs/").json()["count"] == 0


def test_lists_cost_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    api = APIClient()
    api.force_authenticate(world.admin_a)
    _login(client, world.admin_a)
    make_pair(world)
    client.get(reverse("pairing:list"))
    api.get("/api/pairing/pairs/")
    with CaptureQueriesContext(connection) as page_one:
        client.get(reverse("pairing:list"))
    with CaptureQueriesContext(connection) as api_one:
        api.get("/api/pairing/pairs/")
    for i in range(4):
        make_pair(world, name=f"结对{i}", orgs=[world.a.street, world.a.village, world.b.village])
    with django_assert_num_queries(len(page_one.captured_queries)):
        assert client.get(reverse("pairing:list")).status_code == 200
    with django_assert_num_queries(len(api_one.captured_queries)):
        assert api.get("/api/pairing/pairs/").json()["count"] == 5
