"""Permission-matrix entries for the linkage app's URLs (merged into tests.matrix.REGISTRY).

Rows are made lazily from the world and cached on it (tongchou/linkage/tests/factories.py): an
industry chain under each side's county with a cooperative of its village, a canteen of its
street, a lot, an order, a plan with one proposed shipment and a reservation. Side A is in the
county A admin's scope, side B looks missing (404)."""

from tests.matrix import LOGIN, Check, Entry, api_get, api_post, none, page_get, page_post, side
from tongchou.linkage.models import (
    Buyer,
    Lot,
    Order,
    Outlet,
    OutletSale,
    Plan,
    Producer,
    Product,
    Reservation,
    Shipment,
)


def _rows(world, in_scope: bool):
    from tongchou.linkage.tests.factories import make_rows

    key = f"linkage_rows_{in_scope}"
    if key not in world.__dict__:
        world.__dict__[key] = make_rows(side(world, in_scope), "甲" if in_scope else "乙")
    return world.__dict__[key]


def _pk(attr: str):
    def kwargs(world, in_scope: bool) -> dict:
        return {"pk": getattr(_rows(world, in_scope), attr).pk}

    return kwargs


def product(world, in_scope: bool) -> dict:
    return {"pk": Product.objects.get(name="番茄").pk}


