"""The matching round, in a real Chromium: a county's coordinator runs a round, reads why each
pair holds and why a slot stays empty, removes a pair, confirms; the village secretary finds the
exchange waiting on their home page."""

import datetime as dt

import pytest

from tests.browser.session import login
from tests.world import build_world
from tongchou.talent import services
from tongchou.talent.models import Assignment
from tongchou.talent.tests.factories import ensure_taxonomy, make_expert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_runs_adjusts_and_confirms_a_round(page):
    ensure_taxonomy()
    world = build_world()
    start = dt.date.today() + dt.timedelta(days=30)
    near = make_expert(world.a.street, name="张农技", lat=39.0, lon=106.4)
    other = make_expert(world.a.street, name="李农技", lat=39.05, lon=106.4)
    for t in (near, other):
        t.availability.create(first_day=start, last_day=start + dt.timedelta(days=90))
    for title, skill in (
        ("枸杞防治", "agri-tech"),
        ("葡萄修剪", "agri-tech"),
        ("养老院", "elderly-care"),
    ):
        services.need_create(
            actor=world.admin_a,
            organization=world.a.village,
            title=title,
            skill=skill,
            first_day=start + dt.timedelta(days=5),
            last_day=start + dt.timedelta(days=15),
            lat=39.01,
            lon=106.4,
            slots=1,
        )

    login(page, "admin_a")
    page.goto("/talent/rounds/")
    page.fill("input[name=organization]", world.a.county.code)
    page.click("button:has-text('开始匹配')")
    page.wait_for_url("**/talent/rounds/*/")
    rows = page.locator("tr[data-tc-proposal]")
    assert rows.count() == 2
    assert "公里" in rows.first.inner_text()
    assert "没有人具备该技能" in page.content()
    rows.first.locator("button[value=remove]").click()
    page.wait_for_load_state()
    assert page.locator("tr[data-tc-proposal]").count() == 1
    page.click("button[value=confirm]")
    page.wait_for_load_state()
    assert "已确认 1 项交流任职" in page.content()
    assert Assignment.objects.count() == 1
    assert page.console_errors == []

    page.goto("/login/")
    page.context.clear_cookies()
    login(page, "secretary_a")
    waiting = page.locator("[data-tc-waiting=exchanges]")
    assert waiting.count() == 1
    assert world.a.village.name in waiting.inner_text()
