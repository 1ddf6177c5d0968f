"""Reads of member education, always through a user's scope.

A course is offered by an organization to its whole subtree: a user sees the courses offered by
every organization on the path from their scope up to the root (what their members may study)
and by every organization inside their scope. Study records and trainings are read in the
``VIEW_MEMBERS`` scope on their ``org_path``; station staff also see their station's trainings.
Yearly study hours are a fact shown beside the standard (settings.STUDY_HOURS_STANDARD), never a
ranking or a score.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from tongchou.core import tree
from tongchou.core.lookups import pk_or_404
from tongchou.education.models import Course, StudyRecord, Training
from tongchou.education.permissions import staffed_station_ids
from tongchou.organizations.permissions import Action, can, scope_for


def _station_paths(station_ids: set[int]) -> list[str]:
    if not station_ids:
        return []
    from tongchou.mobility.models import ServiceStation

    stations = ServiceStation.objects.filter(pk__in=station_ids)
    return list(stations.values_list("org_path", flat=True))


def course_list_for(user) -> QuerySet[Course]:
    """Courses offered on the path from the user's scope up to the root, or inside the scope.
    Station staff see what is offered to their station's organization."""
    scope = scope_for(user, Action.VIEW_ORGS)
    if scope.everything:
        return Course.objects.all()
    stations = _station_paths(staffed_station_ids(user))
    if scope.is_empty and not stations:
        return Course.objects.none()
    # Offered to the station's organization: by it or above it (not inside it).
    above = {a for p in [*scope.paths, *stations] for a in tree.ancestor_paths(p)}
    above.update(stations)
    return Course.objects.filter(Q(org_path__in=above) | tree.union_q(scope.paths, "org_path"))


def course_get_for(user, pk) -> Course:
    course = course_list_for(user).select_related("organization").filter(pk=pk_or_404(pk)).first()
    if course is None:
        raise Http404
    return course


def courses_for_member(member) -> QuerySet[Course]:
    """Courses a member may study: offered by their organization or any above it."""
    path = member.org_path
    return Course.objects.filter(org_path__in=[*tree.ancestor_paths(path), path])


def study_record_list_for(user) -> QuerySet[StudyRecord]:
    return StudyRecord.objects.filter(scope_for(user, Action.VIEW_MEMBERS).q("org_path"))


def study_record_get_for(user, pk) -> StudyRecord:
    record = (
        study_record_list_for(user)
        .select_related("member", "member__organization", "course", "training")
        .filter(pk=pk_or_404(pk))
        .first()
    )
    if record is None:
        raise Http404
    return record


def training_list_for(user) -> QuerySet[Training]:
    """Trainings held in the user's VIEW_MEMBERS scope, and those at stations they staff."""
    q = scope_for(user, Action.VIEW_MEMBERS).q("org_path")
    stations = staffed_station_ids(user)
    if stations:
        q |= Q(station_id__in=stations)
    return Training.objects.filter(q)


def training_get_for(user, pk) -> Training:
    training = (
        training_list_for(user)
        .select_related("organization", "station", "created_by")
        .filter(pk=pk_or_404(pk))
        .first()
    )
    if training is None:
        raise Http404
    return training


def station_choices_for(user):
    """Active stations where the user may hold a training: those whose organization they
    manage members of, and those they staff."""
    from tongchou.mobility.models import ServiceStation

    scope = scope_for(user, Action.MANAGE_MEMBERS)
    staffed = staffed_station_ids(user)
    if scope.is_empty and not staffed:
        return ServiceStation.objects.none()
    q = Q(pk__in=[]) if scope.is_empty else scope.q("org_path")
    if staffed:
        q |= Q(pk__in=staffed)
    return ServiceStation.objects.filter(q, active=True).select_related("organization")


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def study_hours_for(member, year: int) -> Decimal:
    """The member's study hours in a calendar year (one index range on member, date)."""
    start, end = year_bounds(year)
    total = StudyRecord.objects.filter(
        member=member, studied_on__gte=start, studied_on__lte=end
    ).aggregate(h=Sum("hours"))["h"]
    return Decimal(total or 0).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class StudySummary:
    """A member's year of study as a fact: hours beside the standard ("18 / 32 学时")."""

    year: int
    hours: Decimal
    standard: int
    record_count: int

    @property
    def reached(self) -> bool:
        return self.hours >= self.standard

    @property
    def text(self) -> str:
        return f"{_plain(self.hours)} / {self.standard}"


