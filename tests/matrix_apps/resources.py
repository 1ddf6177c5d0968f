"""Permission-matrix entries for the resources app's URLs (merged into tests.matrix.REGISTRY).

Objects are made lazily from the world and cached on it: a room kept by each side's street and
shared with that street's subtree only (so side B's looks missing to the county A admin), and a
requested booking of it by each side's village — one per decision URL, so that confirming,
declining and cancelling do not depend on each other's order."""

from tests.matrix import LOGIN, Check, Entry, api_get, api_post, none, page_get, page_post, side
from tongchou.resources.models import Booking, FlowMonth, Resource


def _cached(world, key: str, make):
    if key not in world.__dict__:
        world.__dict__[key] = make()
    return world.__dict__[key]


def _resource(world, in_scope: bool) -> Resource:
    from tongchou.resources.tests.factories import make_room

    s = side(world, in_scope)
    return _cached(
        world,
        f"res_room_{in_scope}",
        lambda: make_room(world, owner=s.street, visibility="subtree", auto_confirm=False),
    )


def _booking(world, in_scope: bool, key: str = "") -> Booking:
    from tongchou.resources.tests.factories import book

    s = side(world, in_scope)
    resource = _resource(world, in_scope)
    hour = {"": 9, "confirm": 10, "decline": 12, "cancel": 14}[key]
    return _cached(
        world,
        f"res_booking_{key}_{in_scope}",
        lambda: book(
            world, resource, actor=world.root, org=s.village, start=(hour, 0), end=(hour + 1, 0)
        ),
    )


def _photo(world, in_scope: bool, key: str):
    from tongchou.resources import services
    from tongchou.resources.tests.factories import png_upload

    resource = _resource(world, in_scope)
    return _cached(
        world,
        f"res_photo_{key}_{in_scope}",
        lambda: services.resource_photo_add(
            actor=world.root, resource=resource, upload=png_upload(), caption=key
        ),
    )


def photo_for(key: str):
    def kwargs(world, in_scope: bool) -> dict:
        found = _photo(world, in_scope, key)
        return {"pk": found.resource_id, "photo_pk": found.pk}

    return kwargs


def resource(world, in_scope: bool) -> dict:
    return {"pk": _resource(world, in_scope).pk}


def booking(world, in_scope: bool) -> dict:
    return {"pk": _booking(world, in_scope).pk}


def booking_for(key: str):
    return lambda world, in_scope: {"pk": _booking(world, in_scope, key).pk}


def resource_token(world, in_scope: bool) -> dict:
    return {"token": _resource(world, in_scope).feed_token}


def organization_token(world, in_scope: bool) -> dict:
    from tongchou.resources.selectors import organization_feed_for

    return {"token": organization_feed_for(side(world, in_scope).village).token}


POST_ONLY = Check("get", LOGIN, 405, 405, 405, json=False)

ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------------ pages
    # Lists and forms need a role: 403 without.
    "resources:list": Entry(none, (page_get(out=None),)),
    "resources:create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    # A resource out of reach (not shared with the caller's scope) looks missing.
    "resources:detail": Entry(resource, (page_get(no_role=404),)),
    "resources:edit": Entry(resource, (page_get(no_role=404), page_post(200, no_role=404))),
    # The booking form re-renders (200) with the errors of an empty POST.
    "resources:book": Entry(resource, (page_get(no_role=404), page_post(200, no_role=404))),
    # Photos: the upload (no file: 400 naming it), the picture itself, and its removal.
    "resources:photo_add": Entry(resource, (POST_ONLY, page_post(400, no_role=404))),
    "resources:photo": Entry(photo_for("view"), (page_get(no_role=404),)),
    "resources:photo_remove": Entry(photo_for("remove"), (POST_ONLY, page_post(302, no_role=404))),
    "resources:bookings": Entry(none, (page_get(out=None),)),
    "resources:booking_detail": Entry(booking, (page_get(no_role=404),)),
    # POST only; each redirects back to the booking (with the outcome as a message).
    "resources:booking_confirm": Entry(
        booking_for("confirm"), (POST_ONLY, page_post(302, no_role=404))
    ),
    "resources:booking_decline": Entry(
        booking_for("decline"), (POST_ONLY, page_post(302, no_role=404))
    ),
    "resources:booking_cancel": Entry(
        booking_for("cancel"), (POST_ONLY, page_post(302, no_role=404))
    ),
    "resources:flows": Entry(none, (page_get(out=None),)),
    "resources:flow_rows": Entry(none, (page_get(out=None),)),
    # Calendar applications cannot sign in: the unguessable token is the key (a wrong one: 404,
    # tested in tongchou/resources/tests/test_views.py).
    "resources:resource_feed": Entry(
        resource_token, (Check("get", 200, 200, 200, None),), public=True
    ),
    "resources:organization_feed": Entry(
        organization_token, (Check("get", 200, 200, 200, None),), public=True
    ),
    # ------------------------------------------------------------------ API
    "api-resource-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-resource-detail": Entry(resource, (api_get(), Check("patch", 401, 403, 200, 404))),
    "api-resource-week": Entry(resource, (api_get(),)),
    "api-booking-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-booking-detail": Entry(booking, (api_get(),)),
    "api-booking-series": Entry(none, (api_post(400, out=None),)),
    "api-booking-confirm": Entry(booking_for("confirm"), (api_post(200),)),
    # Declining needs a reason: the empty body is refused naming it (400), after the scope.
    "api-booking-decline": Entry(booking_for("decline"), (api_post(400),)),
    "api-booking-cancel": Entry(booking_for("cancel"), (api_post(200),)),
    "api-resource-flows": Entry(none, (api_get(out=None),)),
}

STATE_MODELS: tuple = (Resource, Booking, FlowMonth)
