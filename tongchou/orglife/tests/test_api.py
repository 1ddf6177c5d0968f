import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tongchou.orglife.models import Attendance, Session, SessionKind
from tongchou.orglife.tests.conftest import at, spell
from tongchou.orglife.tests.test_selectors import session

pytestmark = pytest.mark.django_db

SESSIONS = "/api/life/sessions/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(**overrides) -> dict:
    data = {
        "kind": "theme_day",
        "starts_at": at(2).isoformat(),
        "format": "offline",
        "topic": "主题党日",
        "place": "村部",
    }
    data.update(overrides)
    return data


def test_create_patch_attendance_and_delete(w):
    client = api(w.secretary_v)
    response = client.post(SESSIONS, body(organization=w.village_a.pk), format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["organization_name"] == "长胜村党支部"
    response = client.patch(f"{SESSIONS}{pk}/", {"minutes": "记录"}, format="json")
    assert response.status_code == 200
    assert response.json()["minutes"] == "记录"
    v0, v1 = w.villagers[:2]
    entries = [{"member": v0.pk, "status": "offline"}, {"member": v1.pk, "status": "absent"}]
    response = client.put(f"{SESSIONS}{pk}/attendance/", {"entries": entries}, format="json")
    assert response.status_code == 200
    assert {(r["member"], r["status"]) for r in response.json()} == {
        (v0.pk, "offline"),
        (v1.pk, "absent"),
    }
    assert len(client.get(f"{SESSIONS}{pk}/attendance/").json()) == 2
    assert client.delete(f"{SESSIONS}{pk}/").status_code == 204
    assert not Session.objects.exists()


def test_refusals_are_400_with_code_and_field(w):
    client = api(w.secretary_v)
    response = client.post(SESSIONS, body(organization=w.village_a.pk, topic=""), format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "topic"
    response = client.post(SESSIONS, body(organization=w.village_b.pk), format="json")
    assert response.status_code == 404
    assert response.json()["field"] == "organization"
    response = client.post(
        SESSIONS, body(organization=w.village_a.pk, station=w.station_a.pk), format="json"
    )
    assert response.status_code == 404  # the secretary may not use the street's station
    assert response.json()["field"] == "station"
    s = session(w.village_a, SessionKind.THEME_DAY, dt.date(2025, 1, 5))
    response = client.put(
        f"{SESSIONS}{s.pk}/attendance/",
        {"entries": [{"member": w.resident.pk, "status": "offline"}]},
        format="json",
    )
    assert response.status_code == 400
    # The resident is outside the village secretary's scope: looks missing, name not shown.
    assert response.json()["code"] == "member_not_found"
    assert response.json()["field"] == "entries"
    assert "居民" not in response.json()["message"]
    response = client.patch(f"{SESSIONS}{s.pk}/", {"organization": w.community_a.pk}, format="json")
    assert response.status_code == 400
    future = client.post(
        SESSIONS, body(organization=w.village_a.pk, starts_at=at(-2).isoformat()), format="json"
    )
    assert future.status_code == 201
    response = client.put(
        f"{SESSIONS}{future.json()['id']}/attendance/",
        {"entries": [{"member": w.villagers[0].pk, "status": "offline"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "session_in_future"
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "starts_at", ["0001-01-01", "0001-01-01T00:00:00Z", "9999-12-31T23:59:00Z", "1899-05-04"]
)
def test_a_time_out_of_range_is_refused_naming_the_field(w, starts_at):
    """Year 1 cannot be made timezone-aware: a 400 naming starts_at, not a crash."""
    response = api(w.secretary_v).post(
        SESSIONS, body(organization=w.village_a.pk, starts_at=starts_at), format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "starts_at"
    assert not Session.objects.exists()


def test_station_staff_without_a_role(w):
    spell(w.outsider, home=w.village_b, station=w.station_a)
    client = api(w.staff)
    response = client.post(
        SESSIONS,
        body(station=w.station_a.pk, format="online", online_link="会议号 1"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = client.put(
        f"{SESSIONS}{pk}/attendance/",
        {"entries": [{"member": w.outsider.pk, "status": "online"}]},
        format="json",
    )
    assert response.status_code == 200
    assert [s["id"] for s in client.get(SESSIONS).json()["results"]] == [pk]
    assert client.get("/api/life/report/").status_code == 403


def test_list_is_scoped_and_constant_in_queries(w, django_assert_num_queries):
    client = api(w.admin_a)
    for i in range(3):
        session(w.village_a, SessionKind.THEME_DAY, dt.date(2025, 1 + i, 5))
    session(w.village_b, SessionKind.THEME_DAY, dt.date(2025, 1, 5))
    client.get(SESSIONS)
    # count, page (scope cached on the user), and 应到/实到 of the whole page: attendance,
    # members, transfers, spells (roster.turnout_for), and the joint sessions' partners
    with django_assert_num_queries(7) as few:
        response = client.get(SESSIONS)
    assert response.json()["count"] == 3
    for i in range(4):
        session(w.courier_a, SessionKind.LECTURE, dt.date(2025, 5, 1 + i))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(SESSIONS)
    assert response.json()["count"] == 7
    assert client.get(SESSIONS, {"org": w.courier_a.pk}).json()["count"] == 4


def test_expectations_endpoint(w):
    session(w.village_a, SessionKind.THEME_DAY, dt.date(2025, 4, 2))
    client = api(w.admin_a)
    response = client.get(
        "/api/life/expectations/", {"within": w.street_a.pk, "year": 2025, "quarter": 2}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["within"] == {"id": w.street_a.pk, "name": "长胜街道党工委"}
    assert data["period"]["start"] == "2025-04-01"
    village = next(r for r in data["rows"] if r["org_id"] == w.village_a.pk)
    assert village["kinds"]["theme_day"] == {"held": 1, "expected": 3, "planned": 0}
    assert {c["org_id"] for c in data["children"]} == {
        w.village_a.pk,
        w.community_a.pk,
        w.courier_a.pk,
    }
    default = client.get("/api/life/expectations/")
    assert default.status_code == 200
    assert default.json()["within"]["id"] == w.county_a.pk
    assert client.get("/api/life/expectations/", {"within": w.village_b.pk}).status_code == 404
    assert client.get("/api/life/expectations/", {"month": 13}).status_code == 400


def test_report_endpoint(w):
    today = timezone.localdate()
    spell(w.villagers[0], home=w.village_a, since=today - dt.timedelta(days=400))
    spell(w.villagers[1], home=w.village_a, station=w.station_a, since=today, contact=today)
    client = api(w.admin_a)
    data = client.get("/api/life/report/").json()
    assert data["counts"] == {
        "total": 2, "no_inflow_side": 1, "lost_contact": 1, "flagged": 1,
        # both are county A's own members away (their home is in the admin's scope)
        "outflow": 2, "outflow_no_inflow_side": 1, "outflow_lost_contact": 1, "inflow": 0,
    }  # fmt: skip
    assert all(row["outflow"] for row in data["results"])
    assert data["count"] == 2
    only = client.get("/api/life/report/", {"flag": "no_inflow_side", "months": 24}).json()
    assert [r["name"] for r in only["results"]] == ["村民0"]
    assert only["results"][0]["lost_contact"] is False
    assert only["months"] == 24
    assert client.get("/api/life/report/", {"months": 0}).status_code == 400
    assert client.get("/api/life/report/", {"within": w.village_b.pk}).status_code == 404
    assert api(w.admin_b).get("/api/life/report/").json()["count"] == 0


def test_turnout_people_and_everyone_through_the_api(w):
    client = api(w.secretary_v)
    v0, v1, v2 = w.villagers
    response = client.post(
        SESSIONS,
        body(organization=w.village_a.pk, kind="lecture", host=v0.pk, lecturer=v1.pk),
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["host"], data["host_name"], data["lecturer_display"]) == (v0.pk, "村民0", "村民1")
    assert data["turnout"]["expected"] == 3 and data["turnout"]["attended"] == 0
    pk = data["id"]
    response = client.put(
        f"{SESSIONS}{pk}/attendance/",
        {"entries": [{"member": v2.pk, "status": "absent"}], "everyone": "offline"},
        format="json",
    )
    assert response.status_code == 200
    assert {(r["member"], r["status"]) for r in response.json()} == {
        (v0.pk, "offline"),
        (v1.pk, "offline"),
        (v2.pk, "absent"),
    }
    listed = client.get(SESSIONS).json()["results"][0]["turnout"]
    assert (listed["expected"], listed["attended"], listed["absent"]) == (3, 2, 1)
    response = client.put(
        f"{SESSIONS}{pk}/attendance/", {"entries": [], "everyone": "excused"}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "everyone"
    for value in (10**12, w.outsider.pk):  # missing, or not the caller's to see: alike
        response = client.patch(f"{SESSIONS}{pk}/", {"host": value}, format="json")
        assert response.status_code == 400
        assert (response.json()["code"], response.json()["field"]) == ("member_not_found", "host")


def test_refusals_follow_the_language(w):
    """The API's own refusals are translatable like every other message (they were bare
    Chinese literals: an English caller got Chinese)."""
    s = session(w.village_a, SessionKind.THEME_DAY, dt.date(2025, 1, 5))
    client = api(w.secretary_v)
    url = f"{SESSIONS}{s.pk}/"
    moved = client.patch(f"{url}?lang=en", {"organization": w.community_a.pk}, format="json")
    assert moved.status_code == 400
    assert moved.json()["message"] == "The Party organization of a session cannot be changed."
    missing = client.patch(f"{url}?lang=en", {"host": 10**12}, format="json")
    assert missing.status_code == 400
    assert missing.json()["message"] == f"Party member not found: {10**12}."
    chinese = client.patch(url, {"host": 10**12}, format="json")
    assert chinese.json()["message"] == f"党员不存在：{10**12}。"
    refused = api(w.norole).get(f"{SESSIONS}?lang=en")
    assert refused.status_code == 403
    assert refused.json()["message"] == "You have no role and may not access this."
