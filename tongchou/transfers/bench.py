"""Transfer throughput for ``make bench``: full workflows (request → approve out → accept), each
step its own transaction through the services, as people would do them one after another.

``complete_transfers(actor=…, members=…, targets=…)`` moves each member to the first target that
is not their organization and returns (transfers completed, seconds)."""

import time

from tongchou.members.models import Member
from tongchou.organizations.models import Organization
from tongchou.transfers import services
from tongchou.transfers.models import TransferKind


def complete_transfers(
    *, actor, members: list[Member], targets: list[Organization]
) -> tuple[int, float]:
    start = time.perf_counter()
    done = 0
    for member in members:
        to_org = next(o for o in targets if o.pk != member.organization_id)
        transfer = services.transfer_request(
            actor=actor, member=member, kind=TransferKind.WITHIN, to_org=to_org, reason="bench"
        )
        services.transfer_approve_out(actor=actor, transfer=transfer)
        services.transfer_accept(actor=actor, transfer=transfer)
        done += 1
    return done, time.perf_counter() - start
