"""Shared resources, in a real Chromium: a village secretary of 平罗县 finds a free room for 40
people in the city Party service centre (大武口区) on a working afternoon, books it; another
village's secretary trying the same slot is refused on the form; the first secretary records
the theme day held there without typing place or time again; and the city's flow report shows
one urban→rural use."""

import pytest
from django.utils import timezone

from tests.browser.session import login
from tongchou.core.tests.factories import OrganizationFactory, RegionFactory, UserFactory, grant
from tongchou.organizations.models import OrgKind, RoleKind
from tongchou.orglife.models import Session
from tongchou.regions.models import RegionKind, RegionLevel, UrbanRural
from tongchou.resources import services
from tongchou.resources.models import Booking
from tongchou.resources.tests.factories import WEEKDAYS_8_TO_18, workday

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-123"


@pytest.fixture
def shared_world():
    city_r = RegionFactory(code="6402", name="石嘴山市", level=RegionLevel.CITY)
    dawukou_r = RegionFactory(
        code="640202", name="大武口区", level=RegionLevel.COUNTY, parent=city_r
    )
    street_r = RegionFactory(
        code="640202001",
        name="长胜街道",
        level=RegionLevel.TOWNSHIP,
        parent=dawukou_r,
        kind=RegionKind.STREET,
        urban_rural=UrbanRural.URBAN,
    )
    pingluo_r = RegionFactory(code="640221", name="平罗县", level=RegionLevel.COUNTY, parent=city_r)
    town_r = RegionFactory(
        code="640221100",
        name="姚伏镇",
        level=RegionLevel.TOWNSHIP,
        parent=pingluo_r,
        urban_rural=UrbanRural.RURAL,
    )
    villages_r = [
        RegionFactory(
            code=f"640221100{n}",
            name=name,
            level=RegionLevel.VILLAGE,
            parent=town_r,
            urban_rural=UrbanRural.RURAL,
        )
        for n, name in (("201", "姚伏村"), ("202", "小店子村"))
    ]

    def org(name, code, kind, region, parent=None, **kw):
        return OrganizationFactory(
            name=name, code=code, kind=kind, region=region, parent=parent, **kw
        )

    city = org("石嘴山市委", "6402", OrgKind.COMMITTEE, city_r)
    dawukou = org("大武口区委", "640202", OrgKind.COMMITTEE, dawukou_r, city)
    org("长胜街道党工委", "640202001", OrgKind.WORKING_COMMITTEE, street_r, dawukou)
    pingluo = org("平罗县委", "640221", OrgKind.COMMITTEE, pingluo_r, city)
    town = org("姚伏镇党委", "640221100", OrgKind.COMMITTEE, town_r, pingluo)
    yaofu = org("姚伏村党支部", "V-YAOFU", OrgKind.BRANCH, villages_r[0], town, urban_rural="rural")
    other = org(
        "小店子村党支部", "V-XIAODIANZI", OrgKind.BRANCH, villages_r[1], town, urban_rural="rural"
    )
    root = UserFactory(username="root", is_superuser=True)
    room = services.resource_create(
        actor=root,
        owner=city,
        region=street_r,
        kind="room",
        name="市党群服务中心第一会议室",
        address="长胜街道党群服务中心三楼",
        capacity=60,
        visibility="all",
        auto_confirm=True,
        opening_hours=WEEKDAYS_8_TO_18,
        buffer_before=15,
        buffer_after=15,
    )
    for username, organization, kind in [
        ("village_secretary", yaofu, RoleKind.SECRETARY),
        ("other_secretary", other, RoleKind.SECRETARY),
        ("city_admin", city, RoleKind.ADMIN),
    ]:
        grant(UserFactory(username=username), organization, kind)
    return {"room": room, "village": yaofu}


def test_a_village_books_a_city_room_and_the_flow_is_counted(page, shared_world):
    room = shared_world["room"]
    day = workday()

    # 1. The village secretary looks for a room for 40 in 大武口区 that afternoon.
    login(page, "village_secretary")
    page.goto("/resources/")
    page.select_option("select[name=kind]", "room")
    page.select_option("select[name=region]", "640202")
    page.fill("input[name=capacity]", "40")
    page.fill("input[name=day]", day.isoformat())
    page.fill("input[name=start]", "14:00")
    page.fill("input[name=end]", "16:00")
    page.get_by_role("button", name="查找", exact=True).click()
    page.wait_for_url(lambda url: "capacity=40" in url)
    row = page.locator("tr", has_text="市党群服务中心第一会议室")
    assert row.count() == 1
    row.get_by_role("link", name="预约").click()
    page.wait_for_url(lambda url: "/book/" in url)
    # Day, time and people come from the search; the branch from the secretary's one role.
    assert page.input_value("input[name=day]") == day.isoformat()
    assert page.input_value("input[name=start]") == "14:00"
    assert page.input_value("input[name=organization]") == "V-YAOFU"
    page.fill("input[name=purpose]", "主题党日：走进城市党群服务中心")
    page.get_by_role("button", name="预约", exact=True).click()
    page.wait_for_url(lambda url: "/resources/bookings/" in url)
    assert page.locator("#booking-state").inner_text() == "已确认"
    booking = Booking.objects.get()
    assert booking.people == 40 and booking.direction == "u2r"

    # 2. Another village's secretary tries the same slot: refused, on the form, nothing made.
    login(page, "other_secretary")
    page.goto(f"/resources/{room.pk}/book/?day={day.isoformat()}&start=15:00&end=17:00")
    page.fill("input[name=purpose]", "党员大会")
    page.fill("input[name=people]", "20")
    page.get_by_role("button", name="预约", exact=True).click()
    assert page.get_by_text("该时段已被预约").first.is_visible()
    assert Booking.objects.count() == 1

    # 3. The theme day is recorded at the booking: place and time are already there.
    login(page, "village_secretary")
    page.goto(f"/resources/bookings/{booking.pk}/")
    page.get_by_role("link", name="在此登记组织生活").click()
    page.wait_for_url(lambda url: "/life/" in url)
    assert "市党群服务中心第一会议室" in page.input_value("input[name=place]")
    starts = timezone.localtime(booking.starts_at).strftime("%Y-%m-%dT%H:%M")
    assert page.input_value("input[name=starts_at]") == starts
    page.select_option("select[name=kind]", "theme_day")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(lambda url: "/new/" not in url and "booking=" not in url)
    session = Session.objects.get()
    booking.refresh_from_db()
    assert booking.session == session and session.organization == shared_world["village"]

    # 4. The city's flow report: one use, urban → rural.
    login(page, "city_admin")
    page.goto(f"/resources/flows/?year={day.year}")
    u2r = page.locator("#flow-totals tr[data-direction=u2r] td.uses")
    assert u2r.inner_text() == "1"
    assert page.locator("#flow-totals tr[data-direction=r2u] td.uses").inner_text() == "0"
    page.locator("#flow-totals tr[data-direction=u2r] a").click()
    assert page.get_by_text("姚伏村党支部").first.is_visible()
    assert not page.console_errors, page.console_errors
