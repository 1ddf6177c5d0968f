"""Members in motion, in a real Chromium: a village member goes to work in a city street, is
met there by the street's member service station, takes part in the street's organizational
life online and in a skills training at the station, moves their organizational relation to
a community branch in the street (requested by themself, approved by both levels of the home
side — the dues month stated, the letter issued by the county committee with its phone —
accepted by the receiving branch), and their own page shows the whole history. The community
branch also records a theme day: everyone present at once, one member excused."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.session import login
from tongchou.core.tests.factories import (
    OrganizationFactory,
    RegionFactory,
    UserFactory,
    create_member,
    grant,
)
from tongchou.education.models import StudyRecord
from tongchou.members.models import Member
from tongchou.mobility.models import MobileMember, ServiceStation
from tongchou.organizations.models import OrgKind, RoleKind
from tongchou.orglife.models import Attendance, Session
from tongchou.regions.models import RegionKind, RegionLevel, UrbanRural
from tongchou.transfers.models import Transfer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-123"


@pytest.fixture
def motion_world():
    city_r = RegionFactory(code="6402", name="石嘴山市", level=RegionLevel.CITY)
    pingluo_r = RegionFactory(code="640221", name="平罗县", level=RegionLevel.COUNTY, parent=city_r)
    town_r = RegionFactory(
        code="640221100",
        name="姚伏镇",
        level=RegionLevel.TOWNSHIP,
        parent=pingluo_r,
        urban_rural=UrbanRural.RURAL,
    )
    village_r = RegionFactory(
        code="640221100201",
        name="姚伏村",
        level=RegionLevel.VILLAGE,
        parent=town_r,
        urban_rural=UrbanRural.RURAL,
    )
    dawukou_r = RegionFactory(
        code="640202", name="大武口区", level=RegionLevel.COUNTY, parent=city_r
    )
    street_r = RegionFactory(
        code="640202001",
        name="长胜街道",
        level=RegionLevel.TOWNSHIP,
        parent=dawukou_r,
        kind=RegionKind.STREET,
    )
    community_r = RegionFactory(
        code="640202001001", name="长胜社区", level=RegionLevel.VILLAGE, parent=street_r
    )

    def org(name, code, kind, region, parent=None, **kw):
        return OrganizationFactory(
            name=name, code=code, kind=kind, region=region, parent=parent, **kw
        )

    city = org("石嘴山市委", "6402", OrgKind.COMMITTEE, city_r)
    pingluo = org("平罗县委", "640221", OrgKind.COMMITTEE, pingluo_r, city)
    town = org("姚伏镇党委", "640221100", OrgKind.COMMITTEE, town_r, pingluo)
    village = org(
        "姚伏村党支部", "V-YAOFU", OrgKind.BRANCH, village_r, town, urban_rural=UrbanRural.RURAL
    )
    dawukou = org("大武口区委", "640202", OrgKind.COMMITTEE, dawukou_r, city)
    street = org("长胜街道党工委", "640202001", OrgKind.WORKING_COMMITTEE, street_r, dawukou)
    community = org("长胜社区党支部", "C-CHANGSHENG", OrgKind.BRANCH, community_r, street)
    create_member(community, name="社区老党员", birth_date=dt.date(1960, 1, 1))
    create_member(community, name="社区党员乙", birth_date=dt.date(1975, 5, 5))

    villager = UserFactory(username="villager")
    grant(villager, village, RoleKind.MEMBER)
    member = create_member(village, name="马文明", phone="13995011111")
    Member.objects.filter(pk=member.pk).update(user=villager)
    station = ServiceStation.objects.create(
        name="长胜街道党员服务站",
        kind="city_street",
        organization=street,
        org_path=street.path,
        region=street_r,
        address="大武口区长胜街道便民服务中心二楼",
        services=["transfer", "training", "org_life"],
    )
    station.staff.add(UserFactory(username="station_staff"))
    for username, organization, kind in [
        ("village_secretary", village, RoleKind.SECRETARY),
        ("county_admin", pingluo, RoleKind.ADMIN),
        ("street_secretary", street, RoleKind.SECRETARY),
        ("community_secretary", community, RoleKind.SECRETARY),
    ]:
        grant(UserFactory(username=username), organization, kind)
    return {"member": member, "station": station, "street": street, "community": community}


def submit(page, label: str, *, leaving: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_url(lambda url: leaving not in url)


def test_a_villager_goes_to_work_in_the_city_and_the_record_follows(page, motion_world):
    member = motion_world["member"]
    station = motion_world["station"]
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)

    # 1. The villager registers going to work in the city street, on their own page.
    login(page, "villager")
    page.goto("/me/")
    assert page.get_by_text("未外出").is_visible()
    page.click("a[href='/me/going-out/']")
    page.fill("input[name=destination_region]", "640202001")
    page.fill("input[name=since]", (today - dt.timedelta(days=30)).isoformat())
    page.select_option("select[name=reason]", "work")
    page.fill("input[name=contact]", "13995012345")
    page.fill("input[name=note]", "在长胜街道送快递")
    submit(page, "提交", leaving="/going-out/")
    assert page.get_by_text("起在外流动").first.is_visible()
    assert page.get_by_text("13995012345").count() == 0  # the contact is not shown in full
    spell = MobileMember.objects.get(member=member)
    assert spell.status == "open" and spell.station is None

    # 2. The street's member service station registers the arrival: the same spell.
    login(page, "station_staff")
    page.goto("/mobility/inflow/")
    page.select_option("select[name=station]", str(station.pk))
    page.fill("input[name=id_number]", member.id_number)
    page.fill("input[name=name]", "马文明")
    page.fill("input[name=home_text]", "姚伏村党支部")  # as the person says (asked of everyone)
    page.fill("input[name=since]", (today - dt.timedelta(days=28)).isoformat())
    page.select_option("select[name=reason]", "work")
    submit(page, "登记", leaving="/mobility/inflow/")
    spell.refresh_from_db()
    assert spell.station == station and MobileMember.objects.count() == 1

    # The station also holds a skills training; the villager took part.
    page.goto("/education/trainings/new/")
    page.select_option("select[name=station]", str(station.pk))
    page.fill("input[name=title]", "快递外卖骑手交通安全培训")
    page.fill("input[name=skill]", "快递安全")
    page.fill("input[name=held_on]", yesterday.isoformat())
    page.fill("input[name=hours]", "3")
    submit(page, "保存", leaving="/trainings/new/")
    page.get_by_role("link", name="登记参训党员").click()
    page.check(f"input[name=members][value='{member.pk}']")
    submit(page, "保存参训名单", leaving="/participants/")
    assert StudyRecord.objects.get(member=member).hours == 3

    # 3. The street holds its theme day online; the villager attended from their phone.
    login(page, "street_secretary")
    page.goto("/life/new/")
    page.fill("input[name=organization]", motion_world["street"].code)
    page.select_option("select[name=kind]", "theme_day")
    page.fill("input[name=starts_at]", f"{yesterday.isoformat()}T19:30")
    page.select_option("select[name=format]", "online")
    page.fill("input[name=online_link]", "腾讯会议 123 456 789")
    page.fill("input[name=topic]", "新就业群体党员主题党日")
    submit(page, "保存", leaving="/life/new/")
    session = Session.objects.get(organization=motion_world["street"])
    page.select_option(f"select[name=m_{member.pk}]", "online")
    page.get_by_role("button", name="保存出席情况").click()
    page.get_by_text("已保存出席情况").wait_for()
    assert Attendance.objects.get(session=session, member=member).status == "online"

    # The community branch records its own theme day: the host picked from its members,
    # everyone present at once but the one excused.
    login(page, "community_secretary")
    community = motion_world["community"]
    page.goto(f"/life/new/?org={community.pk}")
    page.select_option("select[name=kind]", "theme_day")
    page.fill("input[name=starts_at]", f"{yesterday.isoformat()}T09:00")
    page.fill("input[name=topic]", "社区主题党日")
    host = Member.objects.get(name="社区老党员")
    page.select_option("select[name=host]", str(host.pk))
    submit(page, "保存", leaving="/life/new/")
    theme_day = Session.objects.get(organization=community)
    assert theme_day.host == host
    excused = Member.objects.get(name="社区党员乙")
    page.select_option(f"select[name=m_{excused.pk}]", "excused")
    page.get_by_role("button", name="全部线下参加", exact=True).click()
    page.get_by_text("已保存出席情况").wait_for()
    turnout = page.locator("[data-tc-turnout]")
    assert "应到 2 人" in turnout.inner_text() and "实到 1 人" in turnout.inner_text()
    assert dict(theme_day.attendance.values_list("member__name", "status")) == {
        "社区老党员": "offline",
        "社区党员乙": "excused",
    }

    # 4. The villager asks to move their organizational relation to the street's community.
    login(page, "villager")
    page.goto("/me/")
    page.click("a[href='/me/transfer/']")
    page.fill("input[name=to_org]", "C-CHANGSHENG")
    page.fill("textarea[name=reason]", "在长胜街道长期务工，就近参加组织生活")
    submit(page, "提交", leaving="/me/transfer/")
    transfer = Transfer.objects.get(member=member)
    assert page.get_by_text(transfer.get_state_display()).first.is_visible()

    # 5. The home branch approves, stating the month the dues are paid up to; the county
    # committee approves too (it crosses counties), which issues the letter with its phone …
    login(page, "village_secretary")
    page.goto(f"/transfers/{transfer.pk}/")
    assert page.locator("input[name='approve_out-version']").input_value() == "1"
    page.fill("input[name='approve_out-dues_paid_to']", f"{today:%Y-%m}")
    page.get_by_role("button", name="同意转出，报上级党委审批", exact=True).click()
    page.get_by_text("已同意转出").wait_for()
    transfer.refresh_from_db()
    assert transfer.state == "out_approved" and transfer.letter_number == ""
    login(page, "county_admin")
    page.goto(f"/transfers/{transfer.pk}/")
    page.fill("input[name='approve_upper-issuer_phone']", "0952-6012345")
    page.get_by_role("button", name="上级党委审批同意并开具介绍信", exact=True).click()
    page.get_by_text("介绍信已开具").wait_for()
    transfer.refresh_from_db()
    assert transfer.letter_number and transfer.issuer_phone == "0952-6012345"
    # The printable letter: the three parts, in Chinese.
    page.goto(f"/transfers/{transfer.pk}/letter/")
    assert page.get_by_text("中国共产党党员组织关系介绍信回执").is_visible()
    assert page.get_by_text(f"党费已交到{today.year}年{today.month}月").is_visible()
    # 6. … and the receiving branch accepts.
    login(page, "community_secretary")
    page.goto(f"/transfers/{transfer.pk}/")
    page.get_by_role("button", name="接收", exact=True).click()
    page.get_by_text("组织关系转接完成").wait_for()
    transfer.refresh_from_db()
    assert transfer.state == "completed"
    member.refresh_from_db()
    assert member.organization == motion_world["community"]

    # 7. The member's own page shows the whole history.
    login(page, "villager")
    page.goto("/me/")
    own_org = page.locator("[data-tc-own-org]")
    assert own_org.inner_text() == "长胜社区党支部"
    transfers = page.locator("#tc-panel-transfers")
    assert transfers.get_by_text("已完成").first.is_visible()
    assert transfers.get_by_text("长胜社区党支部").first.is_visible()
    mobility = page.locator("#tc-panel-mobility")
    assert mobility.get_by_text("长胜街道党员服务站").first.is_visible()
    orglife = page.locator("#tc-panel-orglife")
    assert orglife.get_by_text("线上参加").first.is_visible()
    education = page.locator("#tc-panel-education")
    assert education.get_by_text("快递外卖骑手交通安全培训").first.is_visible()
    if yesterday.year == today.year:
        assert education.get_by_text("3 / 32 学时").first.is_visible()
    assert member.id_number not in page.content()
    assert not page.console_errors, page.console_errors
