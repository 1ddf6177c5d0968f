"""The demo's transfers: every state, through the services, once."""

import random

import pytest
from django.utils import timezone

from tongchou.demo.generate import load_demo
from tongchou.transfers import demo
from tongchou.transfers.models import Transfer, TransferKind, TransferState

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
    assert demo.populate(today=today, rng=random.Random(6402)) == {}
