"""Transfers API: the workflow end to end, refusals as 400 with code and field, scope as 404."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tongchou.core.tests.factories import make_id_number
from tongchou.members.models import Member
from tongchou.transfers.models import Transfer, TransferState
from tongchou.transfers.tests.conftest import within

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def test_full_workflow_across_counties(api, w):
    as_user(api, w.secretary_a)
    r = api.post(
        "/api/transfers/",
        {"kind": "within", "member": w.m1.pk, "to_org": w.village_b.pk, "reason": "工作调动"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert r.json()["needs_upper_approval"] and r.json()["upper_org"] == w.county_a.pk
    r = api.post(f"/api/transfers/{pk}/approve-out/", {"note": "同意"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "out_approved"
    assert r.json()["letter_number"].startswith("石组转〔")
    assert api.post(f"/api/transfers/{pk}/approve-upper/").status_code == 403
    as_user(api, w.admin_a)
    assert api.post(f"/api/transfers/{pk}/approve-upper/").json()["state"] == "awaiting_inflow"
    as_user(api, w.secretary_b)
    r = api.post(f"/api/transfers/{pk}/accept/", {"note": "已报到"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "completed"
    assert [s["action"] for s in r.json()["steps"]] == [
        "request",
        "approve_out",
        "approve_upper",
        "accept",
    ]
    assert Member.objects.get(pk=w.m1.pk).organization_id == w.village_b.pk
    letter = api.get(f"/api/transfers/{pk}/letter/")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    # Accepting again: refused with a code and the field.
    r = api.post(f"/api/transfers/{pk}/accept/")
    assert r.status_code == 400
    assert r.json()["code"] == "transfer_closed" and r.json()["field"] == "state"


def test_refusals_are_400_with_code_and_field(api, w):
    as_user(api, w.admin_a)
    r = api.post(
        "/api/transfers/",
        {"kind": "within", "member": w.m1.pk, "to_org": w.village_a.pk, "reason": "r"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "same_organization"
    assert r.json()["field"] == "to_org"
    within(w)
    r = api.post(
        "/api/transfers/",
        {"kind": "within", "member": w.m1.pk, "to_org": w.village_b.pk, "reason": "r"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "already_open"
    r = api.post(
        "/api/transfers/",
        {"kind": "within", "member": w.m2.pk, "to_org": 10**12, "reason": "r"},
        format="json",
    )
    assert r.status_code == 404 and r.json()["field"] == "to_org"
    t = Transfer.objects.get()
    r = api.post(f"/api/transfers/{t.pk}/return/", {}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "reason"


def test_inward_with_member_details_masked_in_answers(api, w):
    as_user(api, w.admin_a)
    id_number = make_id_number(birth=dt.date(1991, 1, 9))
    body = {
        "kind": "inward",
        "to_org": w.village_a.pk,
        "from_text": "银川市某党支部",
        "letter_number": "无数字",
        "reason": "返乡",
        "incoming": {
            "name": "钱七",
            "gender": "M",
            "ethnicity": "01",
            "birth_date": "1991-01-09",
            "id_number": id_number,
            "phone": "13912345678",
            "category": "full",
            "admission_date": "2015-07-01",
            "full_member_date": "2016-07-01",
        },
    }
    r = api.post("/api/transfers/", body, format="json")
    assert r.status_code == 400 and r.json()["field"] == "letter_number"
    body["letter_number"] = "银组转〔2026〕000010号"
    r = api.post("/api/transfers/", body, format="json")
    assert r.status_code == 201
    text = r.content.decode()
    assert id_number not in text and "13912345678" not in text
    assert r.json()["incoming"]["id_number"] == id_number[:6] + "********" + id_number[-4:]
    r = api.post(f"/api/transfers/{r.json()['id']}/accept/")
    assert r.status_code == 200 and r.json()["member"]
    assert Member.objects.get(pk=r.json()["member"]).id_number == id_number


def test_scope_list_and_retrieve(api, w):
    t = within(w)
    as_user(api, w.admin_b)
    assert api.get(f"/api/transfers/{t.pk}/").status_code == 404
    assert api.get("/api/transfers/").json()["count"] == 0
    as_user(api, w.admin_a)
    r = api.get("/api/transfers/?state=requested&direction=out")
    assert [row["id"] for row in r.json()["results"]] == [t.pk]
    assert api.get("/api/transfers/?overdue=true").json()["count"] == 0
    assert api.get("/api/transfers/?org=abc").status_code == 400


def test_member_requests_and_cancels_through_the_api(api, w):
    as_user(api, w.self_user)
    r = api.post(
        "/api/transfers/",
        {"kind": "outward", "member": w.own.pk, "to_text": "外省某党支部", "reason": "就业"},
        format="json",
    )
    assert r.status_code == 201
    pk = r.json()["id"]
    assert api.post(f"/api/transfers/{pk}/approve-out/").status_code == 403
    assert api.post(f"/api/transfers/{pk}/cancel/").json()["state"] == TransferState.CANCELLED
    other = api.post(
        "/api/transfers/",
        {"kind": "outward", "member": w.m2.pk, "to_text": "x", "reason": "r"},
        format="json",
    )
    assert other.status_code == 404 and other.json()["code"] == "not_found"


def test_list_query_count(api, w, django_assert_max_num_queries):
    for member in (w.m1, w.m2, w.own):
        within(w, member=member)
    as_user(api, w.admin_a)
    with django_assert_max_num_queries(6):
        r = api.get("/api/transfers/")
    assert r.json()["count"] == 3
