"""Transfer throughput for ``make bench``: full workflows (request → approve out → accept), each
step its own transaction through the services, as people would do them one after another.

``complete_transfers(requester=…, approver=…, members=…, targets=…)`` moves each member to the
first target that is not their organization and returns (transfers completed, seconds). The
requester and the approver are two people: whoever requests a transfer never approves it."""

import time

from django.utils import timezone

from tongchou.members.models import Member
from tongchou.organizations.models import Organization
from tongchou.transfers import services
from tongchou.transfers.models import TransferKind

PHONE = "0952-2012345"


def complete_transfers(
    *, requester, approver, members: list[Member], targets: list[Organization]
) -> tuple[int, float]:
    start = time.perf_counter()
    done = 0
    dues = timezone.localdate()
    for member in members:
        to_org = next(o for o in targets if o.pk != member.organization_id)
        transfer = services.transfer_request(
            actor=requester, member=member, kind=TransferKind.WITHIN, to_org=to_org, reason="bench"
        )
        services.transfer_approve_out(
            actor=approver, transfer=transfer, dues_paid_to=dues, issuer_phone=PHONE
        )
        services.transfer_accept(actor=approver, transfer=transfer)
        done += 1
    return done, time.perf_counter() - start
