import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from tongchou.orglife import selectors
from tongchou.orglife.models import Attendance, Session, SessionFormat, SessionKind
from tongchou.orglife.tests.conftest import spell

pytestmark = pytest.mark.django_db

TZ_DAY = dt.time(10)


def session(org, kind, day: dt.date, *, station=None) -> Session:
    """A session written straight to the table (the services are tested separately)."""
    return Session.objects.create(
        organization=org,
        org_path=org.path,
        kind=kind,
        station=station,
        starts_at=timezone.make_aware(dt.datetime.combine(day, TZ_DAY)),
        held_on=day,
        format=SessionFormat.OFFLINE,
        topic="主题",
    )


def attend(s: Session, member, status="offline") -> Attendance:
    return Attendance.objects.create(session=s, member=member, status=status, held_on=s.held_on)


# --- lists -----------------------------------------------------------------------------------


def test_session_list_is_scoped_by_view_members_and_station(w):
    day = dt.date(2025, 3, 1)
    at_village = session(w.village_a, SessionKind.THEME_DAY, day)
    at_station = session(w.street_a, SessionKind.THEME_DAY, day, station=w.station_a)
    at_b = session(w.village_b, SessionKind.THEME_DAY, day)
    assert set(selectors.session_list_for(w.admin_a)) == {at_village, at_station}
    assert set(selectors.session_list_for(w.secretary_v)) == {at_village}
    assert set(selectors.session_list_for(w.staff)) == {at_station}
    assert set(selectors.session_list_for(w.admin_b)) == {at_b}
    assert set(selectors.session_list_for(w.root)) == {at_village, at_station, at_b}
    assert not selectors.session_list_for(w.plain_member).exists()
    assert not selectors.session_list_for(w.norole).exists()
    assert selectors.session_get_for(w.staff, at_station.pk) == at_station
    for pk in (at_village.pk, at_b.pk, "x", 10**12):
        with pytest.raises(Http404):
            selectors.session_get_for(w.staff, pk)


def test_attendance_candidates_include_mobile_members_at_the_inflow_side(w):
    spell(w.outsider, home=w.village_b, inflow=w.village_a)
    s = session(w.village_a, SessionKind.THEME_DAY, dt.date(2025, 3, 1))
    names = [m.name for m in selectors.attendance_candidates(s)]
    assert sorted(names) == sorted([m.name for m in w.villagers] + ["外县党员"])
    group = session(w.group_a, SessionKind.GROUP_MEETING, dt.date(2025, 3, 1))
    assert len(selectors.attendance_candidates(group)) == 4


# --- a member's attendance -------------------------------------------------------------------


def test_attendance_of_a_mobile_member_counts_at_home_and_away(w):
    """The outsider (home: county B's village) works in street A: attends at home once and at
    street A's station once; both sides see both rows."""
    spell(w.outsider, home=w.village_b, station=w.station_a)
    home = session(w.village_b, SessionKind.THEME_DAY, dt.date(2025, 3, 5))
    away = session(w.street_a, SessionKind.THEME_DAY, dt.date(2025, 4, 5), station=w.station_a)
    attend(home, w.outsider, "excused")
    attend(away, w.outsider, "online")
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    for user in (w.admin_b, w.admin_a, w.staff):
        rows = selectors.attendance_for_member(user, w.outsider, start=start, end=end)
        assert [r.session for r in rows] == [away, home]
    facts = selectors.attendance_facts_for(w.admin_b, w.outsider, start=start, end=end)
    assert facts.counts == {"offline": 0, "online": 1, "excused": 1, "absent": 0}
    assert facts.total == 2
    assert facts.away == 1
    narrow = selectors.attendance_for_member(
        w.admin_b, w.outsider, start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30)
    )
    assert [r.session for r in narrow] == [away]
    with pytest.raises(Http404):
        selectors.attendance_for_member(w.secretary_c, w.outsider, start=start, end=end)


def test_a_member_reads_their_own_attendance(w):
    w.villagers[0].user = w.norole
    w.villagers[0].save()
    s = session(w.village_a, SessionKind.THEME_DAY, dt.date(2025, 3, 5))
    attend(s, w.villagers[0])
    rows = selectors.attendance_for_member(
        w.norole, w.villagers[0], start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
    )
    assert rows.count() == 1
    with pytest.raises(Http404):
        selectors.attendance_for_member(
            w.norole, w.villagers[1], start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
        )


# --- expectations ----------------------------------------------------------------------------


