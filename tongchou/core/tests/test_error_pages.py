"""The app's own error pages: in the person's language, with a way back, JSON under /api/, and
the 500 page renders with no database at all."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tongchou.core import error_pages
from tongchou.organizations.tests.world import build_world

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    w = build_world()
    client.force_login(w.superuser)
    return client


def test_404_is_our_page_in_chinese_with_a_way_home(signed_in):
    response = signed_in.get("/members/999999999/", HTTP_REFERER="http://testserver/members/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and 'href="/"' in html
    assert 'href="/members/"' in html  # back to where the person came from
    assert "Not Found" not in html
    assert response["Cache-Control"].count("no-store") == 1


def test_error_pages_follow_the_language_cookie(signed_in):
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = signed_in.get("/members/999999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en">' in html


def test_back_link_only_for_same_site_referers(signed_in):
    response = signed_in.get("/nowhere/", HTTP_REFERER="https://evil.example/phish")
    assert "evil.example" not in response.content.decode()


def test_403_page(client):
    from tongchou.core.tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    response = client.get(reverse("members:list"))
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_400_page_for_a_nul_in_the_url(signed_in):
    response = signed_in.get("/regions/%00/")
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


def test_api_paths_keep_the_json_error_shape(signed_in):
    for url, status in (("/api/no-such-thing/", 404), ("/api/members/abc/", 404)):
        response = signed_in.get(url)
        assert response.status_code == status, url
        assert response["Content-Type"].startswith("application/json"), url
        body = response.json()
        assert body["code"] == "not_found" and body["message"] and "field" in body
    response = signed_in.get("/api/regions/%00/")
    assert response.status_code == 400 and response.json()["code"] == "bad_request"


def test_error_handlers_make_no_query(rf, django_assert_num_queries):
    request = rf.get("/members/", HTTP_REFERER="http://testserver/orgs/")
    with django_assert_num_queries(0):
        for handler in (
            error_pages.bad_request,
            error_pages.permission_denied,
            error_pages.page_not_found,
            error_pages.csrf_failure,
        ):
            assert handler(request).status_code in (400, 403, 404)
        assert error_pages.server_error(request).status_code == 500


def test_500_page_renders_with_the_database_down(tmp_path):
    """A real request in a separate process whose database cannot be opened: the session lookup
    fails, and the 500 page still comes out, ours."""
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
        "django.setup();"
        "from django.test import Client;"
        "c = Client(raise_request_exception=False);"
        "c.cookies['sessionid'] = 'x' * 32;"
        "r = c.get('/members/');"
        "print(r.status_code); print(r.content.decode())"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3",
        "TONGCHOU_PLAIN_STATIC": "1",
        "LOG_LEVEL": "CRITICAL",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    status, _, html = result.stdout.partition("\n")
    assert status == "500"
    assert "服务器出错" in html and 'href="/"' in html


def test_csrf_failure_page_keeps_the_draft_and_leads_back(client):
    w = build_world()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(w.superuser)
    url = reverse("organizations:create", args=[w.street_a.pk])
    response = strict.post(url, {"name": "新支部"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html
    assert "data-tc-keep-drafts" in html  # static/js/app.js keeps the tab's draft
    assert f'href="/login/?next={url.replace("/", "%2F")}"' in html
    assert f'href="{url}"' in html


def test_csrf_failure_without_a_session_is_our_page(client):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_api_500_and_403_are_json(rf):
    request = rf.get("/api/members/")
    for handler, status, code in (
        (error_pages.server_error, 500, "server_error"),
        (error_pages.permission_denied, 403, "permission_denied"),
        (error_pages.csrf_failure, 403, "csrf_failed"),
    ):
        response = handler(request)
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        body = json.loads(response.content)
        assert body["code"] == code and body["message"] and body["field"] is None
