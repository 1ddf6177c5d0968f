"""Account services: every rule, every refusal writing nothing, one audit event per change."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from tongchou.accounts import selectors, services
from tongchou.core.auth import must_change_password
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.core.tests.factories import UserFactory, create_member, grant
from tongchou.members.models import Member
from tongchou.organizations.models import Role, RoleKind

pytestmark = pytest.mark.django_db
User = get_user_model()
ADMIN, SECRETARY, MEMBER = RoleKind.ADMIN, RoleKind.SECRETARY, RoleKind.MEMBER


def unchanged(before_users: int, before_events: int) -> bool:
    return User.objects.count() == before_users and AuditEvent.objects.count() == before_events


def counts():
    return User.objects.count(), AuditEvent.objects.count()


def refused(code, call):
    before = counts()
    with pytest.raises(ApplicationError) as exc:
        call()
    assert exc.value.code == code
    assert unchanged(*before)
    return exc.value


def forbidden(call):
    before = counts()
    with pytest.raises(PermissionDenied):
        call()
    assert unchanged(*before)


# --- creating ----------------------------------------------------------------------------------


def test_an_account_for_a_member_links_the_record_and_must_change_its_password(w):
    issued = services.account_create(
        actor=w.secretary, username="zhangyi", name="张一", member=w.m_a1
    )
    user = issued.user
    assert user.check_password(issued.password) and len(issued.password) == 14
    assert Member.objects.get(pk=w.m_a1.pk).user_id == user.pk
    assert must_change_password(user)
    (event,) = AuditEvent.objects.filter(object_type="auth.user", object_id=str(user.pk))
    assert event.action == AuditAction.CREATE and event.org_path == w.village_a.path
    assert event.after["member"] == "张一 · 长胜村党支部"
    assert issued.password not in str(event.after) + event.note


def test_an_account_with_a_role_and_a_member_record_at_once(w):
    issued = services.account_create(
        actor=w.admin_a,
        username="cun_shuji",
        name="张二",
        member=w.m_a2,
        role_kind=SECRETARY,
        role_organization=w.village_a,
    )
    assert Role.objects.get(user=issued.user).kind == SECRETARY
    assert Member.objects.get(user=issued.user) == w.m_a2
    # One event for the one change (not one for the account and another for the role).
    assert AuditEvent.objects.filter(object_id=str(issued.user.pk)).count() == 1
    assert AuditEvent.objects.count() == 1


def test_a_station_staff_account_needs_no_role(w):
    issued = services.account_create(
        actor=w.admin_street, username="zhanzhang", name="站长", station=w.station
    )
    assert list(w.station.staff.all()) == [issued.user]
    assert not Role.objects.filter(user=issued.user).exists()
    assert selectors.account_list_for(w.admin_a).filter(pk=issued.user.pk).exists()
    # A secretary does not manage the street's station.
    forbidden(
        lambda: services.account_create(
            actor=w.secretary, username="zhanyuan", name="站员", station=w.station
        )
    )


@pytest.mark.parametrize(
    ("username", "code"),
    [("ab", "invalid_username"), ("张三", "invalid_username"), ("has space", "invalid_username")],
)
def test_usernames_are_checked(w, username, code):
    err = refused(
        code,
        lambda: services.account_create(
            actor=w.admin_a, username=username, name="某", member=w.m_a1
        ),
    )
    assert err.field == "username"


def test_a_username_is_unique_whatever_its_case(w):
    err = refused(
        "username_taken",
        lambda: services.account_create(
            actor=w.admin_a, username="ADMIN_A", name="某", member=w.m_a1
        ),
    )
    assert err.field == "username"
    assert Member.objects.get(pk=w.m_a1.pk).user_id is None


def test_an_account_must_be_tied_to_something_in_scope(w):
    refused(
        "anchor_required",
        lambda: services.account_create(actor=w.admin_a, username="loose", name="某"),
    )


def test_a_member_links_to_one_account_only(w):
    """Bad input: one member record for two accounts, refused with a clear error."""
    services.account_create(actor=w.admin_a, username="first", name="张一", member=w.m_a1)
    err = refused(
        "member_has_account",
        lambda: services.account_create(
            actor=w.admin_a, username="second", name="张一", member=w.m_a1
        ),
    )
    assert err.field == "member" and "只能有一个账号" in err.message


def test_an_account_links_to_one_member_record_only_in_the_database_too(w):
    user = User.objects.get(username="member_user")  # linked to 张三
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=w.m_a1.pk).update(user=user)
    refused(
        "account_has_member",
        lambda: services.account_link_member(actor=w.admin_a, user=user, member=w.m_a1),
    )


def test_a_member_out_of_scope_cannot_be_linked(w):
    forbidden(
        lambda: services.account_create(
            actor=w.secretary, username="wangyi", name="王一", member=w.m_b1
        )
    )
    forbidden(
        lambda: services.account_create(
            actor=w.secretary, username="liyi", name="李一", member=w.m_c1
        )
    )


# --- roles ---------------------------------------------------------------------------------------


def test_giving_a_role_inside_scope_up_to_ones_own_rank(w):
    user = UserFactory(username="helper")
    grant(user, w.village_a, MEMBER)
    role = services.role_grant(
        actor=w.secretary, user=user, organization=w.village_a, kind=SECRETARY
    )
    assert role.kind == SECRETARY
    (event,) = AuditEvent.objects.filter(object_type="organizations.role")
    assert event.after == {"user": user.pk, "kind": SECRETARY, "organization": w.village_a.pk}


def test_a_role_above_ones_own_is_refused(w):
    """Bad input: granting a role higher than one's own."""
    user = UserFactory(username="helper")
    err = refused(
        "role_above_own",
        lambda: services.role_grant(
            actor=w.secretary, user=user, organization=w.village_a, kind=ADMIN
        ),
    )
    assert err.field == "kind"
    assert not Role.objects.filter(user=user).exists()


