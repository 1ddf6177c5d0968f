"""Forms that do not ask twice, in a real Chromium: the member form reads birth date and gender
off the ID number as it is typed (static/js/id-facts.js), the region pickers search by name
(static/js/region-search.js), and the member search posts an ID number instead of putting it
in the address (static/js/app.js)."""

import datetime as dt

import pytest

from tests.browser.session import login
from tongchou.core.tests.factories import (
    OrganizationFactory,
    RegionFactory,
    UserFactory,
    create_member,
    grant,
)
from tongchou.members.models import Member
from tongchou.members.tests.conftest import id_number
from tongchou.organizations.models import OrgKind, RoleKind
from tongchou.regions.models import RegionLevel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-123"


@pytest.fixture
def branch():
    county_r = RegionFactory(code="640202", name="大武口区", level=RegionLevel.COUNTY)
    RegionFactory(code="640202001", name="长胜街道", level=RegionLevel.TOWNSHIP, parent=county_r)
    RegionFactory(code="640202002", name="长城街道", level=RegionLevel.TOWNSHIP, parent=county_r)
    county = OrganizationFactory(name="大武口区委", code="640202", kind=OrgKind.COMMITTEE,
                                 region=county_r)  # fmt: skip
    village = OrganizationFactory(name="潮湖村党支部", code="V-A", kind=OrgKind.BRANCH,
                                  region=county_r, parent=county)  # fmt: skip
    grant(UserFactory(username="secretary"), village, RoleKind.SECRETARY)
    return village


def test_a_secretary_adds_a_member_typing_each_fact_once(page, branch):
    login(page, "secretary")
    page.goto("/members/new/")
    assert page.input_value("input[name=organization]") == "V-A"  # the branch they manage
    number = id_number(dt.date(1990, 7, 1), "F", seq=3)
    page.fill("input[name=name]", "李秀兰")
    page.locator("input[name=id_number]").press_sequentially(f"{number[:6]} {number[6:]}")
    assert page.input_value("input[name=birth_date]") == "1990-07-01"
    assert page.input_value("input[name=gender]") == "女"
    assert page.locator("input[name=birth_date]").is_disabled()
    page.locator("input[name=home_region]").press_sequentially("长胜")
    page.locator("datalist option[value='长胜街道（640202001）']").wait_for(state="attached")
    page.fill("input[name=home_region]", "长胜街道（640202001）")
    page.select_option("select[name=category]", "full")
    page.fill("input[name=admission_date]", "2015-07-01")
    page.fill("input[name=full_member_date]", "2016-07-01")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "/members/new/" not in page.url, page.locator(".tc-errors").all_inner_texts()
    member = Member.objects.get(name="李秀兰")
    assert (member.birth_date, member.gender) == (dt.date(1990, 7, 1), "F")
    assert member.home_region_id == "640202001" and member.organization == branch
    assert not page.console_errors, page.console_errors


def test_the_member_search_never_puts_an_id_number_in_the_address(page, branch):
    member = create_member(branch, name="王建军")
    login(page, "secretary")
    page.goto("/members/")
    wide = member.id_number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    page.fill("input[name=q]", wide)
    page.press("input[name=q]", "Enter")
    page.wait_for_url(f"**/members/{member.pk}/")
    assert member.id_number not in page.url
    assert not page.console_errors, page.console_errors
