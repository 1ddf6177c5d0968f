"""The published OpenAPI schema (/api/schema/) is exact: every GET endpoint's actual answer, on a
world with at least one row of every kind, validates against it (with undocumented properties
refused), and every 4xx an endpoint gives is documented and has the one JSON error shape."""

import copy
import datetime as dt
import re

import jsonschema
import pytest
from django.utils import timezone

from tongchou.core.api import Pagination
from tongchou.core.tests.factories import UserFactory
from tongchou.education.tests.factories import make_course, make_record, make_training
from tongchou.linkage.tests.factories import make_rows as make_linkage_rows
from tongchou.mobility.models import ServiceStation, StationKind
from tongchou.mobility.tests.factories import external_spell, spell_for
from tongchou.orglife.models import Attendance, Session, SessionFormat, SessionKind
from tongchou.resources.tests.factories import book, make_room
from tongchou.talent.tests import factories as talent_factories
from tongchou.transfers import services as transfer_services
from tongchou.transfers.models import TransferKind

from .world import PASSWORD

pytestmark = pytest.mark.django_db

SKIPPED = {"/api/schema/", "/api/docs/"}
NOT_JSON = {"/api/transfers/{id}/letter/"}  # a PDF; its errors are still JSON


# --- OpenAPI 3.0 schema objects as JSON Schema ---------------------------------------------


