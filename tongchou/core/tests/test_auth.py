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
    assert LoginFailure.objects.get(username="wang").failures == limit
    response = post_login(client, "wang", PASSWORD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录失败次数过多" in html
    assert f"请{settings.LOGIN_LOCKOUT_MINUTES}分钟后再试" in html
    assert "_auth_user_id" not in client.session
    # another username is unaffected
    UserFactory(username="li")
    assert post_login(client, "li", PASSWORD).status_code == 302


def test_the_lockout_is_by_username_and_source_so_elsewhere_the_person_still_signs_in(db):
    """Five anonymous wrong passwords from one address no longer lock the account for
    everybody: the real person, from their own address, signs in."""
    from django.test import Client

    UserFactory(username="admin_x")
    attacker, person = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 3):
        assert post_login(attacker, "admin_x", "guess").status_code == 200
    assert "登录失败次数过多" in post_login(attacker, "admin_x", PASSWORD).content.decode()
    assert post_login(person, "admin_x", PASSWORD).status_code == 302
    # The attacker's counter stays; the person's own (none) is cleared by their success.
    assert list(LoginFailure.objects.values_list("ip", "failures")) == [
        ("203.0.113.9", settings.LOGIN_FAILURE_LIMIT)
    ]


def test_the_username_is_counted_whatever_its_case(client, db):
    UserFactory(username="zhou")
    for name in ("zhou", "ZHOU", "Zhou ", "zHoU", "zhou"):
        post_login(client, name, "wrong")
    response = post_login(client, "zhou", PASSWORD)
    assert "登录失败次数过多" in response.content.decode()


def test_the_message_tells_the_minutes_left(client, db):
    import datetime as dt

    from django.utils import timezone

    UserFactory(username="qian")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(client, "qian", "wrong")
    # The window began ten minutes ago: five of fifteen minutes are left.
    LoginFailure.objects.filter(username="qian").update(
        since=timezone.now() - dt.timedelta(minutes=10, seconds=30)
    )
    html = post_login(client, "qian", PASSWORD).content.decode()
    assert "请5分钟后再试" in html
    # Once the window has passed, the right password works again.
    LoginFailure.objects.filter(username="qian").update(
        since=timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1)
    )
    assert post_login(client, "qian", PASSWORD).status_code == 302


def test_each_attempt_claims_a_try_before_the_password_is_checked(db):
    """The counter is raised before the (slow) password check, so the limit holds even for
    attempts that overlap; a success then clears it."""
    from tongchou.core.auth import claim_attempt

    limit = settings.LOGIN_FAILURE_LIMIT
    claims = [claim_attempt("sun", "10.0.0.1") for _ in range(limit + 2)]
    assert [c.allowed for c in claims] == [True] * limit + [False, False]
    assert claims[-1].minutes_left == settings.LOGIN_LOCKOUT_MINUTES
    assert claim_attempt("sun", "10.0.0.2").allowed  # another source


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

    stale = LoginFailure.objects.create(
        username="someone",
        failures=2,
        since=timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1),
    )
    client.post("/login/", {"username": "nobody", "password": "wrong"})
    assert not LoginFailure.objects.filter(pk=stale.pk).exists()
    assert LoginFailure.objects.get(username="nobody").failures == 1
