"""The organizations API: scope, counts, writes through the services, audit, query counts."""

import pytest

from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import OrganizationFactory, create_member
from tongchou.organizations.models import Organization, OrgKind, OrgStatus

pytestmark = pytest.mark.django_db


def ids(body) -> set[int]:
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


def test_list_is_scoped(client, world):
    client.force_login(world.admin_a)
    body = client.get("/api/organizations/").json()
    a = world.a
    assert ids(body) == {a.county.pk, a.street.pk, a.village.pk, world.joint_a.pk}
    assert body["count"] == 4


def test_list_for_village_secretary_is_only_the_village_and_led_joint(client, world):
    client.force_login(world.secretary_a)
    body = client.get("/api/organizations/").json()
    assert ids(body) == {world.a.village.pk, world.joint_a.pk}


def test_list_filters(client, world):
    client.force_login(world.root)
    assert ids(client.get("/api/organizations/", {"kind": "branch"}).json()) == {
        world.a.village.pk,
        world.b.village.pk,
        world.joint_a.pk,
    }
    assert ids(client.get("/api/organizations/", {"q": "乙"}).json()) == {
        world.b.county.pk,
        world.b.street.pk,
        world.b.village.pk,
    }
    assert ids(client.get("/api/organizations/", {"within": world.b.street.pk}).json()) == {
        world.b.street.pk,
        world.b.village.pk,
    }
    assert ids(client.get("/api/organizations/", {"parent": world.city.pk}).json()) == {
        world.a.county.pk,
        world.b.county.pk,
    }


def test_list_with_an_invalid_filter_value_is_400(client, world):
    client.force_login(world.admin_a)
    response = client.get("/api/organizations/", {"kind": "nonsense"})
    assert response.status_code == 400
    assert response.json()["field"] == "kind"


def test_list_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    client.force_login(world.admin_a)
    for i in range(10):
        OrganizationFactory(name=f"支部{i}", kind=OrgKind.BRANCH, parent=world.a.street)
    # session, user, roles, led joint organizations, count, page
    with django_assert_num_queries(6):
        body = client.get("/api/organizations/").json()
    assert body["count"] == 14


def test_detail_shows_units_and_lead(client, world):
    client.force_login(world.admin_a)
    body = client.get(f"/api/organizations/{world.joint_a.pk}/").json()
    assert body["lead"] == {
        "id": world.a.village.pk,
        "code": world.a.village.code,
        "name": world.a.village.name,
    }
    assert {u["name"] for u in body["units"]} == {"甲村委会", "甲企业"}
    assert body["parent"]["id"] == world.a.street.pk


def test_detail_names_a_parent_or_lead_only_in_scope(client, world):
    # The village secretary sees the joint organization it leads, but not the street above it:
    # its name and code were in the answer (the page hides them).
    client.force_login(world.secretary_a)
    body = client.get(f"/api/organizations/{world.joint_a.pk}/").json()
    assert body["parent"] is None
    assert body["lead"]["id"] == world.a.village.pk
    body = client.get(f"/api/organizations/{world.a.village.pk}/").json()
    assert body["parent"] is None
    assert world.a.street.name not in str(body)


def test_detail_out_of_scope_is_404_like_missing(client, world):
    client.force_login(world.admin_a)
    out = client.get(f"/api/organizations/{world.b.village.pk}/")
    missing = client.get("/api/organizations/999999/")
    assert out.status_code == missing.status_code == 404
    assert out.json() == missing.json()


def test_children_with_counts(client, world):
    client.force_login(world.admin_a)
    create_member(world.a.village, name="又一人")
    rows = client.get(f"/api/organizations/{world.a.street.pk}/children/").json()
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {world.a.village.pk, world.joint_a.pk}
    assert by_id[world.a.village.pk]["member_count"] == 3
    assert by_id[world.a.village.pk]["org_count"] == 1
    assert by_id[world.a.village.pk]["has_children"] is False

    rows = client.get(f"/api/organizations/{world.a.county.pk}/children/").json()
    (street,) = rows
    assert street["member_count"] == 3
    assert street["org_count"] == 3  # the street, the village and the joint org
    assert street["has_children"] is True


