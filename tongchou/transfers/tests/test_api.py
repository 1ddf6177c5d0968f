"""Transfers API: the workflow end to end, refusals as 400 with code and field, scope as 404."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import make_id_number
from tongchou.members.models import Member
from tongchou.transfers.models import Transfer, TransferState
from tongchou.transfers.tests.conftest import ISSUER_PHONE, this_month, within

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def step(api, pk, name, **body):
    """POST a step with the version the caller reads first (as a client does)."""
    body.setdefault("version", api.get(f"/api/transfers/{pk}/").json()["version"])
    return api.post(f"/api/transfers/{pk}/{name}/", body, format="json")


def test_full_workflow_across_counties(api, w):
    as_user(api, w.clerk_a)
    r = api.post(
        "/api/transfers/",
        {"kind": "within", "member": w.m1.pk, "to_org": w.village_b.pk, "reason": "工作调动"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert r.json()["needs_upper_approval"] and r.json()["upper_org"] == w.county_a.pk
    assert r.json()["version"] == 1
    as_user(api, w.secretary_a)
    r = step(api, pk, "approve-out", note="同意", dues_paid_to=this_month())
    assert r.status_code == 200 and r.json()["state"] == "out_approved", r.json()
    # The letter is issued by the upper committee's approval, not before.
    assert r.json()["letter_number"] == "" and r.json()["version"] == 2
    assert r.json()["dues_paid_to"] == f"{this_month()}-01"
    assert step(api, pk, "approve-upper").status_code == 403
    as_user(api, w.admin_a)
    r = step(api, pk, "approve-upper")  # no phone given, none on an earlier letter
    assert r.status_code == 400 and r.json()["field"] == "issuer_phone"
    r = step(api, pk, "approve-upper", issuer_phone=ISSUER_PHONE)
    assert r.json()["state"] == "awaiting_inflow"
    assert r.json()["letter_number"].startswith("石组转〔")
    assert r.json()["issuer_phone"] == ISSUER_PHONE
    as_user(api, w.secretary_b)
    r = step(api, pk, "accept", note="已报到")
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
    assert "no-store" in letter["Cache-Control"]
    printed = AuditEvent.objects.get(
        object_type="transfers.transfer", object_id=str(pk), action="export"
    )
    assert printed.actor == w.secretary_b and printed.after["medium"] == "pdf"
    assert printed.after["full_id_number"] is True  # a secretary of the receiving side
    # Accepting again: refused with a code and the field.
    r = step(api, pk, "accept")
    assert r.status_code == 400
    assert r.json()["code"] == "transfer_closed" and r.json()["field"] == "state"


def test_a_step_names_the_version_it_was_taken_on(api, w):
    t = within(w)
    as_user(api, w.secretary_a)
    r = api.post(f"/api/transfers/{t.pk}/cancel/", {}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "version"
    r = api.post(f"/api/transfers/{t.pk}/cancel/", {"version": "x"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "version"
    # Prepared on version 1; meanwhile the outflow side approved (version 2).
    as_user(api, w.admin_a)
    r = step(api, t.pk, "approve-out", dues_paid_to=this_month(), issuer_phone=ISSUER_PHONE)
    assert r.status_code == 200
    as_user(api, w.secretary_a)
    r = api.post(f"/api/transfers/{t.pk}/cancel/", {"version": 1}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "stale_state"
    assert "在您打开后已有变动" in r.json()["message"] and "待转入方接收" in r.json()["message"]
    assert Transfer.objects.get(pk=t.pk).state == TransferState.AWAITING_INFLOW


def test_the_requester_cannot_approve_through_the_api(api, w):
    as_user(api, w.admin_a)
    r = api.post(
        "/api/transfers/",
        {"kind": "within", "member": w.m1.pk, "to_org": w.village_a2.pk, "reason": "r"},
        format="json",
    )
    pk = r.json()["id"]
    r = step(api, pk, "approve-out", dues_paid_to=this_month())
    assert r.status_code == 400 and r.json()["code"] == "requester_cannot_approve"
    assert Transfer.objects.get(pk=pk).state == TransferState.REQUESTED


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("", ""), ("五月", "年-月"), ("2026-13", "年-月"), ("1999-01", "入党时间")],
)
def test_dues_month_is_validated(api, w, value, fragment):
    t = within(w)
    as_user(api, w.secretary_a)
    r = step(api, t.pk, "approve-out", dues_paid_to=value)
    assert r.status_code == 400 and r.json()["field"] == "dues_paid_to"
    assert fragment in r.json()["message"]
    assert Transfer.objects.get(pk=t.pk).state == TransferState.REQUESTED


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
    r = api.post(f"/api/transfers/{t.pk}/return/", {"version": t.version}, format="json")
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
    r = step(api, r.json()["id"], "accept")
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
    assert step(api, pk, "approve-out", dues_paid_to=this_month()).status_code == 403
    assert step(api, pk, "cancel").json()["state"] == TransferState.CANCELLED
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
