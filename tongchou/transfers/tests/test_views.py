"""Transfer pages: list tabs and query counts, request forms, detail actions, letters."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import make_id_number
from tongchou.members.models import Member
from tongchou.transfers import services
from tongchou.transfers.models import Transfer, TransferKind, TransferState
from tongchou.transfers.tests.conftest import (
    ISSUER_PHONE,
    approve_out,
    approve_upper,
    inward,
    this_month,
    within,
)

pytestmark = pytest.mark.django_db


def test_list_tabs_and_overdue_badge(client, w):
    t = within(w, to_org=w.village_b)
    approve_out(actor=w.admin_a, transfer=t)
    approve_upper(actor=w.admin_a, transfer=t)
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


def approval(t, **extra) -> dict:
    return {
        "approve_out-version": t.version,
        "approve_out-dues_paid_to": this_month(),
        "approve_out-issuer_phone": ISSUER_PHONE,
        **extra,
    }


def test_detail_offers_only_allowed_steps_and_runs_them(client, w):
    t = within(w, to_org=w.village_b)
    client.force_login(w.secretary_b)
    page = client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert reverse("transfers:approve_out", args=[t.pk]) not in page
    assert (
        client.post(reverse("transfers:approve_out", args=[t.pk]), approval(t)).status_code == 403
    )
    client.force_login(w.secretary_a)
    page = client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert reverse("transfers:approve_out", args=[t.pk]) in page
    assert 'name="approve_out-version" value="1"' in page
    assert 'name="approve_out-dues_paid_to"' in page
    assert 'name="approve_out-issuer_phone"' not in page  # the county committee issues it
    assert "上级党委审批同意时开具" in page
    response = client.post(
        reverse("transfers:approve_out", args=[t.pk]), approval(t, **{"approve_out-note": "同意"})
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.state == TransferState.OUT_APPROVED and t.letter_number == ""
    # A second click on what is now stale shows what changed; nothing changes.
    response = client.post(
        reverse("transfers:approve_out", args=[t.pk]), approval(t, **{"approve_out-version": 1})
    )
    assert response.status_code == 400 and "在您打开后已有变动" in response.content.decode()
    # Without the version (a page from before), a clear refusal too.
    response = client.post(reverse("transfers:approve_out", args=[t.pk]), {})
    assert response.status_code == 400 and "页面已过期" in response.content.decode()
    assert Transfer.objects.get(pk=t.pk).version == 2


def test_return_needs_a_reason_on_the_page(client, w):
    t = within(w)
    client.force_login(w.secretary_a)
    url = reverse("transfers:return", args=[t.pk])
    response = client.post(url, {"return-version": t.version, "return-reason": ""})
    assert response.status_code == 400
    assert Transfer.objects.get(pk=t.pk).state == TransferState.REQUESTED
    assert (
        client.post(url, {"return-version": t.version, "return-reason": "材料不全"}).status_code
        == 302
    )
    detail = client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert "材料不全" in detail and "已退回" in detail


def test_accept_completes_and_member_page_shows_history(client, w):
    t = within(w)
    approve_out(actor=w.admin_a, transfer=t)
    client.force_login(w.secretary_a2)
    response = client.post(reverse("transfers:accept", args=[t.pk]), {"accept-version": t.version})
    assert response.status_code == 302
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
    approve_out(actor=w.secretary_a, transfer=t, dues_paid_to="2026-05")
    page = client.get(reverse("transfers:letter", args=[t.pk]))
    body = page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert t.letter_number in body and "甲党员0" in body and "甲二村党支部" in body
    # The three parts of the standard letter, the dues month and the issuer's phone.
    for text in (
        "（存根）",
        "中国共产党党员组织关系介绍信回执",
        "党费已交到2026年5月",
        ISSUER_PHONE,
    ):
        assert text in body, text
    # An admin of the outflow side may reveal: the ID number is printed in full (audited).
    assert w.m1.id_number in body
    assert "transfers/letter.css" in body
    pdf = client.get(reverse("transfers:letter_pdf", args=[t.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "no-store" in pdf["Cache-Control"]
    # The receiving side prints it too; the member themself sees it masked.
    client.force_login(w.secretary_a2)
    assert client.get(reverse("transfers:letter_pdf", args=[t.pk])).status_code == 200
    client.force_login(w.admin_b)
    assert client.get(reverse("transfers:letter_pdf", args=[t.pk])).status_code == 404
    printed = AuditEvent.objects.filter(object_id=str(t.pk), action="export").order_by("pk")
    assert [(e.actor, e.after["medium"], e.after["full_id_number"]) for e in printed] == [
        (w.admin_a, "page", True),
        (w.admin_a, "pdf", True),
        (w.secretary_a2, "pdf", True),
    ]


def test_the_member_prints_their_own_letter_masked(client, w):
    t = within(w, actor=w.self_user, member=w.own)
    approve_out(actor=w.secretary_a, transfer=t)
    client.force_login(w.self_user)
    body = client.get(reverse("transfers:letter", args=[t.pk])).content.decode()
    assert w.own.id_number not in body and w.own.id_number_masked in body
    assert "已遮蔽" in body
    event = AuditEvent.objects.get(object_id=str(t.pk), action="export")
    assert event.actor == w.self_user and event.after["full_id_number"] is False


def test_the_letter_is_chinese_whatever_the_ui_language(client, w):
    t = within(w)
    approve_out(actor=w.secretary_a, transfer=t)
    client.force_login(w.admin_a)
    client.cookies["django_language"] = "en"
    detail = client.get(reverse("transfers:detail", args=[t.pk]))
    assert detail.headers["Content-Language"] == "en"  # the rest of the UI is English
    page = client.get(reverse("transfers:letter", args=[t.pk])).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "中国共产党党员组织关系介绍信" in page and "请转接组织关系" in page
    assert "男" in page or "女" in page
    assert "Male" not in page and "Introduction" not in page
    text = pdf_text(client.get(reverse("transfers:letter_pdf", args=[t.pk])).content)
    assert "请转接组织关系" in text and "回执" in text and "Male" not in text


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def not_embedded_fonts(content: bytes) -> list[str]:
    """Fonts the PDF's pages name without carrying them (no FontFile in their descriptor)."""
    from pypdf import PdfReader

    missing = []
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.get_object().values():
            font = font.get_object()
            for part in [font, *[f.get_object() for f in font.get("/DescendantFonts", [])]]:
                descriptor = part.get("/FontDescriptor")
                if part is font and "/DescendantFonts" in font:
                    continue  # a composite font: its descendants carry the program
                if descriptor is None or not any(
                    k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    missing.append(str(part.get("/BaseFont")))
    return missing


def test_the_pdf_embeds_its_font_and_reads_back_in_chinese(client, w):
    t = within(w)
    approve_out(actor=w.secretary_a, transfer=t, dues_paid_to="2026-05")
    client.force_login(w.admin_a)
    content = client.get(reverse("transfers:letter_pdf", args=[t.pk])).content
    assert b"/FontFile2" in content  # a TrueType font program inside the file
    assert b"STSong-Light" not in content  # not the built-in font that is never embedded
    assert not_embedded_fonts(content) == []
    text = pdf_text(content)
    for expected in (
        "中国共产党党员组织关系介绍信",
        t.letter_number,
        "甲党员0",
        "甲村党支部",
        "甲二村党支部",
        "党费已交到2026年5月",
        ISSUER_PHONE,
        w.m1.id_number,
    ):
        assert expected in text, expected


HOSTILE = '<b>粗</b><img src="/etc/passwd"/><a href="http://evil.example/">链接</a> & <para>'


def test_every_value_in_the_pdf_is_escaped(client, w, settings):
    """Names, organizations, destinations and phones with markup in them: the PDF builds, shows
    the characters as typed, and has no image or link in it."""
    settings.TRANSFER_LETTER_PREFIX = "<b>石</b>"
    # Within each column's length (PostgreSQL enforces them): a name of 50, a phone of 30.
    Member.objects.filter(pk=w.m1.pk).update(name='马<b>粗</b><img src="/etc/passwd"/>&<para>')
    orgs = w.village_a.__class__.objects
    orgs.filter(pk=w.village_a.pk).update(name="甲村" + HOSTILE)  # the outflow side
    orgs.filter(pk=w.county_a.pk).update(name="甲县委" + HOSTILE)  # the issuer, the receipt's
    member = Member.objects.get(pk=w.m1.pk)
    t = services.transfer_request(
        actor=w.clerk_a,
        member=member,
        kind=TransferKind.OUTWARD,
        to_text="银川" + HOSTILE,
        reason="原因" + HOSTILE,
    )
    approve_out(actor=w.secretary_a, transfer=t)
    approve_upper(actor=w.admin_a, transfer=t, issuer_phone="0952-2012345")
    Transfer.objects.filter(pk=t.pk).update(issuer_phone='0952<b>粗</b><a href="x">')
    client.force_login(w.admin_a)
    response = client.get(reverse("transfers:letter_pdf", args=[t.pk]))
    assert response.status_code == 200
    content = response.content
    for forbidden in (b"/Subtype /Image", b"/XObject", b"/Link", b"/URI", b"evil.example"):
        assert forbidden not in content, forbidden
    text = pdf_text(content).replace("\n", "")
    for typed in ("<b>粗</b>", '<img src="/etc/passwd"/>', "<a href=", "& <para>"):
        assert typed in text, typed
    for field in (
        '马<b>粗</b><img src="/etc/passwd"/>&<para>',
        "甲村<b>粗",
        "甲县委<b>粗",
        "银川<b>粗",
        '0952<b>粗</b><a href="x">',
        "<b>石</b>",
    ):
        assert field in text, field  # the member, both sides, the issuer, its phone, the serial
    page = client.get(reverse("transfers:letter", args=[t.pk])).content.decode()
    assert "<img src" not in page and "&lt;img src=&quot;/etc/passwd&quot;/&gt;" in page
    # The API's PDF is the same document.
    client.force_login(w.admin_a)
    assert client.get(f"/api/transfers/{t.pk}/letter/").status_code == 200


def test_the_requester_is_told_why_there_is_no_approve_button(client, w):
    t = within(w, actor=w.admin_a)
    client.force_login(w.admin_a)
    page = client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert reverse("transfers:approve_out", args=[t.pk]) not in page
    assert "申请与审批分离" in page
    response = client.post(reverse("transfers:approve_out", args=[t.pk]), approval(t))
    assert response.status_code == 400 and "不能自己审批" in response.content.decode()
    assert Transfer.objects.get(pk=t.pk).state == TransferState.REQUESTED


def test_approve_and_cancel_from_the_same_page_one_wins(client, w):
    """Two people open the transfer (version 1); one approves, the other cancels: the second
    is refused, told what changed, and the page offers the steps on the new version."""
    t = within(w)
    client.force_login(w.secretary_a)
    assert (
        client.post(reverse("transfers:approve_out", args=[t.pk]), approval(t)).status_code == 302
    )
    client.force_login(w.admin_a)
    response = client.post(
        reverse("transfers:cancel", args=[t.pk]), {"cancel-version": 1, "cancel-note": "放弃"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "在您打开后已有变动" in body
    assert "待转入方接收" in body
    t.refresh_from_db()
    assert t.state == TransferState.AWAITING_INFLOW and t.letter_number
    # The form comes back with what was typed and the version now shown.
    assert 'name="cancel-version" value="2"' in body and "放弃" in body
    again = client.post(reverse("transfers:cancel", args=[t.pk]), {"cancel-version": 2})
    assert again.status_code == 302
    assert Transfer.objects.get(pk=t.pk).state == TransferState.CANCELLED


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
