"""What "lost contact" (失联) means, once, for every page, the API, the exports and the report.

A mobile member is out of contact when the last time anyone reached them is more than
``LOST_CONTACT_MONTHS`` months ago. Reaching them is any of: going out (the spell's start: the
home side registered it, so someone who left last week is not lost), a contact recorded on the
spell (a call, a visit, registering their arrival), and a fact another app records — attending
organizational life that has taken place (registered by ``tongchou.orglife``, which sits above
this app, in its ``AppConfig.ready``).

A spell with no inflow organization and no station is "no inflow side" (无流入地管理): a
different fact, flagged on its own. A member who went out yesterday and is not registered
anywhere yet has no inflow side; they are not lost.

Both forms of the rule live here and agree: ``is_lost`` (Python, for rows already read, as the
report reads them) and ``lost_contact_q`` (a condition on spells, for lists and counts).
"""

import calendar
import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

# key → (cutoff, today) → rows with a ``member_id`` column: the member was reached on a day in
# [cutoff, today] (e.g. present at a session held then).
REACHED_SINCE: dict[str, Callable[[dt.date, dt.date], QuerySet]] = {}


def register_reached(key: str, source: Callable[[dt.date, dt.date], QuerySet]) -> None:
    REACHED_SINCE[key] = source


def months_back(day: dt.date, months: int) -> dt.date:
    """``day`` minus whole months, clipped to the month's last day (31 March - 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def lost_cutoff(*, today: dt.date | None = None, months: int | None = None) -> dt.date:
    """Reached before this day (and not since) is lost contact."""
    today = today or timezone.localdate()
    return months_back(today, settings.LOST_CONTACT_MONTHS if months is None else months)


def last_reached(since: dt.date, *others: dt.date | None) -> dt.date:
    """The latest of going out and every other time the member was reached."""
    return max([since, *(d for d in others if d is not None)])


def is_lost(
    *, since: dt.date, last_contact: dt.date | None, last_attended: dt.date | None, cutoff: dt.date
) -> bool:
    return last_reached(since, last_contact, last_attended) < cutoff


def no_inflow_side_q() -> Q:
    return Q(inflow_org__isnull=True, station__isnull=True)


def lost_contact_q(*, today: dt.date | None = None, months: int | None = None) -> Q:
    """Open spells whose member was last reached before the cutoff (see the module doc)."""
    from tongchou.mobility.models import MobilityStatus

    today = today or timezone.localdate()
    cutoff = lost_cutoff(today=today, months=months)
    q = Q(status=MobilityStatus.OPEN, since__lt=cutoff) & (
        Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=cutoff)
    )
    for source in REACHED_SINCE.values():
        q &= ~Exists(source(cutoff, today).filter(member_id=OuterRef("member_id")))
    return q
