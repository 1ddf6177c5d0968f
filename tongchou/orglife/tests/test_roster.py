"""应到/实到: who was expected at a session on its date, and who attended (orglife.roster)."""

import datetime as dt

import pytest
from django.utils import timezone

from tongchou.core.tests.factories import create_member
from tongchou.members.models import Member
from tongchou.orglife import roster
from tongchou.orglife.models import Attendance, Session, SessionFormat, SessionKind
from tongchou.orglife.tests.conftest import at, spell
from tongchou.transfers.models import Transfer, TransferKind, TransferState

pytestmark = pytest.mark.django_db


def held(org, days_ago=10, kind=SessionKind.THEME_DAY, **kw) -> Session:
    starts_at = at(days_ago)
    return Session.objects.create(
        kind=kind,
        organization=org,
        org_path=org.path,
        starts_at=starts_at,
        held_on=timezone.localdate(starts_at),
        format=kw.pop("format", SessionFormat.OFFLINE),
        topic="主题党日",
        **kw,
    )


def mark(session, member, status="offline"):
    Attendance.objects.create(
        session=session, member=member, status=status, held_on=session.held_on
    )


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def moved(member, from_org, to_org, days: int) -> None:
    """A completed transfer ``days`` ago, and the member where it put them."""
    Transfer.objects.create(
        kind=TransferKind.WITHIN,
        state=TransferState.COMPLETED,
        member=member,
        member_name=member.name,
        from_org=from_org,
        from_path=from_org.path,
        to_org=to_org,
        to_path=to_org.path,
        reason="工作调动",
        completed_at=at(days),
    )
    Member.objects.filter(pk=member.pk).update(organization=to_org, org_path=to_org.path)


def test_expected_are_the_members_of_the_organization_on_the_session_date(w):
    session = held(w.village_a, days_ago=10)
    later = held(w.village_a, days_ago=1)
    v0, v1, v2 = w.villagers
    # Joined the Party after the session: not expected then.
    recruit = create_member(w.village_a, name="新党员", admission_date=days_ago(5))
    # Received from the community after the session: expected there, not here.
    arrived = w.resident
    moved(arrived, w.community_a, w.village_a, days=3)
    # Transferred out after the session: the relation was still here that day.
    moved(v2, w.village_a, w.community_a, days=2)
    # Transferred out before the session: gone.
    moved(v1, w.village_a, w.courier_a, days=20)
    expected = roster.expected_members(session)
    assert expected == {v0.pk, v2.pk}
    assert roster.expected_members(later) == {v0.pk, recruit.pk, arrived.pk}
    community = held(w.community_a, days_ago=10)
    assert roster.expected_members(community) == {arrived.pk}


def test_members_away_with_an_inflow_side_are_excused(w):
    v0, v1, v2 = w.villagers
    # Away, looked after by an inflow organization: they take part there.
    spell(v0, home=w.village_a, inflow=w.village_b, since=days_ago(40))
    # Away, nobody looks after them: still expected at home.
    spell(v1, home=w.village_a, since=days_ago(40))
    # Away, but the station registered them only after the session.
    spell(
        v2,
        home=w.village_a,
        station=w.station_a,
        since=days_ago(40),
        inflow_registered_on=days_ago(5),
    )
    session = held(w.village_a, days_ago=10)
    assert roster.expected_members(session) == {v1.pk, v2.pk}
    # Back home since (the spell ended): expected again at a later session.
    from tongchou.mobility.models import MobileMember

    MobileMember.objects.filter(member=v0).update(status="ended", ended_on=days_ago(3))
    assert v0.pk in roster.expected_members(held(w.village_a, days_ago=1))


def test_turnout_counts_expected_and_attended_apart_from_the_others(w):
    v0, v1, v2 = w.villagers
    session = held(w.village_a)
    mark(session, v0, "offline")
    mark(session, v1, "excused")
    mark(session, w.courier, "offline")  # someone from elsewhere who came
    turnout = roster.turnout_for([session])[session.pk]
    assert (turnout.expected, turnout.attended) == (3, 1)
    assert (turnout.excused, turnout.absent, turnout.unrecorded) == (1, 0, 1)
    assert turnout.others_present == 1 and turnout.recorded == 3
    assert turnout.rate == 33


def test_committee_meetings_groups_and_committees_have_no_roster_only_who_attended(w):
    group = held(w.group_a, kind=SessionKind.GROUP_MEETING)
    lecture = held(w.street_a, kind=SessionKind.LECTURE)
    committee = held(w.village_a, kind=SessionKind.COMMITTEE_MEETING)  # the 支委 only
    mark(group, w.villagers[0])
    mark(committee, w.villagers[1])
    mark(lecture, w.resident, "online")
    mark(lecture, w.courier, "absent")
    turnouts = roster.turnout_for([group, lecture, committee])
    assert turnouts[committee.pk].expected is None and turnouts[committee.pk].attended == 1
    assert turnouts[group.pk].expected is None and turnouts[group.pk].attended == 1
    assert turnouts[lecture.pk].expected is None and turnouts[lecture.pk].attended == 1
    assert turnouts[lecture.pk].absent == 1 and turnouts[lecture.pk].rate is None


def test_a_page_of_sessions_costs_a_fixed_number_of_queries(w, django_assert_num_queries):
    sessions = [held(w.village_a, days_ago=d) for d in (3, 5)]
    sessions = list(
        Session.objects.select_related("organization").filter(pk__in=[s.pk for s in sessions])
    )
    with django_assert_num_queries(4) as few:
        roster.turnout_for(sessions)
    for days in (7, 9, 11):
        held(w.community_a, days_ago=days)
        held(w.courier_a, days_ago=days)
    spell(w.villagers[0], home=w.village_a, inflow=w.village_b, since=days_ago(40))
    moved(w.villagers[1], w.village_a, w.village_b, days=4)  # left for another county
    more = list(Session.objects.select_related("organization"))
    for session in more:
        mark(session, w.villagers[2])
    with django_assert_num_queries(len(few.captured_queries) + 1):  # + those who left since
        result = roster.turnout_for(more)
    assert len(result) == 8
