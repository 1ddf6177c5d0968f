"""Ranks, who may give which role where, and who stands above whom."""

import pytest

from tongchou.accounts.permissions import (
    account_scope,
    grantable_kinds,
    may_act_on,
    may_manage_accounts,
    rank_at,
    stands_above,
)
from tongchou.core.tests.factories import UserFactory, grant
from tongchou.organizations.models import RoleKind

pytestmark = pytest.mark.django_db
ADMIN, SECRETARY, MEMBER = RoleKind.ADMIN, RoleKind.SECRETARY, RoleKind.MEMBER


def test_rank_at_an_organization_is_the_highest_covering_role(w):
    assert rank_at(w.admin_a, w.village_a.path) == 3
    assert rank_at(w.secretary, w.village_a.path) == 2
    assert rank_at(w.secretary, w.street_a.path) == 0  # above the secretary's branch
    assert rank_at(w.member_user, w.village_a.path) == 1
    assert rank_at(w.admin_b, w.village_a.path) == 0
    assert rank_at(w.superuser, w.village_b.path) == 3
    # The joint organization led from village A (though it sits in county B) is in reach.
    assert rank_at(w.secretary, w.joint.path) == 2 and rank_at(w.admin_a, w.joint.path) == 3


@pytest.mark.parametrize(
    ("user", "org", "kinds"),
    [
        ("admin_a", "village_a", [ADMIN, SECRETARY, MEMBER]),
        ("secretary", "village_a", [SECRETARY, MEMBER]),
        ("secretary", "community_a", []),  # out of scope
        ("member_user", "village_a", []),  # members manage nobody
        ("norole", "village_a", []),
    ],
)
def test_the_kinds_one_may_give_go_up_to_ones_own_rank(w, user, org, kinds):
    assert grantable_kinds(getattr(w, user), getattr(w, org).path) == kinds


def test_who_manages_accounts(w):
    assert may_manage_accounts(w.admin_a) and may_manage_accounts(w.secretary)
    assert not may_manage_accounts(w.member_user) and not may_manage_accounts(w.norole)
    assert account_scope(w.member_user).is_empty
    assert account_scope(w.secretary).covers(w.village_a.path)
    assert not account_scope(w.secretary).covers(w.community_a.path)


def test_standing_above_a_role(w):
    # Higher up with the same rank.
    assert stands_above(w.admin_a, ADMIN, w.street_a.path)
    # The same rank at the same organization: a peer, not above.
    assert not stands_above(w.admin_a, ADMIN, w.county_a.path)
    # A higher rank at the same organization.
    assert stands_above(w.secretary, MEMBER, w.village_a.path)
    assert not stands_above(w.secretary, SECRETARY, w.village_a.path)
    # Below, or elsewhere: never.
    assert not stands_above(w.admin_street, ADMIN, w.county_a.path)
    assert not stands_above(w.admin_a, MEMBER, w.village_b.path)


def acts(actor, target):
    from tongchou.accounts.selectors import account_row, may_act

    return may_act(actor, account_row(target))


def test_acting_needs_standing_above_every_role_the_person_holds(w):
    assert acts(w.admin_a, w.admin_street)
    assert acts(w.admin_a, w.secretary) and acts(w.admin_street, w.secretary)
    assert acts(w.secretary, w.member_user)  # member role and member record, both in reach
    assert not acts(w.admin_street, w.admin_a)
    assert not acts(w.admin_a, w.admin_b)  # not in scope at all
    # A fellow admin of the same county: a peer.
    peer = UserFactory(username="peer")
    grant(peer, w.county_a, ADMIN)
    assert not acts(w.admin_a, peer) and not acts(peer, w.admin_a)
    assert acts(w.superuser, peer)


def test_someone_who_is_also_an_admin_elsewhere_above_is_out_of_reach(w):
    """The rule for people holding roles in two subtrees: county A's admin sees a street
    admin of county A who is also admin of the whole city, but may not deactivate or reset
    them — only someone above both roles may."""
    both = UserFactory(username="both")
    grant(both, w.street_a, ADMIN)
    assert acts(w.admin_a, both)
    grant(both, w.city, ADMIN)
    assert not acts(w.admin_a, both)
    # Also an admin of another county (not above, but out of county A's reach): the same.
    other = UserFactory(username="other")
    grant(other, w.street_a, SECRETARY)
    grant(other, w.county_b, ADMIN)
    assert not acts(w.admin_a, other) and not acts(w.admin_b, other)
    assert acts(w.superuser, other)


def test_a_member_record_or_a_station_elsewhere_keeps_one_out_of_reach(w):
    staff = UserFactory(username="staff")
    w.station.staff.add(staff)
    assert acts(w.admin_a, staff) and acts(w.admin_street, staff)
    assert not acts(w.secretary, staff)  # the station is the street's, above the secretary
    w.m_b1.user = staff
    w.m_b1.save(update_fields=["user"])
    assert not acts(w.admin_a, staff)  # the member record lies in county B


def test_nobody_acts_on_themselves_and_superusers_only_by_superusers(w):
    assert not may_act_on(w.admin_a, w.admin_a, anchor_paths=[w.county_a.path], roles=[])
    assert not acts(w.superuser, w.superuser)
    root2 = UserFactory(username="root2", is_superuser=True)
    grant(root2, w.village_a, MEMBER)
    assert not acts(w.admin_a, root2) and acts(w.superuser, root2)
    # An account with no tie at all is nobody's but the superuser's.
    loose = UserFactory(username="loose")
    assert not acts(w.admin_a, loose) and acts(w.superuser, loose)


def test_a_later_kind_of_anchor_plugs_in(w, monkeypatch):
    """How alliance-unit staff will be tied to organizations: an app registers an Anchor, and
    the scope of accounts follows (list, detail, who may act) with nothing else to change."""
    from django.contrib.auth import get_user_model

    from tongchou.accounts import anchors, selectors

    monkeypatch.setattr(anchors, "ANCHORS", list(anchors.ANCHORS))
    clerk = UserFactory(username="unit_clerk")
    unit_path = w.street_a.path  # say, a civil-affairs office attached to street A
    users = get_user_model().objects

    def user_ids(scope):
        ids = [clerk.pk] if scope.everything or scope.covers(unit_path) else []
        return users.filter(pk__in=ids).values("pk")

    def paths_of(ids):
        return {clerk.pk: [unit_path]} if clerk.pk in ids else {}

    assert not selectors.account_list_for(w.admin_a).filter(pk=clerk.pk).exists()
    anchors.register(anchors.Anchor("alliance_unit", "服务联盟单位", user_ids, paths_of))
    anchors.register(anchors.Anchor("alliance_unit", "again", user_ids, paths_of))  # once
    assert [a.key for a in anchors.ANCHORS].count("alliance_unit") == 1
    assert selectors.account_list_for(w.admin_a).filter(pk=clerk.pk).exists()
    assert not selectors.account_list_for(w.secretary).filter(pk=clerk.pk).exists()
    assert anchors.paths_of([clerk.pk]) == {clerk.pk: [unit_path]}
    assert selectors.account_row(clerk).anchor_paths == [unit_path]
    assert acts(w.admin_street, clerk) and not acts(w.secretary, clerk)
