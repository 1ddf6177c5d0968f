"""The county's overdue list across the open states, and a street's figures by local month."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection

from tongchou.service import selectors, services
from tongchou.service.models import Intake, Need, NeedState

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _submit(world, when: dt.datetime, category=None) -> Need:
    return services.need_submit(
        actor=world.admin_a,
        intake=Intake.STAFF,
        category=category or world.employment,
        organization=world.a.village,
        summary="诉求",
        now=when,
    )


def test_county_overdue_merges_the_open_states_most_overdue_first(world):
    states = [NeedState.SUBMITTED, NeedState.ACCEPTED, NeedState.IN_PROGRESS, NeedState.REOPENED]
    made = []
    for i in range(12):
        need = _submit(world, dt.datetime(2024, 3, 1 + i, 2, tzinfo=dt.UTC))
        Need.objects.filter(pk=need.pk).update(state=states[i % 4])
        made.append(need)
    done = _submit(world, dt.datetime(2024, 2, 1, 2, tzinfo=dt.UTC))
    Need.objects.filter(pk=done.pk).update(state=NeedState.RESOLVED)
    fresh = _submit(world, dt.datetime(2024, 6, 1, 2, tzinfo=dt.UTC))  # not yet due
    today = dt.date(2024, 5, 20)
    rows = selectors.county_overdue(world.a.county.path, today, limit=5)
    expected = sorted(made, key=lambda n: (n.resolve_due, n.pk))[:5]
    assert [n.pk for n in rows] == [n.pk for n in expected]
    everything = selectors.county_overdue(world.a.county.path, today)
    assert {n.pk for n in everything} == {n.pk for n in made}
    assert done.pk not in {n.pk for n in everything} and fresh.pk not in everything
    assert selectors.county_overdue(world.b.county.path, today) == []


def test_street_by_month_counts_by_local_month(world, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    # 1 Feb 2024 at 07:00 in Shanghai is still 31 Jan in UTC: it counts in February.
    _submit(world, dt.datetime(2024, 2, 1, 7, tzinfo=SHANGHAI))
    _submit(world, dt.datetime(2024, 2, 20, 9, tzinfo=SHANGHAI))
    _submit(world, dt.datetime(2024, 2, 21, 9, tzinfo=SHANGHAI), category=world.health)
    _submit(world, dt.datetime(2024, 12, 31, 23, tzinfo=SHANGHAI))
    _submit(world, dt.datetime(2024, 1, 1, 1, tzinfo=SHANGHAI))  # 2023 in UTC, 2024 here
    _submit(world, dt.datetime(2023, 12, 31, 23, tzinfo=SHANGHAI))  # another year
    rows = selectors.street_by_month(world.a.street.path, year=2024)
    got = [(r["month"].month, r["state"], r["category_id"], r["n"]) for r in rows]
    assert got == [
        (1, "submitted", world.employment.pk, 1),
        (2, "submitted", world.employment.pk, 2),
        (2, "submitted", world.health.pk, 1),
        (12, "submitted", world.employment.pk, 1),
    ]
    assert rows[1]["month"] == dt.datetime(2024, 2, 1, tzinfo=SHANGHAI)
    assert selectors.street_by_month(world.b.street.path, year=2024) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a small table's plan: SQLite's")
def test_a_streets_figures_read_only_the_street_index(world):
    """Both figures of a street are one range of ``need_street_time_sc`` and never the table:
    at a province's size (50,000 needs a street) reading the rows made the figures 5× slower."""
    from django.test.utils import CaptureQueriesContext

    _submit(world, dt.datetime(2024, 2, 1, 7, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as captured:
        selectors.street_by_month(world.a.street.path, year=2024)
        selectors.street_figures([world.a.street.path], today=dt.date(2024, 3, 1))
    need_queries = [q["sql"] for q in captured.captured_queries if '"service_need"' in q["sql"]]
    assert len(need_queries) == 2
    with connection.cursor() as cursor:
        for sql in need_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "COVERING INDEX need_street_time_sc" in plan, plan
