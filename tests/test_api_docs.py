"""OpenAPI document and Swagger UI: generated without warnings, served from our own origin."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns any warning (an unguessable field, an enum collision…) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    text = (tmp_path / "s.yml").read_text()
    for path in (
        "/api/auth/token/",
        "/api/me/",
        "/api/regions/{code}/children/",
        "/api/organizations/{id}/children/",
        "/api/organizations/{id}/subtree/",
        "/api/organizations/{id}/move/",
        "/api/organizations/{id}/dissolve/",
        "/api/members/{id}/reveal/",
        "/api/members/lookup/",
    ):
        assert f"  {path}:" in text, path
    assert "tokenAuth" in text
    assert "cookieAuth" in text


def test_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"openapi: 3" in response.content


def test_swagger_ui_loads_everything_from_our_own_origin(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    # No absolute URL of any kind (no CDN): every asset is a path on this server.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), html
    assert "cdn" not in html.lower()
    assets = re.findall(r"""(?:src|href)="([^"]+)\"""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset
        else:
            script = client.get(asset)
            assert script.status_code == 200, asset
            assert not re.search(rb"https?://", script.content), asset
    assert "Content-Security-Policy" in response
    # Nothing inline: the CSP allows scripts and styles from files on our origin only.
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html
