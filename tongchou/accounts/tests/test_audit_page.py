"""The audit log page: scoped, names instead of ids, every key readable (reverse relations
included), one row per change, filters with one "all" choice, a constant number of queries."""

import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from tongchou.accounts import auditlog
from tongchou.accounts.filters import AuditEventFilter
from tongchou.accounts.hashers import ISSUED_HASHER
from tongchou.core import audit
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.core.tests.factories import create_member
from tongchou.organizations import services
from tongchou.organizations.tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        ISSUED_HASHER,  # handed-out passwords (accounts.hashers)
    ]


@pytest.fixture
def world(db):
    w = build_world()
    w.superuser.first_name = "部署管理员"
    w.superuser.save(update_fields=["first_name"])
    services.organization_update(actor=w.superuser, org=w.village_a, name="长胜村第一党支部")
    services.organization_update(actor=w.superuser, org=w.village_b, name="红果子村第一党支部")
    services.organization_update(actor=w.superuser, org=w.street_b, secretary_name="王书记")
    audit.record(actor=w.superuser, action=AuditAction.EXPORT, object_type="members.member")
    return w


def page_of(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("audit"), params)
    assert response.status_code == 200
    return response


def test_county_admin_sees_only_their_county(client, world):
    response = page_of(client, world.admin_a)
    html = response.content.decode()
    assert "长胜村第一党支部" in html
    assert "红果子村第一党支部" not in html and "王书记" not in html
    assert [e.object_repr for e in response.context["page"]] == ["长胜村第一党支部"]
    names = [e.object_repr for e in page_of(client, world.admin_b).context["page"]]
    assert sorted(names) == ["红果子村第一党支部", "红果子镇党委"]


def test_superuser_sees_all_events(client, world):
    assert page_of(client, world.superuser).context["page"].paginator.count == 4


def test_names_not_ids(client, world):
    """The actor by name, the organization an event is filed under, referenced objects."""
    services.organization_move(actor=world.superuser, org=world.community_a, new_parent=world.city)
    html = page_of(client, world.superuser).content.decode()
    assert "root（部署管理员）" in html
    # The move names the old and the new parent, not their ids.
    assert (
        '<span class="tc-change-key">上级组织</span> <span class="tc-json-before">长胜街道党工委'
        "</span>" in html
    )
    assert '<span class="tc-json-after">石嘴山市委</span>' in html
    # The organization the event is filed under.
    assert "党组织 · 长胜村第一党支部" in html


def test_before_and_after_are_shown(client, world):
    html = page_of(client, world.admin_a).content.decode()
    assert (
        '<span class="tc-change-key">名称</span> <span class="tc-json-before">长胜村党支部</span>'
        in html
    )
    assert '<span class="tc-json-after">长胜村第一党支部</span>' in html


def test_attendance_recorded_does_not_break_the_page(client, world):
    """The 500 the issue found: the attendance event's key names a reverse relation."""
    from tongchou.orglife.services import attendance_record, session_create

    member = create_member(world.village_a, name="李四")
    session = session_create(
        actor=world.superuser,
        organization=world.village_a,
        kind="general_meeting",
        starts_at=timezone.now() - dt.timedelta(days=2),
        format="offline",
        topic="学习",
    )
    attendance_record(actor=world.superuser, session=session, entries={member.pk: "offline"})
    html = page_of(client, world.admin_a).content.decode()
    assert "登记出席情况" in html
    assert '<span class="tc-change-key">出席记录</span>' in html


def test_a_members_status_following_a_spell_reads_as_the_members_status(db):
    """Mobility writes the member's status in the spell's one event (``member__status``)."""
    from tongchou.core.tests.factories import UserFactory

    event = AuditEvent(
        action=AuditAction.CREATE,
        object_type="mobility.mobilemember",
        before={"member__status": "normal"},
        after={"member__status": "mobile", "since": "2024-03-01"},
    )
    (row,) = auditlog.describe([event], UserFactory(username="root", is_superuser=True))
    status = next(c for c in row.changes if c.before)
    assert (status.label, status.before, status.after) == ("党员 · 状态", "正常", "流动")
    assert auditlog.label_of(None, "x__y") == "x__y"
    assert auditlog.label_of(auditlog.model_of("mobility.mobilemember"), "member__nope") == (
        "member__nope"
    )


