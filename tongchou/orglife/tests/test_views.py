import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tongchou.core.models import AuditEvent
from tongchou.orglife.models import Attendance, Session, SessionKind
from tongchou.orglife.tests.conftest import at, spell
from tongchou.orglife.tests.test_selectors import attend, session

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def form_data(**overrides) -> dict:
    data = {
        "organization": "",
        "kind": SessionKind.THEME_DAY,
        "starts_at": timezone.localtime(at(2)).strftime("%Y-%m-%dT%H:%M"),
        "format": "offline",
        "place": "村部",
        "online_link": "",
        "topic": "学习新党章",
        "minutes": "",
    }
    data.update(overrides)
    return data


def test_list_is_scoped_filtered_and_constant_in_queries(client, w, django_assert_num_queries):
    login(client, w.admin_a)
    for i in range(3):
        session(w.village_a, SessionKind.THEME_DAY, dt.date(2025, 1 + i, 5))
    session(w.village_b, SessionKind.THEME_DAY, dt.date(2025, 1, 5))
    url = reverse("orglife:list")
    client.get(url)
    # 8 for the page, 4 for 应到/实到 of the whole page (attendance, members, transfers,
    # spells: roster.turnout_for)
    with django_assert_num_queries(12) as few:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("/life/") >= 3
    for i in range(5):
        session(w.community_a, SessionKind.LECTURE, dt.date(2025, 6, 1 + i), station=None)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 8
    filtered = client.get(url, {"kind": "lecture", "org": w.community_a.pk})
    assert filtered.context["page"].paginator.count == 5
    period = client.get(url, {"start": "2025-02-01", "end": "2025-03-31"})
    assert period.context["page"].paginator.count == 2
    bad = client.get(url, {"org": "x"})
    assert bad.context["page"].paginator.count == 0


