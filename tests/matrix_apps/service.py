"""Permission-matrix entries for the service app (needs, alliance, households, the resident's
public pages and Open311). Objects are made lazily per side: a need placed at each side's
village, an alliance unit registered by each side's county, a household in each village.

The resident's pages and Open311 are public: everybody gets the same answer, and a need is
reached only by its tracking code (public pages) or by its public fields (Open311)."""

from tests.matrix import (
    LOGIN,
    Check,
    Entry,
    api_get,
    api_post,
    none,
    page_get,
    page_post,
    side,
)
from tongchou.service.models import (
    AllianceUnit,
    Household,
    Need,
    NeedEvent,
    ProxyStation,
    Visit,
)


def _cached(world, key: str, make):
    if key not in world.__dict__:
        world.__dict__[key] = make()
    return world.__dict__[key]


def _need(world, in_scope: bool) -> Need:
    from tongchou.service import services

    s = side(world, in_scope)
    return _cached(
        world,
        f"svc_need_{in_scope}",
        lambda: services.need_submit(
            actor=world.root,
            intake="staff",
            category="employment",
            organization=s.village,
            summary="想进城务工",
            phone="13600001111",
        ),
    )


def _unit(world, in_scope: bool) -> AllianceUnit:
    s = side(world, in_scope)
    return _cached(
        world,
        f"svc_unit_{in_scope}",
        lambda: AllianceUnit.objects.create(
            name="人社局", kind="department", organization=s.county, org_path=s.county.path
        ),
    )


def _household(world, in_scope: bool) -> Household:
    s = side(world, in_scope)
    return _cached(
        world,
        f"svc_household_{in_scope}",
        lambda: Household.objects.create(
            address="3组5号", organization=s.village, org_path=s.village.path, consent=True
        ),
    )


def _proxy(world, in_scope: bool) -> ProxyStation:
    s = side(world, in_scope)
    return _cached(
        world,
        f"svc_proxy_{in_scope}",
        lambda: ProxyStation.objects.create(
            name="城市服务代办站",
            organization=s.village,
            org_path=s.village.path,
            region=s.village_region,
            services=["social_security", "medical_insurance"],
        ),
    )


def proxy(world, in_scope: bool) -> dict:
    return {"pk": _proxy(world, in_scope).pk}


def need(world, in_scope: bool) -> dict:
    return {"pk": _need(world, in_scope).pk}


def confirmed_need(world, in_scope: bool) -> dict:
    """A need the resident confirmed: the place's managers may close it."""
    from tongchou.service import services

    def make():
        s = side(world, in_scope)
        need = services.need_submit(
            actor=world.root, intake="staff", category="employment", organization=s.village,
            summary="想进城务工",
        )  # fmt: skip
        services.need_resolve(actor=world.root, need=need, resolution="推荐了岗位")
        return services.need_confirm(tracking_code=need.tracking_code, rating=5)

    return {"pk": _cached(world, f"svc_confirmed_{in_scope}", make).pk}


def intake_body(world, in_scope: bool) -> dict:
    """Staff intake at the side's village (county B's is not county A's admin's to name)."""
    return {"category": "employment", "organization": side(world, in_scope).village.pk,
            "summary": "想进城务工"}  # fmt: skip


def resolve_body(world, in_scope: bool) -> dict:
    return {"resolution": "推荐了岗位"}


def reassign_body(world, in_scope: bool) -> dict:
    return {"unit": _unit(world, in_scope).pk, "reason": "属人社部门职责"}


def need_with_twin(world, in_scope: bool) -> dict:
    """A need and its duplicate on the same side (made before the request is timed)."""
    merge_body(world, in_scope)
    return need(world, in_scope)


def merge_body(world, in_scope: bool) -> dict:
    from tongchou.service import services

    def make():
        return services.need_submit(
            actor=world.root, intake="staff", category="employment",
            organization=side(world, in_scope).village, summary="重复：想进城务工",
        )  # fmt: skip

    return {"into": _cached(world, f"svc_need2_{in_scope}", make).pk}


def code(world, in_scope: bool) -> dict:
    return {"code": _need(world, in_scope).tracking_code}


def unit(world, in_scope: bool) -> dict:
    return {"pk": _unit(world, in_scope).pk}


def household(world, in_scope: bool) -> dict:
    return {"pk": _household(world, in_scope).pk}


def visit_photo(world, in_scope: bool) -> dict:
    """A photo of a visit to each side's household (recorded by the root, as a manager)."""
    import datetime as dt

    from tongchou.resources.tests.factories import png_upload
    from tongchou.service import services

    def make():
        return services.visit_record(
            actor=world.root,
            household=_household(world, in_scope),
            visited_on=dt.date(2026, 3, 2),
            way="in_person",
            photos=[png_upload()],
            photos_agreed=True,
        )

    visit = _cached(world, f"svc_visit_photo_{in_scope}", make)
    return {"pk": visit.pk, "photo_pk": visit.photos.get().pk}


