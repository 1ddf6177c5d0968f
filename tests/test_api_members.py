"""The members API: scope, masking, the one rule set, reveal (audited), lookup, query counts."""

import datetime as dt

import pytest

from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import create_member, make_id_number
from tongchou.members.models import Member

pytestmark = pytest.mark.django_db


def ids(body) -> set[int]:
    return {row["id"] for row in body["results"]}


def test_list_is_scoped_and_masked(client, world):
    client.force_login(world.admin_a)
    body = client.get("/api/members/").json()
    assert ids(body) == {m.pk for m in world.a.members}
    for row in body["results"]:
        member = Member.objects.get(pk=row["id"])
        assert row["id_number"] == member.id_number_masked
        assert row["id_number"] != member.id_number
        assert "*" in row["id_number"]
        assert row["phone"] == member.phone_masked
        assert member.id_number not in str(body)
        assert member.phone not in str(body)


def test_member_role_cannot_list_members(client, world):
    client.force_login(world.member_a)
    body = client.get("/api/members/").json()
    assert body["count"] == 0


def test_list_filters_and_ordering(client, world):
    client.force_login(world.root)
    assert ids(client.get("/api/members/", {"org": world.b.street.pk}).json()) == {
        m.pk for m in world.b.members
    }
    assert ids(client.get("/api/members/", {"q": "甲党员1"}).json()) == {world.a.members[1].pk}
    assert ids(client.get("/api/members/", {"age_min": 50}).json()) == {
        m.pk for m in world.b.members
    }
    names = [
        r["name"] for r in client.get("/api/members/", {"ordering": "-name"}).json()["results"]
    ]
    assert names == sorted(names, reverse=True)


def test_list_org_filter_cannot_widen_scope(client, world):
    client.force_login(world.admin_a)
    assert client.get("/api/members/", {"org": world.b.village.pk}).json()["count"] == 0


def test_list_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    for i in range(20):
        create_member(world.a.village, name=f"成员{i}")
    client.force_login(world.admin_a)
    # session, user, roles, led joint organizations, total (organizations' counters), page
    with django_assert_num_queries(6):
        body = client.get("/api/members/").json()
    assert body["count"] == 22


def _counts_member_rows(queries) -> bool:
    return any("COUNT(" in q["sql"].upper() and '"members_member"' in q["sql"] for q in queries)


