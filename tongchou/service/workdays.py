"""Working days on China's official calendar, for deadlines.

The ``holidays`` package knows the State Council's days off and the weekend days swapped into
working days (调休上班); ``CalendarCorrection`` rows win over it (a notice the package does not
know yet, a local decision). A ``WorkCalendar`` is built once per operation — one query for the
corrections — and answers "the n-th working day after this date" by bisecting a sorted list of
working days, so a batch of 100,000 deadlines costs one list build and two bisections a need.

Deadlines are never frozen: a need keeps its working-day counts and the day its clock started,
and ``services.deadlines_recompute`` moves every open deadline when a correction is saved.
"""

import bisect
import datetime as dt
from functools import lru_cache

import holidays

SPAN_YEARS = 2  # the list reaches this many years past the latest date asked about


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


class WorkCalendar:
    def __init__(self, corrections: dict[dt.date, bool] | None = None):
        self.corrections = dict(corrections or {})
        self._start: dt.date | None = None
        self._end: dt.date | None = None
        self._days: list[dt.date] = []

    def is_workday(self, day: dt.date) -> bool:
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
        if n <= 0:
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
    """The calendar as corrected now (one query)."""
    from tongchou.service.models import CalendarCorrection

    return WorkCalendar(dict(CalendarCorrection.objects.values_list("day", "is_workday")))
