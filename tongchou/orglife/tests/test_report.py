import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongchou.core.errors import ApplicationError
from tongchou.core.tests.factories import create_member
from tongchou.orglife.models import SessionKind
from tongchou.orglife.report import left_behind_for, months_back
from tongchou.orglife.tests.conftest import spell
from tongchou.orglife.tests.test_selectors import attend, session

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 8, 31)


def by_name(report):
    return {row.name: row for row in report.rows}


def test_months_back_clips_to_the_end_of_the_month():
    assert months_back(dt.date(2025, 8, 31), 6) == dt.date(2025, 2, 28)
    assert months_back(dt.date(2024, 8, 31), 6) == dt.date(2024, 2, 29)
    assert months_back(dt.date(2025, 1, 15), 1) == dt.date(2024, 12, 15)
    assert months_back(dt.date(2025, 3, 10), 14) == dt.date(2024, 1, 10)


def test_no_inflow_side_is_flagged(w):
    spell(w.villagers[0], home=w.village_a, since=TODAY, contact=TODAY)
    spell(w.villagers[1], home=w.village_a, inflow=w.community_a, since=TODAY)
    spell(w.villagers[2], home=w.village_a, station=w.station_a, since=TODAY)
    report = left_behind_for(w.admin_a, today=TODAY)
    rows = by_name(report)
    assert rows["村民0"].no_inflow_side
    assert not rows["村民1"].no_inflow_side
    assert not rows["村民2"].no_inflow_side
    assert rows["村民1"].inflow_side == "长胜社区党支部"
    assert rows["村民2"].inflow_side == "长胜街道党员服务站"
    assert report.counts == {
        "total": 3, "no_inflow_side": 1, "lost_contact": 0, "flagged": 1,
        "outflow": 3, "outflow_no_inflow_side": 1, "outflow_lost_contact": 0, "inflow": 0,
    }  # fmt: skip
    assert [r.name for r in report.rows_with("no_inflow_side")] == ["村民0"]


def test_lost_contact_boundary_with_months(w):
    """Six months before 31 August is 28 February: a contact on that day is within six months,
    the day before is not. With months=7 neither is lost."""
    v0, v1, v2 = w.villagers
    long_ago = dt.date(2024, 1, 1)
    spell(v0, home=w.village_a, inflow=w.community_a, since=long_ago, contact=dt.date(2025, 2, 28))
    spell(v1, home=w.village_a, inflow=w.community_a, since=long_ago, contact=dt.date(2025, 2, 27))
    spell(v2, home=w.village_a, inflow=w.community_a, since=long_ago, contact=TODAY)
    report = left_behind_for(w.admin_a, months=6, today=TODAY)
    rows = by_name(report)
    assert report.cutoff == dt.date(2025, 2, 28)
    assert not rows["村民0"].lost_contact
    assert rows["村民1"].lost_contact
    assert not rows["村民2"].lost_contact  # contacted: not flagged
    assert report.counts["lost_contact"] == 1
    assert left_behind_for(w.admin_a, months=7, today=TODAY).counts["lost_contact"] == 0
    assert left_behind_for(w.admin_a, months=1, today=TODAY).counts["lost_contact"] == 2


def test_default_months_come_from_settings(w, settings):
    settings.LOST_CONTACT_MONTHS = 3
    spell(w.villagers[0], home=w.village_a, since=dt.date(2025, 5, 30))
    report = left_behind_for(w.admin_a, today=TODAY)
    assert report.months == 3
    assert report.rows[0].lost_contact  # never contacted since 30 May
    settings.LOST_CONTACT_MONTHS = 4
    assert not left_behind_for(w.admin_a, today=TODAY).rows[0].lost_contact


def test_attending_organizational_life_is_being_reached(w):
    v0 = w.villagers[0]
    spell(v0, home=w.village_a, inflow=w.community_a, since=dt.date(2024, 1, 1))
    attend(session(w.community_a, SessionKind.THEME_DAY, dt.date(2025, 7, 1)), v0, "online")
    attend(session(w.community_a, SessionKind.THEME_DAY, dt.date(2025, 8, 1)), v0, "absent")
    row = left_behind_for(w.admin_a, today=TODAY).rows[0]
    assert row.last_attended == dt.date(2025, 7, 1)
    assert row.last_contact is None
    assert not row.lost_contact


def test_invalid_months_name_the_field(w):
    for months in (0, -1, 121, "abc"):
        with pytest.raises(ApplicationError) as exc:
            left_behind_for(w.admin_a, months=months, today=TODAY)
        assert exc.value.field == "months"


def test_with_whom_to_act(w):
    spell(w.villagers[0], home=w.village_a, since=TODAY)
    spell(w.courier, home=w.courier_a, inflow=w.community_a, since=TODAY)
    rows = by_name(left_behind_for(w.admin_a, today=TODAY))
    # The village's secretary (named), at the home branch itself.
    assert rows["村民0"].act_with == ["王书记（书记）"]
    assert rows["村民0"].act_with_org == "长胜村党支部"
    # The courier branch has no one: the nearest ancestor with someone, the county's admin.
    assert rows["快递员"].act_with == ["admin_a（管理员）"]
    assert rows["快递员"].act_with_org == "大武口区委"
    assert rows["快递员"].inflow_org == "长胜社区党支部"


def test_both_sides_see_the_spell_and_within_narrows(w):
    spell(w.outsider, home=w.village_b, inflow=w.community_a, since=TODAY)
    spell(w.villagers[0], home=w.village_a, since=TODAY)
    assert len(left_behind_for(w.admin_b, today=TODAY).rows) == 1
    assert len(left_behind_for(w.admin_a, today=TODAY).rows) == 2
    assert len(left_behind_for(w.secretary_c, today=TODAY).rows) == 1  # the inflow side
    assert len(left_behind_for(w.secretary_v, today=TODAY).rows) == 1
    assert len(left_behind_for(w.admin_a, within=w.community_a, today=TODAY).rows) == 1
    assert len(left_behind_for(w.admin_a, within=w.village_a, today=TODAY).rows) == 1
    assert left_behind_for(w.norole, today=TODAY).rows == []
    assert left_behind_for(w.plain_member, today=TODAY).rows == []


def test_closed_spells_are_not_listed(w):
    spell(w.villagers[0], home=w.village_a, since=TODAY, status="returned")
    assert left_behind_for(w.admin_a, today=TODAY).rows == []


def test_query_count_does_not_grow_with_rows(w):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            left_behind_for(w.admin_a, today=TODAY)
        return len(ctx.captured_queries)

    spell(w.villagers[0], home=w.village_a, since=TODAY)
    left_behind_for(w.admin_a, today=TODAY)  # the user's roles and stations are cached
    few = count()
    for i in range(12):
        member = create_member(w.community_a, name=f"社区党员{i}", birth_date=dt.date(1990, 1, 2))
        spell(member, home=w.community_a, inflow=w.village_a if i % 2 else None, since=TODAY)
        attend(session(w.community_a, SessionKind.THEME_DAY, dt.date(2025, 7, i + 1)), member)
    assert count() == few
    # spells with their last attendance; people to act with (one path range over the scope —
    # the county is a root here, so there is nothing above it to read by id); the names of
    # their organizations
    assert few == 3
    assert len(left_behind_for(w.admin_a, today=TODAY).rows) == 13
