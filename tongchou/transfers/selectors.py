"""Reads of transfers, always through a user's scope.

A transfer is seen by both sides, the upper committee and the member: by anyone whose
VIEW_MEMBERS scope covers its outflow, inflow or approving organization, by the member's own
login, and by the staff of the member service station looking after the member (an open spell
there). Out of scope is a 404, the same as missing.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tongchou.members.models import Member
from tongchou.mobility.models import MobileMember, MobilityStatus
from tongchou.mobility.permissions import staffed_station_ids
from tongchou.organizations.permissions import Action, can, scope_for
from tongchou.transfers.models import Transfer, TransferKind, TransferState, TransferStep


def _scope_q(user, action: str) -> Q | None:
    """Transfers touching the user's scope for ``action`` on any side; None for everything."""
    scope = scope_for(user, action)
    if scope.everything:
        return None
    if scope.is_empty:
        return Q(pk__in=[])
    return scope.q("from_path") | scope.q("to_path") | scope.q("upper_path")


def _own_q(user) -> Q:
    q = Q(member_id__in=Member.objects.filter(user_id=user.pk).values("pk"))
    stations = staffed_station_ids(user)
    if stations:
        q |= Q(member_id__in=_members_at_stations(stations))
    return q


def _members_at_stations(stations: set[int]):
    """Members with an open spell at one of these stations (their staff look after them)."""
    open_spells = MobileMember.objects.filter(status=MobilityStatus.OPEN, station_id__in=stations)
    return open_spells.values("member_id")


def transfer_list_for(user) -> QuerySet[Transfer]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Transfer.objects.none()
    scoped = _scope_q(user, Action.VIEW_MEMBERS)
    if scoped is None:
        return Transfer.objects.all()
    return Transfer.objects.filter(scoped | _own_q(user))


def transfer_get_for(user, pk) -> Transfer:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    transfer = (
        transfer_list_for(user)
        .select_related(
            "member", "from_org", "to_org", "upper_org", "to_region", "requested_by", "reverses"
        )
        .filter(pk=pk)
        .first()
    )
    if transfer is None:
        raise Http404
    return transfer


def transfers_of_member(member: Member) -> QuerySet[Transfer]:
    """The member's transfers, newest first (the caller has the member in scope)."""
    return Transfer.objects.filter(member=member).select_related("from_org", "to_org")


def steps_of(transfer: Transfer | None = None):
    """A transfer's history with the actors (or, without one, the queryset to prefetch)."""
    steps = TransferStep.objects.select_related("actor").order_by("at", "id")
    return steps if transfer is None else steps.filter(transfer=transfer)


def overdue_q(today=None) -> Q:
    today = today or timezone.localdate()
    return Q(state=TransferState.AWAITING_INFLOW, letter_valid_until__lt=today)


def pending_q(user) -> Q:
    """Transfers waiting for this user's step (see transfers.permissions): the outflow side's
    approval, the upper committee's, or the receiving side's (for outward transfers the outflow
    side confirms completion). Approvals of the user's own requests are someone else's step."""
    scope = scope_for(user, Action.MANAGE_MEMBERS)
    if scope.is_empty:
        return Q(pk__in=[])

    def within(field: str) -> Q:
        return Q() if scope.everything else scope.q(field)

    others = ~Q(requested_by_id=user.pk)
    return (
        (Q(state=TransferState.REQUESTED) & within("from_path") & others)
        | (Q(state=TransferState.OUT_APPROVED) & within("upper_path") & others)
        | (
            Q(state=TransferState.AWAITING_INFLOW)
            & ~Q(kind=TransferKind.OUTWARD)
            & within("to_path")
        )
        | (Q(state=TransferState.AWAITING_INFLOW, kind=TransferKind.OUTWARD) & within("from_path"))
    )


def pending_for(user) -> QuerySet[Transfer]:
    return transfer_list_for(user).filter(pending_q(user))


def member_for_request(user, pk) -> Member:
    """The member a transfer is requested for: the user's own record, or one in their
    VIEW_MEMBERS scope (whether they may request is the service's question); else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    members = Member.objects.select_related("organization")
    member = members.filter(pk=pk, user_id=user.pk).first() if user.is_authenticated else None
    if member is None and can(user, Action.VIEW_MEMBERS):
        member = members.filter(scope_for(user, Action.VIEW_MEMBERS).q("org_path"), pk=pk).first()
    stations = staffed_station_ids(user)
    if member is None and stations:
        member = members.filter(pk=pk).filter(pk__in=_members_at_stations(stations)).first()
    if member is None:
        raise Http404
    return member


def own_member(user) -> Member | None:
    """The member record linked to this login, if any (cached on the user)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_tongchou_own_member"):
        user._tongchou_own_member = (
            Member.objects.select_related("organization").filter(user_id=user.pk).first()
        )
    return user._tongchou_own_member


def may_use_transfers(user) -> bool:
    """Transfer pages are for role holders who see members, members with a record, and the
    staff of member service stations."""
    return (
        can(user, Action.VIEW_MEMBERS)
        or own_member(user) is not None
        or bool(staffed_station_ids(user))
    )


def last_issuer_phone(transfer: Transfer) -> str:
    """The phone printed on the last letter issued by the organization that issues this one
    (the county-level committee when the transfer needs its approval, else the outflow
    organization): offered again so an organization gives its phone once."""
    if transfer.needs_upper_approval:
        issued_by = Q(needs_upper_approval=True, upper_path=transfer.upper_path)
    else:
        issued_by = Q(needs_upper_approval=False, from_path=transfer.from_path)
    if not (transfer.upper_path if transfer.needs_upper_approval else transfer.from_path):
        return ""
    phone = (
        Transfer.objects.filter(issued_by)
        .exclude(issuer_phone="")
        .order_by("-letter_issued_on", "-id")
        .values_list("issuer_phone", flat=True)
        .first()
    )
    return phone or ""
