"""Education over REST: scoped reads, writes through the services, one error shape."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tongchou.education.models import Course, StudyRecord, Training
from tongchou.education.tests.factories import make_course, make_record, make_training

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
COURSES = "/api/education/courses/"
RECORDS = "/api/education/study-records/"
TRAININGS = "/api/education/trainings/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anonymous_and_no_role(w):
    for url in (COURSES, RECORDS, TRAININGS):
        response = api().get(url)
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
        assert api(w.norole).get(url).status_code == 403


def test_course_create_list_patch(w):
    client = api(w.admin_a)
    body = {
        "organization": w.county_a.pk,
        "title": "学习党的创新理论",
        "provider": "共产党员网",
        "hours": "2.5",
        "mode": "online",
    }
    response = client.post(COURSES, body, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["organization_name"] == "大武口区委"
    assert [c["id"] for c in client.get(COURSES).json()["results"]] == [pk]
    response = client.patch(f"{COURSES}{pk}/", {"hours": "0"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "hours"
    response = client.patch(f"{COURSES}{pk}/", {"hours": "3"}, format="json")
    assert response.json()["hours"] == "3.0"


def test_course_create_out_of_scope_org_is_404_on_the_field(w):
    body = {"organization": w.county_b.pk, "title": "x", "provider": "y", "hours": 1}
    body["mode"] = "online"
    response = api(w.admin_a).post(COURSES, body, format="json")
    assert response.status_code == 404 and response.json()["field"] == "organization"
    assert not Course.objects.exists()


def test_course_seen_but_not_managed_is_403(w):
    course = make_course(w.city)
    client = api(w.secretary_v)
    assert client.get(f"{COURSES}{course.pk}/").status_code == 200
    response = client.patch(f"{COURSES}{course.pk}/", {"hours": "3"}, format="json")
    assert response.status_code == 403


def test_record_create_from_course_and_errors(w):
    course = make_course(w.county_a, hours=Decimal("4"))
    client = api(w.secretary_v)
    response = client.post(
        RECORDS,
        {"member": w.m1.pk, "course": course.pk, "studied_on": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["hours"] == "4.0" and response.json()["title"] == course.title
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = client.post(
        RECORDS, {"member": w.m1.pk, "title": "x", "hours": 2, "studied_on": tomorrow}, "json"
    )
    assert response.status_code == 400 and response.json()["field"] == "studied_on"
    response = client.post(
        RECORDS, {"member": w.m3.pk, "title": "x", "hours": 2, "studied_on": TODAY}, "json"
    )
    assert response.status_code == 404 and response.json()["field"] == "member"
    response = client.post(
        RECORDS,
        {"member": w.m1.pk, "course": 10**12, "studied_on": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 404 and response.json()["field"] == "course"
    assert StudyRecord.objects.count() == 1


def test_record_list_filters_and_delete(w):
    old = make_record(w.m1, studied_on=dt.date(2024, 3, 1))
    new = make_record(w.m3)
    make_record(w.mb)
    client = api(w.admin_a)
    ids = [r["id"] for r in client.get(RECORDS).json()["results"]]
    assert ids == [new.pk, old.pk]
    assert [r["id"] for r in client.get(RECORDS, {"year": 2024}).json()["results"]] == [old.pk]
    assert [r["id"] for r in client.get(RECORDS, {"q": "赵"}).json()["results"]] == [new.pk]
    by_org = client.get(RECORDS, {"org": w.village_a.pk}).json()["results"]
    assert [r["id"] for r in by_org] == [old.pk]
    assert client.get(RECORDS, {"year": "x"}).status_code == 400
    assert api(w.admin_b).delete(f"{RECORDS}{old.pk}/").status_code == 404
    assert client.delete(f"{RECORDS}{old.pk}/").status_code == 204
    assert not StudyRecord.objects.filter(pk=old.pk).exists()


def test_training_at_a_station_by_its_staff_and_participants(w):
    client = api(w.station_staff)
    response = client.post(
        TRAININGS,
        {
            "station": w.station.pk,
            "title": "快递安全培训",
            "held_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "hours": "2",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["organization"] == w.street_a.pk
    url = f"{TRAININGS}{pk}/participants/"
    response = client.put(url, {"members": [w.mb.pk, w.m2.pk]}, format="json")
    assert response.status_code == 404  # a street member not at the station: not theirs
    response = client.put(url, {"members": [w.mb.pk]}, format="json")
    assert response.status_code == 200, response.json()
    names = {p["name"] for p in response.json()["participants"]}
    assert names == {"马流动"}
    response = client.put(url, {"members": [w.mb2.pk]}, format="json")
    assert response.status_code == 404 and response.json()["field"] == "members"
    assert Training.objects.get().records.count() == 1
    assert [t["id"] for t in client.get(TRAININGS).json()["results"]] == [pk]
    # Station staff have no role: records (personal study) are not theirs to list.
    assert client.get(RECORDS).status_code == 403


def test_training_create_errors(w):
    client = api(w.admin_a)
    body = {"title": "x", "held_on": TODAY.isoformat(), "hours": "2"}
    response = client.post(TRAININGS, body, format="json")
    assert response.status_code == 400 and response.json()["field"] == "organization"
    response = client.post(TRAININGS, {**body, "organization": w.county_b.pk}, format="json")
    assert response.status_code == 404 and response.json()["field"] == "organization"
    response = client.post(TRAININGS, {**body, "station": 10**9}, format="json")
    assert response.status_code == 404 and response.json()["field"] == "station"
    response = client.post(
        TRAININGS, {**body, "organization": w.street_a.pk, "hours": "30"}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "hours"
    assert not Training.objects.exists()


def test_training_patch_by_someone_who_only_sees_it_is_403(w):
    training = make_training(w.village_a)
    admin_street = w.admin_a
    assert (
        api(admin_street).patch(f"{TRAININGS}{training.pk}/", {}, format="json").status_code == 200
    )
    # The city admin's county B counterpart sees nothing of it.
    assert api(w.admin_b).patch(f"{TRAININGS}{training.pk}/", {}, format="json").status_code == 404


@pytest.mark.parametrize(
    ("url", "make", "queries"),
    [
        (COURSES, lambda w, i: make_course(w.county_a, title=f"课程{i}"), 5),
        (RECORDS, lambda w, i: make_record(w.m1, title=f"学习{i}"), 4),
        (TRAININGS, lambda w, i: make_training(w.street_a, station=w.station), 5),
    ],
)
def test_list_query_count_is_constant(w, django_assert_num_queries, url, make, queries):
    def fresh():  # a new request's user: nothing cached on it
        return api(type(w.admin_a).objects.get(pk=w.admin_a.pk))

    for i in range(3):
        make(w, i)
    client = fresh()
    with django_assert_num_queries(queries):
        client.get(url)
    for i in range(3, 30):
        make(w, i)
    client = fresh()
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.json()["count"] == 30
