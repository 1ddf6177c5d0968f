"""Two people completing (or approving) the same transfer at the same moment, each on their own
database connection: exactly one wins, the other is told, the member moves once.

PostgreSQL only: SQLite serializes writers (one write transaction at a time, IMMEDIATE mode),
so there is no race to lose there; the same refusal of a stale state is tested sequentially on
both databases in test_services.test_stale_state_is_refused_and_nothing_is_written."""

import threading

import pytest
from django.db import connection, connections

from tests.world import build_world
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.members.models import Member
from tongchou.transfers import services
from tongchou.transfers.models import (
    LetterCounter,
    StepAction,
    Transfer,
    TransferState,
    TransferStep,
)
from tongchou.transfers.tests.conftest import build, within

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes writers; the stale-state refusal is tested sequentially",
    ),
]


def race(step, actors, transfer_pk):
    """Run ``step`` for each actor in its own thread and connection, released together."""
    barrier = threading.Barrier(len(actors))
    outcomes: list = [None] * len(actors)

    def run(index, actor):
        try:
            transfer = Transfer.objects.get(pk=transfer_pk)  # both read the same state
            barrier.wait(timeout=10)
            step(actor=actor, transfer=transfer)
            outcomes[index] = "won"
        except ApplicationError as exc:
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_people_accepting_at_once_complete_it_once():
    w = build(build_world())
    member = w.m1
    for round_ in range(4):  # a fresh race each round, the member going back and forth
        to_org = w.village_a2 if round_ % 2 == 0 else w.village_a
        t = within(w, member=Member.objects.get(pk=member.pk), to_org=to_org)
        services.transfer_approve_out(actor=w.admin_a, transfer=t)
        outcomes = race(services.transfer_accept, [w.admin_a, w.city_admin], t.pk)
        assert outcomes.count("won") == 1, outcomes
        (loser,) = [o for o in outcomes if o != "won"]
        assert isinstance(loser, ApplicationError) and loser.code == "stale_state"
        assert "已被他人处理" in str(loser.message)
        t.refresh_from_db()
        assert t.state == TransferState.COMPLETED
        assert TransferStep.objects.filter(transfer=t, action=StepAction.ACCEPT).count() == 1
        assert Member.objects.get(pk=member.pk).organization_id == to_org.pk
        # The member's move is audited once (one event filed on both sides), not twice.
        moves = AuditEvent.objects.filter(object_type="members.member", object_id=str(member.pk))
        assert moves.count() == round_ + 1


def test_two_people_approving_at_once_issue_one_letter():
    w = build(build_world())
    t = within(w, to_org=w.village_b)
    outcomes = race(services.transfer_approve_out, [w.secretary_a, w.admin_a], t.pk)
    assert outcomes.count("won") == 1, outcomes
    t.refresh_from_db()
    assert t.state == TransferState.OUT_APPROVED and t.letter_number
    assert TransferStep.objects.filter(transfer=t, action=StepAction.APPROVE_OUT).count() == 1
    assert LetterCounter.objects.get().last == 1  # the loser's number was given back


def test_two_requests_at_once_leave_one_open_transfer():
    w = build(build_world())
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(index, to_org):
        try:
            member = Member.objects.select_related("organization").get(pk=w.m1.pk)
            barrier.wait(timeout=10)
            within(w, member=member, to_org=to_org)
            outcomes[index] = "won"
        except ApplicationError as exc:
            outcomes[index] = exc.code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(0, w.village_a2)),
        threading.Thread(target=run, args=(1, w.village_b)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already_open", "won"]
    assert Transfer.objects.filter(member=w.m1).count() == 1
