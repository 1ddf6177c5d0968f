"""Transfer pages: list tabs and query counts, request forms, detail actions, letters."""

import datetime as dt

import pytest
from django.urls import reverse

from tongchou.core.tests.factories import make_id_number
from tongchou.members.models import Member
from tongchou.transfers import services
from tongchou.transfers.models import Transfer, TransferKind, TransferState
from tongchou.transfers.tests.conftest import inward, within

pytestmark = pytest.mark.django_db


def test_list_tabs_and_overdue_badge(client, w):
    t = within(w, to_org=w.village_b)
    services.transfer_approve_out(actor=w.admin_a, transfer=t)
    services.transfer_approve_upper(actor=w.admin_a, transfer=t)
    Transfer.objects.filter(pk=t.pk).update(letter_valid_until=dt.date(2020, 1, 1))
    client.force_login(w.secretary_b)
    page = client.get(reverse("transfers:list")).content.decode()
    assert "甲党员0" in page and "已逾期" in page
    pending = client.get(reverse("transfers:list") + "?pending=true").content.decode()
    assert "甲党员0" in pending
    outgoing = client.get(reverse("transfers:list") + "?direction=out").content.decode()
    assert "甲党员0" not in outgoing
    client.force_login(w.secretary_a)  # the outflow side sees it overdue too
    assert "已逾期" in client.get(reverse("transfers:list") + "?overdue=true").content.decode()


def test_list_query_count_is_constant(client, w, django_assert_max_num_queries):
    for member in (w.m1, w.m2, w.own):
        within(w, member=member)
    client.force_login(w.admin_a)
    url = reverse("transfers:list")
    client.get(url)
    with django_assert_max_num_queries(9) as captured:
        response = client.get(url)
    assert response.status_code == 200
    few = len(captured)
    inward(w)
    inward(w, letter_number="银组转〔2026〕000002号", id_number=make_id_number(), name="王二")
    with django_assert_max_num_queries(few):
        client.get(url)


def test_member_requests_from_their_own_page_link(client, w):
    client.force_login(w.self_user)
    url = reverse("transfers:create") + f"?member={w.own.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "within", "to_org": w.village_a2.code, "reason": "搬家"})
    t = Transfer.objects.get(member=w.own)
    assert response.status_code == 302 and response["Location"] == reverse(
        "transfers:detail", args=[t.pk]
    )
    # Someone else's record looks missing.
    assert client.get(reverse("transfers:create") + f"?member={w.m2.pk}").status_code == 404
    # The member sees their transfer, not the list of others.
    assert client.get(reverse("transfers:detail", args=[t.pk])).status_code == 200
    assert client.get(reverse("transfers:list")).status_code == 200


def test_request_errors_come_back_on_the_form(client, w):
    client.force_login(w.admin_a)
    url = reverse("transfers:create") + f"?member={w.m1.pk}"
    response = client.post(url, {"kind": "within", "to_org": w.village_a.code, "reason": "r"})
    assert response.status_code == 400
    assert "转入党组织与该党员当前所在党组织相同" in response.content.decode()
    response = client.post(url, {"kind": "within", "to_org": "NOPE", "reason": "r"})
    assert response.status_code == 400 and "组织代码不存在" in response.content.decode()
    response = client.post(url, {"kind": "outward", "to_text": "", "reason": "r"})
    assert "请填写转入党组织名称" in response.content.decode()
    assert not Transfer.objects.exists()


def test_inward_form_registers_and_never_echoes_the_id_number(client, w):
    client.force_login(w.admin_a)
    id_number = make_id_number(birth=dt.date(1988, 8, 8))
    data = {
        "to_org": w.village_a.code,
        "from_text": "银川市某党支部",
        "letter_number": "无编号",
        "reason": "返乡",
        "name": "赵六",
        "gender": "M",
        "ethnicity": "01",
        "birth_date": "1988-08-08",
        "id_number": id_number,
        "category": "full",
        "admission_date": "2012-07-01",
        "full_member_date": "2013-07-01",
    }
    response = client.post(reverse("transfers:create"), data)
    body = response.content.decode()
    assert response.status_code == 400 and "介绍信编号应含有数字" in body
    assert id_number not in body
    data["letter_number"] = "银组转〔2026〕000009号"
    response = client.post(reverse("transfers:create"), data)
    t = Transfer.objects.get()
    assert t.kind == TransferKind.INWARD and response.status_code == 302
    detail = client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert id_number not in detail and t.incoming["id_number_masked"] in detail


