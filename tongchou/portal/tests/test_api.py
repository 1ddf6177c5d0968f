"""The member's own record over REST."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anonymous_is_401(w):
    assert api().get("/api/me/member/").status_code == 401
    assert api().post("/api/me/transfer/", {}, format="json").status_code == 401


def test_no_member_record(w):
    body = api(w.nobody).get("/api/me/member/").json()
    assert body == {
        "linked": False,
        "member": None,
        "open_transfer": None,
        "open_spell": None,
        "study": None,
    }
    response = api(w.nobody).post(
        "/api/me/transfer/", {"kind": "within", "to_org": "C-1", "reason": "x"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "no_member"


def test_own_summary_is_masked(w):
    response = api(w.me_user).get("/api/me/member/")
    body = response.json()
    assert body["linked"] and body["member"]["id"] == w.me.pk
    assert body["member"]["id_number"] == w.me.id_number_masked
    assert w.me.id_number not in response.content.decode()
    assert body["study"]["text"].endswith(" / 32") or "/" in body["study"]["text"]


def test_transfer_and_going_out(w):
    client = api(w.me_user)
    response = client.post(
        "/api/me/transfer/",
        {"kind": "within", "to_org": "C-1", "reason": "在城区务工"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["open_transfer"]["to"] == "长胜社区党支部"
    response = client.post(
        "/api/me/transfer/",
        {"kind": "within", "to_org": "C-1", "reason": "again"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "already_open"
    response = client.post(
        "/api/me/going-out/",
        {
            "destination_region": "640202001",
            "since": (TODAY - dt.timedelta(days=3)).isoformat(),
            "reason": "work",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["open_spell"]["destination"] == "长胜街道"


def test_bad_codes_name_the_field(w):
    response = api(w.me_user).post(
        "/api/me/transfer/", {"kind": "within", "to_org": "NOPE", "reason": "x"}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "to_org"
    response = api(w.me_user).post(
        "/api/me/arrived/", {"since": TODAY.isoformat(), "reason": "work"}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "station"
