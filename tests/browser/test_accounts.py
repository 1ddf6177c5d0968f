"""Enrolling people, in a real Chromium: a county admin opens a village secretary's account with
the secretary role and their own member record; the secretary signs in, must choose a password,
and opens accounts for the whole branch; a member signs in with the printed initial password,
chooses their own and sees their record at /me/."""

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
from tongchou.organizations.models import OrgKind, RoleKind
from tongchou.regions.models import RegionLevel, UrbanRural

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-123"


@pytest.fixture
def county():
    county_region = RegionFactory(code="640221", name="平罗县", level=RegionLevel.COUNTY)
    town_region = RegionFactory(
        code="640221100", name="姚伏镇", parent=county_region, urban_rural=UrbanRural.RURAL
    )
    village_region = RegionFactory(
        code="640221100201", name="姚伏村", level=RegionLevel.VILLAGE, parent=town_region
    )
    county = OrganizationFactory(name="平罗县委", region=county_region, code="T-COUNTY")
    town = OrganizationFactory(name="姚伏镇党委", region=town_region, parent=county, code="T-TOWN")
    village = OrganizationFactory(
        name="姚伏村党支部",
        kind=OrgKind.BRANCH,
        parent=town,
        region=village_region,
        code="T-VILLAGE",
        urban_rural=UrbanRural.RURAL,
    )
    secretary_record = create_member(village, name="马书记")
    member = create_member(village, name="马文明")
    create_member(village, name="马晓兰")
    admin = UserFactory(username="county_admin")
    grant(admin, county, RoleKind.ADMIN)
    return {"village": village, "secretary_record": secretary_record, "member": member}


def choose_own_password(page, old: str, new: str) -> None:
    """Every page leads to the password change until the person has chosen their own."""
    page.goto("/")
    page.wait_for_url("**/password/")
    assert page.get_by_text("请先设置您自己的密码").is_visible()
    page.fill("input[name=old_password]", old)
    page.fill("input[name=new_password1]", new)
    page.fill("input[name=new_password2]", new)
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_url("**/password/done/")


def test_a_county_enrols_a_secretary_who_enrols_the_branch(page, county):
    village = county["village"]

    # 1. The county admin opens the secretary's account: role and own member record at once.
    login(page, "county_admin", PASSWORD)
    page.get_by_role("button", name="管理").click()
    page.get_by_role("link", name="账号与角色").click()
    page.get_by_role("link", name="开通账号").click()
    page.select_option("select[name=org]", str(village.pk))
    page.get_by_role("button", name="下一步").click()
    page.fill("input[name=username]", "yaofu_shuji")
    page.fill("input[name=name]", "马书记")
    page.select_option("select[name=member]", str(county["secretary_record"].pk))
    page.select_option("select[name=kind]", "secretary")
    page.get_by_role("button", name="开通", exact=True).click()
    page.get_by_text("账号已开通").first.wait_for()
    secretary_password = page.locator("[data-tc-password]").inner_text().strip()
    assert len(secretary_password) == 14

    # 2. The secretary signs in with it and must choose their own password first.
    login(page, "yaofu_shuji", secretary_password)
    choose_own_password(page, secretary_password, "Lotus-Pond-2026")
    page.goto("/")
    assert page.get_by_text("姚伏村党支部 · 书记").is_visible()
    page.goto("/me/")
    assert page.get_by_text("我的 · 马书记").is_visible()

    # 3. The secretary opens accounts for everyone of the branch who has none, and prints.
    page.goto("/accounts/")
    page.get_by_role("link", name="批量开通党员账号").click()
    page.select_option("select[name=org]", str(village.pk))
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="为 2 名党员开通账号").click()
    row = page.locator("tr", has_text="马文明")
    username = row.locator("[data-tc-username]").inner_text().strip()
    initial = row.locator("[data-tc-password]").inner_text().strip()
    assert username == f"dy{county['member'].pk:06d}"
    assert page.get_by_role("button", name="打印").is_visible()

    # 4. The member signs in with the printed password, chooses their own, sees their record.
    login(page, username, initial)
    choose_own_password(page, initial, "Spring-River-2026")
    page.goto("/me/")
    assert page.get_by_text("我的 · 马文明").is_visible()
    assert page.get_by_text("姚伏村党支部").first.is_visible()
    assert Member.objects.get(user__username=username).pk == county["member"].pk
    assert page.console_errors == []
