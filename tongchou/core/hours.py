"""Opening hours by weekday, one shape for every place that opens: a shared resource, a
city-service proxy station, a produce outlet (``[["08:30", "17:30"], …, None]``, Monday
first)."""

import datetime as dt

from django.utils.translation import gettext as _

from tongchou.core.errors import ApplicationError


def parse_opening_hours(value) -> list:
    """Seven entries, Monday first, each ``["HH:MM", "HH:MM"]`` (open before close) or empty
    (closed); an empty list means open at every hour."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list) or len(value) != 7:
        raise ApplicationError(
            "invalid_opening_hours", _("开放时间须为周一至周日七项。"), field="opening_hours"
        )
    hours = []
    for index, entry in enumerate(value):
        if not entry:
            hours.append(None)
            continue
        try:
            opens, closes = (dt.time.fromisoformat(str(x)) for x in entry)
        except (TypeError, ValueError):
            raise ApplicationError(
                "invalid_opening_hours",
                _("第%(n)d天的开放时间应为“08:30-17:30”的形式。") % {"n": index + 1},
                field="opening_hours",
            ) from None
        if closes <= opens:
            raise ApplicationError(
                "invalid_opening_hours",
                _("第%(n)d天的关门时间应晚于开门时间。") % {"n": index + 1},
                field="opening_hours",
            )
        hours.append([opens.strftime("%H:%M"), closes.strftime("%H:%M")])
    return hours
