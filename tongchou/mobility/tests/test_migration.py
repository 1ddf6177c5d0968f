"""The data migration that makes open spells the one source of 流动 (mobility 0003)."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import create_member
from tongchou.members.choices import MemberStatus
from tongchou.mobility.models import MobileMember, MobilityStatus
from tongchou.mobility.tests.factories import spell_for

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "tongchou.mobility.migrations.0003_member_status_follows_open_spells"
)


def test_statuses_and_spells_are_made_to_agree(m):
    marked_mobile = create_member(m.village_a, name="只写了流动", status=MemberStatus.MOBILE)
    marked_lost = create_member(m.village_a, name="只写了失联", status=MemberStatus.LOST_CONTACT)
    with_spell = create_member(m.village_a, name="有登记", status=MemberStatus.NORMAL)
    lost_with_spell = create_member(m.village_a, name="有登记且失联", status="lost_contact")
    archived = create_member(m.village_a, name="已归档", status="mobile", archived=True)
    deceased = create_member(m.village_a, name="已去世", status=MemberStatus.DECEASED)
    open_spell = spell_for(with_spell)
    spell_for(lost_with_spell)
    archived_spell = spell_for(archived)
    deceased_spell = spell_for(deceased)
    home = create_member(m.village_a, name="在家")

    migration.forward(apps, None)

    def status(member):
        member.refresh_from_db()
        return member.status

    # Marked away by hand: a spell saying what is known, and 流动.
    for member, label in ((marked_mobile, "流动"), (marked_lost, "失联")):
        assert status(member) == MemberStatus.MOBILE
        spell = member.mobility.get(status=MobilityStatus.OPEN)
        assert spell.destination_text == migration.UNKNOWN_DESTINATION
        assert spell.destination_region is None and spell.inflow_org is None
        assert spell.home_org == m.village_a and spell.reason == "other"
        assert f"“{label}”" in spell.note and spell.since <= dt.date.today()
    # An open spell makes the member 流动.
    assert status(with_spell) == status(lost_with_spell) == MemberStatus.MOBILE
    open_spell.refresh_from_db()
    assert open_spell.status == MobilityStatus.OPEN
    # The record says more: the spell ends, and an archived record is not away.
    for spell in (archived_spell, deceased_spell):
        spell.refresh_from_db()
        assert spell.status == MobilityStatus.ENDED and "系统迁移" in spell.note
    assert status(archived) == MemberStatus.NORMAL
    assert status(deceased) == MemberStatus.DECEASED
    assert status(home) == MemberStatus.NORMAL and not home.mobility.exists()
    # Every change is audited where the member's admins read.
    events = AuditEvent.objects.filter(note__contains="系统迁移")
    assert events.count() == 8 and all(e.org_path.startswith(m.village_a.path) for e in events)
    # Run twice: nothing more to do.
    before = (MobileMember.objects.count(), AuditEvent.objects.count())
    migration.forward(apps, None)
    assert (MobileMember.objects.count(), AuditEvent.objects.count()) == before
