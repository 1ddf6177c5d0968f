"""Passwords an administrator hands out: hashed without key stretching (random, short-lived,
replaced at the first sign-in), upgraded to the default hasher, and expired after
``ISSUED_PASSWORD_DAYS``."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from tongchou.accounts import services
from tongchou.accounts.hashers import ISSUED_HASHER, IssuedPasswordHasher
from tongchou.core.models import PasswordState

pytestmark = pytest.mark.django_db
User = get_user_model()
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def age_issued_password(user, days: int) -> None:
    PasswordState.objects.filter(user=user).update(set_at=timezone.now() - dt.timedelta(days=days))


def test_handed_out_passwords_use_the_fast_hasher_chosen_ones_the_default(client, w, settings):
    settings.PASSWORD_HASHERS = [PBKDF2, ISSUED_HASHER]  # as in production
    issued = services.account_create(
        actor=w.secretary, username="zhangyi", name="张一", member=w.m_a1
    )
    stored = User.objects.get(pk=issued.user.pk).password
    assert stored.startswith(f"{IssuedPasswordHasher.algorithm}$1000$")
    assert identify_hasher(stored).iterations < 10_000
    # The first sign-in re-hashes it with the default hasher …
    assert sign_in(client, "zhangyi", issued.password).status_code == 302
    assert User.objects.get(pk=issued.user.pk).password.startswith("pbkdf2_sha256$1000000$")
    # … and the person's own password is stored with the default too.
    client.post(
        reverse("password_change"),
        {
            "old_password": issued.password,
            "new_password1": "Lotus-Pond-2026",
            "new_password2": "Lotus-Pond-2026",
        },
    )
    user = User.objects.get(pk=issued.user.pk)
    assert user.password.startswith("pbkdf2_sha256$1000000$")
    assert user.check_password("Lotus-Pond-2026")


def test_bulk_creation_and_resets_hash_with_the_fast_hasher(w):
    for item in services.accounts_bulk_create(actor=w.secretary, organization=w.village_a):
        assert item.user.password.startswith(f"{IssuedPasswordHasher.algorithm}$")
        assert item.user.check_password(item.password)
    issued = services.password_reset(actor=w.secretary, user=w.member_user)
    assert issued.user.password.startswith(f"{IssuedPasswordHasher.algorithm}$")


def test_an_issued_password_says_until_when_it_signs_in(client, w, settings):
    settings.ISSUED_PASSWORD_DAYS = 10
    before = timezone.now()
    issued = services.account_create(
        actor=w.secretary, username="zhangyi", name="张一", member=w.m_a1
    )
    assert before + dt.timedelta(days=10) <= issued.expires <= timezone.now() + dt.timedelta(10)
    client.force_login(w.secretary)
    html = client.post(reverse("accounts:password_reset", args=[issued.user.pk])).content.decode()
    expected = timezone.localtime(timezone.now() + dt.timedelta(days=10)).strftime("%Y-%m-%d")
    assert "data-tc-expires" in html and expected in html


def test_an_expired_issued_password_no_longer_signs_in(client, w, settings):
    settings.ISSUED_PASSWORD_DAYS = 14
    issued = services.account_create(
        actor=w.secretary, username="zhangyi", name="张一", member=w.m_a1
    )
    age_issued_password(issued.user, 13)
    assert sign_in(client, "zhangyi", issued.password).status_code == 302
    client.logout()

    age_issued_password(issued.user, 15)
    response = sign_in(client, "zhangyi", issued.password)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "临时密码已过期，请联系管理员重置密码" in response.content.decode()
    # A wrong password learns nothing about it: the ordinary refusal.
    response = sign_in(client, "zhangyi", "wrong-pass-word")
    assert "已过期" not in response.content.decode()
    # Nor does the API hand out a token for it.
    answer = client.post(
        "/api/auth/token/", {"username": "zhangyi", "password": issued.password}
    ).json()
    assert answer["code"] == "password_expired"

    # A reset gives a new password that signs in.
    reset = services.password_reset(actor=w.secretary, user=issued.user)
    assert sign_in(client, "zhangyi", reset.password).status_code == 302


def test_a_password_the_person_chose_never_expires(client, w, settings):
    settings.ISSUED_PASSWORD_DAYS = 14
    issued = services.account_create(
        actor=w.secretary, username="zhangyi", name="张一", member=w.m_a1
    )
    sign_in(client, "zhangyi", issued.password)
    client.post(
        reverse("password_change"),
        {
            "old_password": issued.password,
            "new_password1": "Lotus-Pond-2026",
            "new_password2": "Lotus-Pond-2026",
        },
    )
    client.logout()
    age_issued_password(issued.user, 400)
    assert sign_in(client, "zhangyi", "Lotus-Pond-2026").status_code == 302


@pytest.mark.parametrize(
    ("hashers", "error"),
    [
        ([PBKDF2], "accounts.E001"),
        ([ISSUED_HASHER, PBKDF2], "accounts.E002"),
        ([PBKDF2, ISSUED_HASHER], None),
    ],
)
def test_the_fast_hasher_must_be_registered_and_never_first(settings, hashers, error):
    settings.PASSWORD_HASHERS = hashers
    ids = {message.id for message in run_checks() if message.id.startswith("accounts.")}
    assert ids == ({error} if error else set())