def test_detail_offers_only_allowed_steps_and_runs_them(client, w):
    t = within(w, to_org=w.village_b)
    client.force_login(w.secretary_b)
    page = client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert reverse("transfers:approve_out", args=[t.pk]) not in page
    assert client.post(reverse("transfers:approve_out", args=[t.pk])).status_code == 403
    client.force_login(w.secretary_a)
    page = client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert reverse("transfers:approve_out", args=[t.pk]) in page
    response = client.post(
        reverse("transfers:approve_out", args=[t.pk]), {"approve_out-note": "同意"}
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.state == TransferState.OUT_APPROVED
    # A second click on what is now stale shows the reason, nothing changes.
    response = client.post(reverse("transfers:approve_out", args=[t.pk]))
    assert response.status_code == 400 and "不能转出方审批同意" in response.content.decode()


def test_return_needs_a_reason_on_the_page(client, w):
    t = within(w)
    client.force_login(w.secretary_a)
    url = reverse("transfers:return", args=[t.pk])
    response = client.post(url, {"return-reason": ""})
    assert response.status_code == 400
    assert Transfer.objects.get(pk=t.pk).state == TransferState.REQUESTED
    assert client.post(url, {"return-reason": "材料不全"}).status_code == 302
    detail = client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert "材料不全" in detail and "已退回" in detail


def test_accept_completes_and_member_page_shows_history(client, w):
    t = within(w)
    services.transfer_approve_out(actor=w.admin_a, transfer=t)
    client.force_login(w.secretary_a2)
    assert client.post(reverse("transfers:accept", args=[t.pk])).status_code == 302
    assert Member.objects.get(pk=w.m1.pk).organization_id == w.village_a2.pk
    page = client.get(reverse("members:detail", args=[w.m1.pk])).content.decode()
    assert "组织关系转接" in page and "已完成" in page
    assert reverse("transfers:detail", args=[t.pk]) in page


def test_member_panel_offers_request_when_allowed(client, w):
    client.force_login(w.admin_a)
    page = client.get(reverse("members:detail", args=[w.m1.pk])).content.decode()
    assert f"{reverse('transfers:create')}?member={w.m1.pk}" in page
    within(w)  # an open transfer: no second request offered
    page = client.get(reverse("members:detail", args=[w.m1.pk])).content.decode()
    assert f"{reverse('transfers:create')}?member={w.m1.pk}" not in page


def test_letter_page_and_pdf(client, w):
    t = within(w)
    client.force_login(w.admin_a)
    assert client.get(reverse("transfers:letter", args=[t.pk])).status_code == 404  # not yet
    services.transfer_approve_out(actor=w.admin_a, transfer=t)
    page = client.get(reverse("transfers:letter", args=[t.pk])).content.decode()
    assert t.letter_number in page and "甲党员0" in page and "甲二村党支部" in page
    assert w.m1.id_number_masked in page and w.m1.id_number not in page
    assert "transfers/letter.css" in page
    pdf = client.get(reverse("transfers:letter_pdf", args=[t.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # The receiving side prints it too.
    client.force_login(w.secretary_a2)
    assert client.get(reverse("transfers:letter_pdf", args=[t.pk])).status_code == 200
    client.force_login(w.admin_b)
    assert client.get(reverse("transfers:letter_pdf", args=[t.pk])).status_code == 404


def test_organization_options_for_the_picker(client, w):
    client.force_login(w.self_user)
    body = client.get(reverse("transfers:organizations") + "?to_org=乙村").content.decode()
    assert w.village_b.code in body and "<option" in body
    client.force_login(w.norole)
    assert client.get(reverse("transfers:organizations") + "?q=乙").status_code == 403


@pytest.mark.parametrize("param", ["to_org", "q"])
def test_organization_options_with_a_nul_do_not_crash(client, w, param):
    """PostgreSQL refuses a NUL in a query: the picker ignores it."""
    client.force_login(w.self_user)
    response = client.get(reverse("transfers:organizations"), {param: "乙\x00村"})
    assert response.status_code == 200
    assert w.village_b.code in response.content.decode()
