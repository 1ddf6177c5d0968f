"""What flowed between organizations, read from the records that already exist.

Pairing types nothing of its own about what happened. Between a set of organizations and over
a span of days it reads:

* joint organizational-life sessions (``orglife.Session.partners``): a session held by one
  organization together with another; one flow from the holder to each partner, counted for
  both sides, with the members present (activities);
* confirmed bookings of one organization's resource by another (``resources.Booking``): hours
  and people, the direction fixed at confirmation (resources);
* trainings held by one organization with participants of another (``education.Training`` and
  its study records): one flow per training and receiving organization, its participants
  (talent);
* exchanges from one organization to another that took place (``talent.Assignment``: active,
  completed or ended early), with the days served inside the span (talent).

Who counts as an organization's own: the holder, owner, booker and sending/receiving
organization are the organization itself; a training's participants are counted for the
organization whose subtree holds their study record (the nearest one, when organizations of the
set nest). Directions follow the regions' one rule (``regions.flows``), provider → user.

Each fact becomes a ``Flow``; ``selectors.pair_summary`` groups them by item kind for one pair
and year, and ``flows.PAIRING`` feeds the joint sessions and trainings (the two not counted by
any other source) into the flow report.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Count, F, Q
from django.utils import timezone

from tongchou.organizations.models import Organization
from tongchou.regions.flows import class_of, direction_of

ACTIVITIES, RESOURCES, TALENT = "activities", "resources", "talent"


@dataclass(frozen=True)
class Flow:
    kind: str  # the item kind it answers (activities, resources, talent)
    source: str  # session, booking, training, assignment
    record_id: int
    direction: str
    day: dt.date
    provider_id: int
    user_id: int
    provider: str
    user: str
    provider_path: str
    user_path: str
    what: str  # the record's title (never a person's name: see ``person``)
    uses: int = 1
    hours: float = 0.0
    people: int = 0
    person_days: int = 0
    until: dt.date | None = None
    person: str = ""  # an exchange's person, shown only to those who may see members
    record_path: str = ""  # where the record lives (its scope)


def _organizations(ids: Iterable[int]) -> dict[int, Organization]:
    return Organization.objects.select_related("region").in_bulk(set(ids))


def _direction(orgs: dict[int, Organization], provider: int, user: int) -> str:
    a, b = orgs[provider], orgs[user]
    return direction_of(class_of(a.region, a), class_of(b.region, b))


def _flow(orgs, provider: int, user: int, **fields) -> Flow:
    a, b = orgs[provider], orgs[user]
    return Flow(
        direction=_direction(orgs, provider, user),
        provider_id=provider,
        user_id=user,
        provider=a.name,
        user=b.name,
        provider_path=a.path,
        user_path=b.path,
        **fields,
    )


def joint_sessions(org_ids: set[int], start: dt.date, end: dt.date) -> list[Flow]:
    """Sessions held by one of ``org_ids`` with a partner among them, taken place between
    ``start`` and ``end`` (inclusive): one flow holder → partner each."""
    from tongchou.orglife.models import PRESENT, Attendance, Session

    if not org_ids:
        return []
    now = timezone.now()
    today = timezone.localdate(now)
    taken_place = Q(session__held_on__lt=today) | Q(
        session__held_on=today, session__starts_at__lte=now
    )
    rows = list(
        Session.partners.through.objects.filter(
            taken_place,
            organization_id__in=org_ids,
            session__organization_id__in=org_ids,
            session__held_on__gte=start,
            session__held_on__lte=end,
        )
        .exclude(organization_id=F("session__organization_id"))
        .values_list(
            "session_id",
            "session__organization_id",
            "organization_id",
            "session__held_on",
            "session__topic",
            "session__org_path",
        )
        .order_by("session__held_on", "session_id", "organization_id")
    )
    if not rows:
        return []
    present = dict(
        Attendance.objects.filter(session_id__in={r[0] for r in rows}, status__in=PRESENT)
        .order_by()
        .values_list("session_id")
        .annotate(n=Count("pk"))
    )
    orgs = _organizations({r[1] for r in rows} | {r[2] for r in rows})
    return [
        _flow(
            orgs,
            holder,
            partner,
            kind=ACTIVITIES,
            source="session",
            record_id=pk,
            day=held_on,
            what=topic,
            people=present.get(pk, 0),
            record_path=path,
        )
        for pk, holder, partner, held_on, topic, path in rows
    ]


def bookings_between(org_ids: set[int], start: dt.date, end: dt.date) -> list[Flow]:
    """Confirmed bookings of one organization's resource by another, starting between ``start``
    and ``end`` (local days, inclusive)."""
    from tongchou.resources.models import Booking, BookingState

    if not org_ids:
        return []
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    rows = list(
        Booking.objects.filter(
            state=BookingState.CONFIRMED,
            organization_id__in=org_ids,
            resource__owner_id__in=org_ids,
            starts_at__gte=since,
            starts_at__lt=until,
        )
        .exclude(organization=F("resource__owner"))
        .values_list(
            "pk",
            "resource__owner_id",
            "organization_id",
            "starts_at",
            "resource__name",
            "purpose",
            "minutes",
            "people",
            "direction",
            "org_path",
        )
        .order_by("starts_at", "pk")
    )
    orgs = _organizations({r[1] for r in rows} | {r[2] for r in rows})
    flows = []
    for pk, owner, booker, starts_at, name, purpose, minutes, people, direction, path in rows:
        flow = _flow(
            orgs,
            owner,
            booker,
            kind=RESOURCES,
            source="booking",
            record_id=pk,
            day=timezone.localdate(starts_at),
            what=f"{name} · {purpose}",
            hours=(minutes or 0) / 60,
            people=people,
            record_path=path,
        )
        if direction:  # fixed at confirmation: the record says which way it went
            flow = replace(flow, direction=direction)
        flows.append(flow)
    return flows


def _owner_of(path: str, members: list[tuple[str, int]]) -> int | None:
    """The organization of ``members`` (path, id; longest path first) whose subtree holds
    ``path``."""
    for member_path, org_id in members:
        if path.startswith(member_path):
            return org_id
    return None


def trainings_between(org_paths: dict[int, str], start: dt.date, end: dt.date) -> list[Flow]:
    """Trainings held by one organization (``org_paths``: id → path) between ``start`` and
    ``end`` with participants of another: one flow per training and receiving organization."""
    from tongchou.education.models import StudyRecord, Training

    if not org_paths:
        return []
    trainings = {
        t.pk: t
        for t in Training.objects.filter(
            organization_id__in=org_paths, held_on__gte=start, held_on__lte=end
        ).only("pk", "title", "organization_id", "held_on", "hours", "org_path")
    }
    if not trainings:
        return []
    members = sorted(((p, pk) for pk, p in org_paths.items()), key=lambda m: -len(m[0]))
    outside = Q()
    for path in org_paths.values():
        outside |= Q(org_path__startswith=path)
    counts: Counter = Counter()
    for training_id, path in StudyRecord.objects.filter(
        outside, training_id__in=list(trainings)
    ).values_list("training_id", "org_path"):
        owner = _owner_of(path, members)
        if owner is not None and owner != trainings[training_id].organization_id:
            counts[(training_id, owner)] += 1
    orgs = _organizations({t.organization_id for t in trainings.values()} | {o for _, o in counts})
    flows = []
    for (training_id, owner), n in sorted(counts.items()):
        t = trainings[training_id]
        flows.append(
            _flow(
                orgs,
                t.organization_id,
                owner,
                kind=TALENT,
                source="training",
                record_id=t.pk,
                day=t.held_on,
                what=t.title,
                hours=float(t.hours),
                people=n,
                record_path=t.org_path,
            )
        )
    return sorted(flows, key=lambda f: (f.day, f.record_id))


def exchanges_between(org_ids: set[int], start: dt.date, end: dt.date) -> list[Flow]:
    """Exchanges from one organization to another that took place, with the days served
    between ``start`` and ``end`` (inclusive; none inside: not counted)."""
    from tongchou.talent.flows import FLOWED
    from tongchou.talent.models import Assignment

    if not org_ids:
        return []
    rows = list(
        Assignment.objects.filter(
            state__in=FLOWED,
            from_org_id__in=org_ids,
            to_org_id__in=org_ids,
            first_day__lte=end,
        )
        .filter(Q(ended_on__gte=start) | Q(ended_on__isnull=True, last_day__gte=start))
        .exclude(from_org=F("to_org"))
        .select_related("talent__member")
        .order_by("first_day", "pk")
    )
    orgs = _organizations({a.from_org_id for a in rows} | {a.to_org_id for a in rows})
    flows = []
    for a in rows:
        first, last = max(a.first_day, start), min(a.end_day, end)
        if last < first:
            continue
        flows.append(
            _flow(
                orgs,
                a.from_org_id,
                a.to_org_id,
                kind=TALENT,
                source="assignment",
                record_id=a.pk,
                day=first,
                until=last,
                what=a.get_kind_display(),
                people=1,
                person_days=(last - first).days + 1,
                person=a.talent.name,
                record_path=a.from_path + "|" + a.to_path,
            )
        )
    return flows
