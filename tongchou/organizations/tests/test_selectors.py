"""Scoped reads: children with counts, roots, search, breadcrumb."""

import pytest
from django.http import Http404

from tongchou.core.tests.factories import OrganizationFactory, create_member
from tongchou.organizations import selectors
from tongchou.organizations.models import OrgKind, OrgStatus

pytestmark = pytest.mark.django_db


def test_children_with_counts_counts_subtrees(world):
    w = world
    create_member(w.village_a, name="甲")
    create_member(w.village_a, name="乙")
    create_member(w.community_a, name="丙")
    create_member(w.village_b, name="丁")
    archived = create_member(w.village_b, name="戊")
    archived.archived = True
    archived.save()
    group = OrganizationFactory(name="第一党小组", kind=OrgKind.GROUP, parent=w.village_a)
    create_member(group, name="己")

    rows = {r.org.code: r for r in selectors.children_with_counts(w.superuser, w.city)}
    assert set(rows) == {"C-A", "C-B"}
    assert rows["C-A"].member_count == 4
    assert rows["C-A"].org_count == 5  # county, street, village, community, group
    assert rows["C-B"].member_count == 1  # the archived member is not counted
    assert rows["C-B"].org_count == 4  # county, town, village, joint org
    assert all(r.has_children for r in rows.values())

    street_rows = {r.org.code: r for r in selectors.children_with_counts(w.superuser, w.street_a)}
    assert street_rows["V-A"].member_count == 3 and street_rows["V-A"].has_children
    assert street_rows["M-A"].member_count == 1 and not street_rows["M-A"].has_children


def test_children_with_counts_is_scoped(world):
    w = world
    # the city itself is out of admin A's scope, but county A (in scope) shows; county B not
    assert [r.org.code for r in selectors.children_with_counts(w.admin_a, w.city)] == ["C-A"]
    # the joint org under street B is visible to street A's admin, nothing else there is
    assert [r.org.code for r in selectors.children_with_counts(w.admin_street, w.street_b)] == [
        "J-1"
    ]
    codes = [r.org.code for r in selectors.children_with_counts(w.admin_street, w.street_a)]
    assert sorted(codes) == ["M-A", "V-A"]


def test_dissolved_children_do_not_make_a_node_expandable(world):
    w = world
    w.community_a.status = OrgStatus.DISSOLVED
    w.community_a.save()
    w.village_a.status = OrgStatus.DISSOLVED
    w.village_a.save()
    rows = selectors.children_with_counts(w.superuser, w.county_a)
    assert [r.org.code for r in rows] == ["S-A"] and not rows[0].has_children


def test_children_with_counts_query_count_is_fixed(world, django_assert_num_queries):
    w = world
    for i in range(12):
        child = OrganizationFactory(name=f"支部{i:02d}", kind=OrgKind.BRANCH, parent=w.street_a)
        create_member(child, name=f"党员{i}")
        OrganizationFactory(name=f"小组{i:02d}", kind=OrgKind.GROUP, parent=child)
    admin = w.admin_a
    # scope: role paths + led joint organizations; then children and one statement of
    # subtree totals (organizations and members)
    with django_assert_num_queries(4):
        rows = selectors.children_with_counts(admin, w.street_a)
    assert len(rows) == 14
    # the scope is cached on the user: a second parent costs only the two reads
    with django_assert_num_queries(2):
        selectors.children_with_counts(admin, w.county_a)


def test_roots(world):
    w = world
    assert [o.code for o in selectors.organization_roots_for(w.superuser)] == ["C-CITY"]
    assert sorted(o.code for o in selectors.organization_roots_for(w.admin_street)) == [
        "J-1",
        "S-A",
    ]
    rows = selectors.roots_with_counts(w.admin_street)
    assert {r.org.code: r.org_count for r in rows} == {"S-A": 3, "J-1": 1}
    assert not selectors.organization_roots_for(w.norole).exists()


def test_search_by_name_or_code_within_scope(world):
    w = world
    assert [o.code for o in selectors.organization_search_for(w.admin_a, "长胜村")] == ["V-A"]
    assert [o.code for o in selectors.organization_search_for(w.admin_a, "m-a")] == ["M-A"]
    assert list(selectors.organization_search_for(w.admin_a, "红果子村党支部")) == []
    assert [o.code for o in selectors.organization_search_for(w.admin_b, "红果子村党支部")] == [
        "V-B"
    ]
    assert list(selectors.organization_search_for(w.admin_a, "   ")) == []


def test_get_for_out_of_scope_is_404_like_missing(world):
    w = world
    assert selectors.organization_get_for(w.admin_a, w.village_a.pk) == w.village_a
    for pk in (w.village_b.pk, 999999, "abc", None):
        with pytest.raises(Http404):
            selectors.organization_get_for(w.admin_a, pk)


def test_ancestors_only_visible_ones(world):
    w = world
    assert [o.code for o in selectors.ancestors_for(w.superuser, w.village_a)] == [
        "C-CITY",
        "C-A",
        "S-A",
    ]
    assert [o.code for o in selectors.ancestors_for(w.admin_street, w.village_a)] == ["S-A"]
    assert selectors.ancestors_for(w.admin_street, w.joint) == []


def test_unit_list_for_and_role_list_for(world):
    w = world
    assert set(selectors.unit_list_for(w.admin_street)) == {w.unit1, w.unit2}
    assert not selectors.unit_list_for(w.norole).exists()
    assert [r.organization.code for r in selectors.role_list_for(w.secretary)] == ["V-A"]


def test_tree_for_a_single_root_matches_counting_it_alone(world):
    w = world
    create_member(w.village_a, name="甲")
    create_member(w.community_a, name="乙")
    create_member(w.county_a, name="丙")
    for user in (w.superuser, w.admin_street):
        rows, open_rows = selectors.tree_for(user)
        if len(rows) == 1:
            alone = selectors.subtree_totals_for(rows[0].org)
            assert (rows[0].org_count, rows[0].member_count) == (
                alone.org_count,
                alone.member_count,
            )
            assert open_rows == selectors.children_with_counts(user, rows[0].org)
        else:
            assert open_rows is None
            assert rows == selectors.roots_with_counts(user)


def test_picker_offers_the_top_of_the_scope_and_a_deeper_selected_one(world):
    group = OrganizationFactory(name="长胜村第一党小组", kind=OrgKind.GROUP, parent=world.village_a)
    choices = selectors.organization_picker_choices(world.admin_a)
    labels = [label.strip("\u3000") for _value, label in choices]
    # County A, its street, the street's branches: three levels; county B's are not there.
    assert (
        labels[0] == "大武口区委" and "长胜社区党支部" in labels and "红果子村党支部" not in labels
    )
    assert str(group.pk) not in dict(choices)
    deeper = selectors.organization_picker_choices(world.admin_a, selected=str(group.pk))
    assert deeper[-1] == (str(group.pk), "长胜村第一党小组")
    for bad in (str(world.village_b.pk), "²", "9" * 30, None):
        assert selectors.organization_picker_choices(world.admin_a, selected=bad) == choices
    assert selectors.organization_picker_choices(world.norole) == []
