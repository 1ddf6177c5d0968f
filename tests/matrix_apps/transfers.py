"""Permission-matrix entries for the transfers app's URLs (merged into tests.matrix.REGISTRY).

Transfers are built lazily through the services (as the superuser) for the side asked: county A
in scope of admin_a, county B out of scope (its transfers never touch county A, so they look
missing). Each entry's transfer is in the state its step needs.
"""

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
            services.transfer_approve_out(actor=root, transfer=t)
        cache[key] = t
    return cache[key]


def requested(world, in_scope: bool) -> dict:
    return {"pk": _transfer(world, in_scope, "requested").pk}


def out_approved(world, in_scope: bool) -> dict:
    return {"pk": _transfer(world, in_scope, "out_approved").pk}


def awaiting(world, in_scope: bool) -> dict:
    return {"pk": _transfer(world, in_scope, "awaiting_inflow").pk}


def return_body(world, in_scope: bool) -> dict:
    return {"return-reason": "材料不全"}


def api_return_body(world, in_scope: bool) -> dict:
    return {"reason": "材料不全"}


def step_page(kwargs, body=None) -> Entry:
    """A step: POST only; a visible transfer's step redirects to its page when done; without
    a role (or out of scope) the transfer is missing."""
    post = Check("post", LOGIN, 404, 302, 404, body=body or (lambda w, s: {}), json=False)
    return Entry(kwargs, (Check("get", LOGIN, 405, 405, 405, json=False), post))


def step_api(kwargs, body=None) -> Entry:
    return Entry(kwargs, (api_post(200, body=body or (lambda w, s: {})),))


ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------------------------ pages
    # The list is for role holders who see members, and members with a record (403 otherwise).
    "transfers:list": Entry(none, (page_get(out=None),)),
    # Without ?member= the form registers an inward transfer: needs MANAGE_MEMBERS somewhere;
    # an empty POST comes back with its errors (400).
    "transfers:create": Entry(none, (page_get(out=None), page_post(400, out=None))),
    "transfers:organizations": Entry(none, (page_get(out=None),)),
    "transfers:detail": Entry(awaiting, (page_get(no_role=404),)),
    "transfers:letter": Entry(awaiting, (page_get(no_role=404),)),
    "transfers:letter_pdf": Entry(awaiting, (page_get(no_role=404),)),
    "transfers:approve_out": step_page(requested),
    "transfers:approve_upper": step_page(out_approved),
    "transfers:accept": step_page(awaiting),
    "transfers:return": step_page(requested, return_body),
    "transfers:cancel": step_page(requested),
    # ------------------------------------------------------------------------------ API
    # POST with an empty body: 400 naming the field.
    "api-transfer-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-transfer-detail": Entry(awaiting, (api_get(),)),
    "api-transfer-letter": Entry(awaiting, (api_get(),)),
    "api-transfer-approve-out": step_api(requested),
    "api-transfer-approve-upper": step_api(out_approved),
    "api-transfer-accept": step_api(awaiting),
    "api-transfer-return": step_api(requested, api_return_body),
    "api-transfer-cancel": step_api(requested),
}

# Models whose rows a refused request must not change (added to the matrix's state check).
STATE_MODELS: tuple = (Transfer, TransferStep, LetterCounter)
