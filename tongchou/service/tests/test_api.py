"""REST writes of needs: intake and every step through the services, errors with their code and
field, scope (out of scope is a 404), and no endpoint for the resident's own answer."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tongchou.service import services
from tongchou.service.models import Household, Intake, Need, NeedEvent, NeedState, Visit

pytestmark = pytest.mark.django_db

NEEDS = "/api/service/needs/"


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def _submit(world, category=None) -> Need:
    return services.need_submit(
        actor=world.admin_a,
        intake=Intake.STAFF,
        category=category or world.employment,
        organization=world.a.village,
        summary="想进城务工",
    )


def test_staff_intake_routes_and_answers_the_need(world):
    r = client_for(world.secretary_a).post(
        NEEDS,
        {"category": "employment", "organization": world.a.village.pk, "summary": "想进城务工",
         "description": "<script>x</script>", "phone": "13900002222", "lat": "38.98"},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    body = r.json()
    need = Need.objects.get(pk=body["id"])
    assert need.intake == Intake.STAFF and need.unit == world.bureau
    assert body["unit_name"] == world.bureau.name and body["state"] == "submitted"
    assert "13900002222" not in r.content.decode() and body["phone_masked"].startswith("139")
    assert need.created_by == world.secretary_a


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"category": "nope", "summary": "x"}, 400, "unknown_category", "category"),
        ({"category": "employment", "summary": "x"}, 400, "missing_location", "organization"),
        ({"category": "employment", "summary": "x" * 201}, 400, "invalid", "summary"),
        ({"category": "employment", "summary": "  "}, 400, "invalid", "summary"),
        ({"category": "employment", "summary": "x", "lat": "91"}, 400, "invalid", "lat"),
        ({"category": "employment", "summary": "x", "phone": "abc"}, 400, "invalid_phone", "phone"),
    ],
)
def test_intake_errors_name_the_field_and_write_nothing(world, body, status, code, field):
    if field not in ("organization",):
        body = {**body, "organization": world.a.village.pk}
    r = client_for(world.admin_a).post(NEEDS, body, format="json")
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (status, code, field)
    assert not Need.objects.exists()


def test_intake_elsewhere_is_a_404_naming_the_organization(world):
    r = client_for(world.admin_a).post(
        NEEDS,
        {"category": "employment", "organization": world.b.village.pk, "summary": "x"},
        format="json",
    )
    assert (r.status_code, r.json()["field"]) == (404, "organization")
    # Unit staff read their needs but take none in.
    r = client_for(world.bureau_staff).post(
        NEEDS,
        {"category": "employment", "organization": world.a.village.pk, "summary": "x"},
        format="json",
    )
    assert r.status_code == 403 and not Need.objects.exists()


def test_a_need_raised_on_a_visit(world):
    household = Household.objects.create(
        address="甲村3组5号", organization=world.a.village, org_path=world.a.village.path
    )
    visit = services.visit_record(
        actor=world.secretary_a, household=household, visited_on=dt.date(2024, 5, 6), way="phone"
    )
    r = client_for(world.secretary_a).post(
        NEEDS, {"category": "health", "visit": visit.pk, "summary": "腿疼"}, format="json"
    )
    assert r.status_code == 201, r.json()
    need = Need.objects.get()
    assert (need.intake, need.visit, need.address) == (Intake.VISIT, visit, "甲村3组5号")
    assert need.organization == world.a.village and need.unit == world.hospital
    # A visit out of the caller's reach is a 404 naming it.
    other = Household.objects.create(
        address="乙村1号", organization=world.b.village, org_path=world.b.village.path
    )
    theirs = Visit.objects.create(
        household=other, org_path=other.org_path, visited_on=dt.date(2024, 5, 6), way="phone"
    )
    r = client_for(world.secretary_a).post(
        NEEDS, {"category": "health", "visit": theirs.pk, "summary": "腿疼"}, format="json"
    )
    assert (r.status_code, r.json()["field"]) == (404, "visit")
    assert Need.objects.count() == 1


def test_the_unit_works_the_need_through_its_steps(world):
    need = _submit(world)
    staff = client_for(world.bureau_staff)
    url = f"{NEEDS}{need.pk}/"
    r = staff.post(url + "accept/")
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    r = staff.post(url + "accept/")
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (400, "wrong_state", "state")
    assert staff.post(url + "start/").json()["state"] == "in_progress"
    r = staff.post(url + "resolve/", {}, format="json")
    assert (r.status_code, r.json()["field"]) == (400, "resolution")
    r = staff.post(url + "resolve/", {"resolution": "推荐了三个岗位"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "resolved"
    need.refresh_from_db()
    assert need.resolution == "推荐了三个岗位"
    kinds = list(need.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["accepted", "started", "resolved"]
    # Another unit's staff cannot see it; the unit may not reassign or close.
    assert client_for(world.hospital_staff).post(url + "accept/").status_code == 404
    r = staff.post(url + "reassign/", {"unit": world.hospital.pk, "reason": "x"}, format="json")
    assert r.status_code == 403


def test_reassign_merge_and_close_by_the_place_managers(world):
    need, twin = _submit(world), _submit(world)
    admin = client_for(world.admin_a)
    url = f"{NEEDS}{need.pk}/"
    r = admin.post(url + "reassign/", {"unit": world.hospital.pk}, format="json")
    assert (r.status_code, r.json()["field"]) == (400, "reason")
    r = admin.post(url + "reassign/", {"unit": 999999, "reason": "医疗问题"}, format="json")
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (400, "unknown_unit", "unit")
    r = admin.post(
        url + "reassign/", {"unit": world.hospital.pk, "reason": "医疗问题"}, format="json"
    )
    assert r.status_code == 200 and r.json()["unit"] == world.hospital.pk
    other = services.need_submit(
        actor=world.admin_b, intake=Intake.STAFF, category=world.employment,
        organization=world.b.village, summary="乙村",
    )  # fmt: skip
    r = admin.post(url + "merge/", {"into": other.pk}, format="json")
    assert (r.status_code, r.json()["field"]) == (404, "into")
    r = admin.post(url + "merge/", {"into": twin.pk}, format="json")
    assert r.status_code == 200 and r.json()["id"] == twin.pk
    need.refresh_from_db()
    assert need.state == NeedState.MERGED and need.merged_into == twin
    assert NeedEvent.objects.filter(need=twin, kind="merged").exists()
    r = admin.post(f"{NEEDS}{twin.pk}/close/")
    assert (r.status_code, r.json()["code"]) == (400, "wrong_state")
    services.need_resolve(actor=world.admin_a, need=twin, resolution="已办")
    services.need_confirm(tracking_code=twin.tracking_code, rating=5)
    r = admin.post(f"{NEEDS}{twin.pk}/close/")
    assert r.status_code == 200 and r.json()["state"] == "closed"


def test_the_residents_answer_is_not_an_api_step(world):
    need = _submit(world)
    services.need_resolve(actor=world.admin_a, need=need, resolution="已办")
    admin = client_for(world.admin_a)
    for step in ("confirm", "reopen"):
        r = admin.post(f"{NEEDS}{need.pk}/{step}/", {"rating": 5, "reason": "x"}, format="json")
        assert r.status_code == 404
    need.refresh_from_db()
    assert need.state == NeedState.RESOLVED and need.rating is None
