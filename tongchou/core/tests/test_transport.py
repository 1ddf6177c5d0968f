"""Responses with personal data are never cached; HTTPS is enforced in production; a NUL in any
URL is a clear 400 (PostgreSQL refuses NUL in a string literal: a 500 before)."""

import os
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tongchou.organizations.tests.world import build_world

from .test_settings import ROOT, STRONG_DATA_KEY, STRONG_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _start(extra: str = "", **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "TONGCHOU_DATA_KEY"}}
    clean.update(env)
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
    code += "django.setup()\n" + extra
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and "private" in response.get(
        "Cache-Control", ""
    )


def test_pages_api_and_exports_are_not_stored(client, world):
    client.force_login(world.superuser)
    for url in (
        reverse("home"),
        reverse("members:list"),
        reverse("organizations:tree"),
        reverse("members:export"),
        reverse("orglife:report_export"),
        "/api/members/",
        "/api/me/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


def test_token_clients_get_no_store_too(client, world):
    token = Token.objects.create(user=world.superuser)
    response = client.get("/api/members/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and _no_store(response)


def test_static_files_stay_cacheable(live_server):
    import urllib.request

    with urllib.request.urlopen(f"{live_server.url}/static/css/app.css") as response:
        assert "no-store" not in (response.headers.get("Cache-Control") or "")


def test_ssl_redirect_is_on_in_production_and_can_be_turned_off():
    show = "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT)"
    env = dict(
        TONGCHOU_ENV="production",
        SECRET_KEY=STRONG_KEY,
        TONGCHOU_DATA_KEY=STRONG_DATA_KEY,
        ALLOWED_HOSTS="example.org",
    )
    assert _start(**env, extra=show).stdout.strip() == "True"
    assert _start(**env, SECURE_SSL_REDIRECT="0", extra=show).stdout.strip() == "False"
    assert _start(TONGCHOU_ENV="demo", extra=show).stdout.strip() == "False"


@override_settings(
    SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_ssl_redirect_behind_a_proxy(client):
    plain = client.get(reverse("login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    proxied = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


@pytest.mark.parametrize(
    "url", ["/regions/%00/", "/api/regions/%00/", "/api/regions/%00/children/", "/regions/64%0002/",
            "/api/members/%00/", "/members/%00/", "/orgs/%00/"]
)  # fmt: skip
def test_a_nul_in_the_path_is_a_400(client, world, url):
    client.force_login(world.superuser)
    response = client.get(url)
    assert response.status_code == 400, url
    if url.startswith("/api/"):
        assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize(
    "url",
    [
        "/api/regions/?parent=%00",
        "/api/regions/?q=a%00b",
        "/members/?q=%00",
        "/api/members/?q=%00",
        "/orgs/search/?q=%00",
        "/audit/?object_id=%00",
        "/regions/?q=%00",
    ],
)
def test_a_nul_in_a_query_value_is_a_field_error_not_a_500(client, world, url):
    client.force_login(world.superuser)
    response = client.get(url)
    assert response.status_code in (200, 400), url
    if url.startswith("/api/") and response.status_code == 400:
        assert response.json()["code"] == "invalid" and response.json()["field"]


def test_region_codes_are_digits_only(client, world):
    client.force_login(world.superuser)
    assert client.get("/regions/abc/").status_code == 404
    response = client.get("/api/regions/abc/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    code = world.street_a_r.code
    assert client.get(f"/regions/{code}/").status_code == 200
    assert client.get(f"/api/regions/{code}/").status_code == 200
