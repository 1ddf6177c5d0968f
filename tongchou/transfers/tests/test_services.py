"""transfers.services: every rule of the workflow, each refusal with nothing half done."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongchou.core import crypto
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import UserFactory, create_member, make_id_number
from tongchou.members.choices import MemberStatus
from tongchou.members.models import Member
from tongchou.organizations.models import OrgKind, OrgStatus
from tongchou.transfers import permissions, selectors, services
from tongchou.transfers.models import (
    LetterCounter,
    StepAction,
    Transfer,
    TransferKind,
    TransferState,
    TransferStep,
)
from tongchou.transfers.tests.conftest import (
    ISSUER_PHONE,
    approve_out,
    approve_upper,
    incoming,
    inward,
    within,
)

pytestmark = pytest.mark.django_db


def states(transfer):
    return list(transfer.steps.values_list("action", "state_after"))


def refused(code=None, field=None):
    class Ctx:
        def __enter__(self):
            self.before = (
                Transfer.objects.count(),
                TransferStep.objects.count(),
                AuditEvent.objects.count(),
                list(Member.objects.order_by("pk").values_list("org_path", "archived", "status")),
                list(Transfer.objects.order_by("pk").values_list("state", "letter_number")),
            )
            return self

        def __exit__(self, kind, exc, tb):
            assert kind is ApplicationError, f"expected ApplicationError, got {kind}"
            if code:
                assert exc.code == code, exc.code
            if field:
                assert exc.field == field, exc.field
            assert str(exc.message)
            after = (
                Transfer.objects.count(),
                TransferStep.objects.count(),
                AuditEvent.objects.count(),
                list(Member.objects.order_by("pk").values_list("org_path", "archived", "status")),
                list(Transfer.objects.order_by("pk").values_list("state", "letter_number")),
            )
            assert after == self.before, "a refused step wrote data"
            return True

    return Ctx()


# -- within the deployment ---------------------------------------------------------------------


def test_within_same_county_full_workflow(w):
    t = within(w)
    assert t.state == TransferState.REQUESTED and not t.needs_upper_approval
    assert t.from_path == w.village_a.path and t.to_path == w.village_a2.path
    assert t.upper_org_id is None and t.requested_by == w.clerk_a
    approve_out(actor=w.secretary_a, transfer=t, note="同意")
    assert t.state == TransferState.AWAITING_INFLOW
    today = timezone.localdate()
    assert services.parse_serial(t.letter_number) == ("石组转", today.year, 1)
    assert t.letter_issued_on == today
    assert t.letter_valid_until == today + dt.timedelta(days=90)
    assert t.dues_paid_to == today.replace(day=1) and t.issuer_phone == ISSUER_PHONE
    services.transfer_accept(actor=w.secretary_a2, transfer=t)
    t.refresh_from_db()
    assert t.state == TransferState.COMPLETED and t.completed_at is not None
    w.m1.refresh_from_db()
    assert w.m1.organization_id == w.village_a2.pk and w.m1.org_path == w.village_a2.path
    assert states(t) == [
        ("request", "requested"),
        ("approve_out", "awaiting_inflow"),
        ("accept", "completed"),
    ]
    step = t.steps.get(action=StepAction.APPROVE_OUT)
    assert step.actor == w.secretary_a and step.note == "同意" and step.at is not None
    # The member's move is one event filed on both sides; every step has its own event.
    (move,) = AuditEvent.objects.filter(object_type="members.member", object_id=str(w.m1.pk))
    assert sorted(move.all_paths()) == sorted([w.village_a.path, w.village_a2.path])
    assert move.after == {"organization": w.village_a2.pk}
    events = AuditEvent.objects.filter(object_type="transfers.transfer", object_id=str(t.pk))
    assert events.count() == 3


def test_cross_county_needs_upper_approval_by_county_committee(w):
    t = within(w, to_org=w.village_b)
    assert t.needs_upper_approval
    assert t.upper_org_id == w.county_a.pk and t.upper_path == w.county_a.path
    approve_out(actor=w.secretary_a, transfer=t)
    # The letter is issued by the last approval needed: the county committee's.
    assert t.state == TransferState.OUT_APPROVED and t.letter_number == ""
    assert t.letter_issued_on is None and t.dues_paid_to is not None
    # The village secretary cannot approve for the county committee.
    with pytest.raises(PermissionDenied):
        approve_upper(actor=w.secretary_a, transfer=t)
    approve_upper(actor=w.admin_a, transfer=t, note="县委同意")
    assert t.state == TransferState.AWAITING_INFLOW
    assert services.parse_serial(t.letter_number)[2] == 1 and t.letter_issuer_id == w.county_a.pk
    # County A cannot receive for county B.
    with pytest.raises(PermissionDenied):
        services.transfer_accept(actor=w.admin_a, transfer=t)
    services.transfer_accept(actor=w.secretary_b, transfer=t)
    w.m1.refresh_from_db()
    assert w.m1.organization_id == w.village_b.pk
    assert [a for a, _ in states(t)] == ["request", "approve_out", "approve_upper", "accept"]


def test_upper_committee_is_the_root_without_a_county_committee(w):
    # An organization held straight under the city committee: no county-level committee above.
    branch = w.world.a.village.__class__.objects.create(
        name="市直机关党支部",
        code="CITY-B1",
        kind=OrgKind.BRANCH,
        region=w.city.region,
        urban_rural="urban",
        parent=w.city,
        path="tmp-x",
    )
    branch.path = w.city.path + f"{branch.pk:08d}"
    branch.save(update_fields=["path"])
    member = create_member(branch, name="市直党员")
    t = within(w, actor=w.root, member=member, to_org=w.village_a)
    assert t.needs_upper_approval and t.upper_org_id == w.city.pk


def test_outward_always_needs_upper_and_archives_the_member_on_completion(w):
    t = services.transfer_request(
        actor=w.clerk_a,
        member=w.m1,
        kind=TransferKind.OUTWARD,
        to_text="银川市兴庆区凤凰北街街道党工委",
        reason="工作调动",
    )
    assert t.needs_upper_approval and t.upper_org_id == w.county_a.pk
    approve_out(actor=w.secretary_a, transfer=t)
    approve_upper(actor=w.admin_a, transfer=t)
    assert t.state == TransferState.AWAITING_INFLOW
    # The receiving side is outside: the outflow side confirms completion.
    services.transfer_accept(actor=w.secretary_a, transfer=t, note="回执已收到")
    w.m1.refresh_from_db()
    assert w.m1.archived and w.m1.status == MemberStatus.TRANSFERRED_OUT
    # One change, one event: the status and the archiving together.
    (archive,) = AuditEvent.objects.filter(object_type="members.member", object_id=str(w.m1.pk))
    assert archive.action == "archive" and "银川市兴庆区凤凰北街街道党工委" in archive.note
    assert archive.after == {"status": MemberStatus.TRANSFERRED_OUT, "archived": True}


def test_outward_refuses_an_organization_in_the_deployment(w):
    with refused("to_org_in_deployment", "to_org"):
        services.transfer_request(
            actor=w.admin_a,
            member=w.m1,
            kind=TransferKind.OUTWARD,
            to_org=w.village_b,
            to_text="x",
            reason="r",
        )
    with refused("required", "to_text"):
        services.transfer_request(
            actor=w.admin_a, member=w.m1, kind=TransferKind.OUTWARD, to_text=" ", reason="r"
        )


# -- inward ------------------------------------------------------------------------------------


def test_inward_registers_the_member_on_acceptance(w):
    t = inward(w)
    assert t.kind == TransferKind.INWARD and t.state == TransferState.AWAITING_INFLOW
    assert t.member is None and t.member_name == "李转入"
    assert t.letter_number == "银组转〔2026〕000001号"
    id_number = crypto.decrypt(t.incoming["id_number_enc"])
    stored = str(t.incoming)
    assert id_number not in stored and "13812345678" not in stored
    assert t.incoming["id_number_masked"] == crypto.mask_id_number(id_number)
    services.transfer_accept(actor=w.secretary_a, transfer=t)
    t.refresh_from_db()
    member = t.member
    assert member.organization_id == w.village_a.pk and member.id_number == id_number
    assert member.phone == "13812345678" and member.name == "李转入"
    assert states(t) == [("request", "awaiting_inflow"), ("accept", "completed")]


def test_inward_restores_an_archived_member_with_the_same_id_number(w):
    gone = w.mb
    gone.archived = True
    gone.status = MemberStatus.TRANSFERRED_OUT
    gone.save()
    values = incoming(name=gone.name, birth_date=gone.birth_date, gender=gone.gender)
    values["id_number"] = gone.id_number
    t = services.transfer_request(
        actor=w.admin_a,
        kind=TransferKind.INWARD,
        to_org=w.village_a,
        from_text="外省某党支部",
        letter_number="外组转2026-7",
        reason="返乡",
        incoming=values,
    )
    services.transfer_accept(actor=w.admin_a, transfer=t)
    gone.refresh_from_db()
    assert not gone.archived and gone.status == MemberStatus.NORMAL
    assert gone.organization_id == w.village_a.pk and gone.org_path == w.village_a.path
    assert Member.objects.filter(id_number_hash=gone.id_number_hash).count() == 1
    t.refresh_from_db()
    assert t.member_id == gone.pk


def test_inward_validates_member_details_with_the_member_rules(w):
    with refused("invalid", "gender"):
        inward(w, gender="F", id_number=make_id_number(gender="M"))  # the number says male
    with refused("invalid", "admission_date"):
        inward(w, admission_date=dt.date(1990, 1, 1))  # before turning 18
    with refused("invalid", "phone"):
        inward(w, phone="12345")


def test_inward_refuses_a_member_already_here_and_a_second_open_one(w):
    values = incoming()
    values["id_number"] = w.mb.id_number
    values.update(birth_date=w.mb.birth_date, gender=w.mb.gender)
    with pytest.raises(ApplicationError) as exc:
        services.transfer_request(
            actor=w.admin_a,
            kind=TransferKind.INWARD,
            to_org=w.village_a,
            from_text="外省",
            letter_number="X-1",
            reason="r",
            incoming=values,
        )
    # County B's member: county A's admin is told only that the number is taken (the same
    # words whoever holds it); county B's admins see an audit event that someone tried.
    assert (exc.value.code, exc.value.field) == ("already_member", "id_number")
    assert w.mb.name not in str(exc.value.message) and not Transfer.objects.exists()
    event = AuditEvent.objects.get(object_type="members.member", object_id=w.mb.pk)
    assert event.org_path == w.mb.org_path and event.actor == w.admin_a
    first = incoming()
    services.transfer_request(
        actor=w.admin_a,
        kind=TransferKind.INWARD,
        to_org=w.village_a,
        from_text="外省",
        letter_number="X-1",
        reason="r",
        incoming=first,
    )
    with refused("already_open"):
        services.transfer_request(
            actor=w.admin_a,
            kind=TransferKind.INWARD,
            to_org=w.village_a2,
            from_text="外省",
            letter_number="X-2",
            reason="r",
            incoming=first,
        )


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("", "请填写"),
        ("   ", "请填写"),
        ("无编号介绍信", "数字"),
        ("1" * 41, "40"),
        ("银组转\x00123", "控制字符"),
        ("银组转\u200b123", "控制字符"),
    ],
)
def test_inward_refuses_malformed_letter_numbers(w, number, fragment):
    with refused(field="letter_number") as ctx:
        inward(w, letter_number=number)
    assert ctx  # the message names the problem:
    with pytest.raises(ApplicationError) as exc:
        services.clean_letter_number(number)
    assert fragment in str(exc.value.message)


def test_inward_needs_manage_on_the_receiving_organization(w):
    with pytest.raises(PermissionDenied):
        inward(w, actor=w.admin_b)
    with pytest.raises(PermissionDenied):
        inward(w, actor=w.self_user)
    assert not Transfer.objects.exists()


# -- who ---------------------------------------------------------------------------------------


def test_member_requests_their_own_transfer_but_not_someone_elses(w):
    t = within(w, actor=w.self_user, member=w.own)
    assert t.requested_by == w.self_user
    with pytest.raises(PermissionDenied):
        within(w, actor=w.self_user, member=w.m2)
    with pytest.raises(PermissionDenied):
        within(w, actor=w.admin_b, member=w.m2)
    with pytest.raises(PermissionDenied):
        within(w, actor=w.norole, member=w.m2)
    # The member cannot approve their own request.
    with pytest.raises(PermissionDenied):
        approve_out(actor=w.self_user, transfer=t)
    # …but may withdraw it while it waits for approval.
    services.transfer_cancel(actor=w.self_user, transfer=t)
    assert t.state == TransferState.CANCELLED


def test_member_cannot_cancel_after_approval(w):
    t = within(w, actor=w.self_user, member=w.own)
    approve_out(actor=w.secretary_a, transfer=t)
    with pytest.raises(PermissionDenied):
        services.transfer_cancel(actor=w.self_user, transfer=t)
    services.transfer_cancel(actor=w.secretary_a, transfer=t, note="本人放弃")
    assert t.state == TransferState.CANCELLED


def test_inflow_side_cannot_approve_out_and_outflow_cannot_accept_within(w):
    t = within(w, to_org=w.village_b)
    with pytest.raises(PermissionDenied):
        approve_out(actor=w.admin_b, transfer=t)
    approve_out(actor=w.admin_a, transfer=t)
    approve_upper(actor=w.admin_a, transfer=t)
    with pytest.raises(PermissionDenied):
        services.transfer_accept(actor=w.secretary_a, transfer=t)
    # Upper committees of the inflow side may receive (city admin covers both counties).
    services.transfer_accept(actor=w.city_admin, transfer=t)
    assert t.state == TransferState.COMPLETED


# -- refusals ----------------------------------------------------------------------------------


def test_second_open_transfer_for_the_same_member_is_refused(w):
    within(w)
    with refused("already_open", "member"):
        within(w, to_org=w.village_b)


def test_a_new_request_may_follow_a_returned_one(w):
    t = within(w)
    services.transfer_return(actor=w.secretary_a, transfer=t, reason="材料不全")
    assert t.state == TransferState.RETURNED
    assert t.steps.last().note == "材料不全"
    again = within(w)
    assert again.state == TransferState.REQUESTED


def test_transfer_to_own_organization_is_refused(w):
    with refused("same_organization", "to_org"):
        within(w, to_org=w.village_a)


def test_transfer_to_group_or_dissolved_organization_is_refused(w):
    w.village_a2.status = OrgStatus.DISSOLVED
    w.village_a2.save()
    with refused("organization_dissolved", "to_org"):
        within(w)


def test_archived_member_is_refused(w):
    w.m1.archived = True
    w.m1.save()
    with refused("archived", "member"):
        within(w)


def test_reason_is_required_and_bounded(w):
    with refused("required", "reason"):
        within(w, reason="  ")
    with refused("too_long", "reason"):
        within(w, reason="长" * 201)


def test_kind_must_be_known(w):
    with refused("invalid_kind", "kind"):
        services.transfer_request(actor=w.admin_a, member=w.m1, kind="sideways", reason="r")


@pytest.mark.parametrize("closing", ["return", "cancel", "complete"])
def test_closed_transfers_cannot_be_accepted_or_acted_on(w, closing):
    t = within(w)
    approve_out(actor=w.admin_a, transfer=t)
    if closing == "return":
        services.transfer_return(actor=w.admin_a, transfer=t, reason="不符合条件")
    elif closing == "cancel":
        services.transfer_cancel(actor=w.admin_a, transfer=t)
    else:
        services.transfer_accept(actor=w.admin_a, transfer=t)
    for step in (
        services.transfer_accept,
        services.transfer_approve_out,
        services.transfer_cancel,
    ):
        with refused("transfer_closed", "state"):
            step(actor=w.admin_a, transfer=t)
    with refused("transfer_closed"):
        services.transfer_return(actor=w.admin_a, transfer=t, reason="x")


def test_steps_out_of_order_are_refused(w):
    t = within(w, to_org=w.village_b)
    with refused("wrong_state"):
        services.transfer_accept(actor=w.root, transfer=t)
    with refused("wrong_state"):
        approve_upper(actor=w.root, transfer=t)


def test_return_needs_a_reason(w):
    t = within(w)
    with refused("required", "reason"):
        services.transfer_return(actor=w.admin_a, transfer=t, reason="")


def test_return_is_by_the_side_the_transfer_waits_for(w):
    t = within(w, to_org=w.village_b)
    with pytest.raises(PermissionDenied):  # waits for the outflow side
        services.transfer_return(actor=w.secretary_b, transfer=t, reason="x")
    approve_out(actor=w.secretary_a, transfer=t)
    with pytest.raises(PermissionDenied):  # waits for the county committee
        services.transfer_return(actor=w.secretary_a, transfer=t, reason="x")
    approve_upper(actor=w.admin_a, transfer=t)
    services.transfer_return(actor=w.secretary_b, transfer=t, reason="接收方无法联系本人")
    assert t.state == TransferState.RETURNED


def test_stale_state_is_refused_and_nothing_is_written(w):
    """Two people acting on what they saw: the second finds the state moved (both DBs; the
    threaded race is in test_concurrency)."""
    t = within(w)
    seen_by_b = Transfer.objects.get(pk=t.pk)
    approve_out(actor=w.admin_a, transfer=t)
    counter = LetterCounter.objects.get().last
    with refused("stale_state", "state"):
        approve_out(actor=w.secretary_a, transfer=seen_by_b)
    assert LetterCounter.objects.get().last == counter  # the number taken was given back
    seen_by_b = Transfer.objects.get(pk=t.pk)
    services.transfer_accept(actor=w.admin_a, transfer=t)
    with refused("stale_state"):
        services.transfer_accept(actor=w.secretary_a2, transfer=seen_by_b)
    with refused("stale_state"):
        services.transfer_return(actor=w.secretary_a2, transfer=seen_by_b, reason="x")
    w.m1.refresh_from_db()
    assert w.m1.organization_id == w.village_a2.pk
    assert t.steps.filter(action=StepAction.ACCEPT).count() == 1


def test_completion_refused_when_member_moved_meanwhile(w):
    t = within(w)
    approve_out(actor=w.admin_a, transfer=t)
    Member.objects.filter(pk=w.m1.pk).update(organization=w.street_a, org_path=w.street_a.path)
    with refused("member_changed", "member"):
        services.transfer_accept(actor=w.admin_a, transfer=t)
    assert Transfer.objects.get(pk=t.pk).state == TransferState.AWAITING_INFLOW


def test_a_step_acts_on_the_version_the_person_saw(w):
    """An approval and a cancellation prepared on the same page (version 1): whichever comes
    second finds the transfer changed, says how, and writes nothing — no letter issued and
    then voided."""
    t = within(w)
    seen = t.version
    approve_out(actor=w.secretary_a, transfer=Transfer.objects.get(pk=t.pk), version=seen)
    with refused("stale_state", "state") as ctx:
        services.transfer_cancel(
            actor=w.admin_a, transfer=Transfer.objects.get(pk=t.pk), version=seen
        )
    assert ctx
    with pytest.raises(ApplicationError) as exc:
        services.transfer_cancel(
            actor=w.admin_a, transfer=Transfer.objects.get(pk=t.pk), version=seen
        )
    message = str(exc.value.message)
    assert "在您打开后已有变动" in message and "待转入方接收" in message
    assert "转出方审批同意" in message and "secretary_a" in message  # what happened, and who
    t.refresh_from_db()
    assert t.state == TransferState.AWAITING_INFLOW and t.version == seen + 1
    # The other order: cancelled first, the approval prepared on version 1 is refused and
    # takes no letter number.
    t2 = within(w, member=w.m2)
    services.transfer_cancel(actor=w.admin_a, transfer=t2, version=t2.version)
    with refused("stale_state"):
        approve_out(actor=w.secretary_a, transfer=Transfer.objects.get(pk=t2.pk), version=1)
    assert Transfer.objects.get(pk=t2.pk).letter_number == ""


def test_the_version_counts_every_step(w):
    t = within(w, to_org=w.village_b)
    assert t.version == 1
    approve_out(actor=w.secretary_a, transfer=t)
    approve_upper(actor=w.city_admin, transfer=t)
    services.transfer_accept(actor=w.secretary_b, transfer=t)
    assert t.version == 4 == Transfer.objects.get(pk=t.pk).version


# -- separation of duties ----------------------------------------------------------------------


def test_the_requester_cannot_approve_out(w):
    t = within(w, actor=w.admin_a)
    with refused("requester_cannot_approve") as ctx:
        approve_out(actor=w.admin_a, transfer=t)
    assert ctx
    assert permissions.allowed_steps(w.admin_a, t) == {"return", "cancel"}
    assert permissions.waits_for_another_approver(w.admin_a, t)
    assert "approve_out" in permissions.allowed_steps(w.secretary_a, t)
    approve_out(actor=w.secretary_a, transfer=t)
    assert t.state == TransferState.AWAITING_INFLOW


def test_the_requester_cannot_give_the_upper_approval_either(w):
    t = within(w, actor=w.admin_a, to_org=w.village_b)
    approve_out(actor=w.secretary_a, transfer=t)
    with refused("requester_cannot_approve"):
        approve_upper(actor=w.admin_a, transfer=t)
    approve_upper(actor=w.city_admin, transfer=t)
    assert t.state == TransferState.AWAITING_INFLOW


def test_the_superuser_who_requested_does_not_approve_either(w):
    t = within(w, actor=w.root)
    with refused("requester_cannot_approve"):
        approve_out(actor=w.root, transfer=t)
    assert "approve_out" not in permissions.allowed_steps(w.root, t)
    approve_out(actor=w.secretary_a, transfer=t)


def test_approvals_of_ones_own_requests_are_not_waiting_for_one(w):
    mine = within(w, actor=w.admin_a)
    theirs = within(w, member=w.m2)
    assert list(selectors.pending_for(w.admin_a)) == [theirs]
    assert set(selectors.pending_for(w.secretary_a)) == {mine, theirs}


# -- what the letter states --------------------------------------------------------------------


def test_a_letter_number_is_taken_only_by_the_last_approval(w):
    """Returned or cancelled before the letter is issued: no number used; the year's serials
    are the letters issued, without gaps."""
    year = timezone.localdate().year
    returned = within(w, to_org=w.village_b)
    approve_out(actor=w.secretary_a, transfer=returned)
    services.transfer_return(actor=w.admin_a, transfer=returned, reason="县委不同意")
    cancelled = within(w, member=w.m2)
    services.transfer_cancel(actor=w.secretary_a, transfer=cancelled)
    assert not LetterCounter.objects.exists()
    assert returned.letter_number == "" and cancelled.letter_number == ""
    first = within(w, member=w.own, to_org=w.village_b)
    approve_out(actor=w.secretary_a, transfer=first)
    approve_upper(actor=w.admin_a, transfer=first)
    second = within(w, to_org=w.village_a2)
    approve_out(actor=w.secretary_a, transfer=second)
    serials = [services.parse_serial(t.letter_number) for t in (first, second)]
    assert serials == [("石组转", year, 1), ("石组转", year, 2)]


def test_a_letter_numbered_before_this_rule_keeps_its_number(w):
    t = within(w, to_org=w.village_b)
    approve_out(actor=w.secretary_a, transfer=t)
    Transfer.objects.filter(pk=t.pk).update(
        letter_number="石组转〔2026〕000042号", letter_issued_on=dt.date(2026, 1, 5)
    )
    t = Transfer.objects.get(pk=t.pk)
    approve_upper(actor=w.admin_a, transfer=t)
    assert t.letter_number == "石组转〔2026〕000042号" and not LetterCounter.objects.exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-05", dt.date(2026, 5, 1)),
        ("2026年5月", dt.date(2026, 5, 1)),
        ("２０２６－０５", dt.date(2026, 5, 1)),
        ("2026-05-31", dt.date(2026, 5, 1)),
        (dt.date(2026, 5, 17), dt.date(2026, 5, 1)),
        ("2027-06", dt.date(2027, 6, 1)),  # paid a year ahead: the furthest allowed
    ],
)
def test_dues_month_spellings(w, value, expected):
    today = dt.date(2026, 6, 10)
    assert services.clean_dues_paid_to(value, member=w.m1, today=today) == expected


def test_dues_month_a_year_and_a_month_ahead_is_refused(w):
    with pytest.raises(ApplicationError) as exc:
        services.clean_dues_paid_to("2027-07", member=w.m1, today=dt.date(2026, 6, 10))
    assert "最多预交一年" in str(exc.value.message)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (None, "请填写"),
        ("", "请填写"),
        ("May 2026", "年-月"),
        ("2026-00", "年-月"),
        ("2099-01", "最多预交一年"),
        ("1990-01", "入党时间"),
    ],
)
def test_dues_month_refusals_name_the_field(w, value, fragment):
    with pytest.raises(ApplicationError) as exc:
        services.clean_dues_paid_to(value, member=w.m1, today=dt.date(2026, 6, 10))
    assert exc.value.field == "dues_paid_to" and fragment in str(exc.value.message)
    t = within(w)
    with refused(field="dues_paid_to"):
        approve_out(actor=w.secretary_a, transfer=t, dues_paid_to=value or "")


def test_the_issuers_phone_is_given_once_per_organization(w):
    first = within(w)
    with refused("required", "issuer_phone"):
        approve_out(actor=w.secretary_a, transfer=first, issuer_phone="")
    with refused("invalid", "issuer_phone"):
        approve_out(actor=w.secretary_a, transfer=first, issuer_phone="call me")
    approve_out(actor=w.secretary_a, transfer=first, issuer_phone="０９５２－２０１２３４５")
    assert first.issuer_phone == "0952-2012345"  # full-width digits normalized
    second = within(w, member=w.m2)
    assert selectors.last_issuer_phone(second) == "0952-2012345"
    approve_out(actor=w.secretary_a, transfer=second, issuer_phone="")
    assert second.issuer_phone == "0952-2012345"
    # Another issuing organization (the county committee) has its own.
    across = within(w, member=w.own, to_org=w.village_b)
    approve_out(actor=w.secretary_a, transfer=across)
    assert selectors.last_issuer_phone(across) == ""


def test_printing_the_letter_is_audited_with_whether_the_id_was_in_full(w):
    t = within(w)
    with pytest.raises(ApplicationError):
        services.transfer_letter_print(actor=w.admin_a, transfer=t, medium="pdf")
    approve_out(actor=w.secretary_a, transfer=t)
    letter = services.transfer_letter_print(actor=w.secretary_a2, transfer=t, medium="page")
    assert letter.full_personal_data and w.m1.id_number in letter.body
    own = services.transfer_letter_print(actor=w.self_user, transfer=t, medium="pdf")
    assert not own.full_personal_data and w.m1.id_number not in own.body
    assert w.m1.id_number_masked in own.body
    events = AuditEvent.objects.filter(
        object_type="transfers.transfer", object_id=str(t.pk), action="export"
    ).order_by("pk")
    assert [(e.actor, e.after["medium"], e.after["full_id_number"]) for e in events] == [
        (w.secretary_a2, "page", True),
        (w.self_user, "pdf", False),
    ]
    assert all(e.after["letter"] == t.letter_number for e in events)
    assert "身份证号已遮蔽" in events[1].note


# -- letters -----------------------------------------------------------------------------------


def test_letter_serials_are_sequential_per_year_and_formatted(w, settings):
    settings.TRANSFER_LETTER_PREFIX = "石组转"
    t1 = within(w, member=w.m1)
    t2 = within(w, member=w.m2)
    approve_out(actor=w.admin_a, transfer=t1)
    approve_out(actor=w.admin_a, transfer=t2)
    year = timezone.localdate().year
    assert t1.letter_number == f"石组转〔{year}〕000001号"
    assert t2.letter_number == f"石组转〔{year}〕000002号"
    assert services.parse_serial("石组转〔2026〕12号") is None
    assert services.parse_serial("石组转〔2026〕000012号") == ("石组转", 2026, 12)
    with pytest.raises(ApplicationError):
        services.format_serial(2026, 1_000_000)


def test_overdue_after_the_letter_expires(w):
    t = within(w)
    approve_out(actor=w.admin_a, transfer=t)
    assert not t.is_overdue
    Transfer.objects.filter(pk=t.pk).update(
        letter_valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    t.refresh_from_db()
    assert t.is_overdue
    services.transfer_accept(actor=w.admin_a, transfer=t)
    assert not t.is_overdue  # completed is never overdue


# -- reversal ----------------------------------------------------------------------------------


def _completed(w):
    t = within(w)
    approve_out(actor=w.admin_a, transfer=t)
    services.transfer_accept(actor=w.admin_a, transfer=t)
    w.m1.refresh_from_db()
    return t


def back_to_a(w, **kw):
    """The reversal is requested at village A2, where the member now is."""
    return within(w, actor=w.secretary_a2, to_org=w.village_a, **kw)


def test_completed_transfer_is_reversed_by_a_new_one_going_back(w):
    done = _completed(w)
    back = back_to_a(w, reverses=done, reason="误转，撤销")
    assert back.reverses == done and back.from_org_id == w.village_a2.pk
    approve_out(actor=w.admin_a, transfer=back)
    services.transfer_accept(actor=w.admin_a, transfer=back)
    w.m1.refresh_from_db()
    assert w.m1.organization_id == w.village_a.pk
    done.refresh_from_db()
    assert done.state == TransferState.COMPLETED  # history unchanged


def test_reversal_must_go_back_and_only_once(w):
    done = _completed(w)
    with refused("reverses_not_back", "to_org"):
        within(w, actor=w.secretary_a2, to_org=w.village_b, reverses=done)
    returned = back_to_a(w, reverses=done)
    services.transfer_return(actor=w.admin_a, transfer=returned, reason="不撤销")
    back = back_to_a(w, reverses=done)
    approve_out(actor=w.admin_a, transfer=back)
    services.transfer_accept(actor=w.admin_a, transfer=back)
    w.m1.refresh_from_db()
    with refused("reverses_invalid"):  # the member is no longer where `done` put them
        within(w, actor=w.admin_a, to_org=w.village_a2, reverses=done)


def test_reversal_of_an_open_transfer_is_refused(w):
    open_one = within(w)
    with refused("reverses_invalid", "reverses"):
        within(w, member=w.m2, to_org=w.village_a2, reverses=open_one)


# -- query counts: the steps stay lean (the benchmark completes 1,000 transfers) ----------------


def test_query_counts_per_step(w):
    member = Member.objects.select_related("organization").get(pk=w.m1.pk)
    to_org = w.village_a2
    actor = w.root
    approver = UserFactory(username="root2", is_superuser=True)
    with CaptureQueriesContext(connection) as request:
        t = services.transfer_request(
            actor=actor, member=member, kind=TransferKind.WITHIN, to_org=to_org, reason="r"
        )
    with CaptureQueriesContext(connection) as approve:
        approve_out(actor=approver, transfer=t)
    with CaptureQueriesContext(connection) as accept:
        services.transfer_accept(actor=actor, transfer=t)
    # request: INSERT transfer, step, audit (+ savepoint pair inside the test's transaction)
    assert len(request) == 5, [q["sql"] for q in request]
    # approve: counter upsert, UPDATE transfer, step, audit
    assert len(approve) == 6, [q["sql"] for q in approve]
    # accept: UPDATE transfer, step, audit, UPDATE member … RETURNING status, 2 member audits
    # (the mobility spell is looked up only for a member who is away)
    assert len(accept) == 8, [q["sql"] for q in accept]


# -- mobility: a transfer to the inflow side ends the member's spell away ----------------------


def _spell(w, member, inflow_org):
    from tongchou.mobility.models import MobileMember

    return MobileMember.objects.create(
        member=member,
        home_org=member.organization,
        home_path=member.org_path,
        since=dt.date(2024, 3, 1),
        reason="work",
        inflow_org=inflow_org,
        inflow_path=inflow_org.path if inflow_org else "",
    )


def test_transfer_to_the_inflow_organization_ends_the_open_spell(w):
    from tongchou.mobility.models import MobilityStatus

    spell = _spell(w, w.m1, w.village_b)
    Member.objects.filter(pk=w.m1.pk).update(status=MemberStatus.MOBILE)
    w.m1.refresh_from_db()
    t = within(w, to_org=w.village_b)
    approve_out(actor=w.admin_a, transfer=t)
    approve_upper(actor=w.admin_a, transfer=t)
    services.transfer_accept(actor=w.secretary_b, transfer=t)
    spell.refresh_from_db()
    assert spell.status == MobilityStatus.ENDED and spell.ended_on == timezone.localdate()
    assert t.letter_number in spell.note
    w.m1.refresh_from_db()
    assert w.m1.status == MemberStatus.NORMAL and w.m1.organization_id == w.village_b.pk


def test_transfer_elsewhere_leaves_the_spell_open(w):
    from tongchou.mobility.models import MobilityStatus

    spell = _spell(w, w.m1, w.village_b)
    t = within(w)
    approve_out(actor=w.admin_a, transfer=t)
    services.transfer_accept(actor=w.admin_a, transfer=t)
    spell.refresh_from_db()
    assert spell.status == MobilityStatus.OPEN
