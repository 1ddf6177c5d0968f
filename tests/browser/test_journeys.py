"""Journeys a person takes, in a real Chromium against the live server."""

import io

import openpyxl
import pytest

from tests.browser.session import login
from tongchou.core.tests.factories import (
    OrganizationFactory,
    RegionFactory,
    UserFactory,
    create_member,
    grant,
    make_id_number,
)
from tongchou.members.models import Member
from tongchou.organizations.models import OrgKind, RoleKind
from tongchou.regions.models import RegionLevel, UrbanRural

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-123"


@pytest.fixture
def village_world():
    street_region = RegionFactory(code="640221100", name="姚伏镇", urban_rural=UrbanRural.RURAL)
    own_region = RegionFactory(
        code="640221100201", name="姚伏村", level=RegionLevel.VILLAGE, parent=street_region
    )
    other_region = RegionFactory(
        code="640221100202", name="小店子村", level=RegionLevel.VILLAGE, parent=street_region
    )
    town = OrganizationFactory(name="姚伏镇党委", region=street_region, code="T-TOWN")
    own = OrganizationFactory(
        name="姚伏村党支部",
        kind=OrgKind.BRANCH,
        parent=town,
        region=own_region,
        code="T-OWN",
        urban_rural=UrbanRural.RURAL,
    )
    other = OrganizationFactory(
        name="小店子村党支部",
        kind=OrgKind.BRANCH,
        parent=town,
        region=other_region,
        code="T-OTHER",
        urban_rural=UrbanRural.RURAL,
    )
    create_member(own, name="马文明")
    create_member(other, name="外村党员")
    secretary = UserFactory(username="village_secretary")
    grant(secretary, own, RoleKind.SECRETARY)
    return {"own": own, "other": other, "secretary": secretary}


def test_village_secretary_adds_a_member_fixes_a_bad_id_finds_and_exports(page, village_world):
    own, other = village_world["own"], village_world["other"]
    login(page, "village_secretary")

    # Sees only their own subtree: their branch, not the neighbouring village's.
    page.goto("/orgs/")
    assert page.get_by_text("姚伏村党支部").first.is_visible()
    assert page.get_by_text("小店子村党支部").count() == 0
    response = page.goto(f"/orgs/{other.pk}/")
    assert response.status == 404
    expected_failure = f"HTTP 404 {page.url}"
    assert page.console_errors == [expected_failure]
    page.console_errors.clear()  # that 404 was the point; nothing else may fail
    page.goto("/members/")
    assert page.get_by_text("马文明").first.is_visible()
    assert page.get_by_text("外村党员").count() == 0

    # Adds a member with a bad ID number (wrong check character) and reads the error.
    good_id = make_id_number(region="640221", gender="F")
    bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    page.goto("/members/new/")
    page.fill("input[name=name]", "李秀兰")
    page.fill("input[name=id_number]", bad_id)  # birth date and gender come from it
    page.fill("input[name=phone]", "13995012345")
    page.select_option("select[name=category]", "full")
    page.fill("input[name=admission_date]", "2010-07-01")
    page.fill("input[name=full_member_date]", "2011-07-01")
    page.fill("input[name=organization]", own.code)
    page.get_by_role("button", name="保存").click()
    page.get_by_role("alert").filter(has_text="校验码").first.wait_for()
    assert Member.objects.filter(name="李秀兰").count() == 0

    # Fixes it and saves.
    page.fill("input[name=id_number]", good_id)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(lambda url: "/members/new/" not in url)
    assert Member.objects.filter(name="李秀兰", organization=own).count() == 1
    assert page.get_by_text(good_id).count() == 0  # masked on the detail page
    assert page.get_by_text(good_id[:6] + "********" + good_id[-4:]).first.is_visible()

    # Finds the member by name.
    page.goto("/members/")
    page.fill("input[name=q]", "李秀兰")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("table").get_by_text("李秀兰").first.is_visible()
    assert page.locator("table").get_by_text("马文明").count() == 0

    # Finds the member by the full ID number: the page posts it, so it is in no URL.
    page.goto("/members/")
    page.fill("input[name=q]", good_id.lower())
    page.press("input[name=q]", "Enter")
    page.wait_for_url(lambda url: "/members/" in url and url.rstrip("/").split("/")[-1].isdigit())
    assert good_id not in page.url and good_id.lower() not in page.url
    assert page.get_by_text("李秀兰").first.is_visible()

    # Exports the list: an .xlsx with the member, ID masked.
    page.goto("/members/")
    page.fill("input[name=q]", "李秀兰")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出Excel").click()
    data = download_info.value.path().read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "李秀兰" in cells
    assert good_id not in cells
    assert good_id[:6] + "********" + good_id[-4:] in cells
    assert not page.console_errors, page.console_errors