def _plain(value: Decimal) -> str:
    """18.0 → "18", 18.5 → "18.5"."""
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"


def study_summary_for_member(member, year: int) -> StudySummary:
    start, end = year_bounds(year)
    row = StudyRecord.objects.filter(
        member=member, studied_on__gte=start, studied_on__lte=end
    ).aggregate(h=Sum("hours"), n=Count("id"))
    hours = Decimal(row["h"] or 0).quantize(Decimal("0.1"))
    return StudySummary(year, hours, settings.STUDY_HOURS_STANDARD, row["n"] or 0)


def training_candidates_for(user, training: Training) -> QuerySet:
    """Members who may be listed as participants of ``training`` by ``user``:

    * members of the holding organization's subtree (for a station training: the subtree of the
      station's organization), the people it looks after;
    * mobile members whose open spell's inflow side is inside that subtree or is this station
      (the same inflow side ``mobility.selectors.inflow_side_of`` reports), so a villager working
      in the city is trained where they are and the hours count at home;
    * any member in the user's own ``MANAGE_MEMBERS`` scope (a secretary bringing their members
      to a neighbour's training).

    Archived members are never candidates.
    """
    from tongchou.members.models import Member
    from tongchou.mobility.models import MobileMember, MobilityStatus

    if not can(user, Action.MANAGE_MEMBERS, training.org_path):
        # Station staff without a role there: only the mobile members at their station.
        at_station = Q(station_id=training.station_id) if training.station_id else Q(pk__in=[])
        mobile_ids = MobileMember.objects.filter(
            at_station, status=MobilityStatus.OPEN, member__isnull=False
        ).values("member_id")
        return Member.objects.filter(pk__in=mobile_ids, archived=False)
    inside = tree.subtree_q(training.org_path, "org_path")
    inflow = tree.subtree_q(training.org_path, "inflow_path")
    inflow |= tree.subtree_q(training.org_path, "station__org_path")
    if training.station_id:
        inflow |= Q(station_id=training.station_id)
    mobile_ids = MobileMember.objects.filter(
        inflow, status=MobilityStatus.OPEN, member__isnull=False
    ).values("member_id")
    q = inside | Q(pk__in=mobile_ids)
    scope = scope_for(user, Action.MANAGE_MEMBERS)
    if not scope.is_empty:
        q |= scope.q("org_path")
    return Member.objects.filter(q, archived=False)


def training_participant_choices(user, training: Training) -> QuerySet:
    """Who the participants form accepts: the candidates, and whoever is listed already (a
    participant who has since moved away stays listed until someone unticks them)."""
    from tongchou.members.models import Member

    listed = StudyRecord.objects.filter(training=training).values("member_id")
    candidates = training_candidates_for(user, training).values("pk")
    return Member.objects.filter(Q(pk__in=candidates) | Q(pk__in=listed))


def member_education_for(member, *, year: int, recent: int = 5) -> dict:
    """What the member page (and the member's own page) shows: this year's hours beside the
    standard, the latest records and trainings attended."""
    records = list(
        StudyRecord.objects.filter(member=member)
        .select_related("course", "training")
        .order_by("-studied_on", "-id")[:recent]
    )
    trainings = list(
        Training.objects.filter(records__member=member)
        .select_related("station", "organization")
        .order_by("-held_on", "-id")[:recent]
    )
    return {
        "summary": study_summary_for_member(member, year),
        "records": records,
        "trainings": trainings,
    }
