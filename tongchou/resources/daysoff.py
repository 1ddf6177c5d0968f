"""Which days are official days off (法定节假日 and weekends, with 调休 working Saturdays).

China announces its adjusted working days (调休) once a year, so the calendar is replaceable:
``settings.RESOURCES_DAYS_OFF`` names a callable ``is_day_off(day) -> bool`` (dotted path);
the default reads the maintained ``holidays`` package (``holidays.China``, whose
``is_working_day`` knows the weekend working days), and ``settings.RESOURCES_EXTRA_DAYS_OFF`` /
``RESOURCES_EXTRA_WORKDAYS`` (ISO dates) correct it locally before the package catches up.
"""

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils.module_loading import import_string


@lru_cache(maxsize=8)
def _china(year: int):
    return holidays.China(years=year)


def china_day_off(day: dt.date) -> bool:
    iso = day.isoformat()
    if iso in getattr(settings, "RESOURCES_EXTRA_WORKDAYS", ()):
        return False
    if iso in getattr(settings, "RESOURCES_EXTRA_DAYS_OFF", ()):
        return True
    return not _china(day.year).is_working_day(day)


def is_day_off(day: dt.date) -> bool:
    path = getattr(settings, "RESOURCES_DAYS_OFF", "")
    if path:
        return import_string(path)(day)
    return china_day_off(day)
