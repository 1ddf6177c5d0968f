"""Demo transfers for Shizuishan: every state, through the services, as the demo's people.

Added to a loaded foundation demo (orgs, members and the demo logins exist): within a street,
across counties with the county committee's approval, outward to 银川市, inward from outside
with the received letter's number, returned with a reason, cancelled, overdue awaiting the
inflow side, completed, and one reversal. Idempotent: nothing happens if transfers exist.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tongchou.core.validators import id_check_char
from tongchou.members.models import Member
from tongchou.organizations.models import Organization, OrgKind, OrgStatus, Role
from tongchou.transfers import services
from tongchou.transfers.models import Transfer, TransferKind, TransferState, TransferStep

HUINONG = "640205"
# Phones printed on the letters (the issuing organizations'): made-up numbers in Shizuishan's
# area code.
BRANCH_PHONE = "0952-2011234"
COUNTY_PHONE = "0952-2012345"


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _branches(q: Q, *, exclude=()) -> list[Organization]:
    orgs = Organization.objects.filter(q, kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
    return list(orgs.exclude(pk__in=[o.pk for o in exclude]).order_by("path")[:20])


def _incoming(rng: random.Random, today: dt.date) -> dict:
    birth = dt.date(rng.randint(1975, 1995), rng.randint(1, 12), rng.randint(1, 28))
    # An ID number from 银川市兴庆区 (640104), male, with a valid check character.
    first17 = f"640104{birth:%Y%m%d}{rng.randint(10, 99)}{rng.choice('13579')}"
    admitted = dt.date(birth.year + 22, 7, 1)
    return {
        "name": rng.choice(["马建国", "杨文华", "王海涛", "丁志强"]),
        "gender": "M",
        "ethnicity": "03" if rng.random() < 0.4 else "01",
        "birth_date": birth,
        "id_number": first17 + id_check_char(first17),
        "phone": f"139{rng.randint(10_000_000, 99_999_999)}",
        "education": "bachelor",
        "occupation": "个体经营",
        "category": "full",
        "admission_date": admitted,
        "full_member_date": dt.date(admitted.year + 1, 7, 1),
    }


def populate(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    if Transfer.objects.exists():
        return {}
    admin = _user("admin")
    county_admin = _user("county_admin")
    street_secretary = _user("street_secretary")
    village_secretary = _user("village_secretary")
    member_user = _user("member")
    if not all((admin, county_admin, street_secretary, village_secretary)):
        return {}
    branch = Role.objects.filter(user=village_secretary).select_related("organization").first()
    if branch is None:
        return {}
    branch = branch.organization
    street = branch.parent
    huinong = Organization.objects.filter(code=HUINONG).first()
    neighbours = _branches(Q(parent=street), exclude=[branch])
    across = _branches(Q(path__startswith=huinong.path)) if huinong else []
    if not neighbours or not across:
        return {}
    active = Member.objects.select_related("organization").filter(
        archived=False, user=None, status="normal"
    )
    at_branch = iter(active.filter(organization=branch).order_by("id")[:4])
    in_street = iter(
        active.filter(org_path__startswith=street.path)
        .exclude(organization=branch)
        .order_by("id")[:8]
    )
    own = Member.objects.select_related("organization").filter(user=member_user).first()

    def take(source):
        member = next(source, None)
        if member is None:
            raise LookupError
        return member

    def elsewhere(member):
        return next(o for o in [*neighbours, branch] if o.pk != member.organization_id)

    try:
        with transaction.atomic():
            _populate(**locals())
    except LookupError:  # a demo too small to hold every case
        return {}
    open_states = [
        TransferState.REQUESTED,
        TransferState.OUT_APPROVED,
        TransferState.AWAITING_INFLOW,
    ]
    return {
        "转接": Transfer.objects.count(),
        "已完成": Transfer.objects.filter(state=TransferState.COMPLETED).count(),
        "办理中": Transfer.objects.filter(state__in=open_states).count(),
    }


def _populate(
    *,
    rng,
    today,
    admin,
    county_admin,
    street_secretary,
    village_secretary,
    member_user,
    branch,
    neighbours,
    across,
    at_branch,
    in_street,
    own,
    take,
    elsewhere,
    **_,
) -> None:
    def request(actor, member, **kw):
        kw.setdefault("kind", TransferKind.WITHIN)
        kw.setdefault("reason", rng.choice(["工作调动", "居住地变更", "到新单位就业"]))
        return services.transfer_request(actor=actor, member=member, **kw)

    # Whoever requests a transfer never approves it: the village secretary requests and the
    # street's secretary approves, the street requests and the county approves. The outflow
    # side states the month the dues are paid up to; each issuing organization its phone.
    dues = today.replace(day=1)

    def approve_out(actor, transfer, **kw):
        kw.setdefault("issuer_phone", BRANCH_PHONE)
        return services.transfer_approve_out(
            actor=actor, transfer=transfer, dues_paid_to=dues, **kw
        )

    def approve_upper(actor, transfer, **kw):
        return services.transfer_approve_upper(
            actor=actor, transfer=transfer, issuer_phone=COUNTY_PHONE, **kw
        )

    # 1. Within the street, completed — then reversed (the wrong destination had been chosen).
    done = request(village_secretary, take(at_branch), to_org=neighbours[0], reason="居住地变更")
    approve_out(street_secretary, done, note="同意转出")
    services.transfer_accept(actor=street_secretary, transfer=done, note="已报到")
    moved = Member.objects.select_related("organization").get(pk=done.member_id)
    back = request(
        street_secretary, moved, to_org=branch, reverses=done, reason="转入党组织选错，撤销转接"
    )
    approve_out(county_admin, back)
    services.transfer_accept(actor=village_secretary, transfer=back, note="已恢复")

    # 2. Across counties (大武口 → 惠农), the county committee's approval, completed.
    cross = request(street_secretary, take(in_street), to_org=across[0], reason="随配偶迁居惠农区")
    approve_out(county_admin, cross)
    approve_upper(county_admin, cross, note="区委组织部同意")
    services.transfer_accept(actor=admin, transfer=cross, note="已编入支部")

    # 3. Across counties, waiting for the county committee.
    waiting_upper = request(street_secretary, take(in_street), to_org=across[-1])
    approve_out(county_admin, waiting_upper)

    # 4. Outward to 银川市, approved on both levels, waiting for the receipt to come back.
    outward = request(
        village_secretary,
        take(at_branch),
        kind=TransferKind.OUTWARD,
        to_text="中共银川市兴庆区凤凰北街街道工作委员会",
        reason="到银川市就业",
    )
    approve_out(street_secretary, outward)
    approve_upper(county_admin, outward)

    # 5. Inward from outside, with the number of the letter received.
    services.transfer_request(
        actor=village_secretary,
        kind=TransferKind.INWARD,
        to_org=branch,
        from_text="中共银川市金凤区满城北街街道工作委员会",
        letter_number="银金组转〔2026〕000317号",
        reason="返乡创业",
        incoming=_incoming(rng, today),
    )

    # 6. Returned with a reason before any letter was issued; 7. cancelled.
    member = take(in_street)
    returned = request(street_secretary, member, to_org=elsewhere(member))
    services.transfer_return(
        actor=county_admin,
        transfer=returned,
        reason="本人尚未确定新的居住地，请确定后再申请",
    )
    member = take(in_street)
    cancelled = request(street_secretary, member, to_org=elsewhere(member))
    services.transfer_cancel(actor=street_secretary, transfer=cancelled, note="本人放弃转接")

    # 8. Overdue: the letter went out 100 days ago; the inflow side has not received them.
    late = request(street_secretary, take(in_street), to_org=across[min(1, len(across) - 1)])
    approve_out(county_admin, late)
    approve_upper(county_admin, late)
    issued = today - dt.timedelta(days=100)
    Transfer.objects.filter(pk=late.pk).update(
        letter_issued_on=issued, letter_valid_until=issued + dt.timedelta(days=90)
    )
    TransferStep.objects.filter(transfer=late).update(at=_at(issued))

    # 9. Within the street, approved, waiting for the receiving branch.
    awaiting = request(village_secretary, take(at_branch), to_org=neighbours[-1])
    approve_out(street_secretary, awaiting)

    # 10. The member's own request (the demo login), waiting for the branch's approval.
    if own is not None and not own.archived and own.organization_id == branch.pk:
        request(member_user, own, to_org=neighbours[0], reason="搬到新小区居住")
    else:
        request(village_secretary, take(at_branch), to_org=neighbours[0])


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