def test_children_counts_are_scoped(client, world):
    """A county admin cannot ask for the children of the city (out of scope), and the city's
    children as the superuser sees them count both counties separately."""
    client.force_login(world.admin_a)
    assert client.get(f"/api/organizations/{world.city.pk}/children/").status_code == 404
    assert client.get(f"/api/organizations/{world.b.street.pk}/children/").status_code == 404

    client.force_login(world.root)
    rows = client.get(f"/api/organizations/{world.city.pk}/children/").json()
    counts = {row["id"]: row["member_count"] for row in rows}
    assert counts == {world.a.county.pk: 2, world.b.county.pk: 2}


def test_children_query_count_is_fixed(client, world, django_assert_num_queries):
    client.force_login(world.admin_a)
    for i in range(8):
        org = OrganizationFactory(name=f"支部{i}", kind=OrgKind.BRANCH, parent=world.a.street)
        create_member(org, name=f"人{i}")
    # session, user, roles, led joint, the parent, children, one statement of subtree totals
    with django_assert_num_queries(7):
        rows = client.get(f"/api/organizations/{world.a.street.pk}/children/").json()
    assert len(rows) == 10


def test_subtree_is_paged_and_ordered_by_path(client, world, django_assert_num_queries):
    client.force_login(world.admin_a)
    for i in range(5):
        OrganizationFactory(name=f"支部{i}", kind=OrgKind.BRANCH, parent=world.a.street)
    with django_assert_num_queries(7):
        body = client.get(f"/api/organizations/{world.a.county.pk}/subtree/?page_size=3").json()
    assert body["count"] == 9
    assert len(body["results"]) == 3
    paths = [
        row["path"]
        for row in client.get(f"/api/organizations/{world.a.county.pk}/subtree/").json()["results"]
    ]
    assert paths == sorted(paths)
    assert paths[0] == world.a.county.path


def test_subtree_out_of_scope_is_404(client, world):
    client.force_login(world.admin_a)
    assert client.get(f"/api/organizations/{world.b.county.pk}/subtree/").status_code == 404


def create_body(world, **overrides):
    body = {
        "name": "新建村党支部",
        "kind": "branch",
        "region": world.a.village_region.code,
        "parent": world.a.street.pk,
    }
    body.update(overrides)
    return body


