"""A transfer's completion writes one event per record it changes — the transfer's step, the
member's move (or departure), and, when it settles a mobility spell, the spell's end — and no
event besides: the member's status following the spell is told in the spell's event, and an
outward transfer takes the status from 流动 straight to 已转出 (never 正常 on the way)."""

import datetime as dt

import pytest

from tongchou.core.models import AuditEvent
from tongchou.members.choices import MemberStatus
from tongchou.mobility import services as mobility_services
from tongchou.transfers import services
from tongchou.transfers.models import TransferKind
from tongchou.transfers.tests.conftest import approve_out, approve_upper, within

pytestmark = pytest.mark.django_db


def away(w, member, inflow_org):
    since = dt.date.today() - dt.timedelta(days=30)
    mobility_services.outflow_register(
        actor=w.admin_a, member=member, destination_region=inflow_org.region, since=since,
        reason="work",
    )  # fmt: skip
    return mobility_services.inflow_register(
        actor=w.root, inflow_org=inflow_org, id_number=member.id_number, name=member.name,
        home_text=member.organization.name, since=since, reason="work",
    )  # fmt: skip


def written_by(call) -> list[AuditEvent]:
    seen = AuditEvent.objects.count()
    call()
    return list(AuditEvent.objects.order_by("pk")[seen:])


def kinds(events) -> list[tuple[str, str]]:
    return sorted((e.object_type, e.action) for e in events)


def test_a_plain_transfer_completes_with_the_step_and_the_move(w):
    t = within(w)
    approve_out(actor=w.secretary_a, transfer=t)
    events = written_by(lambda: services.transfer_accept(actor=w.secretary_a2, transfer=t))
    assert kinds(events) == [("members.member", "update"), ("transfers.transfer", "update")]


def test_a_transfer_to_the_inflow_side_ends_the_spell_in_one_event(w):
    spell = away(w, w.m1, w.b.village)
    t = within(w, to_org=w.b.village)
    approve_out(actor=w.secretary_a, transfer=t)
    approve_upper(actor=w.admin_a, transfer=t)
    events = written_by(lambda: services.transfer_accept(actor=w.secretary_b, transfer=t))
    assert kinds(events) == [
        ("members.member", "update"),
        ("mobility.mobilemember", "update"),
        ("transfers.transfer", "update"),
    ]
    (ended,) = [e for e in events if e.object_type == "mobility.mobilemember"]
    assert ended.object_id == str(spell.pk) and ended.after["status"] == "ended"
    assert (ended.before["member__status"], ended.after["member__status"]) == ("mobile", "normal")
    w.m1.refresh_from_db()
    assert w.m1.status == MemberStatus.NORMAL and w.m1.organization_id == w.b.village.pk


def test_an_outward_transfer_of_a_mobile_member_goes_straight_to_transferred_out(w):
    spell = away(w, w.m1, w.b.village)
    t = services.transfer_request(
        actor=w.clerk_a, member=w.m1, kind=TransferKind.OUTWARD,
        to_text="银川市兴庆区凤凰北街街道党工委", reason="工作调动",
    )  # fmt: skip
    approve_out(actor=w.secretary_a, transfer=t)
    approve_upper(actor=w.admin_a, transfer=t)
    events = written_by(lambda: services.transfer_accept(actor=w.secretary_a, transfer=t))
    assert kinds(events) == [
        ("members.member", "archive"),
        ("mobility.mobilemember", "update"),
        ("transfers.transfer", "update"),
    ]
    (left,) = [e for e in events if e.object_type == "members.member"]
    assert left.before == {"status": MemberStatus.MOBILE, "archived": False}
    assert left.after == {"status": MemberStatus.TRANSFERRED_OUT, "archived": True}
    (ended,) = [e for e in events if e.object_type == "mobility.mobilemember"]
    assert ended.object_id == str(spell.pk) and "member__status" not in ended.after
    w.m1.refresh_from_db()
    assert w.m1.status == MemberStatus.TRANSFERRED_OUT and w.m1.archived
