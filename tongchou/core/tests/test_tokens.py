"""API tokens expire after API_TOKEN_HOURS and end when the password changes (by any path) or the
account is deactivated; someone who must first choose a password gets no token."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tongchou.core.auth import password_chosen, require_password_change
from tongchou.core.tests.factories import UserFactory, grant
from tongchou.organizations.tests.world import build_world

pytestmark = pytest.mark.django_db
PASSWORD = "pass-Word-123"
TOKEN_URL = "/api/auth/token/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w(db):
    return build_world()


def obtain(client, username="admin_a", password=PASSWORD):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json"
    )


def call(client, token):
    return client.get("/api/organizations/", HTTP_AUTHORIZATION=f"Token {token}")


def test_a_token_says_when_it_expires_and_stops_working_then(client, w, settings):
    body = obtain(client).json()
    token = Token.objects.get(key=body["token"])
    expires = dt.datetime.fromisoformat(body["expires"])
    assert expires == token.created + dt.timedelta(hours=settings.API_TOKEN_HOURS)
    assert call(client, token.key).status_code == 200
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - dt.timedelta(hours=settings.API_TOKEN_HOURS, minutes=1)
    )
    response = call(client, token.key)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert not Token.objects.filter(pk=token.pk).exists()
    # Asking again gives a new, working token.
    fresh = obtain(client).json()["token"]
    assert fresh != token.key and call(client, fresh).status_code == 200


def test_asking_again_while_valid_returns_the_same_token(client, w):
    assert obtain(client).json()["token"] == obtain(client).json()["token"]


@pytest.mark.parametrize("path", ["set_password", "form", "changepassword", "page"])
def test_a_password_change_by_any_path_revokes_the_tokens(client, w, path, monkeypatch):
    token = obtain(client).json()["token"]
    user = get_user_model().objects.get(username="admin_a")
    if path == "set_password":  # what services and scripts do
        user.set_password("Another-Pass-2026")
        user.save()
    elif path == "form":  # Django's admin "change password" form
        form = SetPasswordForm(
            user, {"new_password1": "Another-Pass-2026", "new_password2": "Another-Pass-2026"}
        )
        assert form.is_valid()
        form.save()
    elif path == "changepassword":
        monkeypatch.setattr("getpass.getpass", lambda prompt="": "Another-Pass-2026")
        call_command("changepassword", "admin_a", stdout=io.StringIO())
    else:  # the person's own password page
        client.force_login(user)
        response = client.post(
            "/password/",
            {
                "old_password": PASSWORD,
                "new_password1": "Another-Pass-2026",
                "new_password2": "Another-Pass-2026",
            },
        )
        assert response.status_code == 302
        client.logout()
    assert not Token.objects.filter(key=token).exists()
    assert call(client, token).status_code == 401


def test_deactivation_revokes_the_tokens_and_reactivation_does_not_bring_them_back(client, w):
    token = obtain(client).json()["token"]
    user = get_user_model().objects.get(username="admin_a")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not Token.objects.filter(key=token).exists()
    user.is_active = True
    user.save()
    assert call(client, token).status_code == 401


def test_other_saves_leave_tokens_alone(client, w):
    token = obtain(client).json()["token"]
    user = get_user_model().objects.get(username="admin_a")
    user.first_name = "王"
    user.save()
    client.force_login(user)  # last_login is saved at every sign-in
    assert Token.objects.filter(key=token).exists()


def test_no_token_while_the_person_must_choose_a_password(client, w):
    user = get_user_model().objects.get(username="admin_a")
    token = obtain(client).json()["token"]
    require_password_change(user=user, by=w.superuser)
    # An existing token is refused (an administrator's reset also revokes it: accounts app).
    response = call(client, token)
    assert response.status_code == 401
    assert response.json()["code"] == "password_change_required"
    response = obtain(client)
    assert response.status_code == 400
    assert response.json()["code"] == "password_change_required"
    password_chosen(user)
    assert obtain(client).status_code == 200


def test_tokens_of_inactive_users_are_refused(client, db):
    user = UserFactory(username="gone")
    grant(user, build_world().county_a)
    token = Token.objects.create(user=user)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)  # no save: no hook
    assert call(client, token.key).status_code == 401