def test_create_through_the_page_with_an_attachment(client, w):
    login(client, w.secretary_v)
    assert client.get(reverse("orglife:create") + f"?org={w.village_a.pk}").status_code == 200
    upload = SimpleUploadedFile("记录.pdf", b"%PDF-1.4 minutes")
    response = client.post(
        reverse("orglife:create"),
        form_data(organization=w.village_a.code, attachment=upload),
    )
    created = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orglife:detail", args=[created.pk])
    assert created.created_by == w.secretary_v
    download = client.get(reverse("orglife:attachment", args=[created.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minutes"
    login(client, w.admin_b)
    assert client.get(reverse("orglife:attachment", args=[created.pk])).status_code == 404


def test_create_errors_show_on_the_form(client, w):
    login(client, w.secretary_v)
    response = client.post(reverse("orglife:create"), form_data(organization=w.village_b.code))
    assert response.status_code == 200
    assert "不在您的管理范围内" in response.content.decode()
    response = client.post(
        reverse("orglife:create"),
        form_data(organization=w.village_a.code, format="online", online_link=""),
    )
    assert "线上会议号或链接" in response.context["form"].errors["online_link"][0]
    assert not Session.objects.exists()


def test_station_staff_create_at_their_station(client, w):
    login(client, w.staff)
    assert client.get(reverse("orglife:list")).status_code == 200
    response = client.post(
        reverse("orglife:create"),
        form_data(station=w.station_a.pk, format="both", online_link="会议号 9"),
    )
    assert response.status_code == 302
    created = Session.objects.get()
    assert created.organization == w.street_a
    page = client.get(reverse("orglife:detail", args=[created.pk])).content.decode()
    assert w.street_a.name in page
    # The organization's page is out of their reach (no role): named, not linked.
    org_url = reverse("organizations:detail", args=[w.street_a.pk])
    assert org_url not in page and client.get(org_url).status_code == 404
    assert client.get(reverse("orglife:expectations")).status_code == 403
    login(client, w.admin_a)
    assert org_url in client.get(reverse("orglife:detail", args=[created.pk])).content.decode()


def test_detail_lists_members_and_mobile_members_and_records_attendance(client, w):
    spell(w.outsider, home=w.village_b, inflow=w.village_a)
    s = session(w.village_a, SessionKind.THEME_DAY, timezone.localdate() - dt.timedelta(days=1))
    login(client, w.secretary_v)
    response = client.get(reverse("orglife:detail", args=[s.pk]))
    page = response.content.decode()
    assert "外县党员" in page and "流动党员" in page
    assert "村民2" in page
    v0, v1 = w.villagers[:2]
    response = client.post(
        reverse("orglife:attendance", args=[s.pk]),
        {f"m_{v0.pk}": "offline", f"m_{v1.pk}": "excused", f"m_{w.outsider.pk}": "offline"},
    )
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("member_id", "status")) == {
        v0.pk: "offline",
        v1.pk: "excused",
        w.outsider.pk: "offline",
    }
    # An online status is not offered for an offline session: a form error, nothing changed.
    response = client.post(reverse("orglife:attendance", args=[s.pk]), {f"m_{v0.pk}": "online"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Attendance.objects.count() == 3


def test_future_session_has_no_attendance_form(client, w):
    login(client, w.secretary_v)
    future = session(
        w.village_a, SessionKind.THEME_DAY, timezone.localdate() + dt.timedelta(days=3)
    )
    response = client.get(reverse("orglife:detail", args=[future.pk]))
    assert response.context["form"] is None
    assert "召开后再登记" in response.content.decode()
    response = client.post(
        reverse("orglife:attendance", args=[future.pk]), {f"m_{w.villagers[0].pk}": "offline"}
    )
    assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_viewers_who_cannot_manage_get_403_on_writes(client, w):
    s = session(w.village_a, SessionKind.THEME_DAY, dt.date(2025, 1, 5))
    login(client, w.secretary_c)  # sees nothing of the village: 404
    assert client.get(reverse("orglife:edit", args=[s.pk])).status_code == 404
    login(client, w.plain_member)
    assert client.get(reverse("orglife:list")).status_code == 403
    assert client.get(reverse("orglife:detail", args=[s.pk])).status_code == 404


def test_edit_and_delete(client, w):
    s = session(w.village_a, SessionKind.THEME_DAY, dt.date(2025, 1, 5))
    login(client, w.secretary_v)
    response = client.get(reverse("orglife:edit", args=[s.pk]))
    assert response.status_code == 200
    data = form_data(topic="改过的主题")
    data.pop("organization")
    response = client.post(reverse("orglife:edit", args=[s.pk]), data)
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.topic == "改过的主题"
    response = client.post(reverse("orglife:delete", args=[s.pk]))
    assert response.status_code == 302
    assert not Session.objects.exists()


def test_expectations_page_with_drill_down(client, w):
    year = timezone.localdate().year - 1
    session(w.village_a, SessionKind.THEME_DAY, dt.date(year, 5, 1))
    session(w.group_a, SessionKind.GROUP_MEETING, dt.date(year, 5, 2))
    login(client, w.admin_a)
    response = client.get(reverse("orglife:expectations"), {"year": year})
    assert response.status_code == 200
    assert response.context["summary"].within == w.county_a
    page = response.content.decode()
    assert "长胜街道党工委" in page
    assert f"org={w.street_a.pk}" in page  # drill down
    response = client.get(
        reverse("orglife:expectations"), {"year": year, "quarter": 2, "org": w.street_a.pk}
    )
    summary = response.context["summary"]
    village = next(c for c in summary.children if c.org_id == w.village_a.pk)
    assert (village.kinds["theme_day"].held, village.kinds["theme_day"].expected) == (1, 3)
    assert "1 / 3" in response.content.decode()
    assert client.get(reverse("orglife:expectations"), {"org": w.village_b.pk}).status_code == 404
    bad = client.get(reverse("orglife:expectations"), {"year": "1800"})
    assert bad.status_code == 200 and bad.context["summary"] is None
    assert bad.context["form"].errors["year"]


def test_report_page_counts_filters_and_export(client, w):
    today = timezone.localdate()
    spell(w.villagers[0], home=w.village_a, since=today - dt.timedelta(days=400))
    spell(w.villagers[1], home=w.village_a, inflow=w.community_a, since=today, contact=today)
    login(client, w.admin_a)
    response = client.get(reverse("orglife:report"))
    report = response.context["report"]
    assert report.counts == {
        "total": 2, "no_inflow_side": 1, "lost_contact": 1, "flagged": 1,
        "outflow": 2, "outflow_no_inflow_side": 1, "outflow_lost_contact": 1, "inflow": 0,
    }  # fmt: skip
    assert "王书记（书记）" in response.content.decode()
    flagged = client.get(reverse("orglife:report"), {"flag": "lost_contact"})
    assert [r.name for r in flagged.context["page"]] == ["村民0"]
    months = client.get(reverse("orglife:report"), {"months": "24"})
    assert months.context["report"].counts["lost_contact"] == 0
    bad = client.get(reverse("orglife:report"), {"months": "0"})
    assert bad.context["report"] is None and bad.context["form"].errors["months"]
    assert client.get(reverse("orglife:report"), {"within": w.village_b.pk}).status_code == 404
    export = client.get(reverse("orglife:report_export"), {"flag": "no_inflow_side"})
    assert export.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    rows = list(book.active.values)
    assert rows[0][0] == "姓名"
    assert [r[0] for r in rows[1:]] == ["村民0"]
    event = AuditEvent.objects.get(action="export")
    assert event.after["count"] == 1
    login(client, w.plain_member)
    assert client.get(reverse("orglife:report")).status_code == 403


def test_member_page_shows_the_attendance_panel(client, w):
    v0 = w.villagers[0]
    today = timezone.localdate()
    attend(session(w.village_a, SessionKind.THEME_DAY, today - dt.timedelta(days=10)), v0)
    attend(session(w.village_a, SessionKind.LECTURE, today - dt.timedelta(days=40)), v0, "excused")
    attend(session(w.village_a, SessionKind.LECTURE, today - dt.timedelta(days=800)), v0, "absent")
    login(client, w.secretary_v)
    page = client.get(reverse("members:detail", args=[v0.pk])).content.decode()
    assert "近12个月参加组织生活登记 2 次" in page
    assert "请假 1" in page and "缺席 0" in page


# --- 应到/实到, everyone at once, the people of a session -------------------------------------


def test_everyone_present_and_the_exceptions_in_one_post_without_script(client, w):
    """The common case: mark the exceptions, press "全部线下参加" — one form POST."""
    s = session(w.village_a, SessionKind.THEME_DAY, timezone.localdate() - dt.timedelta(days=2))
    v0, v1, v2 = w.villagers
    login(client, w.secretary_v)
    page = client.get(reverse("orglife:detail", args=[s.pk])).content.decode()
    assert 'name="everyone" value="offline"' in page and "全部线下参加" in page
    assert "应到 3 人" in page and "实到 0 人" in page
    assert "会议当日组织关系在本组织" in page  # the definition is on the page
    response = client.post(
        reverse("orglife:attendance", args=[s.pk]),
        {f"m_{v2.pk}": "excused", "everyone": "offline"},
    )
    assert response.status_code == 302
    rows = dict(Attendance.objects.filter(session=s).values_list("member_id", "status"))
    assert rows == {v0.pk: "offline", v1.pk: "offline", v2.pk: "excused"}
    page = client.get(reverse("orglife:detail", args=[s.pk])).content.decode()
    assert "应到 3 人" in page and "实到 2 人" in page and "请假 1" in page
    listing = client.get(reverse("orglife:list")).content.decode()
    assert "应到/实到" in listing and "3 / 2" in listing
    # The plain save records only what was chosen row by row.
    response = client.post(reverse("orglife:attendance", args=[s.pk]), {f"m_{v0.pk}": "absent"})
    assert response.status_code == 302
    assert dict(Attendance.objects.filter(session=s).values_list("member_id", "status")) == {
        v0.pk: "absent"
    }


def test_sessions_without_a_roster_offer_no_everyone_and_say_why(client, w):
    s = session(w.group_a, SessionKind.GROUP_MEETING, timezone.localdate() - dt.timedelta(days=2))
    attend(s, w.villagers[0])
    login(client, w.secretary_v)
    page = client.get(reverse("orglife:detail", args=[s.pk])).content.decode()
    assert 'name="everyone" value="offline"' not in page
    assert "实到 1 人" in page and "没有固定的应到名单" in page
    assert "— / 1" in client.get(reverse("orglife:list")).content.decode()
    response = client.post(reverse("orglife:attendance", args=[s.pk]), {"everyone": "offline"})
    assert response.status_code == 200 and "请逐人登记" in response.content.decode()


def test_the_session_form_picks_host_minute_taker_and_lecturer_from_the_members(client, w):
    v0, v1, _v2 = w.villagers
    login(client, w.secretary_v)
    page = client.get(reverse("orglife:create") + f"?org={w.village_a.pk}").content.decode()
    assert 'name="host"' in page and f'<option value="{v0.pk}">村民0' in page
    assert "外县党员" not in page  # another county's members are not offered
    # The secretary's one organization comes pre-filled, its members in the pickers.
    prefilled = client.get(reverse("orglife:create")).content.decode()
    assert f'<option value="{v0.pk}">村民0' in prefilled
    # Without an organization (the field emptied): the pickers come once it is typed (htmx
    # asks again).
    blank = client.get(reverse("orglife:create"), {"organization": ""}).content.decode()
    assert 'name="host"' not in blank and 'hx-select="#tc-session-people"' in blank
    again = client.get(reverse("orglife:create"), {"organization": w.village_a.code})
    assert f'<option value="{v1.pk}">村民1' in again.content.decode()
    other = client.get(reverse("orglife:create"), {"organization": w.village_b.code})
    assert 'name="host"' not in other.content.decode()  # not the secretary's organization
    nul = client.get(reverse("orglife:create"), {"organization": "V\x00A"})
    assert nul.status_code == 200  # a NUL is ignored (PostgreSQL refuses it in a query)
    response = client.post(
        reverse("orglife:create"),
        form_data(
            organization=w.village_a.code,
            kind=SessionKind.LECTURE,
            host=v0.pk,
            minute_taker=v1.pk,
            lecturer_name="李老师（区委党校）",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    s = Session.objects.get()
    assert (s.host, s.minute_taker, s.lecturer_name) == (v0, v1, "李老师（区委党校）")
    detail = client.get(reverse("orglife:detail", args=[s.pk])).content.decode()
    assert "主持人" in detail and "李老师（区委党校）" in detail
    # A member of another organization is not a choice (the form says so, nothing saved).
    response = client.post(
        reverse("orglife:create"), form_data(organization=w.village_a.code, host=w.outsider.pk)
    )
    assert response.status_code == 200 and Session.objects.count() == 1
    edit = client.get(reverse("orglife:edit", args=[s.pk])).content.decode()
    assert f'<option value="{v0.pk}" selected>' in edit
