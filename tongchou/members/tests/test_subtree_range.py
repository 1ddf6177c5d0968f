"""The member list narrowed to a subtree reads the intersection of the caller's scope and the
subtree as index ranges (one when the subtree lies inside the scope), never the scope's ranges
plus the subtree's, and returns exactly the members a plain scope ∩ subtree filter returns."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from tongchou.core import tree
from tongchou.core.tests.factories import UserFactory, create_member, grant
from tongchou.members import selectors
from tongchou.members.filters import MemberFilter
from tongchou.members.models import Member
from tongchou.organizations.models import RoleKind
from tongchou.organizations.permissions import Action, scope_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(w):
    for org in (w.village_a, w.community_a, w.group_a, w.street_a, w.village_b, w.county_b):
        for i in range(2):
            create_member(org, name=f"{org.name}{i}")
    create_member(w.village_a, name="已归档", archived=True)
    two_roles = UserFactory(username="two_roles")
    grant(two_roles, w.village_a, RoleKind.SECRETARY)
    grant(two_roles, w.village_b, RoleKind.SECRETARY)
    return two_roles


def _filtered(user, data, **kwargs):
    request = RequestFactory().get("/members/", data)
    request.user = user
    members = selectors.member_list_for(user, **kwargs)
    filterset = MemberFilter(request.GET, queryset=members, request=request)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def _expected(user, org, *, action=Action.VIEW_MEMBERS, include_archived=False):
    """The plain definition: in the scope AND in the subtree."""
    rows = Member.objects.filter(scope_for(user, action).q("org_path"))
    rows = rows.filter(tree.subtree_q(org.path, "org_path"))
    if not include_archived:
        rows = rows.filter(archived=False)
    return set(rows.values_list("pk", flat=True))


def _ranges(queryset) -> int:
    sql, _params = queryset.query.sql_with_params()
    return sql.count('"org_path" >= ')


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def test_nested_subtree_is_one_range(w, people):
    for user, org in (
        (w.admin_a, w.village_a),
        (w.admin_a, w.street_a),
        (w.admin_a, w.county_a),
        (w.secretary_v, w.group_a),
        (UserFactory(username="root", is_superuser=True), w.village_b),
    ):
        rows = _filtered(user, {"org": org.pk})
        assert set(rows.values_list("pk", flat=True)) == _expected(user, org), (user, org)
        assert _ranges(rows) == 1, (user, org)
        low, high = tree.subtree_bounds(org.path)
        sql, params = rows.query.sql_with_params()
        assert low in params and high in params
        if connection.vendor == "sqlite":
            plan = _plan(rows)
            assert "MULTI-INDEX OR" not in plan and "org_path>? AND org_path<?" in plan, plan


def test_a_name_search_keeps_the_one_range(w, people):
    rows = _filtered(w.admin_a, {"org": w.village_a.pk, "q": "长胜村党支部1"})
    assert [m.name for m in rows] == ["长胜村党支部1"]
    assert _ranges(rows) == 1


def test_disjoint_subtree_is_empty(w, people):
    rows = _filtered(w.admin_a, {"org": w.village_b.pk})
    assert list(rows) == [] and _expected(w.admin_a, w.village_b) == set()
    rows = _filtered(w.secretary_v, {"org": w.community_a.pk})
    assert list(rows) == []


def test_multiple_roles(w, people):
    user = people
    # One of the two role subtrees: one range.
    rows = _filtered(user, {"org": w.village_b.pk})
    assert set(rows.values_list("pk", flat=True)) == _expected(user, w.village_b) != set()
    assert _ranges(rows) == 1
    # A subtree above one role (county A holds village A): only that role's range.
    rows = _filtered(user, {"org": w.county_a.pk})
    assert set(rows.values_list("pk", flat=True)) == _expected(user, w.county_a)
    assert {m.organization_id for m in rows} == {w.village_a.pk, w.group_a.pk}
    assert _ranges(rows) == 1


def test_archived_and_export_scopes_are_kept(w, people):
    rows = _filtered(w.admin_a, {"org": w.village_a.pk}, include_archived=True)
    assert "已归档" in {m.name for m in rows}
    assert set(rows.values_list("pk", flat=True)) == _expected(
        w.admin_a, w.village_a, include_archived=True
    )
    rows = _filtered(w.admin_a, {"org": w.village_a.pk}, action=Action.EXPORT)
    assert "已归档" not in {m.name for m in rows}
    assert _ranges(rows) == 1


def test_no_scope_reads_nothing(w, people):
    rows = _filtered(AnonymousUser(), {"org": w.village_a.pk})
    assert list(rows) == []


def test_the_page_and_the_api_use_it(client, w, people):
    client.force_login(w.admin_a)
    page = client.get(reverse("members:list"), {"org": w.village_a.pk})
    names = {m.name for m in page.context["page"]}
    assert names == {"长胜村党支部0", "长胜村党支部1", "长胜村第一党小组0", "长胜村第一党小组1"}
    api = client.get("/api/members/", {"org": w.village_a.pk}).json()
    assert {r["name"] for r in api["results"]} == names
    assert client.get("/api/members/", {"org": w.village_b.pk}).json()["count"] == 0
