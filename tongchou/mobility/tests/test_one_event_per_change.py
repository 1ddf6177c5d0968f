"""One change, one audit event: every mobility service writes exactly one event, filed under
every side it concerns; the member's status following a spell is told in the spell's event,
not in an event of its own."""

import datetime as dt

import pytest

from tongchou.core.models import AuditEvent
from tongchou.members import services as member_services
from tongchou.members.choices import MemberStatus
from tongchou.mobility import services
from tongchou.mobility.tests.factories import spell_for

pytestmark = pytest.mark.django_db
D = dt.date


class Events:
    """The events written since the last call."""

    def __init__(self):
        self.seen = AuditEvent.objects.count()

    def new(self) -> list[AuditEvent]:
        events = list(AuditEvent.objects.order_by("pk")[self.seen :])
        self.seen += len(events)
        return events

    def one(self) -> AuditEvent:
        events = self.new()
        assert len(events) == 1, [(e.object_type, e.before, e.after) for e in events]
        return events[0]


def test_a_spell_from_outflow_to_return_writes_one_event_per_step(m):
    events = Events()
    spell = services.outflow_register(
        actor=m.secretary_v, member=m.m1, destination_region=m.street_b_r,
        since=D(2024, 3, 1), reason="work",
    )  # fmt: skip
    event = events.one()
    assert event.object_type == "mobility.mobilemember"
    assert (event.before, event.after["member__status"]) == ({"member__status": "normal"}, "mobile")

    services.inflow_register(
        actor=m.admin_b, inflow_org=m.street_b, id_number=m.m1.id_number, name=m.m1.name,
        home_text="潮湖村党支部", since=D(2024, 3, 10), reason="work",
    )  # fmt: skip
    event = events.one()
    assert "member__status" not in event.after  # already 流动: nothing followed
    assert event.all_paths() == [m.village_a.path, m.street_b.path]

    services.contact_record(actor=m.admin_b, spell=spell, on=D(2024, 4, 1), channel="phone")
    event = events.one()  # once, filed on both sides (it was once per side)
    assert event.object_type == "mobility.mobilitycontact"
    assert event.all_paths() == [m.village_a.path, m.street_b.path]

    services.spell_return(actor=m.secretary_v, spell=spell, on=D(2024, 9, 1))
    event = events.one()
    assert event.before["member__status"] == "mobile"
    assert event.after["member__status"] == "normal" and event.after["status"] == "returned"
    m.m1.refresh_from_db()
    assert m.m1.status == MemberStatus.NORMAL


def test_an_inflow_that_opens_the_spell_and_its_end_write_one_event_each(m):
    events = Events()
    spell = services.inflow_register(
        actor=m.staff_a, station=m.station_a, id_number=m.mb.id_number, name=m.mb.name,
        home_text="庙台村党支部", since=D(2024, 5, 1), reason="work",
    )  # fmt: skip
    event = events.one()
    assert event.after["member__status"] == "mobile"
    assert event.all_paths() == [m.village_b.path, m.station_a.org_path]

    services.spell_end(actor=m.admin_b, spell=spell, on=D(2024, 6, 1), note="组织关系已转入")
    event = events.one()
    assert event.after["member__status"] == "normal" and event.after["status"] == "ended"


def test_an_arrival_from_outside_writes_one_event(m):
    events = Events()
    from tongchou.core.tests.factories import make_id_number

    services.inflow_register(
        actor=m.admin_b, inflow_org=m.street_b, id_number=make_id_number(region="610102"),
        name="赵刚", home_text="西安市新城区某党支部", since=D(2024, 3, 10), reason="work",
    )  # fmt: skip
    event = events.one()
    assert "member__status" not in event.after


def test_stations_write_one_event_per_change(m):
    events = Events()
    station = services.station_create(
        actor=m.admin_a, organization=m.street_a, name="园区站", kind="other",
        region=m.street_a_r, staff=[m.staff_a],
    )  # fmt: skip
    events.one()
    services.station_update(actor=m.admin_a, station=station, name="园区党员服务站", staff=[])
    events.one()
    services.station_staff_add(actor=m.admin_a, station=station, user=m.secretary_c)
    events.one()


def test_a_spell_following_the_members_record_writes_one_event_of_its_own(m):
    """Archiving a mobile member ends their spell: the record's archiving and the spell's end
    (which says the status followed), never a separate status event."""
    spell_for(m.m2, inflow_org=m.street_b)
    member_services.member_status_follow(member=m.m2, status=MemberStatus.MOBILE)
    events = Events()
    member_services.member_archive(actor=m.secretary_v, member=m.m2, reason="去世")
    kinds = [(e.object_type, e.action) for e in events.new()]
    assert kinds == [("mobility.mobilemember", "update"), ("members.member", "archive")]