POST_ONLY = Check("get", LOGIN, 405, 405, 405, json=False)

ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------------ pages
    # Lists and forms need a role that sees members: 403 without.
    "linkage:index": Entry(none, (page_get(out=None),)),
    "linkage:lots": Entry(none, (page_get(out=None),)),
    # Forms re-render (200) with the errors of an empty POST.
    "linkage:lot_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "linkage:orders": Entry(none, (page_get(out=None),)),
    "linkage:order_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "linkage:shipments": Entry(none, (page_get(out=None),)),
    "linkage:producers": Entry(none, (page_get(out=None),)),
    "linkage:producer_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "linkage:buyers": Entry(none, (page_get(out=None),)),
    "linkage:buyer_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "linkage:reservations": Entry(none, (page_get(out=None),)),
    "linkage:reservation_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    # Edit pages fetch the row through the scope: without a role it is missing; an empty POST
    # re-renders the form with its errors and changes nothing.
    "linkage:producer_edit": Entry(
        _pk("producer"), (page_get(no_role=404), page_post(200, no_role=404))
    ),
    "linkage:buyer_edit": Entry(_pk("buyer"), (page_get(no_role=404), page_post(200, no_role=404))),
    "linkage:reservation_edit": Entry(
        _pk("reservation"), (page_get(no_role=404), page_post(200, no_role=404))
    ),
    # Outlets: the list and the add form need a role that sees members; an outlet (or a sale)
    # is fetched through the scope. An empty POST re-renders its form with the errors (the
    # sale form on the outlet's page: 400).
    "linkage:outlets": Entry(none, (page_get(out=None),)),
    "linkage:outlet_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "linkage:outlet_detail": Entry(_pk("outlet"), (page_get(no_role=404),)),
    "linkage:outlet_edit": Entry(
        _pk("outlet"), (page_get(no_role=404), page_post(200, no_role=404))
    ),
    "linkage:outlet_sale_create": Entry(_pk("outlet"), (POST_ONLY, page_post(400, no_role=404))),
    "linkage:outlet_sale_edit": Entry(
        _pk("outlet_sale"), (page_get(no_role=404), page_post(200, no_role=404))
    ),
    # Importing a spreadsheet of monthly sales: the right to record the outlet's sales (its
    # organization). The village secretary sees the outlet (it carries the village's
    # cooperative) but may not record: 403. No file (or no confirmation token): 400.
    "linkage:outlet_sale_import": Entry(
        _pk("outlet"),
        (
            page_get(no_role=404),
            page_post(400, no_role=404),
            Check("get", LOGIN, 404, 403, 404, json=False, user="secretary_a"),
            Check("post", LOGIN, 404, 403, 404, json=False, user="secretary_a"),
        ),
    ),
    "linkage:outlet_sale_import_confirm": Entry(
        _pk("outlet"),
        (
            POST_ONLY,
            page_post(400, no_role=404),
            Check("post", LOGIN, 404, 403, 404, json=False, user="secretary_a"),
        ),
    ),
    "linkage:outlet_sale_template": Entry(
        _pk("outlet"),
        (
            page_get(no_role=404),
            Check("get", LOGIN, 404, 403, 404, json=False, user="secretary_a"),
        ),
    ),
    # A chain's pages fetch it through the scope: without a role it is missing.
    "linkage:board": Entry(_pk("chain"), (page_get(no_role=404),)),
    "linkage:report": Entry(_pk("chain"), (page_get(no_role=404),)),
    # POST only; an empty form goes back to the board with the errors.
    "linkage:plan_create": Entry(_pk("chain"), (POST_ONLY, page_post(302, no_role=404))),
    "linkage:plan_detail": Entry(_pk("plan"), (page_get(no_role=404),)),
    # POST only; no side named: back to the list with the error.
    "linkage:shipment_confirm": Entry(_pk("shipment"), (POST_ONLY, page_post(302, no_role=404))),
    "linkage:shipment_outcome": Entry(_pk("shipment"), (POST_ONLY, page_post(302, no_role=404))),
    # ------------------------------------------------------------------ API
    "api-linkage-product-list": Entry(none, (api_get(out=None),)),
    # The catalogue is the deployment's, the same for everyone with a role.
    "api-linkage-product-detail": Entry(product, (api_get(out=200),)),
    "api-linkage-producer-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-linkage-producer-detail": Entry(_pk("producer"), (api_get(),)),
    "api-linkage-lot-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-linkage-lot-detail": Entry(_pk("lot"), (api_get(),)),
    # Still within its shelf life: refused with a reason (400).
    "api-linkage-lot-close": Entry(_pk("lot"), (api_post(400),)),
    "api-linkage-buyer-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-linkage-buyer-detail": Entry(_pk("buyer"), (api_get(),)),
    "api-linkage-order-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-linkage-order-detail": Entry(_pk("order"), (api_get(),)),
    "api-linkage-plan-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-linkage-plan-detail": Entry(_pk("plan"), (api_get(),)),
    "api-linkage-shipment-list": Entry(none, (api_get(out=None),)),
    "api-linkage-shipment-detail": Entry(_pk("shipment"), (api_get(),)),
    # Empty bodies: 400 naming the field.
    "api-linkage-shipment-confirm": Entry(_pk("shipment"), (api_post(400),)),
    "api-linkage-shipment-outcome": Entry(_pk("shipment"), (api_post(400),)),
    "api-linkage-reservation-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    # Outlets (乡村特产展销点): an outlet-kind buyer's profile; sales entered by its organization.
    "api-linkage-outlet-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    # An empty body: 400 naming the fields (the outlet fetched first: out of scope is a 404).
    "api-linkage-outlet-detail": Entry(
        _pk("outlet"), (api_get(), Check("put", 401, 403, 400, 404))
    ),
    # A spreadsheet of monthly sales (multipart): no file is a 400 naming it; the village
    # secretary sees the outlet but may not record its sales (403).
    "api-linkage-outlet-sales-import": Entry(
        _pk("outlet"),
        (
            Check("post", 401, 403, 400, 404, json=False),
            Check("post", 401, 403, 403, 404, json=False, user="secretary_a"),
        ),
    ),
    "api-linkage-outlet-sale-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-linkage-outlet-sale-detail": Entry(_pk("outlet_sale"), (api_get(),)),
    "api-linkage-chain-list": Entry(none, (api_get(out=None),)),
    "api-linkage-chain-board": Entry(_pk("chain"), (api_get(),)),
    "api-linkage-chain-report": Entry(_pk("chain"), (api_get(),)),
}

# Models whose rows a refused request must not change (added to the matrix's state check).
STATE_MODELS: tuple = (
    Producer,
    Lot,
    Buyer,
    Order,
    Plan,
    Shipment,
    Reservation,
    Outlet,
    OutletSale,
)
