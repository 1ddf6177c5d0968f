"""Issue 9 §6 in a real Chromium: village A's secretary registers a returning migrant worker as a
job seeker with the person's consent; county A's 人社 bureau posts an electrician's opening and
is told one seeker fits; the secretary finds the opening suggested for the seeker and applies
for them; the bureau sees who applied — not where they live — interviews and hires; the village
sees the outcome."""

import datetime as dt

import pytest

from tests.browser.session import login
from tongchou.jobs.models import Application, ApplicationState, JobSeeker, Opening, OpeningState
from tongchou.jobs.tests.conftest import A_POINT, NEAR_A, jobs_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = "13512345678"
HOME = "甲村三组8号"  # where the seeker lives, written in the village's notes


def field_errors(page, name: str) -> str:
    return (
        page.locator("div.mb-3", has=page.locator(f"[name={name}]"))
        .locator(".tc-errors")
        .inner_text()
    )


def test_opening_suggested_seeker_applies_bureau_hires(new_page):
    w = jobs_world()
    today = dt.date.today()

    # The village registers the seeker; without the person's consent it is refused.
    village = new_page()
    login(village, "secretary_a")
    village.goto("/jobs/")
    village.get_by_role("link", name="登记求职者").click()
    village.select_option("select[name=organization]", label=w.a.village.name)
    village.fill("input[name=name]", "李师傅")
    village.fill("input[name=phone]", PHONE)
    village.check("input[name=kinds][value=returned_migrant]")
    village.check("input[name=skills][value=electrician]")
    village.fill("input[name=max_km]", "30")
    village.fill("input[name=lat]", str(NEAR_A[0]))
    village.fill("input[name=lon]", str(NEAR_A[1]))
    village.fill("input[name=available_from]", f"{today:%Y-%m-%d}")
    village.fill("textarea[name=note]", f"家住{HOME}，在外做过八年电工")
    village.get_by_role("button", name="保存").click()
    assert "须本人同意" in field_errors(village, "consent_on")
    assert not JobSeeker.objects.exists()
    village.fill("input[name=consent_on]", f"{today:%Y-%m-%d}")
    village.get_by_role("button", name="保存").click()
    village.get_by_text("已登记求职者。").wait_for()
    seeker = JobSeeker.objects.get()
    assert (seeker.consent_on, seeker.consent_recorded_by) == (today, w.secretary_a)
    body = village.text_content("body")
    assert PHONE not in body and "135****5678" in body  # masked even for the village
    # The village's own view is whole: where they live and work, who recorded the consent.
    assert HOME in body and "30 公里以内" in body and "记录人 secretary_a" in body

    # The bureau posts an opening; a bad pay range is refused at its field, nothing posted.
    bureau = new_page()
    login(bureau, "bureau_staff")
    bureau.goto("/jobs/")
    bureau.get_by_role("link", name="发布招聘岗位").click()
    bureau.select_option("select[name=unit]", label=w.bureau.name)
    bureau.fill("input[name=title]", "园区电工")
    bureau.check("input[name=skills][value=electrician]")
    bureau.fill("input[name=region]", w.a.street_region.code)
    bureau.fill("input[name=address]", "甲工业园区3号厂房")
    bureau.fill("input[name=lat]", str(A_POINT[0]))
    bureau.fill("input[name=lon]", str(A_POINT[1]))
    bureau.fill("input[name=pay_min]", "6000")
    bureau.fill("input[name=pay_max]", "5000")
    bureau.fill("input[name=positions]", "1")
    bureau.fill("input[name=first_day]", f"{today:%Y-%m-%d}")
    bureau.fill("input[name=last_day]", f"{today + dt.timedelta(days=180):%Y-%m-%d}")
    bureau.get_by_role("button", name="保存").click()
    assert "月薪下限不能高于上限" in field_errors(bureau, "pay_max")
    assert not Opening.objects.exists()
    bureau.fill("input[name=pay_min]", "4500")
    bureau.fill("input[name=pay_max]", "6500")
    bureau.get_by_role("button", name="保存").click()
    bureau.get_by_text("岗位已发布。").wait_for()
    assert "有 1 名求职者技能和地点相符" in bureau.text_content("body")
    assert "李师傅" not in bureau.text_content("body")  # not named before they apply
    opening = Opening.objects.get()

    # The village finds the opening suggested for the seeker and applies for them.
    village.goto("/jobs/")
    village.locator("[data-tc-waiting=job-seekers]").get_by_role("link", name="李师傅").click()
    card = village.locator(".card", has_text="园区电工 · 甲县人社局")
    assert "共同技能：电工" in card.inner_text() and "公里" in card.inner_text()
    card.get_by_role("button", name="为其报名").click()
    village.get_by_text("已报名。").wait_for()
    application = Application.objects.get()
    assert (application.seeker, application.opening) == (seeker, opening)

    # The bureau sees who applied, from its home page — their village, not where they live.
    bureau.goto("/")
    bureau.locator("[data-tc-waiting=job-applications]").get_by_role(
        "link", name="李师傅 → 园区电工"
    ).click()
    body = bureau.text_content("body")
    assert "李师傅" in body and w.a.village.name in body
    assert HOME not in body and PHONE not in body
    bureau.get_by_role("link", name="李师傅").first.click()
    body = bureau.text_content("body")
    assert "李师傅" in body and "电工" in body and "135****5678" in body
    for hidden in (HOME, PHONE, "记录人", "愿意工作的地点", "30 公里以内", str(NEAR_A[0])):
        assert hidden not in body, hidden
    bureau.go_back()

    # Interview, then hire with the outcome: the one position is filled.
    bureau.select_option("select[name=to_state]", label="面试中")
    bureau.get_by_role("button", name="保存").click()
    bureau.get_by_text("已更新。").wait_for()
    bureau.select_option("select[name=to_state]", label="已录用")
    bureau.fill("textarea[name=outcome]", "下周一到岗，月薪5500元")
    bureau.get_by_role("button", name="保存").click()
    bureau.get_by_text("已更新。").wait_for()
    body = bureau.text_content("body")
    assert "已录用" in body and "下周一到岗，月薪5500元" in body
    bureau.goto(f"/jobs/openings/{opening.pk}/")
    assert "已招满" in bureau.text_content("body")
    application.refresh_from_db()
    opening.refresh_from_db()
    assert application.state == ApplicationState.HIRED and application.decided_on == today
    assert opening.state == OpeningState.FILLED

    # The village sees the outcome on the seeker's page.
    village.goto(f"/jobs/seekers/{seeker.pk}/")
    row = village.locator("tr", has_text="园区电工")
    assert "已录用" in row.inner_text() and "下周一到岗" in row.inner_text()
    assert village.console_errors == [] and bureau.console_errors == []