def test_create_goes_through_the_service_and_is_audited(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        "/api/organizations/", create_body(world), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    org = Organization.objects.get(pk=body["id"])
    assert org.path.startswith(world.a.street.path)
    assert org.urban_rural == "rural"  # from the region
    event = AuditEvent.objects.get(object_type="organizations.organization", object_id=str(org.pk))
    assert event.action == "create"
    assert event.actor == world.admin_a


def test_create_under_out_of_scope_parent_is_404_and_writes_nothing(client, world):
    client.force_login(world.admin_a)
    before = Organization.objects.count()
    response = client.post(
        "/api/organizations/",
        create_body(world, parent=world.b.street.pk),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["field"] == "parent"
    assert Organization.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_create_needs_manage_scope_on_the_parent(client, world):
    """The secretary sees the village but may not create organizations there: the parent is
    fetched in the manage scope, so it looks missing."""
    client.force_login(world.secretary_a)
    response = client.post(
        "/api/organizations/",
        create_body(world, parent=world.a.village.pk, kind="group"),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["field"] == "parent"


def test_create_with_a_broken_rule_is_400_with_the_service_code(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        "/api/organizations/",
        create_body(world, kind="group", parent=world.a.street.pk),
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_parent_kind"
    assert body["field"] == "parent"
    assert body["message"]


def test_create_joint_needs_lead(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        "/api/organizations/",
        create_body(world, org_type="joint", units=[world.a.unit.pk]),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "joint_without_lead"
    assert response.json()["field"] == "lead"


def test_create_with_out_of_scope_lead_or_unit_is_404(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        "/api/organizations/",
        create_body(world, org_type="joint", lead=world.b.village.pk, units=[world.a.unit.pk]),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["field"] == "lead"
    response = client.post(
        "/api/organizations/",
        create_body(
            world,
            org_type="joint",
            lead=world.a.village.pk,
            units=[world.a.unit.pk, world.b.unit.pk],
        ),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["field"] == "units"


@pytest.mark.parametrize("code", ["999", "640202\x00"])
def test_create_with_unknown_region_is_400_on_region(client, world, code):
    # A NUL is not refused by PostgreSQL as "no such row" but as an error: the field says it.
    client.force_login(world.admin_a)
    response = client.post(
        "/api/organizations/", create_body(world, region=code), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "region"


def test_patch_renames_and_is_audited(client, world):
    client.force_login(world.admin_a)
    response = client.patch(
        f"/api/organizations/{world.a.village.pk}/",
        {"name": "甲村新名党支部", "secretary_name": "李四"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "甲村新名党支部"
    event = AuditEvent.objects.get(action="update")
    assert event.before["name"] == "甲村党支部"
    assert event.after["name"] == "甲村新名党支部"


def test_patch_by_a_viewer_is_403_out_of_scope_404(client, world):
    client.force_login(world.secretary_a)
    url = f"/api/organizations/{world.a.village.pk}/"
    assert client.patch(url, {"name": "x"}, content_type="application/json").status_code == 403
    client.force_login(world.admin_a)
    url = f"/api/organizations/{world.b.village.pk}/"
    assert client.patch(url, {"name": "x"}, content_type="application/json").status_code == 404
    assert Organization.objects.get(pk=world.b.village.pk).name == "乙村党支部"


def test_move_rewrites_paths_and_is_audited(client, world):
    client.force_login(world.admin_a)
    street2 = OrganizationFactory(
        name="甲二街道", kind=OrgKind.WORKING_COMMITTEE, parent=world.a.county
    )
    response = client.post(
        f"/api/organizations/{world.a.village.pk}/move/",
        {"parent": street2.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    village = Organization.objects.get(pk=world.a.village.pk)
    assert village.parent_id == street2.pk
    assert village.path.startswith(street2.path)
    assert all(m.org_path == village.path for m in village.members.all())
    event = AuditEvent.objects.get(action="move")
    assert event.before["parent"] == world.a.street.pk
    assert event.after["parent"] == street2.pk


def test_move_under_own_descendant_is_refused(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        f"/api/organizations/{world.a.street.pk}/move/",
        {"parent": world.a.village.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "move_cycle"
    assert response.json()["field"] == "parent"
    assert not AuditEvent.objects.exists()


def test_move_under_out_of_scope_parent_is_404(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        f"/api/organizations/{world.a.village.pk}/move/",
        {"parent": world.b.street.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["field"] == "parent"
    assert Organization.objects.get(pk=world.a.village.pk).parent_id == world.a.street.pk


def test_dissolve_refused_with_members_then_done_and_audited(client, world):
    client.force_login(world.admin_a)
    url = f"/api/organizations/{world.a.village.pk}/dissolve/"
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] in {"has_members", "leads_joint"}

    empty = OrganizationFactory(name="空支部", kind=OrgKind.BRANCH, parent=world.a.street)
    response = client.post(
        f"/api/organizations/{empty.pk}/dissolve/",
        {"on": "2024-01-02", "note": "合并"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == OrgStatus.DISSOLVED
    event = AuditEvent.objects.get(action="dissolve")
    assert event.object_id == str(empty.pk)
    assert event.note == "合并"


def test_dissolve_out_of_scope_is_404(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        f"/api/organizations/{world.b.village.pk}/dissolve/", {}, content_type="application/json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("params", [{"parent": "99999999999999999999"}, {"within": "1.5"}])
def test_list_with_an_impossible_id_filter_is_400(client, world, params):
    # A parent id beyond the database's integers was a 500.
    client.force_login(world.admin_a)
    response = client.get("/api/organizations/", params)
    assert response.status_code == 400
    assert response.json()["field"] == next(iter(params))


def test_create_with_an_impossible_unit_id_is_400_on_units(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        "/api/organizations/",
        create_body(world, org_type="joint", lead=world.a.village.pk, units=[10**20]),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"].startswith("units")  # "units.0": the first id