def test_every_key_of_every_model_has_a_label(db):
    """Whatever key a service writes — a field, a relation from either side, anything — the
    page reads it without error, for every model of the project."""
    from tongchou.core.tests.factories import UserFactory

    superuser = UserFactory(username="root", is_superuser=True)
    rows = []
    for model in apps.get_models():
        keys = [f.name for f in model._meta.get_fields()] + ["path", "no_such_key"]
        event = AuditEvent(
            action=AuditAction.UPDATE,
            object_type=model._meta.label_lower,
            before={key: 1 for key in keys},
            after={key: ["a", "b"] for key in keys},
        )
        rows.extend(auditlog.describe([event], superuser))
    assert all(change.label for row in rows for change in row.changes)


def test_referenced_members_are_named_only_within_the_viewers_scope(client, world):
    """A training's participants are member ids: named for whoever sees those members, a
    number for anyone else (an admin of the training's county who does not see the member)."""
    inside = create_member(world.village_a, name="甲村党员")
    outside = create_member(world.village_b, name="乙村党员")
    audit.record(
        actor=world.superuser,
        action=AuditAction.UPDATE,
        object_type="education.training",
        object_id="1",
        object_repr="技能培训",
        org_path=world.street_a.path,
        after={"participants": [inside.pk, outside.pk]},
    )
    html = page_of(client, world.admin_a).content.decode()
    assert f"甲村党员、#{outside.pk}" in html and "乙村党员" not in html
    html = page_of(client, world.superuser).content.decode()
    assert "甲村党员、乙村党员" in html


def test_a_move_between_two_sides_is_one_event_seen_by_both(client, world):
    member = create_member(world.village_a, name="王五")
    from tongchou.members.services import member_update

    member_update(actor=world.superuser, member=member, organization=world.village_b)
    moves = AuditEvent.objects.filter(object_type="members.member", object_id=str(member.pk))
    assert moves.count() == 1
    for user in (world.admin_a, world.admin_b):
        names = [e.object_repr for e in page_of(client, user).context["page"]]
        assert names.count("王五") == 1, user
    names = [e.object_repr for e in page_of(client, world.superuser).context["page"]]
    assert names.count("王五") == 1


def test_filters(client, world):
    page = page_of(client, world.superuser, action="export").context["page"]
    assert [e.action for e in page] == ["export"]
    page = page_of(client, world.superuser, object_type="organizations.organization").context[
        "page"
    ]
    assert page.paginator.count == 3
    page = page_of(client, world.superuser, action="nonsense").context["page"]
    assert page.paginator.count == 4  # an invalid filter is ignored, not an error


def test_filter_selects_have_one_all_choice_and_translated_labels(client, world):
    html = page_of(client, world.superuser).content.decode()
    assert html.count(">全部</option>") == 2
    assert "---------" not in html
    for field in AuditEventFilter.base_filters.values():
        assert isinstance(field.label, Promise), field  # gettext_lazy
    object_types = dict(AuditEventFilter().form.fields["object_type"].choices)
    assert "auth.user" in object_types and "organizations.role" in object_types
    # Tables that only join others, and core's own bookkeeping, are no kind of audited object.
    assert not any(".organization_units" in key for key in object_types)
    assert not any(key.startswith("core.") for key in object_types)


def test_pagination_and_constant_query_count(client, world, django_assert_num_queries):
    def fill(n):
        for i in range(n):
            audit.record(
                actor=world.admin_street,
                action=AuditAction.UPDATE,
                obj=world.village_a,
                org_path=world.village_a.path,
                before={"parent": world.street_a.pk, "kind": "branch"},
                after={"parent": world.county_a.pk, "kind": "general_branch", "n": i},
            )

    client.force_login(world.admin_a)
    fill(5)
    # session, user, role paths, led joint orgs, count, page (actors joined), organizations
    # by path, referenced organizations
    with django_assert_num_queries(8):
        response = client.get(reverse("audit"))
    assert len(response.context["page"]) == 6
    fill(60)
    with django_assert_num_queries(8):
        response = client.get(reverse("audit"))
    assert len(response.context["page"]) == 50
    assert "长胜街道党工委" in response.content.decode()
    assert client.get(reverse("audit"), {"page": 2}).context["page"].number == 2


def test_roles_without_audit_are_refused(client, world):
    for user in (world.secretary, world.member_user, world.norole):
        client.force_login(user)
        assert client.get(reverse("audit")).status_code == 403


def test_admin_shows_audit_read_only(client, world):
    client.force_login(world.superuser)
    assert client.get("/admin/core/auditevent/").status_code == 200
    event = AuditEvent.objects.first()
    assert client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200  # view
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    assert client.post(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/core/loginfailure/").status_code == 200
