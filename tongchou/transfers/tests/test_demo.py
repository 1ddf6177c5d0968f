"""The demo's transfers: every state, through the services, once."""

import random

import pytest
from django.db.models import F, Q
from django.utils import timezone

from tongchou.demo.generate import load_demo
from tongchou.transfers import demo, services
from tongchou.transfers.models import Transfer, TransferKind, TransferState, TransferStep

pytestmark = pytest.mark.django_db


def test_nothing_without_the_foundation_demo():
    assert demo.populate(today=timezone.localdate(), rng=random.Random(1)) == {}


def test_every_state_once_and_idempotent(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo(members=2000, motion=False)
    today = timezone.localdate()
    counts = demo.populate(today=today, rng=random.Random(6402))
    assert counts["转接"] == Transfer.objects.count() >= 10
    assert set(Transfer.objects.values_list("state", flat=True)) == set(TransferState.values)
    assert set(Transfer.objects.values_list("kind", flat=True)) == set(TransferKind.values)
    assert Transfer.objects.filter(reverses__isnull=False, state="completed").exists()
    assert Transfer.objects.filter(needs_upper_approval=True, state="completed").exists()
    assert any(t.is_overdue for t in Transfer.objects.all())
    # Nobody approved their own request; every letter issued states the dues and a phone, and
    # the serials are the letters issued, without gaps.
    approvals = TransferStep.objects.filter(action__in=["approve_out", "approve_upper"])
    assert not approvals.filter(actor_id=F("transfer__requested_by_id")).exists()
    issued = Transfer.objects.exclude(kind="inward").exclude(letter_number="")
    assert issued.exists() and not issued.filter(Q(dues_paid_to=None) | Q(issuer_phone="")).exists()
    serials = sorted(
        services.parse_serial(n)[2] for n in issued.values_list("letter_number", flat=True)
    )
    assert serials == list(range(1, len(serials) + 1))
    assert demo.populate(today=today, rng=random.Random(6402)) == {}
