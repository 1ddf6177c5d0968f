"""One source of truth for members in motion: a member is 流动 because of an open spell.

Before this, the member form and the import could set 流动 or 失联 by hand, with no spell behind
it, and spells could stay open on records that were archived or marked 已转出/已去世. After it:

* a member marked 流动 or 失联 without an open spell gets one, with what is honestly known: the
  home organization, the destination "去向不详（系统迁移时补登）", the day the record was last
  changed as the day they went out (the status was set on or before it), reason 其他, and a
  note saying so — so the report lists them as "no inflow side" for the home side to verify,
  instead of the information being dropped (turning them back to 正常 would say they are home,
  which nobody checked);
* a member with an open spell is 流动 (失联 is not a stored status any more: it is computed
  from the spell, tongchou.mobility.rules);
* an open spell of an archived record, or of one marked 已转出 or 已去世, ends today (the record
  says more than the spell), its note saying why; an archived record is not 流动/失联.

Every change is audited (actor: none — the migration), filed where the member's admins read.
Reversing leaves the data as it is (the spells opened here are facts to verify, not noise).
"""

from django.db import migrations
from django.utils import timezone

UNKNOWN_DESTINATION = "去向不详（系统迁移时补登）"
AWAY = ("mobile", "lost_contact")
SAYS_MORE = ("transferred_out", "deceased")


def _event(AuditEvent, *, action, object_type, object_id, object_repr, org_path, before, after,
           note):  # fmt: skip
    AuditEvent.objects.create(
        actor=None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        org_path=org_path,
        before=before,
        after=after,
        note=note[:255],
    )


def forward(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    MobileMember = apps.get_model("mobility", "MobileMember")
    AuditEvent = apps.get_model("core", "AuditEvent")
    today = timezone.localdate()
    now = timezone.now()

    def set_status(member, status, note):
        before = member.status
        Member.objects.filter(pk=member.pk).update(status=status, updated_at=now)
        _event(
            AuditEvent, action="update", object_type="members.member", object_id=member.pk,
            object_repr=member.name, org_path=member.org_path, before={"status": before},
            after={"status": status}, note=note,
        )  # fmt: skip

    # Open spells first: end those whose record says more, make the others' members 流动.
    open_spells = MobileMember.objects.filter(status="open", member__isnull=False)
    for spell in open_spells.select_related("member").order_by("pk").iterator():
        member = spell.member
        if member.archived or member.status in SAYS_MORE:
            reason = "党员记录已归档" if member.archived else f"党员状态为{member.status}"
            note = f"系统迁移：{reason}，结束这条流动登记。"
            MobileMember.objects.filter(pk=spell.pk).update(
                status="ended",
                ended_on=max(today, spell.since),
                note=(f"{spell.note}\n{note}".strip() if spell.note else note)[:500],
                updated_at=now,
            )
            _event(
                AuditEvent, action="update", object_type="mobility.mobilemember",
                object_id=spell.pk, object_repr=member.name,
                org_path=spell.home_path or member.org_path,
                before={"status": "open"}, after={"status": "ended"}, note=note,
            )  # fmt: skip
            if member.status in AWAY:
                set_status(member, "normal", "系统迁移：流动登记已结束。")
        elif member.status != "mobile":
            set_status(member, "mobile", "系统迁移：有未结束的流动登记，状态随之为“流动”。")

    # Away by a status alone: open the spell that says so, with what is known.
    with_spell = MobileMember.objects.filter(status="open", member__isnull=False).values("member_id")
    away = (
        Member.objects.filter(status__in=AWAY, archived=False)
        .exclude(pk__in=with_spell)
        .order_by("pk")
    )
    for member in away.iterator():
        since = min(timezone.localdate(member.updated_at), today)
        label = "失联" if member.status == "lost_contact" else "流动"
        note = (
            f"系统迁移时补登：党员名册中状态为“{label}”，但没有流动登记。"
            "去向和外出时间不详（外出时间取记录最后修改日），请流出党组织核实后登记流入地。"
        )
        spell = MobileMember.objects.create(
            member_id=member.pk,
            home_org_id=member.organization_id,
            home_path=member.org_path,
            destination_text=UNKNOWN_DESTINATION,
            since=since,
            reason="other",
            status="open",
            note=note,
        )
        _event(
            AuditEvent, action="create", object_type="mobility.mobilemember", object_id=spell.pk,
            object_repr=member.name, org_path=member.org_path, before=None,
            after={"member": member.pk, "home_org": member.organization_id,
                   "destination_text": UNKNOWN_DESTINATION, "since": since.isoformat(),
                   "reason": "other", "status": "open"},
            note="系统迁移：补登流动登记",
        )  # fmt: skip
        if member.status != "mobile":
            set_status(member, "mobile", "系统迁移：失联不再是手工状态，由流动登记判断。")

    # Archived records marked away with no spell: not away from anywhere any more.
    gone = Member.objects.filter(status__in=AWAY, archived=True).exclude(pk__in=with_spell)
    for member in gone.order_by("pk").iterator():
        set_status(member, "normal", "系统迁移：已归档的记录不再是“流动/失联”。")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_action_delete"),
        ("members", "0005_member_count_triggers"),
        ("mobility", "0002_station_path_and_external_spells"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
