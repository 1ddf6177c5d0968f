"""members.services: create / update / archive / reveal, each audited, each scoped."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tongchou.core import crypto
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.core.tests.factories import create_member, member_values
from tongchou.members import services
from tongchou.members.models import Member

pytestmark = pytest.mark.django_db


def create(w, actor=None, org=None, **overrides):
    return services.member_create(
        actor=actor or w.admin_a, organization=org or w.village_a, **member_values(**overrides)
    )


def test_create_encrypts_sets_path_and_audits(w):
    values = member_values()
    member = services.member_create(actor=w.secretary_v, organization=w.village_a, **values)
    member.refresh_from_db()
    assert member.org_path == w.village_a.path
    assert values["id_number"] not in member.id_number_enc
    assert member.id_number == values["id_number"]
    assert member.id_number_hash == crypto.lookup_hash(values["id_number"])
    assert member.phone == "13812345678"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(member.pk))
    assert event.actor == w.secretary_v and event.org_path == w.village_a.path
    assert event.after["id_number"] == member.id_number_masked  # never the full number
    assert values["id_number"] not in str(event.after)


def test_create_normalizes_lower_case_x_and_phone(w):
    for _seq in range(100):
        values = member_values()
        if values["id_number"].endswith("X"):
            break
    else:
        pytest.skip("no X")
    values["id_number"] = values["id_number"].lower()
    values["phone"] = "+86 138-1234-5678"
    member = services.member_create(actor=w.admin_a, organization=w.village_a, **values)
    assert member.id_number.endswith("X") and member.phone == "13812345678"


def test_create_refuses_rule_violations_with_the_field(w):
    with pytest.raises(ApplicationError) as exc:
        create(
            w, gender="F", birth_date=dt.date(1985, 3, 14), id_number=member_values()["id_number"]
        )
    assert exc.value.field == "gender"
    assert Member.objects.count() == 0


def test_create_refuses_duplicate_id_number(w):
    values = member_values()
    services.member_create(actor=w.admin_a, organization=w.village_a, **values)
    with pytest.raises(ApplicationError) as exc:
        services.member_create(actor=w.admin_a, organization=w.community_a, **values)
    assert exc.value.code == "duplicate_id_number" and exc.value.field == "id_number"
    assert Member.objects.count() == 1


def test_create_refuses_out_of_scope_org(w):
    with pytest.raises(PermissionDenied):
        create(w, actor=w.secretary_v, org=w.community_a)
    with pytest.raises(PermissionDenied):
        create(w, actor=w.admin_b, org=w.village_a)
    assert Member.objects.count() == 0


def test_create_refuses_group_and_dissolved_orgs(w):
    with pytest.raises(ApplicationError) as exc:
        create(w, org=w.group_a)
    assert exc.value.field == "organization"
    with pytest.raises(ApplicationError):
        create(w, org=w.dissolved_a)


def test_update_audits_only_changes(w):
    member = create(w)
    services.member_update(actor=w.admin_a, member=member, occupation="教师")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.before == {"occupation": "农民"} and event.after == {"occupation": "教师"}


def test_update_moves_org_and_path(w):
    member = create(w)
    services.member_update(actor=w.admin_a, member=member, organization=w.community_a)
    member.refresh_from_db()
    assert member.organization == w.community_a and member.org_path == w.community_a.path


def test_update_refuses_out_of_scope(w):
    member = create(w)
    with pytest.raises(PermissionDenied):
        services.member_update(actor=w.admin_b, member=member, occupation="x")
    with pytest.raises(PermissionDenied):
        services.member_update(actor=w.secretary_v, member=member, organization=w.community_a)


def test_update_refuses_duplicate_id_number(w):
    first = create(w)
    second = create(w)
    with pytest.raises(ApplicationError) as exc:
        services.member_update(actor=w.admin_a, member=second, id_number=first.id_number)
    assert exc.value.code == "duplicate_id_number"


def test_update_checks_rules(w):
    member = create(w)
    with pytest.raises(ApplicationError) as exc:
        services.member_update(actor=w.admin_a, member=member, full_member_date=None)
    assert exc.value.field == "full_member_date"


def test_archive_keeps_the_record_and_audits_the_reason(w):
    member = create(w)
    services.member_archive(actor=w.secretary_v, member=member, reason="去世")
    member.refresh_from_db()
    assert member.archived and member.archived_at
    event = AuditEvent.objects.get(action=AuditAction.ARCHIVE)
    assert event.note == "去世"
    with pytest.raises(ApplicationError):
        services.member_archive(actor=w.secretary_v, member=member)
    with pytest.raises(ApplicationError):
        services.member_update(actor=w.admin_a, member=member, occupation="x")


def test_archive_refuses_out_of_scope(w):
    member = create(w)
    with pytest.raises(PermissionDenied):
        services.member_archive(actor=w.admin_b, member=member)


def test_reveal_is_audited_and_scoped(w):
    member = create_member(w.village_a)
    revealed = services.member_reveal(actor=w.secretary_v, member=member)
    assert revealed["id_number"] == member.id_number
    assert (
        AuditEvent.objects.filter(action=AuditAction.REVEAL, object_id=str(member.pk)).count() == 1
    )
    with pytest.raises(PermissionDenied):
        services.member_reveal(actor=w.admin_b, member=member)
    with pytest.raises(PermissionDenied):
        services.member_reveal(actor=w.plain_member, member=member)
