"""One source of truth for members in motion: the roster (list, status filter, count), the member
page, the member API, the export, the mobility list and API and the "no one left behind" report
(page, API, export) give the same numbers for every subtree, from one mix of situations built
through the services as people would.

::

    county A ── street A ─┬ village A: m1 out 10 days, no inflow side yet (not lost)
                          │            m2 out 400 days, arrived at station B 390 days ago (lost)
                          │            a3 out 400 days, at street B, attended 20 days ago (reached)
                          │            a4 out and back (正常)          a5 out, then archived
                          │            a7 out 500 days, nobody since (lost, no inflow side)
                          │            a8 out 300 days, only a session still to come (lost)
                          │            a9 已去世 (hand-set)
                          └ community A: a6 went out from village A, then moved here (follows)
    county B ── street B ── village B: mb arrived at station A 10 days ago
    station A: an arrival from outside the deployment
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tongchou.core.tests.factories import create_member, make_id_number
from tongchou.members import services as member_services
from tongchou.members.choices import MemberStatus
from tongchou.members.models import Member
from tongchou.mobility import services
from tongchou.mobility.models import MobileMember, MobilityStatus
from tongchou.orglife.models import Attendance, Session
from tongchou.orglife.report import left_behind_for
from tongchou.orglife.services import attendance_record, session_create

pytestmark = pytest.mark.django_db


def days_ago(m, n: int) -> dt.date:
    return m.today - dt.timedelta(days=n)


def _out(m, member, days: int, **kw):
    return services.outflow_register(
        actor=m.root, member=member, destination_region=kw.pop("region", m.street_b_r),
        since=days_ago(m, days), reason="work", **kw,
    )  # fmt: skip


def _arrive(m, actor, member, days: int, **side):
    return services.inflow_register(
        actor=actor, id_number=member.id_number, name=member.name, home_text="某党支部",
        since=days_ago(m, days), reason="work", **side,
    )  # fmt: skip


@pytest.fixture
def situations(m):
    a3, a4, a5, a6, a7, a8 = (create_member(m.village_a, name=f"甲{i}") for i in range(3, 9))
    a9 = create_member(m.village_a, name="甲9")
    member_services.member_update(actor=m.root, member=a9, status=MemberStatus.DECEASED)
    _out(m, m.m1, 10)
    _out(m, m.m2, 400)
    _arrive(m, m.staff_b, m.m2, 390, station=m.station_b)
    _out(m, a3, 400)
    _arrive(m, m.admin_b, a3, 395, inflow_org=m.street_b)
    session = session_create(
        actor=m.admin_b, organization=m.street_b, kind="theme_day", format="offline",
        starts_at=timezone.now() - dt.timedelta(days=20), topic="主题党日",
    )  # fmt: skip
    attendance_record(actor=m.admin_b, session=session, entries={a3.pk: "offline"})
    spell = _out(m, a4, 300)
    services.spell_return(actor=m.root, spell=spell, on=days_ago(m, 100))
    _out(m, a5, 300)
    member_services.member_archive(actor=m.root, member=a5, reason="已故")
    _out(m, a6, 30)
    member_services.member_update(actor=m.root, member=a6, organization=m.community_a)
    _out(m, a7, 500, region=None, destination_text="广东省东莞市")
    _out(m, a8, 300, region=None, destination_text="内蒙古乌海市")
    # A session dated in five days with a row for a8 (only possible in data from elsewhere: the
    # service refuses attendance before a session begins): it has not taken place, it counts
    # as nothing.
    future = Session.objects.create(
        kind="theme_day", organization=m.village_a, org_path=m.village_a.path,
        starts_at=timezone.now() + dt.timedelta(days=5), held_on=m.today + dt.timedelta(days=5),
        topic="计划中的主题党日",
    )  # fmt: skip
    Attendance.objects.create(session=future, member=a8, status="offline", held_on=future.held_on)
    _arrive(m, m.staff_a, m.mb, 10, station=m.station_a)
    services.inflow_register(
        actor=m.staff_a, station=m.station_a, id_number=make_id_number(region="610102"),
        name="赵刚", home_text="西安市新城区某党支部", since=days_ago(m, 40), reason="work",
    )  # fmt: skip
    return {"a3": a3, "a4": a4, "a5": a5, "a6": a6, "a7": a7, "a8": a8, "a9": a9}


# (user, organization or None for the user's whole scope) → expected (away, lost, no inflow)
EXPECTED = [
    ("admin_a", None, (6, 3, 4)),
    ("admin_a", "county_a", (6, 3, 4)),
    ("admin_a", "street_a", (6, 3, 4)),
    ("admin_a", "village_a", (5, 3, 3)),
    ("admin_a", "community_a", (1, 0, 1)),
    ("secretary_v", None, (5, 3, 3)),
    ("secretary_c", None, (1, 0, 1)),
    ("admin_b", None, (1, 0, 0)),
    ("admin_b", "county_b", (1, 0, 0)),
    ("root", None, (7, 3, 4)),
    ("root", "city", (7, 3, 4)),
]


def _xlsx_rows(response) -> list[tuple]:
    """The export's rows, its header first (found by its 姓名 cell: a title may come before)."""
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [r for r in book.active.iter_rows(values_only=True) if any(c is not None for c in r)]
    start = next(i for i, row in enumerate(rows) if "姓名" in row)
    return rows[start:]


