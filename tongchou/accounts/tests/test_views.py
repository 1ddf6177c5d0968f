"""Account pages: scoped lists, one-time passwords (never cached), out of scope looks missing,
and the forced password change at the first sign-in."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tongchou.accounts.tests.conftest import PASSWORD
from tongchou.core.auth import must_change_password
from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import UserFactory, grant
from tongchou.members.models import Member
from tongchou.organizations.models import Role, RoleKind

pytestmark = pytest.mark.django_db
User = get_user_model()


def as_(client, user):
    client.force_login(user)
    return client


def shown_password(response) -> str:
    match = re.search(r"data-tc-password>([a-z2-9-]+)<", response.content.decode())
    assert match, "no password on the page"
    return match.group(1)


def test_the_list_shows_the_people_of_ones_scope(client, w):
    html = as_(client, w.secretary).get(reverse("accounts:list")).content.decode()
    assert "member_user" in html and "secretary" in html
    assert "admin_street" not in html and "admin_b" not in html
    html = as_(client, w.admin_a).get(reverse("accounts:list")).content.decode()
    assert "admin_street" in html and "admin_b" not in html
    # One "all" choice per select, no "---------".
    assert "---------" not in html


def test_list_filters(client, w):
    c = as_(client, w.admin_a)
    rows = c.get(reverse("accounts:list"), {"role": "secretary"}).context["rows"]
    assert [r.user.username for r in rows] == ["secretary"]
    rows = c.get(reverse("accounts:list"), {"org": w.street_a.pk, "q": "admin"}).context["rows"]
    assert [r.user.username for r in rows] == ["admin_street"]
    rows = c.get(reverse("accounts:list"), {"org": w.village_b.pk}).context["rows"]
    assert rows == []  # out of scope: nothing, not an error


def test_the_list_needs_a_managing_role(client, w):
    for user in (w.member_user, w.norole):
        assert as_(client, user).get(reverse("accounts:list")).status_code == 403


def test_the_list_costs_the_same_queries_for_more_accounts(client, w, django_assert_num_queries):
    c = as_(client, w.admin_a)
    c.get(reverse("accounts:list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get(reverse("accounts:list"))
    for i in range(15):
        user = UserFactory(username=f"many{i}")
        grant(user, w.village_a, RoleKind.MEMBER)
    with django_assert_num_queries(len(few.captured_queries)):
        response = c.get(reverse("accounts:list"))
    assert len(response.context["rows"]) == 19


def test_out_of_scope_looks_missing(client, w):
    """Bad input: a password reset (or any action) for someone out of scope is a 404, the same
    as for nobody at all."""
    c = as_(client, w.admin_a)
    missing = User.objects.order_by("-pk").first().pk + 100
    for name in ("password_reset", "deactivate", "reactivate", "member_unlink", "role_grant"):
        for pk in (w.admin_b.pk, missing):
            response = c.post(reverse(f"accounts:{name}", args=[pk]))
            assert response.status_code == 404, (name, pk)
    assert c.get(reverse("accounts:detail", args=[w.admin_b.pk])).status_code == 404
    assert User.objects.get(pk=w.admin_b.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.exists()


def test_creating_an_account_shows_the_password_once_and_never_caches_it(client, w):
    c = as_(client, w.admin_a)
    assert c.get(reverse("accounts:create")).status_code == 200  # choose the organization
    url = reverse("accounts:create") + f"?org={w.village_a.pk}"
    html = c.get(url).content.decode()
    assert "张一" in html and "张三" not in html  # 张三 already has an account
    response = c.post(
        url, {"username": "cun_shuji", "name": "张一", "member": w.m_a1.pk, "kind": "secretary"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = shown_password(response)
    user = User.objects.get(username="cun_shuji")
    assert user.check_password(password)
    assert Role.objects.get(user=user).kind == RoleKind.SECRETARY
    # The account's page shows no password.
    detail = c.get(reverse("accounts:detail", args=[user.pk])).content.decode()
    assert password not in detail


def test_the_create_form_offers_no_role_above_ones_own_and_refuses_one(client, w):
    c = as_(client, w.secretary)
    url = reverse("accounts:create") + f"?org={w.village_a.pk}"
    html = c.get(url).content.decode()
    assert 'value="secretary"' in html and 'value="admin"' not in html
    response = c.post(url, {"username": "x_admin", "name": "某", "kind": "admin"})
    assert response.status_code == 400
    assert not User.objects.filter(username="x_admin").exists()
    # An organization out of scope is missing.
    out = reverse("accounts:create") + f"?org={w.community_a.pk}"
    assert c.get(out).status_code == 404


def test_station_staff_accounts(client, w):
    c = as_(client, w.admin_street)
    response = c.post(
        reverse("accounts:staff_create"),
        {"username": "zhanzhang", "name": "站长", "station": w.station.pk},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert w.station.staff.filter(username="zhanzhang").exists()
    html = as_(client, w.secretary).get(reverse("accounts:staff_create")).content.decode()
    assert "没有运行中的党员服务站" in html


def test_a_reset_from_the_page(client, w):
    c = as_(client, w.secretary)
    response = c.post(reverse("accounts:password_reset", args=[w.member_user.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = shown_password(response)
    assert User.objects.get(pk=w.member_user.pk).check_password(password)
    # Of oneself: refused with the reason, nothing changed.
    response = c.post(reverse("accounts:password_reset", args=[w.secretary.pk]))
    assert response.status_code == 400
    assert "修改密码" in response.content.decode()
    assert User.objects.get(pk=w.secretary.pk).check_password(PASSWORD)


def test_deactivating_oneself_from_the_page_is_refused(client, w):
    c = as_(client, w.admin_a)
    response = c.post(reverse("accounts:deactivate", args=[w.admin_a.pk]))
    assert response.status_code == 400
    assert "不能停用自己的账号" in response.content.decode()
    assert User.objects.get(pk=w.admin_a.pk).is_active


def test_a_person_one_sees_but_does_not_stand_above(client, w):
    both = UserFactory(username="both")
    grant(both, w.street_a, RoleKind.ADMIN)
    grant(both, w.city, RoleKind.ADMIN)
    c = as_(client, w.admin_a)
    html = c.get(reverse("accounts:detail", args=[both.pk])).content.decode()
    assert "请由上级管理员办理" in html
    assert reverse("accounts:password_reset", args=[both.pk]) not in html
    assert c.post(reverse("accounts:password_reset", args=[both.pk])).status_code == 403
    assert c.post(reverse("accounts:deactivate", args=[both.pk])).status_code == 403
    assert User.objects.get(pk=both.pk).is_active


def test_roles_from_the_page(client, w):
    c = as_(client, w.admin_a)
    url = reverse("accounts:role_grant", args=[w.member_user.pk])
    response = c.post(url, {"organization": w.community_a.pk, "kind": "secretary"})
    assert response.status_code == 302
    role = Role.objects.get(user=w.member_user, organization=w.community_a)
    # Outside scope: the organization is missing.
    assert c.post(url, {"organization": w.village_b.pk, "kind": "member"}).status_code in (400, 404)
    assert not Role.objects.filter(user=w.member_user, organization=w.village_b).exists()
    response = c.post(reverse("accounts:role_revoke", args=[w.member_user.pk, role.pk]))
    assert response.status_code == 302 and not Role.objects.filter(pk=role.pk).exists()
    # A role of another account through this one's URL is missing.
    other = Role.objects.get(user=w.secretary)
    response = c.post(reverse("accounts:role_revoke", args=[w.member_user.pk, other.pk]))
    assert response.status_code == 404 and Role.objects.filter(pk=other.pk).exists()


def test_linking_a_secretarys_own_member_record(client, w):
    c = as_(client, w.admin_street)
    html = c.get(reverse("accounts:detail", args=[w.secretary.pk])).content.decode()
    assert "张一" in html and "张二" in html  # members of the branch the secretary leads
    response = c.post(reverse("accounts:member_link", args=[w.secretary.pk]), {"member": w.m_a2.pk})
    assert response.status_code == 302
    assert Member.objects.get(user=w.secretary) == w.m_a2
    # The secretary's own page works now.
    html = as_(client, w.secretary).get(reverse("portal:home")).content.decode()
    assert "我的 · 张二" in html


def test_bulk_page_prints_once(client, w):
    c = as_(client, w.secretary)
    url = reverse("accounts:bulk") + f"?org={w.village_a.pk}"
    html = c.get(url).content.decode()
    assert "张一" in html and "张二" in html and "为 2 名党员开通账号" in html
    response = c.post(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert html.count("data-tc-password>") == 2 and "data-tc-print" in html
    assert "accounts-print.css" in html
    # A reload creates nothing and shows no password.
    again = c.post(url)
    assert again.status_code == 400 and "data-tc-password>" not in again.content.decode()
    assert "都已有账号" in again.content.decode()


# --- the forced password change -------------------------------------------------------------


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_first_sign_in_goes_to_the_password_change_until_done(client, w):
    issued_page = as_(client, w.secretary).post(
        reverse("accounts:create") + f"?org={w.village_a.pk}",
        {"username": "zhangyi", "name": "张一", "member": w.m_a1.pk},
    )
    password = shown_password(issued_page)
    client.logout()
    response = sign_in(client, "zhangyi", password)
    assert response.status_code == 302
    for url in ("/", "/me/", "/orgs/", "/accounts/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "首次登录" in page.content.decode()
    # The API with this session is refused too.
    response = client.get("/api/me/member/")
    assert response.status_code == 403 and response.json()["code"] == "password_change_required"
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "Lotus-Pond-2026",
            "new_password2": "Lotus-Pond-2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="zhangyi")
    assert not must_change_password(user)
    html = client.get("/me/").content.decode()
    assert "我的 · 张一" in html
    assert client.get("/api/me/member/").json()["linked"] is True
    # Next time: straight in.
    client.logout()
    assert sign_in(client, "zhangyi", "Lotus-Pond-2026")["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_reset_while_signed_in_ends_that_session(client, w):
    as_(client, w.member_user)
    assert client.get("/me/").status_code == 200
    from django.test import Client

    admin = Client()
    admin.force_login(w.secretary)
    password = shown_password(
        admin.post(reverse("accounts:password_reset", args=[w.member_user.pk]))
    )
    assert client.get("/me/").status_code == 302  # signed out
    sign_in(client, "member_user", password)
    assert client.get("/me/")["Location"] == reverse("password_change")


def test_any_organization_in_scope_may_be_chosen_by_its_code(client, w):
    c = as_(client, w.admin_a)
    response = c.get(reverse("accounts:create"), {"code": "M-A"})
    assert response.status_code == 200 and response.context["organization"] == w.community_a
    response = c.get(reverse("accounts:bulk"), {"code": " V-A "})
    assert response.context["organization"] == w.village_a
    # Out of scope (or unknown, or a NUL): the same answer, on the chooser.
    for code in ("V-B", "NO-SUCH", "V-\x00A"):
        response = as_(client, w.secretary).get(reverse("accounts:create"), {"code": code})
        assert response.status_code == 400, code
        assert "没有这个组织代码" in response.content.decode()
