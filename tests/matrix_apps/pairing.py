"""Permission-matrix entries for the pairing app's URLs (merged into tests.matrix.REGISTRY).

Objects are made lazily from the world and cached on it: a pair of each side's street (urban)
and village (rural) with one agreed item. Side A is in the county A admin's scope, side B looks
missing (404). Lists and create forms need a role (403 without); pages naming a pair fetch it
through the scope, so without a role it is missing (404)."""

import datetime as dt

from tests.matrix import LOGIN, Check, Entry, api_get, api_post, none, page_get, page_post, side
from tongchou.pairing import services
from tongchou.pairing.models import Pair, PairItem, PairMember


def _pair(world, in_scope: bool) -> Pair:
    key = f"pairing_pair_{in_scope}"
    if key not in world.__dict__:
        s = side(world, in_scope)
        pair = services.pair_create(
            actor=world.root,
            name="街道·村结对共建",
            organizations=[s.street, s.village],
            starts_on=dt.date(2025, 1, 1),
            ends_on=dt.date(2027, 12, 31),
        )
        services.pair_item_add(
            actor=world.root,
            pair=pair,
            year=2026,
            kind="activities",
            direction="u2r",
            description="联合主题党日",
            quantity=4,
            unit="uses",
        )
        world.__dict__[key] = pair
    return world.__dict__[key]


def pair(world, in_scope: bool) -> dict:
    return {"pk": _pair(world, in_scope).pk}


def member(world, in_scope: bool) -> dict:
    p = _pair(world, in_scope)
    return {"pk": p.pk, "member_pk": p.members.order_by("pk").first().pk}


def item(world, in_scope: bool) -> dict:
    p = _pair(world, in_scope)
    return {"pk": p.pk, "item_pk": p.items.order_by("pk").first().pk}


POST_ONLY = Check("get", LOGIN, 405, 405, 405, json=False)

ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------------ pages
    "pairing:list": Entry(none, (page_get(out=None),)),
    # Forms re-render (200) with the errors of an empty POST.
    "pairing:create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "pairing:detail": Entry(pair, (page_get(no_role=404),)),
    "pairing:edit": Entry(pair, (page_get(no_role=404), page_post(200, no_role=404))),
    # POST only; empty, the pair page comes back with the form's errors (400).
    "pairing:member_add": Entry(pair, (POST_ONLY, page_post(400, no_role=404))),
    # Removing one of two members is refused (the pair must span the line): said in a
    # message, back on the pair (302).
    "pairing:member_remove": Entry(member, (POST_ONLY, page_post(302, no_role=404))),
    "pairing:item_add": Entry(pair, (POST_ONLY, page_post(400, no_role=404))),
    "pairing:item_remove": Entry(item, (POST_ONLY, page_post(302, no_role=404))),
    # ------------------------------------------------------------------ API
    "api-pairing-pair-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-pairing-pair-detail": Entry(pair, (api_get(), Check("patch", 401, 403, 200, 404))),
    # Without a body: 400 naming the field.
    "api-pairing-pair-add-member": Entry(pair, (api_post(400),)),
    "api-pairing-pair-remove-member": Entry(pair, (api_post(400),)),
    "api-pairing-pair-add-item": Entry(pair, (api_post(400),)),
    "api-pairing-pair-remove-item": Entry(pair, (api_post(400),)),
    "api-pairing-pair-summary": Entry(pair, (api_get(),)),
}

# Models whose rows a refused request must not change (added to the matrix's state check).
STATE_MODELS: tuple = (Pair, PairMember, PairItem)
