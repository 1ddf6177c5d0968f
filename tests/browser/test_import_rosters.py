"""A village secretary imports the rosters they have, in a real Chromium: an .xlsx with a
title row, a 序号 column, ID numbers typed with full-width digits and the branch by name; then
an old .xls; the members appear, and one is found by a full-width ID number typed in the
search box (posted, never in the URL)."""

import datetime as dt
import io

import openpyxl
import pytest
import xlwt

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
from tongchou.regions.models import RegionLevel, UrbanRural

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-123"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
HEADERS = ["序号", "姓名", "性别", "民族", "公民身份号码", "出生年月", "联系电话", "文化程度",
           "人员类别", "入党时间", "转正时间", "所在党支部", "备注"]  # fmt: skip


@pytest.fixture
def village(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    town_region = RegionFactory(code="640205100", name="红果子镇", urban_rural=UrbanRural.RURAL)
    region = RegionFactory(
        code="640205100201", name="红果子村", level=RegionLevel.VILLAGE, parent=town_region
    )
    town = OrganizationFactory(name="红果子镇党委", region=town_region, code="H-TOWN")
    branch = OrganizationFactory(
        name="红果子村党支部",
        kind=OrgKind.BRANCH,
        parent=town,
        region=region,
        code="H-VILLAGE",
        urban_rural=UrbanRural.RURAL,
    )
    create_member(branch, name="已在册党员")
    secretary = UserFactory(username="hg_secretary")
    grant(secretary, branch, RoleKind.SECRETARY)
    return branch


def person(seq: int, name: str) -> list:
    birth = dt.date(1980 + seq, 3, 14)
    return [seq, name, "男", "汉", id_number(birth, "M", seq).translate(FULL_WIDTH),
            f"{birth:%Y.%m}", f"1390000{seq:04d}", "大专", "正式", "2010.07", "2011.07",
            "红果子村党支部", ""]  # fmt: skip


def roster_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["红果子村党支部党员花名册"])
    sheet.merge_cells("A1:M1")
    sheet.append([])
    sheet.append(HEADERS)
    sheet.append(person(1, "马建国"))
    sheet.append(person(2, "马建军"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def roster_xls() -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("花名册")
    rows = [["红果子村党支部党员花名册（2003版）"], HEADERS, person(3, "杨树林")]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value != "":
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(page, name: str, data: bytes, mime: str) -> None:
    page.goto("/members/import/")
    picker = page.locator("input[type=file]")
    accept = picker.get_attribute("accept")
    assert ".xls," in accept and ".et" in accept and ".xlsx" in accept
    picker.set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url(lambda url: "/members/import/" in url and url.rstrip("/")[-1].isdigit())
    page.locator("[data-status=done]").wait_for()


def test_a_secretary_imports_the_rosters_they_have(page, village):
    login(page, "hg_secretary")

    upload(page, "红果子村花名册.xlsx", roster_xlsx(), "application/vnd.ms-excel")
    assert page.get_by_text("已导入2名党员").is_visible()
    notices = page.locator("[data-notices]")
    assert "标题" in notices.inner_text() and "序号" in notices.inner_text()

    upload(page, "红果子村花名册2003.xls", roster_xls(), "application/vnd.ms-excel")
    assert page.get_by_text("已导入1名党员").is_visible()

    imported = Member.objects.filter(organization=village).exclude(name="已在册党员")
    assert sorted(imported.values_list("name", flat=True)) == ["杨树林", "马建军", "马建国"]
    assert imported.get(name="马建国").id_number == id_number(dt.date(1981, 3, 14), "M", 1)

    page.goto("/members/")
    table = page.locator("table")
    for name in ("马建国", "马建军", "杨树林", "已在册党员"):
        assert table.get_by_text(name).first.is_visible()

    # The search box takes the ID number as typed with full-width digits, and posts it.
    typed = id_number(dt.date(1983, 3, 14), "M", 3).translate(FULL_WIDTH)
    page.fill("input[name=q]", typed)
    page.press("input[name=q]", "Enter")
    page.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit())
    assert page.get_by_text("杨树林").first.is_visible()
    assert id_number(dt.date(1983, 3, 14), "M", 3) not in page.url
    assert not page.console_errors, page.console_errors
