"""Permission-matrix entries for the transfers app's URLs (merged into tests.matrix.REGISTRY).

Transfers are built lazily through the services for the side asked: requested by the superuser,
approved by the side's admin (the requester never approves), county A in scope of admin_a,
county B out of scope (its transfers never touch county A, so they look missing). Each entry's
transfer is in the state its step needs; each step's body carries the version the caller saw
(read when the request is made), and what the step needs (the dues month, the issuer's phone).
The letter shows the ID number in full to admin_a, who may reveal it (and the print is audited).
"""

from django.utils import timezone

from tests.matrix import LOGIN, Check, Entry, api_get, api_post, none, page_get, page_post, side
from tongchou.transfers import services
from tongchou.transfers.models import LetterCounter, Transfer, TransferKind, TransferStep


def _transfer(world, in_scope: bool, state: str) -> Transfer:
    cache = world.__dict__.setdefault("_transfers", {})
    key = (in_scope, state)
    if key not in cache:
        s = side(world, in_scope)
        root = world.root
        if state == "out_approved":  # outward: always approved by the county committee
            t = services.transfer_request(
                actor=root,
                member=s.members[0],
                kind=TransferKind.OUTWARD,
                to_text="银川市兴庆区某街道党工委",
                reason="工作调动",
            )
        else:  # within the county: village → street
            t = services.transfer_request(
                actor=root,
                member=s.members[0],
                kind=TransferKind.WITHIN,
                to_org=s.street,
                reason="工作调动",
            )
        if state in ("out_approved", "awaiting_inflow"):
            services.transfer_approve_out(
                actor=world.admin_a if in_scope else world.admin_b,
                transfer=t,
                dues_paid_to=timezone.localdate(),
                issuer_phone=PHONE,
            )
        cache[key] = t
    return cache[key]


PHONE = "0952-2012345"


def _version(world, in_scope: bool, state: str) -> int:
    return Transfer.objects.get(pk=_transfer(world, in_scope, state).pk).version


def requested(world, in_scope: bool) -> dict:
    return {"pk": _transfer(world, in_scope, "requested").pk}


def out_approved(world, in_scope: bool) -> dict:
    return {"pk": _transfer(world, in_scope, "out_approved").pk}


def awaiting(world, in_scope: bool) -> dict:
    return {"pk": _transfer(world, in_scope, "awaiting_inflow").pk}


def step_body(state: str, step: str, prefix: bool, **extra):
    """The body of a step on a transfer in ``state``: its version as read now, plus ``extra``
    (page forms prefix every name with the step)."""

    def body(world, in_scope: bool) -> dict:
        data = {"version": _version(world, in_scope, state), **extra}
        return {f"{step}-{k}": v for k, v in data.items()} if prefix else data

    return body


def step_page(kwargs, state: str, step: str, **extra) -> Entry:
    """A step: POST only; a visible transfer's step redirects to its page when done; without
    a role (or out of scope) the transfer is missing."""
    body = step_body(state, step, True, **extra)
    post = Check("post", LOGIN, 404, 302, 404, body=body, json=False)
    return Entry(kwargs, (Check("get", LOGIN, 405, 405, 405, json=False), post))


def step_api(kwargs, state: str, **extra) -> Entry:
    return Entry(kwargs, (api_post(200, body=step_body(state, "", False, **extra)),))


LETTER = Check("get", LOGIN, 404, 200, 404, json=False, reveals=True)


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------------------------ pages
    # The list is for role holders who see members, and members with a record (403 otherwise).
    "transfers:list": Entry(none, (page_get(out=None),)),
    # Without ?member= the form registers an inward transfer: needs MANAGE_MEMBERS somewhere;
    # an empty POST comes back with its errors (400).
    "transfers:create": Entry(none, (page_get(out=None), page_post(400, out=None))),
    "transfers:organizations": Entry(none, (page_get(out=None),)),
    "transfers:detail": Entry(awaiting, (page_get(no_role=404),)),
    # The letter: printed (and audited) with the ID number in full for admin_a, who may
    # reveal it; masked for anyone else.
    "transfers:letter": Entry(
        awaiting, (Check("get", LOGIN, 404, 200, 404, json=False, reveals=True),)
    ),
    "transfers:letter_pdf": Entry(
        awaiting, (Check("get", LOGIN, 404, 200, 404, json=False, reveals=True),)
    ),
    "transfers:approve_out": step_page(
        requested, "requested", "approve_out", dues_paid_to=this_month(), issuer_phone=PHONE
    ),
    "transfers:approve_upper": step_page(
        out_approved, "out_approved", "approve_upper", issuer_phone=PHONE
    ),
    "transfers:accept": step_page(awaiting, "awaiting_inflow", "accept"),
    "transfers:return": step_page(requested, "requested", "return", reason="材料不全"),
    "transfers:cancel": step_page(requested, "requested", "cancel"),
    # ------------------------------------------------------------------------------ API
    # POST with an empty body: 400 naming the field.
    "api-transfer-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-transfer-detail": Entry(awaiting, (api_get(),)),
    "api-transfer-letter": Entry(awaiting, (Check("get", 401, 403, 200, 404, reveals=True),)),
    "api-transfer-approve-out": step_api(
        requested, "requested", dues_paid_to=this_month(), issuer_phone=PHONE
    ),
    "api-transfer-approve-upper": step_api(out_approved, "out_approved", issuer_phone=PHONE),
    "api-transfer-accept": step_api(awaiting, "awaiting_inflow"),
    "api-transfer-return": step_api(requested, "requested", reason="材料不全"),
    "api-transfer-cancel": step_api(requested, "requested"),
}

# Models whose rows a refused request must not change (added to the matrix's state check).
STATE_MODELS: tuple = (Transfer, TransferStep, LetterCounter)
