"""Token authentication, /api/me/, anonymous callers and the error shape."""

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token

from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"


def test_token_for_good_credentials_then_use_and_revoke(client, world):
    response = client.post(
        TOKEN_URL, {"username": "admin_a", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=world.admin_a).key == token

    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client.get("/api/organizations/", **auth).status_code == 200

    assert client.delete(TOKEN_URL, **auth).status_code == 204
    assert not Token.objects.filter(user=world.admin_a).exists()
    response = client.get("/api/organizations/", **auth)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_refused_for_wrong_password(client, world):
    response = client.post(
        TOKEN_URL, {"username": "admin_a", "password": "wrong"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not Token.objects.exists()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_token_endpoint_applies_the_login_lockout(client, world):
    for _ in range(3):
        client.post(
            TOKEN_URL, {"username": "admin_a", "password": "wrong"}, content_type="application/json"
        )
    response = client.post(
        TOKEN_URL, {"username": "admin_a", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "locked_out"
    assert not Token.objects.exists()


def test_token_request_with_missing_fields_names_the_field(client, world):
    response = client.post(TOKEN_URL, {"username": "admin_a"}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["field"] == "password"


def test_revoke_needs_authentication(client, world):
    response = client.delete(TOKEN_URL)
    assert response.status_code == 401


def test_anonymous_gets_401_with_www_authenticate(client, world):
    response = client.get("/api/organizations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json() == {
        "code": "not_authenticated",
        "message": response.json()["message"],
        "field": None,
    }


def test_me_lists_roles_with_paths_and_actions(client, world):
    client.force_login(world.admin_a)
    body = client.get("/api/me/").json()
    assert body["username"] == "admin_a"
    assert body["is_superuser"] is False
    (role,) = body["roles"]
    assert role["kind"] == "admin"
    assert role["organization"]["id"] == world.a.county.pk
    assert role["organization_path"] == world.a.county.path
    assert "manage_orgs" in role["actions"]
    assert "reveal" in role["actions"]


def test_me_for_member_role_grants_only_viewing(client, world):
    client.force_login(world.member_a)
    (role,) = client.get("/api/me/").json()["roles"]
    assert role["actions"] == ["view_orgs"]


def test_me_without_role_is_empty_not_an_error(client, world):
    client.force_login(world.norole)
    response = client.get("/api/me/")
    assert response.status_code == 200
    assert response.json()["roles"] == []


def test_no_role_gets_403_on_lists(client, world):
    client.force_login(world.norole)
    for url in ("/api/organizations/", "/api/members/", "/api/regions/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "permission_denied"


def test_malformed_json_is_400_malformed_request(client, world):
    client.force_login(world.admin_a)
    response = client.post("/api/organizations/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"
    assert response.json()["message"]


def test_wrong_types_are_400_invalid_naming_the_field(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        f"/api/organizations/{world.a.village.pk}/move/",
        {"parent": "not-a-number"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["field"] == "parent"
    assert "parent" in body["fields"]


def test_non_numeric_id_is_404_json(client, world):
    client.force_login(world.admin_a)
    response = client.get("/api/organizations/abc/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
