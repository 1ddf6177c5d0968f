"""Issue 9 in a real Chromium: a member visits a household and records a need, it is routed
to the 人社 bureau, a staff member of the bureau resolves it, and the resident confirms with a
rating using the tracking code — no account."""

import pytest

from tests.browser.session import login
from tongchou.service.models import Household, Need, NeedState
from tongchou.service.tests.conftest import service_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-Word-123"


def test_visit_to_need_to_bureau_to_residents_rating(new_page):
    w = service_world()
    member = w.a.members[0]
    member.user = w.member_a
    member.save(update_fields=["user"])
    Household.objects.create(
        address="甲村三组5号", organization=w.a.village, org_path=w.a.village.path,
        consent=True, contact=member,
    )  # fmt: skip

    # The contact member records the visit and the need raised.
    page = new_page()
    login(page, "member_a")
    page.goto("/service/households/")
    page.get_by_role("link", name="甲村三组5号").click()
    page.fill("input[name=visited_on]", "2026-01-05")
    page.select_option("select[name=way]", "in_person")
    page.fill("textarea[name=notes]", "返乡后想进城务工 <script>alert(1)</script>")
    page.select_option("select[name=need_category]", label="就业")
    page.fill("input[name=need_summary]", "想在城里找份工作")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已记录走访。").wait_for()
    need = Need.objects.get()
    assert need.unit == w.bureau and need.intake == "visit"

    # The bureau's staff find it waiting on their home page and resolve it.
    staff = new_page()
    login(staff, "bureau_staff")
    staff.goto("/")
    staff.get_by_role("link", name="想在城里找份工作").click()
    assert "就业" in staff.text_content("body") and w.bureau.name in staff.text_content("body")
    staff.fill("textarea[name=resolution]", "已推荐到园区企业面试并录用")
    staff.get_by_role("button", name="办结").click()
    staff.get_by_text("已保存。").wait_for()
    assert staff.text_content("[data-testid=need-state]").strip() == "已办结"

    # The resident, with no account, confirms with a rating by the tracking code.
    resident = new_page()
    resident.goto("/service/track/")
    resident.fill("input[name=code]", need.tracking_code)
    resident.get_by_role("button", name="查询").click()
    resident.select_option("select[name=rating]", "5")
    resident.fill("input[name=comment]", "办得很快")
    resident.get_by_role("button", name="确认办结").click()
    resident.wait_for_function(
        "document.querySelector('[data-testid=need-state]').textContent.includes('群众已确认')"
    )
    need.refresh_from_db()
    assert need.state == NeedState.CONFIRMED and need.rating == 5
    assert resident.goto("/service/track/NOSUCHCODE/").status == 404
