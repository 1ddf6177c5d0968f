"""Education reads: every one scoped; hours as facts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from tongchou.education import selectors
from tongchou.education.tests.conftest import make_spell
from tongchou.education.tests.factories import make_course, make_record, make_training

pytestmark = pytest.mark.django_db


def test_courses_from_the_root_down_to_the_scope_and_inside_it(w):
    city = make_course(w.city, title="市级课程")
    county_a = make_course(w.county_a, title="大武口课程")
    village_a = make_course(w.village_a, title="村课程")
    community = make_course(w.community_a, title="社区课程")
    county_b = make_course(w.county_b, title="惠农课程")
    assert set(selectors.course_list_for(w.secretary_v)) == {city, county_a, village_a}
    assert set(selectors.course_list_for(w.admin_a)) == {city, county_a, village_a, community}
    assert set(selectors.course_list_for(w.admin_b)) == {city, county_b}
    assert set(selectors.course_list_for(w.root)) == {
        city,
        county_a,
        village_a,
        community,
        county_b,
    }
    assert not selectors.course_list_for(w.norole).exists()
    # A station's staff see what is offered to the station's organization (street A).
    assert set(selectors.course_list_for(w.station_staff)) == {city, county_a}
    with pytest.raises(Http404):
        selectors.course_get_for(w.admin_a, county_b.pk)
    with pytest.raises(Http404):
        selectors.course_get_for(w.admin_a, "x")


def test_courses_for_member_are_those_above_them(w):
    city = make_course(w.city)
    village_a = make_course(w.village_a)
    make_course(w.community_a)
    assert set(selectors.courses_for_member(w.m1)) == {city, village_a}


def test_study_records_in_view_scope(w):
    mine = make_record(w.m1)
    theirs = make_record(w.mb)
    assert list(selectors.study_record_list_for(w.secretary_v)) == [mine]
    assert list(selectors.study_record_list_for(w.admin_b)) == [theirs]
    assert not selectors.study_record_list_for(w.plain_member).exists()
    assert not selectors.study_record_list_for(w.station_staff).exists()
    with pytest.raises(Http404):
        selectors.study_record_get_for(w.admin_a, theirs.pk)


def test_trainings_in_scope_and_at_staffed_stations(w):
    street = make_training(w.street_a)
    at_station = make_training(w.street_a, station=w.station, title="快递安全")
    village_b = make_training(w.village_b, title="农机维修")
    assert set(selectors.training_list_for(w.admin_a)) == {street, at_station}
    assert set(selectors.training_list_for(w.station_staff)) == {at_station}
    assert set(selectors.training_list_for(w.admin_b)) == {village_b}
    assert not selectors.training_list_for(w.secretary_v).exists()
    assert selectors.training_get_for(w.station_staff, at_station.pk) == at_station
    with pytest.raises(Http404):
        selectors.training_get_for(w.station_staff, street.pk)


def test_study_hours_for_a_year(w):
    make_record(w.m1, hours=Decimal("4"), studied_on=dt.date(2025, 1, 1))
    make_record(w.m1, hours=Decimal("2.5"), studied_on=dt.date(2025, 12, 31))
    make_record(w.m1, hours=Decimal("8"), studied_on=dt.date(2024, 12, 31))
    make_record(w.m2, hours=Decimal("3"), studied_on=dt.date(2025, 6, 1))
    assert selectors.study_hours_for(w.m1, 2025) == Decimal("6.5")
    assert selectors.study_hours_for(w.m1, 2024) == Decimal("8.0")
    assert selectors.study_hours_for(w.m1, 2023) == Decimal("0")


def test_study_summary_is_a_fact_beside_the_standard(w, settings):
    settings.STUDY_HOURS_STANDARD = 32
    make_record(w.m1, hours=Decimal("18"), studied_on=dt.date(2025, 3, 1))
    summary = selectors.study_summary_for_member(w.m1, 2025)
    assert summary.text == "18 / 32" and summary.record_count == 1 and not summary.reached
    make_record(w.m1, hours=Decimal("14.5"), studied_on=dt.date(2025, 4, 1))
    summary = selectors.study_summary_for_member(w.m1, 2025)
    assert summary.text == "32.5 / 32" and summary.reached


def test_training_candidates(w):
    street = make_training(w.street_a)
    # street A's subtree, the mobile member at the station (street A's), and county A's scope
    assert set(selectors.training_candidates_for(w.admin_a, street)) == {w.m1, w.m2, w.m3, w.mb}
    at_station = make_training(w.street_a, station=w.station)
    # Station staff (no role) are offered only the mobile members at their station, not the
    # whole street's membership.
    staff = set(selectors.training_candidates_for(w.station_staff, at_station))
    assert staff == {w.mb}
    village = make_training(w.village_a)
    # The village's own members, plus anyone in the actor's scope; the mobile member is at
    # the street's station, not at the village.
    assert set(selectors.training_candidates_for(w.secretary_v, village)) == {w.m1, w.m2}
    make_spell(w.mb2, inflow_org=w.village_a)
    assert w.mb2 in selectors.training_candidates_for(w.secretary_v, village)
    w.m2.archived = True
    w.m2.save()
    assert w.m2 not in selectors.training_candidates_for(w.secretary_v, village)


def test_member_education_for(w):
    t = make_training(w.street_a, station=w.station)
    make_record(w.m1, training=t, title=t.title, hours=t.hours)
    for i in range(6):
        make_record(w.m1, title=f"第{i}课", studied_on=dt.date.today() - dt.timedelta(days=i))
    data = selectors.member_education_for(w.m1, year=dt.date.today().year)
    assert len(data["records"]) == 5 and data["trainings"] == [t]