@pytest.mark.parametrize(("who", "where", "expected"), EXPECTED)
def test_every_view_gives_the_same_numbers(client, m, situations, who, where, expected):
    user = getattr(m, who)
    org = getattr(m, where) if where else None
    away, lost, no_inflow = expected
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    org_q = {"org": org.pk} if org else {}

    # The roster: page (its count), its status filter, the API, the export.
    page = client.get(reverse("members:list"), {"status": "mobile", **org_q})
    assert page.status_code == 200
    roster = {member.pk for member in page.context["page"].object_list}
    assert page.context["page"].paginator.count == len(roster) == away
    listed = api.get("/api/members/", {"status": "mobile", **org_q}).json()
    assert listed["count"] == away and {r["id"] for r in listed["results"]} == roster
    assert all(r["status_display"] == "流动" for r in listed["results"])
    header, *rows = _xlsx_rows(client.get(reverse("members:export"), {"status": "mobile", **org_q}))
    status = header.index("状态")
    assert len(rows) == away and all(row[status] == "流动" for row in rows)
    # Whoever is 流动 on the roster has exactly one open spell, and nobody else has one.
    in_view = Member.objects.filter(pk__in=roster)
    assert all(mm.mobility.filter(status=MobilityStatus.OPEN).count() == 1 for mm in in_view)

    # The report: its own members away (outflow), their flags — page, API, selector alike.
    report = left_behind_for(user, within=org)
    counts = report.counts
    flags = ("outflow", "outflow_lost_contact", "outflow_no_inflow_side")
    assert tuple(counts[k] for k in flags) == (away, lost, no_inflow)
    assert {r.member_id for r in report.rows if r.outflow} == roster
    report_q = {"within": org.pk} if org else {}
    page_counts = client.get(reverse("orglife:report"), report_q).context["report"].counts
    assert page_counts == counts
    assert api.get("/api/life/report/", report_q).json()["counts"] == counts
    if who != "secretary_c":  # the report's export: its rows say which are the subtree's own
        header, *rows = _xlsx_rows(client.get(reverse("orglife:report_export"), report_q))
        kind, lost_col = (
            header.index("类别"),
            next(i for i, h in enumerate(header) if h and h.startswith("失联")),
        )
        own = [row for row in rows if row[kind] == "本组织外出"]
        assert len(own) == away and sum(row[lost_col] == "是" for row in own) == lost

    # The mobility list and API, narrowed to the same home side.
    if org is not None:
        home = {"status": "open", "home_org": org.pk}
        narrower = (({}, away), ({"lost_contact": "yes"}, lost), ({"has_inflow": "no"}, no_inflow))
        for extra, n in narrower:
            listed = client.get(reverse("mobility:list"), {**home, **extra})
            assert listed.context["page"].paginator.count == n, extra
            assert api.get("/api/mobility/spells/", {**home, **extra}).json()["count"] == n, extra
        flagged = client.get(reverse("mobility:list"), home).context["flagged"]
        assert len(flagged) == lost


def test_member_pages_say_what_the_report_says(client, m, situations):
    """Each member's page: 流动 exactly for those away, and the 失联 mark exactly where the
    report flags them."""
    client.force_login(m.admin_a)
    report = left_behind_for(m.admin_a)
    lost = {r.member_id for r in report.rows if r.outflow and r.lost_contact}
    away = {r.member_id for r in report.rows if r.outflow}
    members = Member.objects.filter(org_path__startswith=m.county_a.path)
    assert away and lost
    for member in members:
        response = client.get(reverse("members:detail", args=[member.pk]))
        html = response.content.decode()
        panels = response.context["panels"]
        mobility = next((p["context"] for p in panels if p["key"] == "mobility"), None)
        assert (member.status == MemberStatus.MOBILE) == (member.pk in away), member.name
        shown_lost = bool(mobility and mobility["lost"])
        assert shown_lost == (member.pk in lost), member.name
        if member.pk in lost:
            assert "失联" in html


def test_the_story_behind_the_numbers(m, situations):
    """The situations did what the services say: returned and archived members are not away,
    the moved member's spell followed them, a session still to come reached nobody."""
    s = situations
    for key in ("a4", "a5"):
        s[key].refresh_from_db()
        assert s[key].status == MemberStatus.NORMAL
        assert not s[key].mobility.filter(status=MobilityStatus.OPEN).exists()
    assert s["a5"].mobility.get().status == MobilityStatus.ENDED
    spell = s["a6"].mobility.get(status=MobilityStatus.OPEN)
    assert (spell.home_org, spell.home_path) == (m.community_a, m.community_a.path)
    rows = {r.name: r for r in left_behind_for(m.root).rows}
    assert rows["甲8"].lost_contact and rows["甲8"].last_attended is None
    assert not rows["甲3"].lost_contact and rows["甲3"].last_attended == days_ago(m, 20)
    assert not rows["王建军"].lost_contact and rows["王建军"].no_inflow_side
    assert MobileMember.objects.filter(member__isnull=True, status="open").count() == 1
