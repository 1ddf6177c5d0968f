"""The audit log page (scoped) and the append-only table."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tongchou.core import audit
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.organizations import services
from tongchou.organizations.tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    w = build_world()
    services.organization_update(actor=w.superuser, org=w.village_a, name="长胜村第一党支部")
    services.organization_update(actor=w.superuser, org=w.village_b, name="红果子村第一党支部")
    services.organization_update(actor=w.superuser, org=w.street_b, secretary_name="王书记")
    audit.record(actor=w.superuser, action=AuditAction.EXPORT, object_type="members.member")
    return w


def test_county_admin_sees_only_their_county(client, world):
    client.force_login(world.admin_a)
    response = client.get(reverse("audit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "长胜村第一党支部" in html
    assert "红果子村第一党支部" not in html and "王书记" not in html
    assert [e.object_repr for e in response.context["page"]] == ["长胜村第一党支部"]

    client.force_login(world.admin_b)
    names = [e.object_repr for e in client.get(reverse("audit")).context["page"]]
    assert sorted(names) == ["红果子村第一党支部", "红果子镇党委"]


def test_superuser_sees_all_events(client, world):
    client.force_login(world.superuser)
    page = client.get(reverse("audit")).context["page"]
    assert page.paginator.count == 4  # including the event filed under no organization


def test_before_and_after_are_shown(client, world):
    client.force_login(world.admin_a)
    html = client.get(reverse("audit")).content.decode()
    # field label, value before, value after
    assert (
        '<span class="tc-change-key">名称</span> <span class="tc-json-before">长胜村党支部</span>'
        in html
    )
    assert '<span class="tc-json-after">长胜村第一党支部</span>' in html


def test_filters(client, world):
    client.force_login(world.superuser)
    page = client.get(reverse("audit"), {"action": "export"}).context["page"]
    assert [e.action for e in page] == ["export"]
    page = client.get(reverse("audit"), {"object_type": "organizations.organization"}).context[
        "page"
    ]
    assert page.paginator.count == 3
    page = client.get(reverse("audit"), {"action": "nonsense"}).context["page"]
    assert page.paginator.count == 4  # an invalid filter is ignored, not an error


def test_pagination_and_query_count(client, world, django_assert_num_queries):
    for i in range(60):
        audit.record(
            actor=world.admin_a,
            action=AuditAction.UPDATE,
            obj=world.village_a,
            org_path=world.village_a.path,
            after={"n": i},
        )
    client.force_login(world.admin_a)
    # session, user, role paths, led joint orgs, count, page (actors joined)
    with django_assert_num_queries(6):
        response = client.get(reverse("audit"))
    assert len(response.context["page"]) == 50
    assert client.get(reverse("audit"), {"page": 2}).context["page"].number == 2


def test_roles_without_audit_are_refused(client, world):
    for user in (world.secretary, world.member_user, world.norole):
        client.force_login(user)
        assert client.get(reverse("audit")).status_code == 403


def test_audit_rows_cannot_be_changed_through_the_orm(world):
    event = AuditEvent.objects.first()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 4


def test_audit_rows_cannot_be_changed_with_raw_sql(world):
    event = AuditEvent.objects.first()
    table = AuditEvent._meta.db_table
    statements = [f"UPDATE {table} SET note = 'x' WHERE id = %s"]
    if connection.vendor == "postgresql":  # SQLite: DELETE is refused by the ORM (migration 0002)
        statements.append(f"DELETE FROM {table} WHERE id = %s")
    for sql in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).note == event.note
    assert AuditEvent.objects.count() == 4


def test_admin_shows_audit_read_only(client, world):
    client.force_login(world.superuser)
    assert client.get("/admin/core/auditevent/").status_code == 200
    event = AuditEvent.objects.first()
    assert client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200  # view
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    assert client.post(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/core/loginfailure/").status_code == 200
