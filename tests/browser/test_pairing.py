"""Pairing, in a real Chromium: a village secretary registers a pair with a city street, adds
this year's promise of joint theme days; the street holds one with the village as partner;
the pair's page shows it promised beside flowed (city→village), and switches years."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.session import login
from tests.world import build_world
from tongchou.pairing.models import Pair
from tongchou.pairing.tests.factories import joint_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_secretary_pairs_with_a_street_and_reads_the_summary(page, tmp_path):
    world = build_world()
    year = timezone.localdate().year
    login(page, "secretary_a")
    page.goto("/pairing/new/")
    page.fill("input[name=name]", "甲街道·甲村结对共建")
    page.fill("input[name=starts_on]", f"{year - 1}-01-01")
    page.fill("input[name=ends_on]", f"{year}-12-31")
    page.fill("textarea[name=organizations]", f"{world.a.street.code} {world.a.village.code}")
    page.click("button:has-text('保存')")
    page.wait_for_url("**/pairing/*/")
    pair = Pair.objects.get()
    page.select_option("select[name=kind]", "activities")
    page.fill("input[name=description]", "联合主题党日")
    page.fill("input[name=quantity]", "4")
    page.click("button:has-text('添加事项')")
    page.wait_for_load_state()
    joint_session(
        world.a.street,
        [world.a.village],
        timezone.localdate() - dt.timedelta(days=1),
        present=world.a.members,
        topic="城乡联学党课",
    )
    page.goto(f"/pairing/{pair.pk}/?year={year}")
    body = page.content()
    assert "城乡联学党课" in body and "约定 4 次，实际 1 次" in body
    assert "1 次 · 2 人次" in page.locator("table").first.inner_text()
    page.screenshot(path=str(tmp_path / "pair.png"), full_page=True)
    page.click(f"a.page-link:has-text('{year - 1}')")
    page.wait_for_url(f"**?year={year - 1}")
    assert "本年度暂无往来记录" in page.content()
    assert page.console_errors == []
