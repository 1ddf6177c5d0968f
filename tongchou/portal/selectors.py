"""The member's own record: the one linked to the signed-in login (Member.user), nothing else.
A member has no scope beyond their own record."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from tongchou.members.models import Member


def own_member(user) -> Member | None:
    """The member record linked to this login, or None (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return None
    if "_tongchou_portal_member" not in user.__dict__:
        user.__dict__["_tongchou_portal_member"] = (
            Member.objects.select_related("organization", "organization__region", "home_region")
            .filter(user_id=user.pk)
            .first()
        )
    return user.__dict__["_tongchou_portal_member"]


def forget_own_member(user) -> None:
    """After a write that changes the record (organization, status), read it afresh."""
    user.__dict__.pop("_tongchou_portal_member", None)


def summary_for(member: Member, *, today) -> dict:
    """What the member's own page and ``GET /api/me/member/`` show besides the panels: the open
    transfer, the open spell away from home and this year's study hours (facts)."""
    from tongchou.education.selectors import study_summary_for_member
    from tongchou.mobility.selectors import open_spell_for
    from tongchou.transfers.models import OPEN_STATES
    from tongchou.transfers.selectors import transfers_of_member

    open_transfer = transfers_of_member(member).filter(state__in=list(OPEN_STATES)).first()
    return {
        "open_transfer": open_transfer,
        "open_spell": open_spell_for(member),
        "study": study_summary_for_member(member, today.year),
    }


# --- the home page: what is waiting for this person now --------------------------------------

HOME_LIST_LIMIT = 10
RECENT_IMPORT_DAYS = 7


@dataclass
class StationWork:
    station: object
    open_count: int
    arrivals: list = field(default_factory=list)


@dataclass
class Waiting:
    """Everything the home page shows one person, whatever they are: role holder, station
    staff, member — or several of these at once."""

    transfers: list = field(default_factory=list)  # steps this person can take now
    transfers_total: int = 0
    stations: list[StationWork] = field(default_factory=list)
    imports: list = field(default_factory=list)  # own imports running or finished lately
    bookings_to_decide: list = field(default_factory=list)  # requests on resources kept here
    bookings_cancelled: list = field(default_factory=list)  # a session/training lost its place
    exchanges: list = field(default_factory=list)  # planned exchanges to or from their orgs
    member: Member | None = None
    summary: dict | None = None


def waiting_for(user, *, today) -> Waiting:
    """What is waiting for ``user``, read through each app's scoped selectors."""
    from tongchou.members.selectors import import_job_list_for
    from tongchou.mobility.selectors import (
        arrivals_expected,
        open_spell_counts,
        stations_for_registration,
    )
    from tongchou.transfers.selectors import pending_for

    waiting = Waiting()
    pending = (
        pending_for(user)
        .select_related("member", "from_org", "to_org")
        .order_by("created_at", "id")
    )
    waiting.transfers = list(pending[:HOME_LIST_LIMIT])
    waiting.transfers_total = (
        len(waiting.transfers) if len(waiting.transfers) < HOME_LIST_LIMIT else pending.count()
    )
    stations = list(
        stations_for_registration(user).select_related("region").order_by("name")[:HOME_LIST_LIMIT]
    )
    if stations:
        counts = open_spell_counts(stations)
        arrivals = arrivals_expected(stations)
        for station in stations:
            expected = [
                s for s in arrivals if s.destination_region_id.startswith(station.region_id)
            ]
            waiting.stations.append(StationWork(station, counts.get(station.pk, 0), expected))
    since = timezone.now() - dt.timedelta(days=RECENT_IMPORT_DAYS)
    waiting.imports = [
        job
        for job in import_job_list_for(user, limit=5)
        if not job.finished or (job.finished_at and job.finished_at >= since)
    ]
    from tongchou.resources.selectors import bookings_awaiting, cancelled_for_organizer

    waiting.bookings_to_decide = list(
        bookings_awaiting(user)
        .select_related("resource", "organization")
        .order_by("starts_at", "id")[:HOME_LIST_LIMIT]
    )
    waiting.bookings_cancelled = list(
        cancelled_for_organizer(user, today=today)
        .select_related("resource")
        .order_by("starts_at", "id")[:HOME_LIST_LIMIT]
    )
    from tongchou.talent.selectors import waiting_assignments_for

    waiting.exchanges = list(
        waiting_assignments_for(user)
        .select_related("talent__member", "from_org", "to_org", "need")
        .order_by("first_day", "id")[:HOME_LIST_LIMIT]
    )
    waiting.member = own_member(user)
    if waiting.member is not None:
        waiting.summary = summary_for(waiting.member, today=today)
    return waiting
