"""Who may take which step of a transfer. Services enforce these; pages and the API use the same
functions to offer only the buttons that will work.

* request: the member themself (their own record, within/outward only), MANAGE_MEMBERS on the
  member's organization, or staff of the member service station looking after the member (an
  open spell at a station offering transfer handling); an inward transfer: MANAGE_MEMBERS on
  the receiving organization;
* approve_out: MANAGE_MEMBERS covering the outflow organization;
* approve_upper: MANAGE_MEMBERS covering the upper committee (``upper_path``);
* neither approval by the person who requested the transfer (separation of duties; the
  superuser too) — they are not offered, and the services refuse them with a clear error;
* accept: MANAGE_MEMBERS covering the inflow organization; for an outward transfer the inflow
  side is outside the deployment, so the outflow side (or the upper committee above it) confirms
  completion once the receipt of the letter has come back;
* return: whoever may take the step the transfer is waiting for (the outflow side refuses a
  request, the upper committee refuses its approval, the inflow side refuses to receive);
* cancel: the outflow side while the transfer is open (for an inward transfer, the receiving
  side that registered it); the member may withdraw their own request before it is approved.

Printing the letter: whoever sees the transfer; the member's ID number and phone are printed in
full only for those who may reveal them (``Action.REVEAL``) on either side of the transfer.
"""

from tongchou.mobility.models import MobileMember, MobilityStatus, StationService
from tongchou.mobility.permissions import staffed_station_ids
from tongchou.organizations.permissions import Action, can
from tongchou.transfers.models import OPEN_STATES, Transfer, TransferKind, TransferState

STEPS = ("approve_out", "approve_upper", "accept", "return", "cancel")


def is_own(user, member) -> bool:
    """The member's own login (a member acts only on their own record)."""
    return (
        member is not None
        and user is not None
        and user.is_authenticated
        and member.user_id is not None
        and member.user_id == user.pk
    )


def handled_at_station(user, member) -> bool:
    """Does the user staff the station looking after this member (an open spell there), and does
    that station offer transfer handling?"""
    stations = staffed_station_ids(user)
    if member is None or not stations:
        return False
    spell = (
        MobileMember.objects.filter(
            member=member, status=MobilityStatus.OPEN, station_id__in=stations
        )
        .select_related("station")
        .first()
    )
    return spell is not None and StationService.TRANSFER in spell.station.services


def may_request(user, member) -> bool:
    if member is None:
        return False
    return (
        is_own(user, member)
        or can(user, Action.MANAGE_MEMBERS, member.org_path)
        or handled_at_station(user, member)
    )


def _manages(user, path: str) -> bool:
    return bool(path) and can(user, Action.MANAGE_MEMBERS, path)


def is_requester(user, transfer: Transfer) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and transfer.requested_by_id is not None
        and transfer.requested_by_id == user.pk
    )


def may_print_in_full(user, transfer: Transfer) -> bool:
    """May the letter show the member's ID number and phone unmasked (the real letter carries
    them) — for those who may reveal them on the outflow or the inflow side."""
    return any(
        path and can(user, Action.REVEAL, path) for path in (transfer.from_path, transfer.to_path)
    )


def may_approve_out(user, transfer: Transfer) -> bool:
    return transfer.kind != TransferKind.INWARD and _manages(user, transfer.from_path)


def may_approve_upper(user, transfer: Transfer) -> bool:
    return transfer.needs_upper_approval and _manages(user, transfer.upper_path)


def accepting_path(transfer: Transfer) -> str:
    """The path whose managers complete the transfer."""
    return transfer.from_path if transfer.kind == TransferKind.OUTWARD else transfer.to_path


def may_accept(user, transfer: Transfer) -> bool:
    return _manages(user, accepting_path(transfer))


def pending_path(transfer: Transfer) -> str:
    """The path of the side whose step the transfer waits for ("" when closed)."""
    if transfer.state == TransferState.REQUESTED:
        return transfer.from_path
    if transfer.state == TransferState.OUT_APPROVED:
        return transfer.upper_path
    if transfer.state == TransferState.AWAITING_INFLOW:
        return accepting_path(transfer)
    return ""


def may_return(user, transfer: Transfer) -> bool:
    return _manages(user, pending_path(transfer))


def outflow_path(transfer: Transfer) -> str:
    """The side that started the transfer (the receiving side for an inward one)."""
    return transfer.to_path if transfer.kind == TransferKind.INWARD else transfer.from_path


def may_cancel(user, transfer: Transfer) -> bool:
    if _manages(user, outflow_path(transfer)):
        return True
    return transfer.state == TransferState.REQUESTED and is_own(user, transfer.member)


def waits_for_another_approver(user, transfer: Transfer) -> bool:
    """The transfer waits for an approval this user could give but for having requested it
    (the page says why the button is not there)."""
    if not is_requester(user, transfer):
        return False
    if transfer.state == TransferState.REQUESTED:
        return may_approve_out(user, transfer)
    if transfer.state == TransferState.OUT_APPROVED:
        return may_approve_upper(user, transfer)
    return False


def allowed_steps(user, transfer: Transfer) -> set[str]:
    """The steps this user may take on the transfer now (state and scope both considered)."""
    if transfer.state not in OPEN_STATES:
        return set()
    steps = set()
    requester = is_requester(user, transfer)
    if transfer.state == TransferState.REQUESTED and may_approve_out(user, transfer):
        steps.add("approve_out")
    if transfer.state == TransferState.OUT_APPROVED and may_approve_upper(user, transfer):
        steps.add("approve_upper")
    if requester:
        steps -= {"approve_out", "approve_upper"}
    if transfer.state == TransferState.AWAITING_INFLOW and may_accept(user, transfer):
        steps.add("accept")
    if may_return(user, transfer):
        steps.add("return")
    if may_cancel(user, transfer):
        steps.add("cancel")
    return steps
