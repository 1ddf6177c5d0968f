"""Scope: a role covers its organization's subtree plus the joint organizations led from it."""

import pytest
from django.http import Http404

from tongchou.core.tests.factories import UserFactory, create_member, grant
from tongchou.members.selectors import member_list_for
from tongchou.organizations.permissions import Action, can, has_any_role, scope_for
from tongchou.organizations.selectors import organization_get_for, organization_list_for

pytestmark = pytest.mark.django_db


def names(qs):
    return set(qs.values_list("code", flat=True))


def test_admin_at_street_sees_subtree_and_the_joint_org_led_from_it(world):
    w = world
    visible = names(organization_list_for(w.admin_street))
    assert visible == {"S-A", "V-A", "M-A", "J-1"}
    # the joint org sits under street B (another county) but is led from village A
    assert w.joint.parent == w.street_b
    assert can(w.admin_street, Action.MANAGE_ORGS, w.joint.path)
    assert not can(w.admin_street, Action.VIEW_ORGS, w.street_b.path)
    assert not can(w.admin_street, Action.VIEW_ORGS, w.village_b.path)


def test_county_admin_scope_and_other_county(world):
    w = world
    assert names(organization_list_for(w.admin_a)) == {"C-A", "S-A", "V-A", "M-A", "J-1"}
    # county B's admin also sees the joint org: it sits in their subtree
    assert names(organization_list_for(w.admin_b)) == {"C-B", "S-B", "V-B", "J-1"}
    assert not can(w.admin_b, Action.VIEW_ORGS, w.village_a.path)


def test_secretary_sees_members_but_cannot_manage_orgs(world):
    w = world
    assert can(w.secretary, Action.VIEW_ORGS, w.village_a.path)
    assert can(w.secretary, Action.VIEW_MEMBERS, w.village_a.path)
    assert can(w.secretary, Action.MANAGE_MEMBERS, w.village_a.path)
    assert not can(w.secretary, Action.MANAGE_ORGS, w.village_a.path)
    assert not can(w.secretary, Action.MANAGE_ORGS)
    assert not can(w.secretary, Action.VIEW_AUDIT)
    with pytest.raises(Http404):
        organization_get_for(w.secretary, w.village_a.pk, action=Action.MANAGE_ORGS)


def test_member_role_sees_orgs_but_not_members(world):
    w = world
    create_member(w.village_a, name="李四")
    assert "V-A" in names(organization_list_for(w.member_user))
    assert scope_for(w.member_user, Action.VIEW_MEMBERS).is_empty
    assert not member_list_for(w.member_user).exists()
    assert member_list_for(w.secretary).count() == 1


def test_superuser_sees_everything(world):
    w = world
    scope = scope_for(w.superuser, Action.VIEW_AUDIT)
    assert scope.everything and scope.covers(w.village_b.path)
    assert organization_list_for(w.superuser).count() == 9
    assert can(w.superuser, Action.MANAGE_ORGS)


def test_no_role_has_nothing(world):
    w = world
    assert not has_any_role(w.norole)
    assert scope_for(w.norole, Action.VIEW_ORGS).is_empty
    assert not organization_list_for(w.norole).exists()
    assert not can(w.norole, Action.VIEW_ORGS)


def test_can_without_path_costs_at_most_the_role_query(world, django_assert_num_queries):
    w = world
    with django_assert_num_queries(1):
        assert can(w.admin_a, Action.VIEW_AUDIT)
        assert can(w.admin_a, Action.MANAGE_ORGS)
    with django_assert_num_queries(1):
        assert not can(w.member_user, Action.VIEW_AUDIT)


def test_roles_on_dissolved_orgs_grant_nothing(world):
    w = world
    w.village_b.status = "dissolved"
    w.village_b.save()
    ghost = UserFactory(username="ghost")
    grant(ghost, w.village_b)
    assert not has_any_role(ghost)


def test_a_dissolved_joint_org_leaves_the_leads_scope(world):
    from tongchou.organizations.models import OrgStatus

    w = world
    w.joint.status = OrgStatus.DISSOLVED
    w.joint.save(update_fields=["status"])
    assert names(organization_list_for(w.admin_street)) == {"S-A", "V-A", "M-A"}
    # the organization it sits under still sees it, dissolved, as history
    assert "J-1" in names(organization_list_for(w.admin_b))
