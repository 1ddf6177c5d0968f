"""China's working days: official days off (法定节假日 and weekends) and the 调休 working
weekends, for everything that counts days — when a resource is closed, working-day deadlines.

China announces its adjusted working days once a year, so the calendar is replaceable and
correctable, and nothing should store a date computed from it that must move when it is
corrected (compute deadlines from it when asked, or recompute them):

* ``settings.DAYS_OFF_CALENDAR``: a dotted path to ``is_day_off(day) -> bool`` replacing the
  default, which reads the maintained ``holidays`` package (``holidays.China``, whose
  ``is_working_day`` knows the weekend working days);
* ``settings.EXTRA_DAYS_OFF`` / ``settings.EXTRA_WORKDAYS``: ISO dates correcting it locally
  before the package catches up (environment variables of the same names, comma-separated).
"""

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils.module_loading import import_string


@lru_cache(maxsize=16)
def _china(year: int):
    return holidays.China(years=year)


def china_day_off(day: dt.date) -> bool:
    iso = day.isoformat()
    if iso in settings.EXTRA_WORKDAYS:
        return False
    if iso in settings.EXTRA_DAYS_OFF:
        return True
    return not _china(day.year).is_working_day(day)


def is_day_off(day: dt.date) -> bool:
    if settings.DAYS_OFF_CALENDAR:
        return import_string(settings.DAYS_OFF_CALENDAR)(day)
    return china_day_off(day)


def is_working_day(day: dt.date) -> bool:
    return not is_day_off(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted; 0 gives the
    first working day from ``start`` on)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    if days == 0:
        while is_day_off(day):
            day += dt.timedelta(days=1)
        return day
    while days:
        day += dt.timedelta(days=1)
        if not is_day_off(day):
            days -= 1
    return day


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Working days after ``first`` up to and including ``last`` (0 when ``last <= first``)."""
    count, day = 0, first
    while day < last:
        day += dt.timedelta(days=1)
        if not is_day_off(day):
            count += 1
    return count
