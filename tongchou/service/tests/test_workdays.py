"""Working days on China's official calendar, swapped working days included."""

import datetime as dt

import pytest

from tongchou.core.workdays import WorkCalendar

D = dt.date


def test_spring_festival_2024_skips_the_holiday_and_counts_the_swapped_sundays():
    cal = WorkCalendar()
    # 2024: days off Feb 10-17; Sunday Feb 4 and Sunday Feb 18 are working days.
    assert cal.is_workday(D(2024, 2, 4)) and cal.is_workday(D(2024, 2, 18))
    assert not cal.is_workday(D(2024, 2, 15)) and not cal.is_workday(D(2024, 2, 16))
    # Friday Feb 9 + 1 working day: the swapped Sunday Feb 18.
    assert cal.add_working_days(D(2024, 2, 9), 1) == D(2024, 2, 18)
    # Thursday Feb 8 + 3: Feb 9, Feb 18, Feb 19.
    assert cal.add_working_days(D(2024, 2, 8), 3) == D(2024, 2, 19)
    # Saturday Feb 3 + 1: Sunday Feb 4 is a working day.
    assert cal.add_working_days(D(2024, 2, 3), 1) == D(2024, 2, 4)


def test_national_day_2024_and_the_swapped_saturday_after_it():
    cal = WorkCalendar()
    # Oct 1-7 off; Sunday Sep 29 and Saturday Oct 12 are working days.
    assert cal.add_working_days(D(2024, 9, 27), 1) == D(2024, 9, 29)
    assert cal.add_working_days(D(2024, 9, 30), 1) == D(2024, 10, 8)
    # Oct 8 + 4: Oct 9, 10, 11, then the swapped Saturday Oct 12.
    assert cal.add_working_days(D(2024, 10, 8), 4) == D(2024, 10, 12)
    assert cal.working_days_between(D(2024, 9, 30), D(2024, 10, 12)) == 5


def test_a_correction_wins_over_the_package():
    cal = WorkCalendar({D(2024, 10, 8): False})
    assert cal.add_working_days(D(2024, 9, 30), 1) == D(2024, 10, 9)
    assert WorkCalendar({D(2024, 10, 5): True}).add_working_days(D(2024, 9, 30), 1) == D(
        2024, 10, 5
    )


def test_zero_days_and_a_far_date():
    cal = WorkCalendar()
    assert cal.add_working_days(D(2024, 5, 1), 0) == D(2024, 5, 1)
    assert cal.add_working_days(D(2024, 12, 31), 600) > D(2027, 1, 1)


@pytest.mark.django_db
def test_a_back_office_correction_closes_resources_too():
    """One calendar: a day the back office declares off is off for bookings as for deadlines."""
    import datetime as dt

    from tongchou.core.workdays import is_day_off
    from tongchou.service.models import CalendarCorrection

    day = dt.date(2026, 6, 3)  # an ordinary Wednesday
    assert not is_day_off(day)
    CalendarCorrection.objects.create(day=day, is_workday=False)
    assert is_day_off(day)
