"""Issue 9 §5 in a real Chromium: a city-service proxy station's clerk (an account with no role)
files 社保 for a resident at the station; it is routed to county A's 人社 bureau with its
working-day deadline; the bureau's staff accept and resolve it; the clerk finds the result to
relay on the home page and on the station's page, and confirms with the resident at the
station by the tracking code."""

import pytest

from tests.browser.session import login
from tongchou.core.tests.factories import UserFactory
from tongchou.core.workdays import load_calendar
from tongchou.service import services
from tongchou.service.models import Need, NeedCategory, NeedState, RoutingRule
from tongchou.service.tests.conftest import service_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RESIDENT_PHONE = "13912345678"


def test_clerk_files_social_security_and_relays_the_bureaus_result(new_page):
    w = service_world()
    social = NeedCategory.objects.get(code="social_security")
    RoutingRule.objects.create(region=w.a.county_region, category=social, unit=w.bureau)
    station = services.proxy_station_create(
        actor=w.secretary_a,
        name="甲村城市服务代办站",
        organization=w.a.village,
        services=["social_security", "medical_insurance"],
        address="村党群服务中心",
    )
    station.staff.add(UserFactory(username="clerk"))

    # The clerk's home page names the station, nothing waiting yet; they file from there.
    clerk = new_page()
    login(clerk, "clerk")
    card = clerk.locator("[data-tc-waiting=proxy]")
    assert "甲村城市服务代办站" in card.inner_text() and "暂无待办。" in card.inner_text()
    card.get_by_role("link", name="代办登记").click()
    # Only the services this station offers are offered.
    offered = clerk.locator("select[name=service] option").all_inner_texts()
    assert "社保" in offered and "医保" in offered and "证照办理" not in offered
    clerk.get_by_role("button", name="登记").click()  # nothing filled: refused, naming it
    summary_field = clerk.locator("div.mb-3", has=clerk.locator("#id_summary"))
    assert summary_field.locator(".tc-errors").inner_text().strip() != ""
    assert not Need.objects.exists()
    clerk.select_option("select[name=service]", label="社保")
    clerk.fill("input[name=summary]", "代办城乡居民养老保险参保登记")
    clerk.fill("textarea[name=description]", "老人行动不便，身份证复印件已收 <b>留存</b>")
    clerk.fill("input[name=resident_name]", "王大爷")
    clerk.fill("input[name=phone]", RESIDENT_PHONE)
    clerk.get_by_role("button", name="登记").click()
    code = clerk.get_by_test_id("tracking-code").inner_text().strip()
    need = Need.objects.get()
    assert code == need.tracking_code and need.proxy_station == station
    # Routed to the bureau, with the deadline counted in working days on the calendar.
    due = load_calendar().add_working_days(need.clock_start, social.resolve_days)
    receipt = clerk.text_content("body")
    assert f"办结期限 {due:%Y-%m-%d}" in receipt and "承办单位 甲县人社局" in receipt
    clerk.get_by_role("link", name="查看诉求").click()
    assert clerk.get_by_test_id("need-unit").inner_text() == "甲县人社局"
    body = clerk.text_content("body")
    assert f"{due:%Y-%m-%d}（{social.resolve_days} 个工作日）" in body
    assert "规则：社会保障 · 县甲 → 甲县人社局" in body and "甲村城市服务代办站" in body
    assert "<b>留存</b>" in body  # markup shown as text
    assert RESIDENT_PHONE not in body  # masked, even for the clerk who typed it

    # The bureau's staff find it on their home page, accept and resolve it.
    staff = new_page()
    login(staff, "bureau_staff")
    staff.locator("[data-tc-waiting=needs]").get_by_role(
        "link", name="代办城乡居民养老保险参保登记"
    ).click()
    staff.get_by_role("button", name="受理").click()
    staff.wait_for_function(
        "document.querySelector('[data-testid=need-state]').textContent.includes('已受理')"
    )
    staff.fill("textarea[name=resolution]", "已办理参保登记，社保卡下月到代办站领取")
    staff.get_by_role("button", name="办结").click()
    staff.get_by_text("已保存。").wait_for()
    assert staff.get_by_test_id("need-state").inner_text().strip() == "已办结"

    # Back at the station: the result waits to be relayed, on the home page and the station's.
    clerk.goto("/")
    card = clerk.locator("[data-tc-waiting=proxy]")
    assert "代办城乡居民养老保险参保登记" in card.inner_text()
    assert "已办结，待告知群众确认" in card.inner_text()
    card.get_by_role("link", name="甲村城市服务代办站").click()
    relay = clerk.locator("[data-tc-waiting=proxy] .card").first
    assert "请告知群众" in relay.inner_text() and code in relay.inner_text()
    relay.get_by_role("link", name="代办城乡居民养老保险参保登记").click()
    assert "社保卡下月到代办站领取" in clerk.text_content("body")
    clerk.go_back()
    # The resident, told at the station, confirms there by the tracking code.
    clerk.locator("[data-tc-waiting=proxy] .card").first.get_by_role(
        "link", name="代群众确认"
    ).click()
    clerk.select_option("select[name=rating]", "5")
    clerk.fill("input[name=comment]", "不用跑城里了")
    clerk.get_by_role("button", name="确认办结").click()
    clerk.wait_for_function(
        "document.querySelector('[data-testid=need-state]').textContent.includes('群众已确认')"
    )
    need.refresh_from_db()
    assert need.state == NeedState.CONFIRMED and need.rating == 5
    clerk.goto("/")
    assert "暂无待办。" in clerk.locator("[data-tc-waiting=proxy]").inner_text()
    assert clerk.console_errors == [] and staff.console_errors == []
