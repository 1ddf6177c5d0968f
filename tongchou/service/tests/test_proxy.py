"""City-service proxy stations (城市服务代办站): services with bad input, the staff's scope, the
station's pages and its API. A station in village A run by its secretary, staffed by ``clerk``
(an account with no role); routing sends 社保 of county A to the 人社 bureau."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.utils import timezone

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import UserFactory
from tongchou.service import selectors, services
from tongchou.service.models import (
    Intake,
    Need,
    NeedCategory,
    NeedState,
    ProxyStation,
    RoutingRule,
)

pytestmark = pytest.mark.django_db

HOURS = [["08:30", "17:30"]] * 5 + [["09:00", "12:00"], None]


def _station(world, village=None, **kw) -> ProxyStation:
    values = {
        "actor": world.secretary_a,
        "name": "甲村城市服务代办站",
        "organization": village or world.a.village,
        "services": ["social_security", "medical_insurance"],
        "opening_hours": HOURS,
        "phone": "0952-2011234",
        "address": "村党群服务中心",
    }
    values.update(kw)
    return services.proxy_station_create(**values)


@pytest.fixture
def px(world):
    world.social = NeedCategory.objects.get(code="social_security")
    RoutingRule.objects.create(
        region=world.a.county_region, category=world.social, unit=world.bureau
    )
    world.station = _station(world)
    world.clerk = UserFactory(username="clerk")
    world.station.staff.add(world.clerk)  # staff named straight (the service's check: below)
    world.station_b = _station(world, world.b.village, actor=world.admin_b, name="乙村代办站")
    world.clerk_b = UserFactory(username="clerk_b")
    world.station_b.staff.add(world.clerk_b)
    return world


def _file(world, actor=None, station=None, **kw) -> Need:
    values = {
        "actor": actor or world.clerk,
        "station": station or world.station,
        "service": "social_security",
        "summary": "代办养老保险参保登记",
        "resident_name": "王大爷",
        "phone": "13912345678",
    }
    values.update(kw)
    return services.proxy_need_file(**values)


# --- stations ---------------------------------------------------------------------------------


def test_a_village_secretary_opens_a_station_audited(px):
    s = px.station
    assert (s.org_path, s.region, s.opening_hours[5], s.opening_hours[6]) == (
        px.a.village.path,
        px.a.village_region,
        ["09:00", "12:00"],
        None,
    )
    event = AuditEvent.objects.get(object_type="service.proxystation", object_id=str(s.pk))
    assert event.action == "create" and event.after["services"] == s.services


def test_a_station_out_of_scope_is_refused(px):
    with pytest.raises(PermissionDenied):
        _station(px, px.b.village)
    assert not ProxyStation.objects.filter(org_path=px.b.village.path, name="甲村城市服务代办站")


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"services": ["passport_abroad"]}, "unknown_service", "services"),
        ({"services": []}, "required", "services"),
        ({"opening_hours": [["17:00", "08:00"]] * 7}, "invalid_opening_hours", "opening_hours"),
        ({"opening_hours": [["08:00", "17:00"]] * 3}, "invalid_opening_hours", "opening_hours"),
        ({"phone": "call me"}, "invalid_phone", "phone"),
        ({"name": "  "}, "required", "name"),
    ],
)
def test_bad_station_input_names_the_field_and_writes_nothing(px, change, code, field):
    before = ProxyStation.objects.count()
    with pytest.raises(ApplicationError) as exc:
        _station(px, **change)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert ProxyStation.objects.count() == before


def test_a_station_sits_in_a_village_not_a_street(px):
    with pytest.raises(ApplicationError) as exc:
        _station(px, px.a.street, actor=px.admin_a)
    assert exc.value.code == "not_a_village"


def test_staff_must_be_accounts_the_editor_manages(px):
    stranger = UserFactory(username="stranger")  # anchored nowhere
    with pytest.raises(ApplicationError) as exc:
        _station(px, actor=px.admin_a, name="二号站", staff=[stranger])
    assert exc.value.code == "unknown_user" and "stranger" in exc.value.message
    station = _station(px, actor=px.admin_a, name="二号站", staff=[px.member_a])
    assert list(station.staff.all()) == [px.member_a]
    # Staff anchor their account at the station's village: county A's admin manages it.
    from tongchou.mobility.permissions import accounts_in_scope

    assert accounts_in_scope(px.admin_a).filter(pk=px.clerk.pk).exists()
    assert not accounts_in_scope(px.admin_b).filter(pk=px.clerk.pk).exists()


def test_staff_cannot_edit_their_station_but_the_secretary_can(px):
    fields = {"name": "新名字", "organization": px.a.village, "services": ["certificates"]}
    with pytest.raises(PermissionDenied):
        services.proxy_station_update(actor=px.clerk, station=px.station, **fields)
    station = services.proxy_station_update(actor=px.secretary_a, station=px.station, **fields)
    assert (station.name, station.services) == ("新名字", ["certificates"])
    assert list(station.staff.all()) == [px.clerk]  # staff=None keeps them


# --- filing needs -----------------------------------------------------------------------------


def test_staff_file_a_city_service_routed_to_the_bureau(px):
    need = _file(px)
    assert need.intake == Intake.PROXY and need.proxy_station == px.station
    assert need.category.code == "social_security" and need.unit == px.bureau
    assert need.organization == px.a.village and need.station is None
    assert len(need.tracking_code) == 10 and need.phone_masked.startswith("139")
    assert "13912345678" not in need.phone_enc


def test_a_non_staff_user_cannot_file_at_a_station(px):
    for user in (px.norole, px.bureau_staff, px.clerk_b, px.admin_b):
        with pytest.raises(PermissionDenied):
            _file(px, actor=user)
    assert not Need.objects.exists()


def test_the_secretary_over_the_village_may_file_there(px):
    assert _file(px, actor=px.secretary_a).proxy_station == px.station


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"service": "passport_abroad"}, "unknown_service"),
        ({"service": ""}, "unknown_service"),
        ({"service": "certificates"}, "service_not_offered"),
        ({"summary": ""}, "required"),
        ({"phone": "abc"}, "invalid_phone"),
    ],
)
def test_bad_need_input_is_refused_and_nothing_is_written(px, change, code):
    with pytest.raises(ApplicationError) as exc:
        _file(px, **change)
    assert exc.value.code == code
    assert not Need.objects.exists()


def test_a_closed_station_takes_no_needs(px):
    ProxyStation.objects.filter(pk=px.station.pk).update(active=False)
    px.station.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        _file(px, actor=px.secretary_a)
    assert exc.value.code == "station_inactive"
    # Its staff lose the station with it (only active stations count).
    clerk = type(px.clerk).objects.get(pk=px.clerk.pk)
    with pytest.raises(PermissionDenied):
        _file(px, actor=clerk)


def test_intake_and_station_go_together(px):
    common = {
        "actor": px.secretary_a,
        "category": "social_security",
        "organization": px.a.village,
        "summary": "x",
    }
    with pytest.raises(ApplicationError) as exc:
        services.need_submit(intake=Intake.PROXY, **common)
    assert (exc.value.code, exc.value.field) == ("required", "proxy_station")
    with pytest.raises(ApplicationError) as exc:
        services.need_submit(intake=Intake.STAFF, proxy_station=px.station, **common)
    assert exc.value.field == "proxy_station"
    assert not Need.objects.exists()


# --- scope and "waiting for me" ---------------------------------------------------------------


def test_station_staff_see_only_their_stations_needs(px):
    mine = _file(px)
    theirs = _file(px, actor=px.clerk_b, station=px.station_b, summary="乙村的")
    other = services.need_submit(
        actor=px.admin_a,
        intake=Intake.STAFF,
        category="employment",
        organization=px.a.village,
        summary="甲村走访的",
    )
    assert list(selectors.need_list_for(px.clerk)) == [mine]
    assert selectors.need_get_for(px.clerk, mine.pk) == mine
    for need in (theirs, other):
        with pytest.raises(Http404):
            selectors.need_get_for(px.clerk, need.pk)
    assert list(selectors.proxy_station_list_for(px.clerk)) == [px.station]
    with pytest.raises(Http404):
        selectors.proxy_station_get_for(px.clerk, px.station_b.pk)
    # The village's secretary sees the station's needs and the rest of the village's.
    assert set(selectors.need_list_for(px.secretary_a)) == {mine, other}


def test_waiting_lists_resolved_reopened_and_overdue(px):
    resolved = _file(px, summary="已办结")
    services.need_resolve(actor=px.bureau_staff, need=resolved, resolution="已办好")
    reopened = _file(px, summary="要重办")
    services.need_resolve(actor=px.bureau_staff, need=reopened, resolution="已办好")
    services.need_reopen(tracking_code=reopened.tracking_code, reason="还差材料")
    late = _file(px, summary="超期的", now=timezone.now() - dt.timedelta(days=60))
    fresh = _file(px, summary="刚登记")
    waiting = selectors.proxy_station_waiting(px.clerk, px.station, today=timezone.localdate())
    assert waiting["to_relay"] == [resolved]
    assert waiting["reopened"] == [reopened]
    assert late in waiting["overdue"] and fresh not in waiting["overdue"]
    counts = selectors.proxy_station_counts(px.clerk, px.station)
    assert counts == {NeedState.RESOLVED: 1, NeedState.REOPENED: 1, NeedState.SUBMITTED: 2}


# --- pages ------------------------------------------------------------------------------------


def test_staff_file_at_the_station_page_and_get_the_code(px):
    c = Client()
    c.force_login(px.clerk)
    page = c.get(f"/service/proxy/{px.station.pk}/file/").content.decode()
    assert "社保" in page and "证照办理" not in page  # only the services offered
    r = c.post(
        f"/service/proxy/{px.station.pk}/file/",
        {"service": "social_security", "summary": "<script>x</script>参保", "phone": ""},
    )
    need = Need.objects.get()
    body = r.content.decode()
    assert r.status_code == 200 and need.tracking_code in body
    assert "<script>x" not in body
    page = c.get(f"/service/proxy/{px.station.pk}/").content.decode()
    assert "&lt;script&gt;x" in page and "<script>x" not in page
    assert c.get(f"/service/proxy/{px.station_b.pk}/").status_code == 404
    assert c.get(f"/service/proxy/{px.station.pk}/edit/").status_code == 403
    assert c.get("/service/proxy/new/").status_code == 403
    nav = c.get("/service/proxy/").content.decode()
    assert 'href="/service/proxy/"' in nav  # station staff find their page in the menu


def test_the_resolved_need_shows_on_the_station_page_to_relay(px):
    need = _file(px)
    services.need_resolve(actor=px.bureau_staff, need=need, resolution="已办好")
    c = Client()
    c.force_login(px.clerk)
    page = c.get(f"/service/proxy/{px.station.pk}/").content.decode()
    assert f"/service/track/{need.tracking_code}/" in page


def test_a_secretary_adds_a_station_on_the_page(px):
    c = Client()
    c.force_login(px.secretary_a)
    r = c.post(
        "/service/proxy/new/",
        {
            "name": "甲村二号站",
            "organization": px.a.village.pk,
            "opening_hours": "\n".join(["08:30-17:30"] * 5 + ["-", "-"]),
            "services": ["certificates", "medical_insurance"],
            "active": "on",
        },
    )
    station = ProxyStation.objects.get(name="甲村二号站")
    assert r.status_code == 302 and r.url == f"/service/proxy/{station.pk}/"
    assert station.opening_hours[6] is None and station.services == [
        "certificates",
        "medical_insurance",
    ]
    r = c.post("/service/proxy/new/", {"name": "乙村站", "organization": px.b.village.pk})
    assert r.status_code == 200 and not ProxyStation.objects.filter(name="乙村站").exists()


# --- API --------------------------------------------------------------------------------------


def test_api_lists_in_scope_and_creates_with_errors_by_field(px):
    c = Client()
    c.force_login(px.clerk)
    rows = c.get("/api/service/proxy-stations/").json()["results"]
    assert [r["id"] for r in rows] == [px.station.pk] and rows[0]["staff"] == ["clerk"]
    c.force_login(px.admin_a)
    body = {
        "name": "甲村三号站",
        "organization": px.a.village.pk,
        "services": ["social_security"],
        "opening_hours": [["08:30", "17:30"]] * 5 + [[], []],
    }
    c.force_login(px.clerk)  # staff manage no village: the organization is not found
    r = c.post("/api/service/proxy-stations/", body, content_type="application/json")
    assert r.status_code == 404 and r.json()["field"] == "organization"
    c.force_login(px.admin_a)
    r = c.post("/api/service/proxy-stations/", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["opening_hours"][5] is None
    r = c.post(
        "/api/service/proxy-stations/",
        {**body, "services": ["nope"]},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "services"
    r = c.post(
        "/api/service/proxy-stations/",
        {**body, "organization": px.b.village.pk},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert ProxyStation.objects.filter(name="甲村三号站").count() == 1


def test_list_page_and_endpoint_cost_the_same_for_more_stations(px):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = Client()
    c.force_login(px.admin_a)

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert c.get("/service/proxy/").status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert c.get("/api/service/proxy-stations/").status_code == 200
        return len(page), len(api)

    before = cost()
    for i in range(4):
        station = _station(px, actor=px.admin_a, name=f"站{i}")
        station.staff.add(UserFactory())
    assert cost() == before


def test_proxy_staff_find_their_station_and_what_waits_on_the_home_page(px):
    """Staff with no role: the home page names their station and the results to relay, not
    "your account is bound to nothing"."""
    need = _file(px, summary="代办医保关系转移接续")
    services.need_accept(actor=px.bureau_staff, need=need)
    services.need_resolve(actor=px.bureau_staff, need=need, resolution="已办结")
    client = Client()
    client.force_login(px.clerk)
    html = client.get("/").content.decode()
    assert "还没有绑定" not in html and 'data-tc-waiting="proxy"' in html
    assert "甲村城市服务代办站" in html and "代办医保关系转移接续" in html
    client.force_login(px.clerk_b)  # the other county's clerk: their own station, not this need
    html = client.get("/").content.decode()
    assert "乙村代办站" in html and "代办医保关系转移接续" not in html
