"""Security headers and the strict CSP on every page."""

import re

import pytest
from django.urls import reverse

from tongchou.organizations.tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def assert_secure_headers(response):
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_login_page_headers(client):
    assert_secure_headers(client.get(reverse("login")))


def test_pages_have_headers_and_no_inline_code(client):
    w = build_world()
    client.force_login(w.superuser)
    for url in (
        reverse("home"),
        reverse("audit"),
        reverse("organizations:tree"),
        reverse("organizations:detail", args=[w.joint.pk]),
        reverse("organizations:create", args=[w.street_a.pk]),
        reverse("organizations:edit", args=[w.joint.pk]),
        reverse("organizations:search") + "?q=长胜",
        reverse("regions:detail", args=[w.street_a_r.code]),
        reverse("password_change"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secure_headers(response)
        html = response.content.decode()
        # the CSP forbids inline code; the pages must not depend on it
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_session_and_csrf_cookies(client, settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    response = client.get(reverse("login"))
    cookie = response.cookies.get("csrftoken")
    assert cookie is not None and cookie["samesite"] == "Lax"


def test_login_form_requires_csrf(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_no_template_carries_inline_code():
    """Every template, not only the pages above: an inline handler is dead under the CSP (the
    proxy station's "print receipt" button was, with every test green)."""
    from pathlib import Path

    from django.conf import settings

    roots = [Path(d) for t in settings.TEMPLATES for d in t["DIRS"]]
    roots += list(Path(settings.BASE_DIR, "tongchou").glob("*/templates"))
    found = []
    for path in (p for root in roots for p in root.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<[a-z][^>]*\son[a-z]+=", text) or re.search(r"<[a-z][^>]*\sstyle=", text):
            found.append(str(path))
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            found.append(str(path))
    assert found == []
