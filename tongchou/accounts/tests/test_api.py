"""The accounts API: the same rules as the pages, JSON errors naming the field, passwords in
responses never cached, out of scope a 404."""

import pytest
from django.contrib.auth import get_user_model

from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import UserFactory, grant
from tongchou.members.models import Member
from tongchou.organizations.models import Role, RoleKind

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/api/accounts/"


def api(client, user):
    client.force_login(user)
    return client


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_list_and_detail_in_scope(client, w, django_assert_max_num_queries):
    c = api(client, w.secretary)
    body = c.get(URL).json()
    names = {a["username"] for a in body["results"]}
    assert names == {"secretary", "member_user"}
    member_user = next(a for a in body["results"] if a["username"] == "member_user")
    assert member_user["member"]["name"] == "张三"
    assert member_user["roles"][0]["kind"] == "member"
    assert c.get(f"{URL}{w.admin_b.pk}/").status_code == 404
    assert c.get(f"{URL}?role=secretary").json()["count"] == 1
    for user in (w.member_user, w.norole):
        response = api(client, user).get(URL)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_create_returns_the_password_once_uncached(client, w):
    c = api(client, w.admin_a)
    response = post(
        c,
        URL,
        {"username": "cun_shuji", "name": "张一", "member": w.m_a1.pk,
         "role": {"organization": w.village_a.pk, "kind": "secretary"}},
    )  # fmt: skip
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    user = User.objects.get(username="cun_shuji")
    assert user.check_password(body["password"])
    assert body["account"]["must_change_password"] is True
    assert body["account"]["member"]["id"] == w.m_a1.pk
    # The detail never shows it again.
    assert "password" not in c.get(f"{URL}{user.pk}/").json()


def test_create_refusals_name_the_field(client, w):
    c = api(client, w.secretary)
    cases = [
        ({"username": "x1", "name": "某", "member": w.m_a1.pk}, 400, "invalid_username"),
        ({"username": "x_one", "name": "某"}, 400, "anchor_required"),
        # A role above one's own: 400 on the kind.
        ({"username": "x_two", "name": "某",
          "role": {"organization": w.village_a.pk, "kind": "admin"}}, 400, "role_above_own"),
        # Out of scope: the organization, the member record, the station look missing.
        ({"username": "x_three", "name": "某",
          "role": {"organization": w.community_a.pk, "kind": "member"}}, 404, "not_found"),
        ({"username": "x_four", "name": "某", "member": w.m_b1.pk}, 404, "not_found"),
        ({"username": "x_five", "name": "某", "station": w.station.pk}, 404, "not_found"),
        # A member record with an account already.
        ({"username": "x_six", "name": "某", "member": w.m_a3.pk}, 400, "member_has_account"),
    ]  # fmt: skip
    before = User.objects.count()
    for body, status, code in cases:
        response = post(c, URL, body)
        assert (response.status_code, response.json()["code"]) == (status, code), body
        assert response.json()["field"], body
    assert User.objects.count() == before and not AuditEvent.objects.exists()


def test_bulk(client, w):
    c = api(client, w.secretary)
    response = post(c, f"{URL}bulk/", {"organization": w.village_a.pk})
    assert response.status_code == 201 and "no-store" in response["Cache-Control"]
    accounts = response.json()["accounts"]
    assert sorted(a["account"]["member"]["name"] for a in accounts) == ["张一", "张二"]
    for a in accounts:
        assert User.objects.get(pk=a["account"]["id"]).check_password(a["password"])
    response = post(c, f"{URL}bulk/", {"organization": w.village_a.pk})
    assert response.status_code == 400 and response.json()["code"] == "nothing_to_create"
    response = post(c, f"{URL}bulk/", {"organization": w.village_b.pk})
    assert response.status_code == 404 and response.json()["field"] == "organization"


def test_roles(client, w):
    c = api(client, w.admin_a)
    url = f"{URL}{w.member_user.pk}/roles/"
    response = post(c, url, {"organization": w.community_a.pk, "kind": "admin"})
    assert response.status_code == 201
    role = Role.objects.get(user=w.member_user, organization=w.community_a)
    response = post(c, url, {"organization": w.village_b.pk, "kind": "member"})
    assert response.status_code == 404 and response.json()["field"] == "organization"
    response = post(c, f"{URL}{w.member_user.pk}/roles/{role.pk}/revoke/")
    assert response.status_code == 200 and not Role.objects.filter(pk=role.pk).exists()
    # From a peer: 403, nothing changed.
    peer = UserFactory(username="peer")
    peer_role = grant(peer, w.county_a, RoleKind.ADMIN)
    response = post(c, f"{URL}{peer.pk}/roles/{peer_role.pk}/revoke/")
    assert response.status_code == 403 and Role.objects.filter(pk=peer_role.pk).exists()


def test_deactivate_reset_and_link(client, w):
    c = api(client, w.admin_street)
    response = post(c, f"{URL}{w.secretary.pk}/reset-password/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert User.objects.get(pk=w.secretary.pk).check_password(response.json()["password"])
    response = post(c, f"{URL}{w.secretary.pk}/member/", {"member": w.m_a2.pk})
    assert response.status_code == 200 and response.json()["member"]["id"] == w.m_a2.pk
    response = post(c, f"{URL}{w.secretary.pk}/member/", {"member": w.m_a1.pk})
    assert response.status_code == 400 and response.json()["code"] == "account_has_member"
    response = post(c, f"{URL}{w.secretary.pk}/member/unlink/")
    assert response.status_code == 200 and response.json()["member"] is None
    response = post(c, f"{URL}{w.secretary.pk}/deactivate/", {"note": "离任"})
    assert response.status_code == 200 and response.json()["is_active"] is False
    response = post(c, f"{URL}{w.secretary.pk}/reactivate/")
    assert response.json()["is_active"] is True
    # Oneself, and someone out of scope.
    response = post(c, f"{URL}{w.admin_street.pk}/deactivate/")
    assert response.status_code == 400 and response.json()["code"] == "own_account"
    assert post(c, f"{URL}{w.admin_b.pk}/reset-password/").status_code == 404
    assert Member.objects.filter(user=w.secretary).count() == 0
