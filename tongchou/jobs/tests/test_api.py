"""REST: the same rules as the pages — scope, bad input as 400 naming the field, 404 for
references out of scope, 403 for a visible object the caller may not change."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tongchou.jobs.models import Application, JobSeeker, Opening
from tongchou.jobs.tests.conftest import make_opening, make_seeker

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _opening_body(world, **values) -> dict:
    today = dt.date.today()
    body = {
        "unit": world.bureau.pk,
        "title": "保洁员",
        "region": world.a.street_region.code,
        "pay_min": 2200,
        "pay_max": 2600,
        "skills": ["housekeeping"],
        "positions": 3,
        "first_day": today.isoformat(),
        "last_day": (today + dt.timedelta(days=200)).isoformat(),
    }
    body.update(values)
    return body


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"pay_min": 3000, "pay_max": 2000}, "pay_range", "pay_max"),
        ({"positions": 0}, "out_of_range", "positions"),
        ({"skills": ["x-ray"]}, "unknown_skill", "skills"),
        ({"last_day": "2000-01-01"}, "period_order", "last_day"),
        ({"pay_min": "many"}, "invalid", "pay_min"),
    ],
)
def test_opening_bad_input(world, values, code, field):
    response = _client(world.bureau_staff).post(
        "/api/jobs/openings/", _opening_body(world, **values), format="json"
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not Opening.objects.exists()


def test_opening_create_read_update(world):
    client = _client(world.bureau_staff)
    response = client.post("/api/jobs/openings/", _opening_body(world), format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["skills"] == ["housekeeping"]
    assert client.get("/api/jobs/openings/").json()["count"] == 1
    response = client.patch(f"/api/jobs/openings/{pk}/", {"state": "closed"}, format="json")
    assert response.json()["state"] == "closed"
    # Another county's staff: the unit is not theirs to post for, the opening looks missing.
    other = _client(world.bureau_b_staff)
    response = other.post("/api/jobs/openings/", _opening_body(world), format="json")
    assert response.status_code == 404 and response.json()["field"] == "unit"
    assert other.get(f"/api/jobs/openings/{pk}/").status_code == 404
    assert _client(world.norole).get("/api/jobs/openings/").status_code == 403


def test_seeker_needs_consent_and_phone_is_masked(world):
    client = _client(world.secretary_a)
    body = {
        "organization": world.a.village.pk,
        "name": "马师傅",
        "phone": "13812345678",
        "kinds": ["rural_labour"],
        "skills": ["welding"],
        "regions": [world.a.county_region.code],
        "available_from": dt.date.today().isoformat(),
        "consent_on": None,
    }
    response = client.post("/api/jobs/seekers/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "consent_required"
    body["consent_on"] = dt.date.today().isoformat()
    response = client.post("/api/jobs/seekers/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["phone"] == "138****5678"
    assert "13812345678" not in response.content.decode()
    # A village out of scope is a 404 naming the field.
    response = client.post(
        "/api/jobs/seekers/", {**body, "organization": world.b.village.pk}, format="json"
    )
    assert response.status_code == 404 and response.json()["field"] == "organization"
    assert JobSeeker.objects.count() == 1


def test_apply_step_and_suggestions(world):
    opening = make_opening(world)
    seeker = make_seeker(world)
    secretary = _client(world.secretary_a)
    response = secretary.get(f"/api/jobs/seekers/{seeker.pk}/suggestions/")
    assert [r["opening"]["id"] for r in response.json()] == [opening.pk]
    assert set(response.json()[0]) == {"opening", "shared_skills", "km"}
    response = secretary.post(
        "/api/jobs/applications/", {"seeker": seeker.pk, "opening": opening.pk}, format="json"
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    response = secretary.post(
        "/api/jobs/applications/", {"seeker": seeker.pk, "opening": opening.pk}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "already_applied"
    staff = _client(world.bureau_staff)
    response = staff.post(
        f"/api/jobs/applications/{pk}/step/", {"to_state": "hired"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_transition"
    # The seeker's side may not interview: visible, so 403.
    response = secretary.post(
        f"/api/jobs/applications/{pk}/step/", {"to_state": "interviewing"}, format="json"
    )
    assert response.status_code == 403
    response = staff.post(
        f"/api/jobs/applications/{pk}/step/", {"to_state": "interviewing"}, format="json"
    )
    assert response.json()["state"] == "interviewing"
    assert [e["to_state"] for e in response.json()["events"]] == ["applied", "interviewing"]
    # Out of scope: county B's admin sees neither the application nor the seeker.
    other = _client(world.admin_b)
    assert other.get(f"/api/jobs/applications/{pk}/").status_code == 404
    response = other.post(
        "/api/jobs/applications/", {"seeker": seeker.pk, "opening": opening.pk}, format="json"
    )
    assert response.status_code == 404 and response.json()["field"] == "seeker"
    # Suggestions for the opening (admin A): the seeker already applied, so none.
    assert _client(world.admin_a).get(f"/api/jobs/openings/{opening.pk}/suggestions/").json() == []
    assert Application.objects.count() == 1


def test_withdraw_consent_and_figures(world):
    seeker = make_seeker(world)
    client = _client(world.admin_a)
    response = client.post(f"/api/jobs/seekers/{seeker.pk}/withdraw-consent/")
    assert response.status_code == 200
    assert response.json()["consenting"] is False and response.json()["active"] is False
    response = client.post(f"/api/jobs/seekers/{seeker.pk}/withdraw-consent/")
    assert response.status_code == 400 and response.json()["code"] == "already_withdrawn"
    figures = client.get("/api/jobs/figures/").json()
    assert [f["name"] for f in figures] == [world.a.county.name]
    assert figures[0]["seekers"] == 1 and len(figures[0]["months"]) == 12
    assert client.get("/api/jobs/figures/?year=abc").status_code == 400


def test_list_endpoints_do_not_grow_with_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongchou.jobs import services

    client = _client(world.admin_a)
    urls = ["/api/jobs/openings/", "/api/jobs/seekers/", "/api/jobs/applications/"]

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(i):
        opening = make_opening(world, title=f"岗位{i}")
        seeker = make_seeker(world, name=f"人{i}", regions=[world.a.county_region.code])
        services.application_create(actor=world.root, seeker=seeker, opening=opening)

    add(0)
    count(urls[0])  # warm: the first request also reads the role caches
    before = [count(u) for u in urls]
    for i in range(1, 5):
        add(i)
    assert [count(u) for u in urls] == before
