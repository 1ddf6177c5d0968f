"""Open311 GeoReport v2 at /open311/v2/, against the published specification."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from tongchou.core import crypto
from tongchou.service.models import Intake, Need, Open311Client

pytestmark = pytest.mark.django_db
KEY = "test-key-abcdef"


@pytest.fixture
def client311(world):
    Open311Client.objects.create(
        name="12345热线", key_hash=crypto.lookup_hash(KEY), key_prefix=KEY[:8],
        organization=world.a.street,
    )  # fmt: skip
    return Client()


def post(c, fmt="xml", **data):
    return c.post(f"/open311/v2/requests.{fmt}", data)


def test_services_in_xml_and_json(client311):
    r = client311.get("/open311/v2/services.xml")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/xml")
    assert r.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(r.content)
    assert root.tag == "services"
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert "employment" in codes
    first = root.find("service")
    assert first.findtext("metadata") == "false" and first.findtext("type") == "realtime"
    data = client311.get("/open311/v2/services.json").json()
    assert {"service_code", "service_name", "description", "metadata", "type", "keywords",
            "group"} <= set(data[0])  # fmt: skip
    d = client311.get("/open311/v2/services/employment.json").json()
    assert d == {"service_code": "employment", "attributes": []}
    r = client311.get("/open311/v2/services/nope.xml")
    assert r.status_code == 404
    err = ET.fromstring(r.content).find("error")
    assert err.findtext("code") == "404" and err.findtext("description")


def test_post_creates_an_ordinary_need_routed_and_deadlined(client311, world):
    r = post(
        client311, api_key=KEY, service_code="employment", address_id=world.a.village.code,
        description="<script>alert(1)</script> 想进城务工", first_name="张", phone="13700001111",
    )  # fmt: skip
    assert r.status_code == 201
    req = ET.fromstring(r.content).find("request")
    need = Need.objects.get(pk=int(req.findtext("service_request_id")))
    assert need.intake == Intake.OPEN311 and need.unit == world.bureau
    assert need.organization == world.a.village and need.phone == "13700001111"
    r = client311.get(f"/open311/v2/requests/{need.pk}.json")
    row = r.json()[0]
    assert row["status"] == "open" and row["service_code"] == "employment"
    assert row["agency_responsible"] == world.bureau.name
    assert row["expected_datetime"] == f"{need.resolve_due.isoformat()}T23:59:59+08:00"
    assert "13700001111" not in r.content.decode() and "张" not in row["description"][:1]
    # XML escapes the markup.
    x = client311.get(f"/open311/v2/requests/{need.pk}.xml").content.decode()
    assert "<script>" not in x and "&lt;script&gt;" in x
    t = client311.get(f"/open311/v2/tokens/{need.token}.json").json()
    assert t == [{"service_request_id": need.pk, "token": need.token}]


def test_post_with_lat_long_only_goes_to_the_clients_organization(client311, world):
    r = post(client311, "json", api_key=KEY, service_code="health", lat="39.0", long="106.4")
    assert r.status_code == 201
    need = Need.objects.get(pk=r.json()[0]["service_request_id"])
    assert need.organization == world.a.street


@pytest.mark.parametrize(
    "data,status",
    [
        ({"service_code": "employment", "lat": "1", "long": "2"}, 403),
        ({"api_key": "forged", "service_code": "employment", "lat": "1", "long": "2"}, 403),
        ({"api_key": KEY, "service_code": "nope", "lat": "1", "long": "2"}, 404),
        ({"api_key": KEY, "service_code": "employment"}, 400),
        ({"api_key": KEY, "service_code": "employment", "lat": "x", "long": "2"}, 400),
        (
            {
                "api_key": KEY,
                "service_code": "employment",
                "lat": "1",
                "long": "2",
                "description": "长" * 4001,
            },
            400,
        ),  # fmt: skip
    ],
)
def test_post_errors_in_the_standard_format(client311, data, status):
    before = Need.objects.count()
    r = post(client311, "json", **data)
    assert r.status_code == status
    body = r.json()
    assert body[0]["code"] == status and body[0]["description"]
    assert Need.objects.count() == before


def test_malformed_json_body(client311):
    r = client311.post(
        "/open311/v2/requests.json", data="{not json", content_type="application/json"
    )
    assert r.status_code == 400 and r.json()[0]["code"] == 400


def test_get_requests_filters(client311, world):
    from tongchou.service import services

    def make(category, days_ago):
        return services.need_submit(
            actor=world.admin_a, intake=Intake.STAFF, category=category,
            organization=world.a.village, summary="s",
            now=timezone.now() - dt.timedelta(days=days_ago),
        )  # fmt: skip

    recent = make(world.employment, 1)
    health = make(world.health, 2)
    old = make(world.employment, 120)
    services.need_resolve(actor=world.hospital_staff, need=health, resolution="ok")

    def ids(query):
        r = client311.get("/open311/v2/requests.json" + query)
        assert r.status_code == 200, r.content
        return [row["service_request_id"] for row in r.json()]

    assert ids("") == [recent.pk, health.pk]  # the default 90-day window, newest first
    assert ids("?service_code=health") == [health.pk]
    assert ids("?status=open") == [recent.pk]
    assert ids("?status=closed") == [health.pk]
    assert ids(f"?service_request_id={old.pk},{recent.pk}") == [recent.pk, old.pk]

    def iso(days_ago):
        return (timezone.now() - dt.timedelta(days=days_ago)).isoformat().replace("+", "%2B")

    assert ids(f"?start_date={iso(150)}&end_date={iso(100)}") == [old.pk]
    assert ids(f"?start_date={iso(150)}") == [old.pk]  # a 90-day window from the start
    assert ids(f"?end_date={iso(100)}") == [old.pk]
    r = client311.get(f"/open311/v2/requests.json?start_date={iso(200)}&end_date={iso(10)}")
    assert r.status_code == 400 and "90 days" in r.json()[0]["description"]
    r = client311.get("/open311/v2/requests.xml?start_date=yesterday")
    assert r.status_code == 400 and ET.fromstring(r.content).tag == "errors"
    assert client311.get("/open311/v2/requests.json?status=pending").status_code == 400
    assert client311.get("/open311/v2/requests/999999.json").status_code == 404
    assert client311.get("/open311/v2/tokens/abc.json").status_code == 404
    assert client311.get("/open311/v2/services.xml?jurisdiction_id=elsewhere").status_code == 404
    assert json.loads(client311.get("/open311/v2/requests.json").content)[0]["lat"] == ""


def test_request_times_are_local_w3c_times_to_the_second(client311, world, settings):
    """requested_datetime and updated_datetime: the need's own times in the deployment's zone
    with its offset, in the list and in the one request, JSON and XML alike."""
    from tongchou.service import services

    settings.TIME_ZONE = "Asia/Shanghai"
    # 31 Dec 2025 18:30:15.5 UTC is 1 Jan 2026 02:30:15 in Shanghai: the date turns too.
    submitted = dt.datetime(2025, 12, 31, 18, 30, 15, 500000, tzinfo=dt.UTC)
    need = services.need_submit(
        actor=world.admin_a, intake=Intake.STAFF, category=world.employment,
        organization=world.a.village, summary="s", now=submitted,
    )  # fmt: skip
    Need.objects.filter(pk=need.pk).update(updated_at=dt.datetime(2026, 1, 2, 1, 0, tzinfo=dt.UTC))
    window = "?start_date=2025-12-30T00:00:00Z&end_date=2026-01-05T00:00:00Z"
    listed = client311.get("/open311/v2/requests.json" + window).json()
    one = client311.get(f"/open311/v2/requests/{need.pk}.json").json()
    for row in (listed[0], one[0]):
        assert row["requested_datetime"] == "2026-01-01T02:30:15+08:00"
        assert row["updated_datetime"] == "2026-01-02T09:00:00+08:00"
    xml = ET.fromstring(client311.get(f"/open311/v2/requests/{need.pk}.xml").content)
    assert xml.find("request").findtext("requested_datetime") == "2026-01-01T02:30:15+08:00"
