"""Login with lockout, logout, password change, home page."""

import pytest
from django.conf import settings
from django.urls import reverse

from tongchou.core.models import LoginFailure
from tongchou.core.tests.factories import UserFactory
from tongchou.organizations.tests.world import build_world

pytestmark = pytest.mark.django_db
PASSWORD = "pass-Word-123"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return build_world()


def post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_login_and_redirect_home(client, world):
    response = post_login(client, "admin_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    html = client.get(reverse("home")).content.decode()
    assert "大武口区委" in html and "管理员" in html


def test_lockout_after_repeated_failures_even_with_the_right_password(client, db):
    UserFactory(username="wang")
    limit = settings.LOGIN_FAILURE_LIMIT
    for _ in range(limit):
        response = post_login(client, "wang", "wrong")
        assert response.status_code == 200
        assert "分钟后再试" not in response.content.decode()
    assert LoginFailure.objects.filter(username="wang").count() == limit
    response = post_login(client, "wang", PASSWORD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录失败次数过多" in html
    assert f"请{settings.LOGIN_LOCKOUT_MINUTES}分钟后再试" in html
    assert "_auth_user_id" not in client.session
    # another username is unaffected
    UserFactory(username="li")
    assert post_login(client, "li", PASSWORD).status_code == 302


def test_success_clears_failures(client, db):
    UserFactory(username="zhao")
    post_login(client, "zhao", "wrong")
    post_login(client, "zhao", "wrong")
    assert post_login(client, "zhao", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="zhao").exists()


def test_logout_is_post_only(client, world):
    client.force_login(world.admin_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, db):
    user = UserFactory(username="sun")
    client.force_login(user)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": "bad", "new_password1": "x", "new_password2": "y"},
    )
    assert response.status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Lotus-Pond-2026",
            "new_password2": "Lotus-Pond-2026",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("Lotus-Pond-2026")
    assert client.get(reverse("password_change_done")).status_code == 200


def test_anonymous_pages_redirect_to_login(client, db):
    for name in ("home", "password_change", "audit"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_home_without_role_explains(client, world):
    client.force_login(world.norole)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "还没有绑定任何党组织角色" in response.content.decode()


def test_nav_shows_links_by_role(client, world):
    client.force_login(world.admin_a)
    html = client.get(reverse("home")).content.decode()
    assert 'href="/audit/"' in html and 'href="/members/"' in html and 'href="/orgs/"' in html
    assert 'href="/admin/"' not in html
    assert 'action="/i18n/setlang/"' in html and 'value="en"' in html
    client.force_login(world.member_user)
    html = client.get(reverse("home")).content.decode()
    assert 'href="/audit/"' not in html and 'href="/members/"' not in html
    client.force_login(world.superuser)
    html = client.get(reverse("home")).content.decode()
    assert 'href="/audit/"' in html and 'href="/admin/"' in html


def test_language_switch_to_english(client, world):
    client.force_login(world.admin_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html


def test_back_office_is_for_superusers_only(client, db):
    from tongchou.core.tests.factories import UserFactory

    staff = UserFactory(username="staff_only", is_staff=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    root = UserFactory(username="root_user", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get("/admin/").status_code == 200


def test_old_login_failures_are_pruned(client, db, settings):
    import datetime as dt

    from django.utils import timezone

    from tongchou.core.models import LoginFailure

    stale = LoginFailure.objects.create(username="someone")
    LoginFailure.objects.filter(pk=stale.pk).update(
        at=timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    )
    client.post("/login/", {"username": "nobody", "password": "wrong"})
    assert not LoginFailure.objects.filter(pk=stale.pk).exists()
    assert LoginFailure.objects.filter(username="nobody").count() == 1
