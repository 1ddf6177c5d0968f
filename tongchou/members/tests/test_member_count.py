"""Organization.member_count is kept by database triggers (members migration 0005): whatever
writes members — services, the import's COPY/executemany, bulk SQL — the count stays true."""

import io

import pytest
from django.db.models import Count, Q

from tongchou.core.tests.factories import member_values
from tongchou.members import services
from tongchou.members.importing import members_import, read_rows
from tongchou.members.models import Member
from tongchou.members.tests.test_import import csv_bytes, row
from tongchou.organizations import selectors as org_selectors
from tongchou.organizations.models import Organization
from tongchou.organizations.services import organization_move

pytestmark = pytest.mark.django_db


def assert_counts_true():
    actual = dict(
        Organization.objects.annotate(
            n=Count("members", filter=Q(members__archived=False))
        ).values_list("pk", "n")
    )
    stored = dict(Organization.objects.values_list("pk", "member_count"))
    assert stored == actual


def test_services_keep_counts(w):
    a = services.member_create(actor=w.admin_a, organization=w.village_a, **member_values())
    b = services.member_create(
        actor=w.admin_a, organization=w.community_a, **member_values(name="李四")
    )
    assert_counts_true()
    services.member_update(actor=w.admin_a, member=a, organization=w.community_a)
    assert_counts_true()
    services.member_archive(actor=w.admin_a, member=b, reason="测试")
    assert_counts_true()
    services.member_update(actor=w.admin_a, member=a, name="改名")  # no count change
    assert Organization.objects.get(pk=w.community_a.pk).member_count == 1
    assert_counts_true()


def test_import_keeps_counts(w):
    rows = [row(i, org_code="V-A" if i % 3 else "M-A") for i in range(1, 31)]
    result = members_import(actor=w.admin_a, rows=read_rows(io.BytesIO(csv_bytes(rows)), "a.csv"))
    assert result.created == 30
    assert Organization.objects.get(pk=w.village_a.pk).member_count == 20
    assert_counts_true()


def test_bulk_sql_and_moves_keep_counts(w):
    rows = [row(i) for i in range(1, 6)]
    members_import(actor=w.admin_a, rows=read_rows(io.BytesIO(csv_bytes(rows)), "a.csv"))
    Member.objects.filter(name="党员1").update(archived=True)
    Member.objects.filter(name="党员2").update(organization=w.village_b, org_path=w.village_b.path)
    assert_counts_true()
    Member.objects.filter(name="党员3").delete()
    assert_counts_true()
    moved = organization_move(actor=w.admin_a, org=w.community_a, new_parent=w.county_a)
    assert moved.parent_id == w.county_a.pk
    assert_counts_true()


def test_subtree_totals_sum_the_counts(w):
    for i in range(1, 4):
        services.member_create(
            actor=w.admin_a, organization=w.village_a, **member_values(name=f"甲{i}")
        )
    services.member_create(actor=w.admin_a, organization=w.community_a, **member_values())
    totals = org_selectors.subtree_totals_for(w.county_a)
    assert totals.member_count == 4
    assert (
        totals.member_count == Member.objects.filter(org_path__startswith=w.county_a.path).count()
    )


@pytest.mark.parametrize("who", ["admin_a", "secretary_v", "admin_b"])
def test_member_total_for_equals_counting_rows(w, who):
    from tongchou.core import tree
    from tongchou.core.tests.factories import UserFactory
    from tongchou.members.selectors import member_list_for, member_total_for

    rows = [row(i, org_code=("V-A", "M-A", "V-B")[i % 3]) for i in range(1, 13)]
    admin = UserFactory(username="root", is_superuser=True)
    members_import(actor=admin, rows=read_rows(io.BytesIO(csv_bytes(rows)), "a.csv"))
    Member.objects.filter(name="党员1").update(archived=True)
    user = getattr(w, who)
    for within in (None, w.county_a, w.village_a, w.street_a, w.county_b):
        expected = member_list_for(user)
        if within is not None:
            expected = expected.filter(tree.subtree_q(within.path, "org_path"))
        assert member_total_for(user, within=within) == expected.count(), (who, within)
    assert member_total_for(admin) == Member.objects.filter(archived=False).count()


def test_list_page_total_matches_the_rows(w, client):
    rows = [row(i, org_code=("V-A", "M-A")[i % 2]) for i in range(1, 8)]
    members_import(actor=w.admin_a, rows=read_rows(io.BytesIO(csv_bytes(rows)), "a.csv"))
    client.force_login(w.admin_a)
    for query, expected in (("", 7), (f"?org={w.village_a.pk}", 3), ("?gender=F", 0)):
        page = client.get(f"/members/{query}").context["page"]
        assert page.paginator.count == expected, query


def test_moving_a_member_is_audited_on_both_sides(w):
    from tongchou.core.models import AuditEvent

    member = services.member_create(actor=w.admin_a, organization=w.village_a, **member_values())
    services.member_update(actor=w.admin_a, member=member, organization=w.community_a)
    # One event, filed under both organizations.
    (event,) = AuditEvent.objects.filter(object_id=str(member.pk), action="update")
    assert set(event.all_paths()) == {w.village_a.path, w.community_a.path}