def fmt(value: str):
    return lambda world, in_scope: {"fmt": value}


def service_fmt(world, in_scope: bool) -> dict:
    return {"code": "employment", "fmt": "xml"}


def request_fmt(world, in_scope: bool) -> dict:
    return {"pk": _need(world, in_scope).pk, "fmt": "json"}


def token_fmt(world, in_scope: bool) -> dict:
    return {"token": _need(world, in_scope).token, "fmt": "xml"}


def public_get() -> Check:
    return Check("get", 200, 200, 200, 200, json=False)


ENTRIES: dict[str, Entry] = {
    # Lists need a role that sees members, or work at a unit or station (403 without).
    "service:needs": Entry(none, (page_get(out=None),)),
    # Forms re-render (200) with the errors of an empty POST.
    "service:need_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    # A need out of scope (or routed to another unit) looks missing.
    "service:need_detail": Entry(need, (page_get(no_role=404),)),
    # POST only; an unknown step goes back to the need with its message.
    "service:need_action": Entry(
        need, (Check("get", LOGIN, 405, 405, 405, json=False), page_post(302, no_role=404))
    ),
    "service:units": Entry(none, (page_get(out=None),)),
    "service:unit_detail": Entry(unit, (page_get(no_role=404),)),
    "service:households": Entry(none, (page_get(out=None),)),
    # A visit's photo: who may read the household's visits (its place's managers, its contact).
    "service:visit_photo": Entry(visit_photo, (page_get(no_role=404),)),
    "service:household_detail": Entry(
        household, (page_get(no_role=404), page_post(200, no_role=404))
    ),
    # City-service proxy stations (城市服务代办站): a role that sees members, or station staff,
    # for the list; managing needs MANAGE_MEMBERS; a station out of scope looks missing. Empty
    # POSTs re-render their forms with the errors (200).
    "service:proxy_stations": Entry(none, (page_get(out=None),)),
    "service:proxy_station_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "service:proxy_station_detail": Entry(proxy, (page_get(no_role=404),)),
    "service:proxy_station_edit": Entry(
        proxy, (page_get(no_role=404), page_post(200, no_role=404))
    ),
    "service:proxy_need_create": Entry(proxy, (page_get(no_role=404), page_post(200, no_role=404))),
    # The resident's pages: no account; a code is the only key to one need.
    "service:public_submit": Entry(
        none,
        (
            Check("get", 200, 200, 200, None, json=False),
            Check("post", 200, 200, 200, None, json=False),
        ),
        public=True,
    ),
    "service:track": Entry(none, (Check("get", 200, 200, 200, None, json=False),), public=True),
    "service:track_detail": Entry(
        code, (public_get(), Check("post", 302, 302, 302, 302, json=False)), public=True
    ),
    "service:public_board": Entry(
        none, (Check("get", 200, 200, 200, None, json=False),), public=True
    ),
    # REST: a role that sees members, or a unit's or station's staff. Intake names a village
    # the caller manages (county B's village is a 404 naming the field for county A's admin).
    "api-service-need-list": Entry(
        none, (api_get(out=None), Check("post", 401, 403, 201, 404, body=intake_body))
    ),
    "api-service-need-detail": Entry(need, (api_get(),)),
    # Steps: a need out of scope looks missing; the resident's confirm/reopen are not here.
    "api-service-need-accept": Entry(need, (api_post(200),)),
    "api-service-need-start": Entry(need, (api_post(200),)),
    "api-service-need-resolve": Entry(need, (api_post(200, body=resolve_body),)),
    "api-service-need-reassign": Entry(need, (api_post(200, body=reassign_body),)),
    "api-service-need-merge": Entry(need_with_twin, (api_post(200, body=merge_body),)),
    "api-service-need-close": Entry(confirmed_need, (api_post(200),)),
    "api-service-proxy-station-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    # An empty body: 400 naming the fields (the station fetched first: out of scope is a 404).
    "api-service-proxy-station-detail": Entry(proxy, (api_get(), Check("put", 401, 403, 400, 404))),
    # Open311 GeoReport v2: reads are public; a POST without an api_key is a 403 for anyone.
    "open311:services": Entry(fmt("xml"), (Check("get", 200, 200, 200, None),), public=True),
    "open311:service": Entry(service_fmt, (Check("get", 200, 200, 200, None),), public=True),
    "open311:requests": Entry(
        fmt("json"),
        (Check("get", 200, 200, 200, None), Check("post", 403, 403, 403, None, json=False)),
        public=True,
    ),
    "open311:request": Entry(request_fmt, (public_get(),), public=True),
    "open311:token": Entry(token_fmt, (public_get(),), public=True),
}

STATE_MODELS: tuple = (Need, NeedEvent, Household, Visit, ProxyStation)
