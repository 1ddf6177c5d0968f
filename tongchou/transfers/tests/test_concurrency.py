"""Two people completing (or approving, or approving and cancelling) the same transfer at the same
moment, each on their own database connection: exactly one wins, the other is told, the member
moves once, no letter is issued and then voided.

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
from tongchou.transfers.tests.conftest import approve_out, build, within

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes writers; the stale-state refusal is tested sequentially",
    ),
]


def race(step, actors, transfer_pk, *, steps=None, version=None):
    """Run ``step`` (or ``steps[i]``) for each actor in its own thread and connection, released
    together. Without ``version`` each reads the transfer before the release (both act on the
    state they read); with it — the version both people saw on their page — each reads it after
    the release, as a request does, so one may read what the other just wrote."""
    barrier = threading.Barrier(len(actors))
    outcomes: list = [None] * len(actors)
    steps = steps or [step] * len(actors)

    def run(index, actor):
        try:
            if version is None:
                transfer = Transfer.objects.get(pk=transfer_pk)  # both read the same state
                barrier.wait(timeout=10)
                steps[index](actor=actor, transfer=transfer)
            else:
                barrier.wait(timeout=10)
                transfer = Transfer.objects.get(pk=transfer_pk)
                steps[index](actor=actor, transfer=transfer, version=version)
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
        t = within(w, actor=w.root, member=Member.objects.get(pk=member.pk), to_org=to_org)
        approve_out(actor=w.admin_a, transfer=t)
        outcomes = race(services.transfer_accept, [w.admin_a, w.city_admin], t.pk)
        assert outcomes.count("won") == 1, outcomes
        (loser,) = [o for o in outcomes if o != "won"]
        assert isinstance(loser, ApplicationError) and loser.code == "stale_state"
        assert "在您打开后已有变动" in str(loser.message)
        t.refresh_from_db()
        assert t.state == TransferState.COMPLETED
        assert TransferStep.objects.filter(transfer=t, action=StepAction.ACCEPT).count() == 1
        assert Member.objects.get(pk=member.pk).organization_id == to_org.pk
        # The member's move is audited once (one event filed on both sides), not twice.
        moves = AuditEvent.objects.filter(object_type="members.member", object_id=str(member.pk))
        assert moves.count() == round_ + 1


def test_two_people_approving_at_once_issue_one_letter():
    w = build(build_world())
    t = within(w)
    outcomes = race(approve_out, [w.secretary_a, w.admin_a], t.pk)
    assert outcomes.count("won") == 1, outcomes
    t.refresh_from_db()
    assert t.state == TransferState.AWAITING_INFLOW and t.letter_number
    assert TransferStep.objects.filter(transfer=t, action=StepAction.APPROVE_OUT).count() == 1
    assert LetterCounter.objects.get().last == 1  # the loser's number was given back


@pytest.mark.parametrize("issuing", [False, True])
def test_an_approval_and_a_cancellation_sent_together_one_wins(issuing):
    """Both prepared on the same page (version 1). Before steps carried the version they were
    taken on, both succeeded: the letter was issued, then the transfer voided."""
    w = build(build_world())
    for member in (w.m1, w.m2, w.own):
        t = within(w, member=member, to_org=w.village_a2 if issuing else w.village_b)
        outcomes = race(
            None,
            [w.secretary_a, w.admin_a],
            t.pk,
            steps=[approve_out, services.transfer_cancel],
            version=t.version,
        )
        assert outcomes.count("won") == 1, outcomes
        (loser,) = [o for o in outcomes if o != "won"]
        assert isinstance(loser, ApplicationError) and loser.code == "stale_state", loser
        t.refresh_from_db()
        assert t.version == 2 and t.steps.count() == 2
        if outcomes[0] == "won":  # approved: open, with its letter when this step issues it
            assert t.state in (TransferState.AWAITING_INFLOW, TransferState.OUT_APPROVED)
            assert bool(t.letter_number) is issuing
        else:  # cancelled: no number taken
            assert t.state == TransferState.CANCELLED and t.letter_number == ""
    issued = Transfer.objects.exclude(letter_number="").count()
    counter = LetterCounter.objects.first()
    assert (counter.last if counter else 0) == issued  # serials without gaps


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