def test_a_role_outside_ones_scope_is_refused(w):
    """Bad input: granting a role outside one's scope."""
    user = UserFactory(username="helper")
    for org in (w.community_a, w.street_a, w.village_b):
        forbidden(
            lambda org=org: services.role_grant(
                actor=w.secretary, user=user, organization=org, kind=MEMBER
            )
        )
    forbidden(
        lambda: services.role_grant(actor=w.admin_a, user=user, organization=w.city, kind=MEMBER)
    )
    assert not Role.objects.filter(user=user).exists()


def test_no_role_for_oneself_twice_or_on_a_dissolved_organization(w):
    refused(
        "own_account",
        lambda: services.role_grant(
            actor=w.admin_a, user=w.admin_a, organization=w.village_a, kind=MEMBER
        ),
    )
    refused(
        "role_exists",
        lambda: services.role_grant(
            actor=w.admin_a, user=w.secretary, organization=w.village_a, kind=SECRETARY
        ),
    )
    w.community_a.status = "dissolved"
    w.community_a.save()
    refused(
        "organization_dissolved",
        lambda: services.role_grant(
            actor=w.admin_a, user=w.secretary, organization=w.community_a, kind=MEMBER
        ),
    )


def test_taking_a_role_away_only_from_above(w):
    street_role = Role.objects.get(user=w.admin_street)
    county_role = Role.objects.get(user=w.admin_a)
    forbidden(lambda: services.role_revoke(actor=w.admin_street, role=county_role))
    refused("own_account", lambda: services.role_revoke(actor=w.admin_a, role=county_role))
    services.role_revoke(actor=w.admin_a, role=street_role)
    assert not Role.objects.filter(pk=street_role.pk).exists()
    (event,) = AuditEvent.objects.filter(object_type="organizations.role")
    assert event.action == AuditAction.DELETE and event.before["kind"] == ADMIN


def test_a_secretary_cannot_take_a_fellow_secretarys_role(w):
    peer = UserFactory(username="peer")
    role = grant(peer, w.village_a, SECRETARY)
    forbidden(lambda: services.role_revoke(actor=w.secretary, role=role))
    services.role_revoke(actor=w.admin_street, role=role)


# --- acting on an account -----------------------------------------------------------------------


def test_deactivating_ends_sessions_and_tokens_and_is_audited(w, client):
    token = Token.objects.create(user=w.secretary)
    client.force_login(w.secretary)
    services.account_deactivate(actor=w.admin_a, user=w.secretary, note="离任")
    w.secretary.refresh_from_db()
    assert not w.secretary.is_active
    assert not Token.objects.filter(pk=token.pk).exists()
    assert client.get("/").status_code == 302  # signed out
    (event,) = AuditEvent.objects.all()
    assert (event.before, event.after, event.note) == (
        {"is_active": True},
        {"is_active": False},
        "离任",
    )
    assert event.org_path == w.village_a.path
    refused(
        "already_inactive",
        lambda: services.account_deactivate(actor=w.admin_a, user=w.secretary),
    )
    services.account_reactivate(actor=w.admin_a, user=w.secretary)
    w.secretary.refresh_from_db()
    assert w.secretary.is_active


def test_nobody_deactivates_themselves(w):
    """Bad input: deactivating oneself."""
    refused("own_account", lambda: services.account_deactivate(actor=w.admin_a, user=w.admin_a))
    assert User.objects.get(pk=w.admin_a.pk).is_active


def test_an_admin_elsewhere_above_cannot_be_deactivated_or_reset_from_below(w):
    both = UserFactory(username="both")
    grant(both, w.street_a, ADMIN)
    grant(both, w.city, ADMIN)
    forbidden(lambda: services.account_deactivate(actor=w.admin_a, user=both))
    forbidden(lambda: services.password_reset(actor=w.admin_a, user=both))
    assert User.objects.get(pk=both.pk).is_active
    services.password_reset(actor=w.superuser, user=both)