def _json_schema(node):
    """OpenAPI 3.0 → JSON Schema: ``nullable`` becomes a null alternative, and an object with
    declared properties refuses undeclared ones (the schema must say everything returned)."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items() if k not in ("readOnly", "writeOnly")}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        if isinstance(node.get("type"), str) and not (
            {"allOf", "oneOf", "anyOf", "$ref"} & set(node)
        ):
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


class Schema:
    def __init__(self, document: dict):
        self.document = document
        self.components = _json_schema(document["components"])

    def operation(self, template: str) -> dict:
        return self.document["paths"][template]["get"]

    def validate(self, template: str, status: int, body) -> None:
        responses = self.operation(template)["responses"]
        assert str(status) in responses, f"GET {template}: status {status} is not documented"
        content = responses[str(status)].get("content", {}).get("application/json")
        assert content is not None, f"GET {template} {status}: no JSON body documented"
        root = {**_json_schema(copy.deepcopy(content["schema"])), "components": self.components}
        errors = sorted(
            jsonschema.Draft7Validator(root).iter_errors(body), key=lambda e: list(e.path)
        )
        assert not errors, f"GET {template} {status}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5]
        )


# --- a world with a row of every kind ------------------------------------------------------


def _jobs_rows(world) -> dict:
    from tongchou.jobs import services as jobs_services
    from tongchou.jobs.tests.conftest import ensure_skills
    from tongchou.service.models import AllianceUnit

    ensure_skills()
    a = world.a
    unit = AllianceUnit.objects.create(
        name="甲县人社局", kind="department", organization=a.county, org_path=a.county.path
    )
    today = timezone.localdate()
    opening = jobs_services.opening_create(
        actor=world.admin_a, unit=unit, title="电工", region=a.street_region, pay_min=4000,
        pay_max=6000, skills=["electrician"], first_day=today,
        last_day=today + dt.timedelta(days=90), lat=39.0, lon=106.4,
    )  # fmt: skip
    seeker = jobs_services.seeker_register(
        actor=world.admin_a, organization=a.village, name="李师傅", phone="13512345678",
        kinds=["rural_labour"], skills=["electrician"], max_km=50, lat=39.1, lon=106.4,
        available_from=today, consent_on=today,
    )  # fmt: skip
    other = jobs_services.seeker_register(
        actor=world.admin_a, organization=a.village, name="王师傅", kinds=["rural_labour"],
        skills=["electrician"], max_km=50, lat=39.1, lon=106.4, available_from=today,
        consent_on=today,
    )  # fmt: skip
    application = jobs_services.application_create(
        actor=world.admin_a, seeker=other, opening=opening
    )
    return {
        "/api/jobs/openings/{id}/": opening.pk,
        "/api/jobs/openings/{id}/suggestions/": opening.pk,
        "/api/jobs/seekers/{id}/": seeker.pk,
        "/api/jobs/seekers/{id}/suggestions/": seeker.pk,
        "/api/jobs/applications/{id}/": application.pk,
    }


@pytest.fixture
def rich(world):
    a = world.a
    member, other = a.members
    member.user = world.member_a
    member.save(update_fields=["user"])
    station = ServiceStation.objects.create(
        name="甲街道党员服务站",
        kind=StationKind.CITY_STREET,
        organization=a.street,
        org_path=a.street.path,
        region=a.street_region,
        services=["contact"],
    )
    spell = spell_for(member, station=station, last_contact_on=dt.date(2024, 6, 1))
    external_spell(station=station)
    day = timezone.localdate() - dt.timedelta(days=7)
    session = Session.objects.create(
        organization=a.village,
        org_path=a.village.path,
        kind=SessionKind.THEME_DAY,
        starts_at=timezone.now() - dt.timedelta(days=7),
        held_on=day,
        format=SessionFormat.OFFLINE,
        topic="学习新党章",
    )
    Attendance.objects.create(session=session, member=member, status="offline", held_on=day)
    session.partners.set([a.street])  # a joint session (pairing reads it)
    course = make_course(a.village)
    record = make_record(member, course=course)
    training = make_training(a.street)
    transfer = transfer_services.transfer_request(
        actor=world.admin_a,
        member=other,
        kind=TransferKind.WITHIN,
        to_org=world.joint_a,
        reason="工作调动",
    )
    room = make_room(world)
    booking = book(world, room)
    linkage = make_linkage_rows(a, "甲")
    talent = talent_factories.make_member_talent(member)
    need = talent_factories.make_need(a.village, slots=2)
    exchange = talent_factories.make_assignment(talent, a.street, a.village)
    match = talent_factories.make_round(a.county, talent, need)
    from tongchou.pairing import services as pairing_services

    pair = pairing_services.pair_create(
        actor=world.root,
        name="甲街道·甲村结对共建",
        organizations=[a.street, a.village],
        starts_on=dt.date(day.year - 1, 1, 1),
        ends_on=dt.date(day.year + 1, 12, 31),
    )
    for kind, unit in (("activities", "uses"), ("money", "yuan")):
        pairing_services.pair_item_add(
            actor=world.root,
            pair=pair,
            year=timezone.localdate().year,
            kind=kind,
            direction="u2r",
            description="约定",
            quantity=4,
            unit=unit,
        )
    from tongchou.service import services as service_services

    need = service_services.need_submit(
        actor=world.admin_a,
        intake="staff",
        category="employment",
        organization=a.village,
        summary="找工作",
        phone="13600001111",
    )
    jobs = _jobs_rows(world)
    from tongchou.service.models import ProxyStation

    proxy = ProxyStation.objects.create(
        name="甲村城市服务代办站",
        organization=a.village,
        org_path=a.village.path,
        region=a.village_region,
        services=["social_security", "medical_insurance"],
        opening_hours=[["08:30", "17:30"]] * 5 + [None, None],
    )
    proxy.staff.add(world.norole)
    return {
        **jobs,
        "/api/service/needs/{id}/": need.pk,
        "/api/service/proxy-stations/{id}/": proxy.pk,
        "/api/linkage/outlets/{buyer}/": linkage.outlet.pk,  # the buyer unit's id
        "/api/linkage/outlet-sales/{id}/": linkage.outlet_sale.pk,
        "/api/accounts/{id}/": world.secretary_a.pk,
        "/api/resources/items/{id}/": room.pk,
        "/api/resources/items/{id}/week/": room.pk,
        "/api/resources/bookings/{id}/": booking.pk,
        "/api/education/courses/{id}/": course.pk,
        "/api/education/study-records/{id}/": record.pk,
        "/api/education/trainings/{id}/": training.pk,
        "/api/life/member-attendance/{id}/": member.pk,
        "/api/linkage/buyers/{id}/": linkage.buyer.pk,
        "/api/linkage/chains/{id}/board/": linkage.chain.pk,
        "/api/linkage/chains/{id}/report/": linkage.chain.pk,
        "/api/linkage/lots/{id}/": linkage.lot.pk,
        "/api/linkage/orders/{id}/": linkage.order.pk,
        "/api/linkage/plans/{id}/": linkage.plan.pk,
        "/api/linkage/producers/{id}/": linkage.producer.pk,
        "/api/linkage/products/{id}/": linkage.tomato.pk,
        "/api/linkage/shipments/{id}/": linkage.shipment.pk,
        "/api/life/sessions/{id}/": session.pk,
        "/api/life/sessions/{id}/attendance/": session.pk,
        "/api/members/{id}/": member.pk,
        "/api/members/imports/{id}/": a.import_job.pk,
        "/api/mobility/spells/{id}/": spell.pk,
        "/api/mobility/stations/{id}/": station.pk,
        "/api/organizations/{id}/": a.village.pk,
        "/api/organizations/{id}/children/": a.county.pk,
        "/api/organizations/{id}/subtree/": a.county.pk,
        "/api/regions/{code}/": a.street_region.code,
        "/api/regions/{code}/children/": a.county_region.code,
        "/api/transfers/{id}/": transfer.pk,
        "/api/transfers/{id}/letter/": transfer.pk,
        "/api/talent/profiles/{id}/": talent.pk,
        "/api/talent/needs/{id}/": need.pk,
        "/api/talent/exchanges/{id}/": exchange.pk,
        "/api/talent/rounds/{id}/": match.pk,
        "/api/pairing/pairs/{id}/": pair.pk,
        "/api/pairing/pairs/{id}/summary/": pair.pk,
    }


@pytest.fixture
def schema(client, world):
    client.login(username=world.root.username, password=PASSWORD)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    client.logout()
    return Schema(response.json())


def _get_templates(schema: Schema) -> list[str]:
    return sorted(
        t for t, ops in schema.document["paths"].items() if "get" in ops and t not in SKIPPED
    )


def _url(template: str, ids: dict) -> str:
    if "{" not in template:
        return template
    return re.sub(r"\{\w+\}", str(ids[template]), template)


def _is_list(schema: Schema, template: str) -> bool:
    names = {p["name"] for p in schema.operation(template).get("parameters", [])}
    return "page_size" in names


def _callers(world):
    """The superuser sees every row; a county admin and the member see their scoped views."""
    return [world.root, world.admin_a, world.member_a]


def test_every_get_endpoint_has_an_id_in_the_world(schema, rich):
    missing = [t for t in _get_templates(schema) if "{" in t and t not in rich]
    assert not missing, f"add a row for: {missing}"


def test_every_get_answer_matches_the_schema(client, world, schema, rich):
    checked, problems = 0, []
    for user in _callers(world):
        client.force_login(user)
        for template in _get_templates(schema):
            response = client.get(_url(template, rich))
            try:
                if template in NOT_JSON and response.status_code == 200:
                    assert response["Content-Type"] == "application/pdf"
                    continue
                if response.status_code >= 400:
                    _assert_error(schema, template, response)
                    continue
                assert response.status_code == 200, (template, response.status_code)
                schema.validate(template, 200, response.json())
                if _is_list(schema, template) and user == world.root:
                    assert response.json()["results"], f"{template}: the world has no row for it"
                checked += 1
            except AssertionError as exc:
                problems.append(f"{user.username}: {str(exc)[:600]}")
    assert not problems, "\n".join(problems)
    assert checked >= 40


def _assert_error(schema: Schema, template: str, response, *, field: str | None = None):
    assert response["Content-Type"].startswith("application/json"), (
        template,
        response.status_code,
        response["Content-Type"],
    )
    body = response.json()
    assert set(body) <= {"code", "message", "field", "fields"}, body
    assert body["code"] and body["message"], body
    if field is not None:
        assert body["field"] == field, body
    schema.validate(template, response.status_code, body)


def test_anonymous_and_roleless_callers_get_documented_json_errors(client, world, schema, rich):
    norole = UserFactory(username="nobody-at-all")
    for template in _get_templates(schema):
        url = _url(template, rich)
        response = client.get(url)
        assert response.status_code == 401, template
        _assert_error(schema, template, response)
    client.force_login(norole)
    for template in _get_templates(schema):
        response = client.get(_url(template, rich))
        if response.status_code == 200:  # who am I: any signed-in person may ask
            schema.validate(template, 200, response.json())
            continue
        assert response.status_code in (403, 404, 400), (template, response.status_code)
        _assert_error(schema, template, response)


@pytest.mark.parametrize("bad_id", ["abc", "1.5", "999999999", "0", "-1", "9" * 30])
def test_a_bad_id_is_the_json_404(client, world, schema, rich, bad_id):
    client.force_login(world.root)
    for template in _get_templates(schema):
        if "{id}" not in template:
            continue
        response = client.get(template.replace("{id}", bad_id))
        assert response.status_code == 404, (template, bad_id, response.status_code)
        _assert_error(schema, template, response)


@pytest.mark.parametrize("bad", ["x", "0", "-5", "1.5", ""])
def test_an_invalid_page_size_is_a_400_naming_it(client, world, schema, rich, bad):
    client.force_login(world.root)
    for template in _get_templates(schema):
        if not _is_list(schema, template):
            continue
        response = client.get(_url(template, rich), {"page_size": bad})
        if bad == "":
            assert response.status_code == 200, template  # not given: the default
            continue
        assert response.status_code == 400, (template, bad, response.status_code)
        _assert_error(schema, template, response, field="page_size")


def test_a_large_page_size_is_clamped_as_documented(client, world, schema, rich):
    client.force_login(world.root)
    for template in _get_templates(schema):
        if not _is_list(schema, template):
            continue
        param = next(
            p for p in schema.operation(template)["parameters"] if p["name"] == "page_size"
        )
        # Accepted and reduced to 500, so the schema names no maximum: its text says so.
        assert param["schema"]["minimum"] == 1 and "maximum" not in param["schema"], template
        assert "reduced to 500" in param["description"], template
        response = client.get(_url(template, rich), {"page_size": "100000"})
        assert response.status_code == 200, template
        schema.validate(template, 200, response.json())
        one = client.get(_url(template, rich), {"page_size": "1"}).json()
        assert len(one["results"]) == 1, template
    assert Pagination.max_page_size == 500


def test_a_page_past_the_end_is_the_json_404(client, world, schema, rich):
    client.force_login(world.root)
    for template in _get_templates(schema):
        if _is_list(schema, template):
            response = client.get(_url(template, rich), {"page": "999"})
            assert response.status_code == 404, template
            _assert_error(schema, template, response)
