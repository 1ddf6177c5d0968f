"""members.selectors: scope, find by ID number, duplicate hashes, import jobs."""

import pytest
from django.http import Http404

from tongchou.core import crypto
from tongchou.core.tests.factories import create_member
from tongchou.members import selectors
from tongchou.members.models import ImportJob

pytestmark = pytest.mark.django_db


def test_list_is_scoped_and_hides_archived(w):
    in_village = create_member(w.village_a)
    in_community = create_member(w.community_a)
    in_b = create_member(w.village_b)
    archived = create_member(w.village_a, archived=True)
    assert set(selectors.member_list_for(w.admin_a)) == {in_village, in_community}
    assert set(selectors.member_list_for(w.secretary_v)) == {in_village}
    assert set(selectors.member_list_for(w.admin_b)) == {in_b}
    assert set(selectors.member_list_for(w.secretary_v, include_archived=True)) == {
        in_village,
        archived,
    }
    assert not selectors.member_list_for(w.norole).exists()
    assert not selectors.member_list_for(w.plain_member).exists()


def test_get_for_out_of_scope_is_404(w):
    member = create_member(w.village_b)
    assert selectors.member_get_for(w.admin_b, member.pk) == member
    with pytest.raises(Http404):
        selectors.member_get_for(w.admin_a, member.pk)
    with pytest.raises(Http404):
        selectors.member_get_for(w.admin_a, "nope")


def test_find_by_id_number_only_in_scope(w):
    member = create_member(w.village_a)
    other = create_member(w.village_b)
    number = member.id_number
    assert selectors.member_find_by_id_number(w.secretary_v, number) == member
    assert selectors.member_find_by_id_number(w.secretary_v, " " + number.lower() + " ") == member
    assert selectors.member_find_by_id_number(w.secretary_v, other.id_number) is None
    assert selectors.member_find_by_id_number(w.admin_b, number) is None
    assert selectors.member_find_by_id_number(w.secretary_v, "") is None


def test_id_hashes_taken_both_strategies(w):
    members = [create_member(w.village_a) for _ in range(5)]
    taken = [m.id_number_hash for m in members[:2]]
    fresh = [crypto.lookup_hash(f"x{i}") for i in range(3)]
    # few hashes against a bigger table: probing
    assert selectors.id_hashes_taken(taken) == set(taken)
    # many hashes against a small table: one scan
    assert selectors.id_hashes_taken(taken + fresh * 4) == set(taken)
    assert selectors.id_hashes_taken([]) == set()


def test_import_job_is_seen_by_its_uploader_only(w, admin_user):
    job = ImportJob.objects.create(filename="a.csv", created_by=w.admin_a)
    assert selectors.import_job_get_for(w.admin_a, job.pk) == job
    assert selectors.import_job_get_for(admin_user, job.pk) == job
    with pytest.raises(Http404):
        selectors.import_job_get_for(w.admin_b, job.pk)
    assert list(selectors.import_job_list_for(w.admin_a)) == [job]