def test_list_total_of_whole_subtrees_comes_from_the_counters(client, world):
    """Scope and subtree only: the total is the organizations' counters' sum (as on the page),
    equal to counting the rows, archived members left out; any other filter counts rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(3):
        create_member(world.a.village, name=f"成员{i}")
    gone = create_member(world.a.village, name="已归档")
    Member.objects.filter(pk=gone.pk).update(archived=True)
    client.force_login(world.admin_a)
    active_in_a = Member.objects.filter(org_path__startswith=world.a.street.path, archived=False)
    for params, expected in [
        ({}, active_in_a.count()),
        ({"org": world.a.village.pk}, active_in_a.filter(organization=world.a.village).count()),
    ]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/members/", params).json()
        assert body["count"] == expected == len(body["results"]), params
        assert not _counts_member_rows(queries.captured_queries), params
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/members/", {"q": "成员"}).json()
    assert body["count"] == 3
    assert _counts_member_rows(queries.captured_queries)
    # An organization out of scope: nothing, counted (not the other county's counter).
    assert client.get("/api/members/", {"org": world.b.village.pk}).json()["count"] == 0


def test_detail_in_scope_masked_out_of_scope_404(client, world):
    client.force_login(world.admin_a)
    member = world.a.members[0]
    body = client.get(f"/api/members/{member.pk}/").json()
    assert body["id_number"] == member.id_number_masked
    assert body["organization"] == world.a.village.pk
    assert client.get(f"/api/members/{world.b.members[0].pk}/").status_code == 404


def create_body(world, **overrides):
    birth = dt.date(1990, 2, 3)
    body = {
        "name": "王五",
        "gender": "F",
        "ethnicity": "03",
        "birth_date": birth.isoformat(),
        "id_number": make_id_number(birth=birth, gender="F"),
        "phone": "13900001111",
        "category": "full",
        "admission_date": "2015-07-01",
        "full_member_date": "2016-07-01",
        "organization": world.a.village.pk,
    }
    body.update(overrides)
    return body


def test_create_encrypts_masks_and_audits(client, world):
    client.force_login(world.secretary_a)
    data = create_body(world)
    response = client.post("/api/members/", data, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    member = Member.objects.get(pk=body["id"])
    assert member.id_number == data["id_number"]
    assert body["id_number"] == member.id_number_masked
    assert data["id_number"] not in response.content.decode()
    assert data["phone"] not in response.content.decode()
    event = AuditEvent.objects.get(action="create", object_id=str(member.pk))
    assert data["id_number"] not in str(event.after)


def test_create_with_bad_checksum_names_the_field(client, world):
    client.force_login(world.admin_a)
    good = make_id_number(birth=dt.date(1990, 2, 3), gender="F")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(
        "/api/members/", create_body(world, id_number=bad), content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["field"] == "id_number"
    assert "校验码" in body["message"]
    assert not Member.objects.filter(name="王五").exists()


def test_create_with_a_nul_in_the_home_region_names_the_field(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        "/api/members/",
        create_body(world, home_region="640202\x00"),
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "home_region"
    assert not Member.objects.filter(name="王五").exists()


def test_create_with_birth_date_disagreeing_with_id_number(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        "/api/members/",
        create_body(world, birth_date="1991-02-03"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "birth_date"


def test_create_duplicate_id_number(client, world):
    client.force_login(world.admin_a)
    existing = world.a.members[0]
    response = client.post(
        "/api/members/",
        create_body(world, id_number=existing.id_number, birth_date="1980-05-01", gender="M"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_id_number"
    assert response.json()["field"] == "id_number"


def test_create_with_wrong_types(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        "/api/members/",
        create_body(world, birth_date="not a date", organization="x"),
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"birth_date", "organization"}


def test_create_with_future_admission_date(client, world):
    client.force_login(world.admin_a)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        "/api/members/",
        create_body(world, admission_date=future, category="probationary", full_member_date=None),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "admission_date"


def test_create_in_out_of_scope_organization_is_404(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        "/api/members/",
        create_body(world, organization=world.b.village.pk),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["field"] == "organization"
    assert not Member.objects.filter(name="王五").exists()


def test_create_by_member_role_is_404_on_organization(client, world):
    client.force_login(world.member_a)
    response = client.post("/api/members/", create_body(world), content_type="application/json")
    assert response.status_code == 404


def test_patch_updates_through_the_rules_and_audits(client, world):
    client.force_login(world.admin_a)
    member = world.a.members[0]
    response = client.patch(
        f"/api/members/{member.pk}/",
        {"occupation": "教师", "phone": "13700002222"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    member.refresh_from_db()
    assert member.occupation == "教师"
    assert member.phone == "13700002222"
    assert response.json()["phone"] == "137****2222"
    event = AuditEvent.objects.get(action="update")
    assert event.after["phone"] == "137****2222"

    response = client.patch(
        f"/api/members/{member.pk}/", {"gender": "F"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "gender"


def test_patch_moving_to_out_of_scope_organization_is_404(client, world):
    client.force_login(world.admin_a)
    member = world.a.members[0]
    response = client.patch(
        f"/api/members/{member.pk}/",
        {"organization": world.b.village.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.organization_id == world.a.village.pk


def test_patch_by_member_role_is_404(client, world):
    """The member role may not see members at all, so they look missing."""
    client.force_login(world.member_a)
    member = world.a.members[0]
    response = client.patch(
        f"/api/members/{member.pk}/", {"occupation": "x"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_archive(client, world):
    client.force_login(world.admin_a)
    member = world.a.members[0]
    response = client.post(
        f"/api/members/{member.pk}/archive/", {"reason": "去世"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["archived"] is True
    assert member.pk not in ids(client.get("/api/members/").json())
    assert client.get(f"/api/members/{member.pk}/").status_code == 200
    response = client.post(f"/api/members/{member.pk}/archive/", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "already_archived"
    assert AuditEvent.objects.filter(action="archive").count() == 1


def test_archive_out_of_scope_is_404(client, world):
    client.force_login(world.admin_a)
    response = client.post(f"/api/members/{world.b.members[0].pk}/archive/")
    assert response.status_code == 404
    assert not Member.objects.filter(archived=True).exists()


def test_reveal_is_the_only_unmasked_view_and_is_audited(client, world):
    client.force_login(world.secretary_a)
    member = world.a.members[0]
    response = client.post(f"/api/members/{member.pk}/reveal/")
    assert response.status_code == 200
    assert response.json() == {"id_number": member.id_number, "phone": member.phone}
    event = AuditEvent.objects.get(action="reveal")
    assert event.actor == world.secretary_a
    assert event.object_id == str(member.pk)


def test_reveal_out_of_reveal_scope_is_404_and_not_audited(client, world):
    client.force_login(world.admin_a)
    assert client.post(f"/api/members/{world.b.members[0].pk}/reveal/").status_code == 404
    client.force_login(world.member_a)
    assert client.post(f"/api/members/{world.a.members[0].pk}/reveal/").status_code == 404
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_reveal_by_get_is_not_allowed(client, world):
    client.force_login(world.admin_a)
    response = client.get(f"/api/members/{world.a.members[0].pk}/reveal/")
    assert response.status_code == 405


def test_lookup_by_exact_id_number(client, world):
    client.force_login(world.admin_a)
    member = world.a.members[1]
    response = client.post(
        "/api/members/lookup/",
        {"id_number": member.id_number.lower()},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["id"] == member.pk
    assert response.json()["id_number"] == member.id_number_masked


def test_lookup_out_of_scope_is_404(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        "/api/members/lookup/",
        {"id_number": world.b.members[0].id_number},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_lookup_without_number_is_400(client, world):
    client.force_login(world.admin_a)
    response = client.post("/api/members/lookup/", {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "id_number"