def test_period_and_expected_counts():
    today = dt.date(2025, 8, 15)
    year = selectors.period_of(2025, today=today)
    assert (year.start, year.end, year.through) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
        today,
    )
    assert year.in_progress
    assert selectors.expected_count("monthly", year) == 8  # January to August have begun
    assert selectors.expected_count("quarterly", year) == 3
    assert selectors.expected_count("monthly", year, dt.date(2025, 6, 20)) == 3  # Jun-Aug
    q2 = selectors.period_of(2025, quarter=2, today=today)
    assert (q2.start, q2.end, q2.in_progress) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30), False)
    assert selectors.expected_count("monthly", q2) == 3
    assert selectors.expected_count("quarterly", q2) == 1
    later = selectors.period_of(2025, quarter=4, today=today)
    assert later.through is None
    assert selectors.expected_count("monthly", later) == 0
    feb = selectors.period_of(2024, month=2, today=today)
    assert (feb.start, feb.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert selectors.expected_count("quarterly", feb) == 1


def _facts(summary, org):
    row = next(r for r in summary.rows if r.org_id == org.pk)
    return {k: (f.held, f.expected) for k, f in row.kinds.items()}


def test_expectation_summary_counts_exactly(w):
    """Q2 2025 (finished): village A held 2 theme days (3 expected), one general meeting, no
    committee meeting, one lecture and one lecture outside the quarter; its group held 3 group
    meetings; the community held nothing; the street gave a lecture (expected of nobody)."""
    v, g = w.village_a, w.group_a
    for day in (dt.date(2025, 4, 2), dt.date(2025, 6, 30)):
        session(v, SessionKind.THEME_DAY, day)
    session(v, SessionKind.GENERAL_MEETING, dt.date(2025, 5, 1))
    session(v, SessionKind.LECTURE, dt.date(2025, 5, 20))
    session(v, SessionKind.LECTURE, dt.date(2025, 7, 1))  # Q3
    session(v, SessionKind.THEME_DAY, dt.date(2025, 3, 31))  # Q1
    for month in (4, 5, 6):
        session(g, SessionKind.GROUP_MEETING, dt.date(2025, month, 15))
    session(w.street_a, SessionKind.LECTURE, dt.date(2025, 6, 1))
    session(w.village_b, SessionKind.THEME_DAY, dt.date(2025, 5, 1))  # other county
    summary = selectors.expectation_summary_for(
        w.admin_a, within=w.street_a, year=2025, quarter=2, today=dt.date(2025, 11, 1)
    )
    assert _facts(summary, v) == {
        "general_meeting": (1, 1),
        "committee_meeting": (0, 3),
        "lecture": (1, 1),
        "theme_day": (2, 3),
    }
    assert _facts(summary, g) == {"group_meeting": (3, 3)}
    assert _facts(summary, w.community_a) == {
        "general_meeting": (0, 1),
        "committee_meeting": (0, 3),
        "lecture": (0, 1),
        "theme_day": (0, 3),
    }
    assert _facts(summary, w.street_a) == {"lecture": (1, 0)}
    totals = {k: (f.held, f.expected) for k, f in summary.totals.kinds.items()}
    assert totals == {
        "general_meeting": (1, 3),
        "committee_meeting": (0, 9),
        "group_meeting": (3, 3),
        "lecture": (2, 3),
        "theme_day": (2, 9),
    }
    assert summary.short == {
        "general_meeting": 2,
        "committee_meeting": 3,
        "lecture": 2,
        "theme_day": 3,
    }
    # Drill-down rows: one per child of the street (village A's includes its group).
    by_child = {c.org_id: c for c in summary.children}
    assert set(by_child) == {w.village_a.pk, w.community_a.pk, w.courier_a.pk}
    village = by_child[w.village_a.pk]
    assert village.holders == 2 and village.has_children
    assert (village.kinds["group_meeting"].held, village.kinds["theme_day"].expected) == (3, 3)
    month = selectors.expectation_summary_for(
        w.admin_a, within=w.village_a, year=2025, month=5, today=dt.date(2025, 11, 1)
    )
    assert _facts(month, v)["general_meeting"] == (1, 1)
    assert _facts(month, v)["theme_day"] == (0, 1)


def test_expectation_summary_is_scoped_and_takes_few_queries(w, django_assert_num_queries):
    with pytest.raises(Http404):
        selectors.expectation_summary_for(w.admin_b, within=w.street_a, year=2025)
    with pytest.raises(Http404):
        selectors.expectation_summary_for(w.secretary_v, within=w.street_a, year=2025)
    for i in range(5):
        session(w.village_a, SessionKind.THEME_DAY, dt.date(2025, 1 + i, 1))
    w.admin_a.refresh_from_db()
    selectors.expectation_summary_for(w.admin_a, within=w.county_a, year=2025)  # warm scope
    with django_assert_num_queries(2):  # a past year: organizations, sessions held
        selectors.expectation_summary_for(w.admin_a, within=w.county_a, year=2025)
    with django_assert_num_queries(3):  # a year under way: and today's and later ones apart
        selectors.expectation_summary_for(
            w.admin_a, within=w.county_a, year=2025, today=dt.date(2025, 3, 1)
        )
