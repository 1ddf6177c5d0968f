"""China's working days: official days off (法定节假日 and weekends) and the 调休 working
weekends — the one calendar for everything that counts days (when a resource is closed,
working-day deadlines of needs).

China announces its adjusted working days once a year, so the calendar is correctable and
replaceable, and nothing should freeze a date computed from it that must move when it is
corrected (keep the counts and the start, compute or recompute the date):

* the maintained ``holidays`` package knows the State Council's days off and the weekend days
  swapped into working days;
* corrections win over it: ``settings.EXTRA_DAYS_OFF`` / ``settings.EXTRA_WORKDAYS`` (ISO
  dates, environment variables of the same names) and every registered source of corrections
  (``register_corrections``: the service app's back-office table, for a notice the package does
  not know yet or a local decision);
* ``settings.DAYS_OFF_CALENDAR``: a dotted path to ``is_day_off(day) -> bool`` replacing all
  of the above.

A ``WorkCalendar`` is built once per operation (``load_calendar``: one read of each source of
corrections) and answers "the n-th working day after this date" by bisecting a sorted list of
working days, so a batch of 100,000 deadlines costs one list build and two bisections each.
"""

import bisect
import datetime as dt
from collections.abc import Callable
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils.module_loading import import_string

SPAN_YEARS = 2  # the list reaches this many years past the latest date asked about

# Sources of corrections registered by the apps above core: each returns {day: is_workday}.
_correction_sources: list[Callable[[], dict[dt.date, bool]]] = []


def register_corrections(source: Callable[[], dict[dt.date, bool]]) -> None:
    if source not in _correction_sources:
        _correction_sources.append(source)


@lru_cache(maxsize=16)
def _package_days(year: int) -> tuple[frozenset, frozenset]:
    """(days off that fall on weekdays, weekend days that are working days) for one year."""
    cn = holidays.country_holidays("CN", years=[year])
    off = frozenset(d for d in cn if d.weekday() < 5)
    swapped = frozenset(d for d in getattr(cn, "weekend_workdays", ()) if d.year == year)
    return off, swapped


def package_is_workday(day: dt.date) -> bool:
    off, swapped = _package_days(day.year)
    if day in swapped:
        return True
    return day.weekday() < 5 and day not in off


def corrections() -> dict[dt.date, bool]:
    """Every correction in force: the settings', then the registered sources' (which win)."""
    found = {dt.date.fromisoformat(d): False for d in settings.EXTRA_DAYS_OFF}
    found.update({dt.date.fromisoformat(d): True for d in settings.EXTRA_WORKDAYS})
    for source in _correction_sources:
        found.update(source())
    return found


class WorkCalendar:
    def __init__(self, corrections: dict[dt.date, bool] | None = None):
        self.corrections = dict(corrections or {})
        self.replacement = (
            import_string(settings.DAYS_OFF_CALENDAR) if settings.DAYS_OFF_CALENDAR else None
        )
        self._start: dt.date | None = None
        self._end: dt.date | None = None
        self._days: list[dt.date] = []

    def is_workday(self, day: dt.date) -> bool:
        if self.replacement is not None:
            return not self.replacement(day)
        if day in self.corrections:
            return self.corrections[day]
        return package_is_workday(day)

    def _cover(self, day: dt.date) -> None:
        if self._start is not None and self._start <= day and day + dt.timedelta(400) < self._end:
            return
        start = dt.date(day.year - 1, 1, 1)
        if self._start is not None:
            start = min(start, self._start)
        end = dt.date(day.year + SPAN_YEARS, 12, 31)
        days, current = [], start
        while current <= end:
            if self.is_workday(current):
                days.append(current)
            current += dt.timedelta(days=1)
        self._start, self._end, self._days = start, end, days

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (``start`` itself when n is 0)."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return start
        self._cover(start)
        index = bisect.bisect_right(self._days, start) + n - 1
        while index >= len(self._days):  # beyond the list: extend it and look again
            self._cover(self._end + dt.timedelta(days=1))
            index = bisect.bisect_right(self._days, start) + n - 1
        return self._days[index]

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        self._cover(start)
        self._cover(end)
        return bisect.bisect_right(self._days, end) - bisect.bisect_right(self._days, start)


def load_calendar() -> WorkCalendar:
    """The calendar as corrected now (one read of each source of corrections)."""
    return WorkCalendar(corrections())


def is_day_off(day: dt.date) -> bool:
    return not load_calendar().is_workday(day)


def is_working_day(day: dt.date) -> bool:
    return load_calendar().is_workday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start``."""
    return load_calendar().add_working_days(start, days)


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Working days after ``first`` up to and including ``last`` (0 when ``last <= first``)."""
    return load_calendar().working_days_between(first, last)
