"""Working days on China's official calendar, with the 调休 swaps, and local corrections."""

import datetime as dt

import pytest
from django.test import override_settings

from tongchou.core.workdays import (
    add_working_days,
    is_day_off,
    is_working_day,
    working_days_between,
)

# The registered sources of corrections (the service app's back-office table) are read.
pytestmark = pytest.mark.django_db

D = dt.date


def test_spring_festival_and_its_swapped_working_sunday():
    # 2025: 春节 28 Jan – 4 Feb off; Sunday 26 Jan and Saturday 8 Feb are working days.
    assert is_working_day(D(2025, 1, 26))
    assert all(is_day_off(D(2025, 1, 28) + dt.timedelta(days=i)) for i in range(8))
    assert is_working_day(D(2025, 2, 8))
    # Three working days after Monday 27 Jan: 5, 6 and 7 Feb — the festival is skipped.
    assert add_working_days(D(2025, 1, 27), 3) == D(2025, 2, 7)


def test_national_day_week_and_its_swapped_saturday():
    # 2025: 1–8 Oct off; Sunday 28 Sep and Saturday 11 Oct are working days.
    assert is_working_day(D(2025, 9, 28)) and is_working_day(D(2025, 10, 11))
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert add_working_days(D(2025, 10, 10), 1) == D(2025, 10, 11)
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 11)) == 3


def test_zero_days_is_the_start_itself():
    assert add_working_days(D(2025, 10, 1), 0) == D(2025, 10, 1)
    with pytest.raises(ValueError):
        add_working_days(D(2025, 10, 9), -1)


def test_local_corrections_move_the_answer():
    day = D(2026, 6, 3)  # an ordinary Wednesday
    assert is_working_day(day)
    with override_settings(EXTRA_DAYS_OFF=[day.isoformat()]):
        assert is_day_off(day)
        assert add_working_days(D(2026, 6, 2), 1) == D(2026, 6, 4)
    saturday = D(2026, 6, 6)
    with override_settings(EXTRA_WORKDAYS=[saturday.isoformat()]):
        assert is_working_day(saturday)


def always_off(day):
    return day.weekday() == 0


def test_a_replacement_calendar():
    with override_settings(DAYS_OFF_CALENDAR="tongchou.core.tests.test_workdays.always_off"):
        assert is_day_off(D(2026, 6, 1)) and not is_day_off(D(2026, 6, 6))