def test_a_password_reset_gives_a_one_time_password_and_forces_a_change(w, client):
    token = Token.objects.create(user=w.member_user)
    client.force_login(w.member_user)
    issued = services.password_reset(actor=w.secretary, user=w.member_user)
    password = issued.password
    assert issued.member == w.m_a3 and issued.user == w.member_user
    user = User.objects.get(pk=w.member_user.pk)
    assert user.check_password(password) and not user.check_password("pass-Word-123")
    assert must_change_password(user)
    assert not Token.objects.filter(pk=token.pk).exists()
    assert client.get("/").status_code == 302  # the old session ended
    (event,) = AuditEvent.objects.all()
    assert "重置密码" in event.note and password not in str(event.before) + str(event.after)
    # The member record and the member role both lie at village A: filed there.
    assert event.org_path == w.village_a.path
    refused("own_account", lambda: services.password_reset(actor=w.admin_a, user=w.admin_a))


def test_linking_and_unlinking_a_member_record(w):
    """A secretary who is also a member gets their record linked (by someone above them)."""
    refused(
        "own_account",
        lambda: services.account_link_member(actor=w.secretary, user=w.secretary, member=w.m_a2),
    )
    services.account_link_member(actor=w.admin_street, user=w.secretary, member=w.m_a2)
    assert Member.objects.get(user=w.secretary) == w.m_a2
    (event,) = AuditEvent.objects.all()
    assert event.object_type == "members.member" and event.after == {"user": w.secretary.pk}
    services.account_unlink_member(actor=w.admin_street, user=w.secretary)
    assert not Member.objects.filter(user=w.secretary).exists()
    refused(
        "no_member",
        lambda: services.account_unlink_member(actor=w.admin_street, user=w.secretary),
    )


# --- bulk ------------------------------------------------------------------------------------


def test_bulk_creation_for_a_branch(w):
    issued = services.accounts_bulk_create(actor=w.secretary, organization=w.village_a)
    by_name = {i.member.name: i for i in issued}
    assert sorted(by_name) == ["张一", "张二"]  # 张三 already has an account
    for item in issued:
        assert item.user.username == f"dy{item.member.pk:06d}"
        assert item.user.first_name == item.member.name
        assert item.user.check_password(item.password)
        assert must_change_password(item.user)
        assert Member.objects.get(pk=item.member.pk).user_id == item.user.pk
    assert len({i.password for i in issued}) == 2
    events = AuditEvent.objects.filter(object_type="auth.user", action=AuditAction.CREATE)
    assert events.count() == 2 and all(e.org_path == w.village_a.path for e in events)
    # Again: nothing left to create, nothing written.
    refused(
        "nothing_to_create",
        lambda: services.accounts_bulk_create(actor=w.secretary, organization=w.village_a),
    )


def test_bulk_usernames_stay_unique(w):
    UserFactory(username=f"dy{w.m_a1.pk:06d}")
    UserFactory(username=f"DY{w.m_a1.pk:06d}-2")
    issued = services.accounts_bulk_create(actor=w.admin_a, organization=w.village_a)
    names = {i.member.pk: i.user.username for i in issued}
    assert names[w.m_a1.pk] == f"dy{w.m_a1.pk:06d}-3"


def test_bulk_creation_is_capped_and_all_or_nothing(w, monkeypatch):
    monkeypatch.setattr(services, "BULK_LIMIT", 1)
    refused(
        "too_many",
        lambda: services.accounts_bulk_create(actor=w.admin_a, organization=w.village_a),
    )
    monkeypatch.undo()

    # The second account fails (its member was linked meanwhile): the first is undone too.
    real_link = services._link
    calls = []

    def link_then_fail(member, user):
        calls.append(member.pk)
        if len(calls) == 2:
            raise ApplicationError("member_has_account", "linked meanwhile", field="member")
        real_link(member, user)

    monkeypatch.setattr(services, "_link", link_then_fail)
    refused(
        "member_has_account",
        lambda: services.accounts_bulk_create(actor=w.admin_a, organization=w.village_a),
    )
    assert not Member.objects.filter(pk__in=[w.m_a1.pk, w.m_a2.pk], user__isnull=False).exists()


def test_bulk_creation_outside_scope_is_refused(w):
    forbidden(lambda: services.accounts_bulk_create(actor=w.secretary, organization=w.street_a))
    create_member(w.village_b, name="王二")
    forbidden(lambda: services.accounts_bulk_create(actor=w.admin_a, organization=w.village_b))


def test_generated_passwords_pass_the_password_rules_and_differ(w):
    from django.contrib.auth.password_validation import validate_password

    passwords = {services.new_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in list(passwords)[:5]:
        validate_password(password, User(username="dy000001"))
        assert not set(password) & set("0o1li")
