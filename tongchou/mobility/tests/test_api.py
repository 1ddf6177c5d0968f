"""Mobility over REST: stations and spells, the same rules and scope as the pages."""

import pytest
from rest_framework.test import APIClient

from tongchou.mobility.models import MobileMember, MobilityStatus, ServiceStation
from tongchou.mobility.tests.factories import spell_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def test_staff_without_a_role_use_the_api(api, m):
    spell = spell_for(m.mb, station=m.station_a)
    c = as_user(api, m.staff_a)
    response = c.get("/api/mobility/spells/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [spell.pk]
    assert c.get(f"/api/mobility/stations/{m.station_a.pk}/").json()["staff"] == ["staff_a"]
    assert c.get(f"/api/mobility/stations/{m.station_b.pk}/").status_code == 404
    assert as_user(APIClient(), m.norole).get("/api/mobility/spells/").status_code == 403


def test_outflow_then_inflow_link_the_same_spell(api, m):
    c = as_user(api, m.secretary_v)
    body = {"member": m.m1.pk, "destination_region": "640205001", "since": "2024-03-01",
            "reason": "work", "contact": "13812345678"}  # fmt: skip
    response = c.post("/api/mobility/spells/", body, format="json")
    assert response.status_code == 201, response.json()
    spell_id = response.json()["id"]
    assert response.json()["contact"] == "138****5678"
    # No inflow side yet, a fact of its own; and nobody has reached them since they went out
    # in March 2024 (mobility.rules): lost contact too.
    assert response.json()["no_inflow_side"] is True
    assert response.json()["lost_contact"] is True
    again = c.post("/api/mobility/spells/", body, format="json")
    assert again.status_code == 400
    assert (again.json()["code"], again.json()["field"]) == ("already_mobile", "member")

    b = as_user(APIClient(), m.staff_b)
    inflow = {"station": m.station_b.pk, "id_number": m.m1.id_number, "name": m.m1.name,
              "home_text": "潮湖村党支部", "since": m.today, "reason": "work"}  # fmt: skip
    response = b.post("/api/mobility/spells/inflow/", inflow, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["id"] == spell_id and data["station_name"] == m.station_b.name
    assert data["home_org_name"] == m.village_a.name and data["lost_contact"] is False
    assert data["no_inflow_side"] is False
    assert m.m1.id_number not in response.content.decode()
    assert MobileMember.objects.count() == 1


def test_inflow_needs_the_name_an_id_number_alone_reveals_nothing(api, m):
    """A station's staff who know only an ID number must not learn whose it is (name, home
    organization) nor mark that member as away: the name is required, as on the page."""
    c = as_user(api, m.staff_a)
    body = {"station": m.station_a.pk, "id_number": m.mb.id_number, "since": "2024-03-05",
            "reason": "work", "home_text": "红果子村党支部"}  # fmt: skip
    for extra in ({}, {"name": ""}):
        response = c.post("/api/mobility/spells/inflow/", {**body, **extra}, format="json")
        assert response.status_code == 400
        assert response.json()["field"] == "name"
        assert m.mb.name not in response.content.decode()
        assert m.village_b.name not in response.content.decode()
    assert not MobileMember.objects.exists()
    m.mb.refresh_from_db()
    assert m.mb.status != "mobile"
    response = c.post("/api/mobility/spells/inflow/", {**body, "name": m.mb.name}, format="json")
    assert response.status_code == 201, response.json()


def test_errors_name_the_field(api, m):
    c = as_user(api, m.admin_b)
    response = c.post(
        "/api/mobility/spells/inflow/",
        {"inflow_org": m.street_b.pk, "id_number": "123", "name": "某人", "since": "2024-03-05",
         "reason": "work", "home_text": "某党支部"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_id_number", "id_number")
    response = c.post(
        "/api/mobility/spells/inflow/",
        {"inflow_org": m.street_a.pk, "id_number": m.m1.id_number, "name": m.m1.name,
         "since": "2024-03-05", "reason": "work", "home_text": "某党支部"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 404 and response.json()["field"] == "inflow_org"
    response = c.post(
        "/api/mobility/spells/",
        {"member": m.m1.pk, "destination_text": "x", "since": "2024-03-01", "reason": "work"},
        format="json",
    )
    assert response.status_code == 404 and response.json()["field"] == "member"
    response = c.post(
        "/api/mobility/spells/",
        {"member": m.mb.pk, "destination_region": m.village_b_r.pk, "since": "2024-03-01",
         "reason": "work"},
        format="json",
    )  # fmt: skip
    assert response.json()["code"] == "destination_is_home"
    assert response.json()["field"] == "destination_region"


def test_a_region_code_with_a_nul_is_refused_naming_the_field(api, m):
    """PostgreSQL refuses a NUL in a query: 400 on the field, not a crash."""
    c = as_user(api, m.admin_b)
    body = {"member": m.mb.pk, "destination_region": "640202\x00", "since": "2024-03-01",
            "reason": "work"}  # fmt: skip
    response = c.post("/api/mobility/spells/", body, format="json")
    assert response.status_code == 400 and response.json()["field"] == "destination_region"
    station = {"name": "站", "kind": "city_street", "organization": m.street_b.pk,
               "region": "\x00"}  # fmt: skip
    response = c.post("/api/mobility/stations/", station, format="json")
    assert response.status_code == 400 and response.json()["field"] == "region"
    assert not MobileMember.objects.exists()


def test_contacts_return_and_end(api, m):
    spell = spell_for(m.m1, station=m.station_a)
    c = as_user(api, m.staff_a)
    today = m.today.isoformat()
    response = c.post(f"/api/mobility/spells/{spell.pk}/contacts/",
                      {"on": today, "channel": "phone", "note": "电话"}, format="json")  # fmt: skip
    assert response.status_code == 201 and response.json()["by"] == "staff_a"
    detail = c.get(f"/api/mobility/spells/{spell.pk}/").json()
    assert detail["last_contact_on"] == today and len(detail["contacts"]) == 1
    response = c.post(f"/api/mobility/spells/{spell.pk}/end/", {"on": today}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "note"
    response = c.post(f"/api/mobility/spells/{spell.pk}/return/", {"on": today}, format="json")
    assert response.status_code == 200 and response.json()["status"] == MobilityStatus.RETURNED
    response = c.post(f"/api/mobility/spells/{spell.pk}/return/", {"on": today}, format="json")
    assert response.json()["code"] == "spell_not_open"
    other = as_user(APIClient(), m.staff_b)
    assert other.post(f"/api/mobility/spells/{spell.pk}/contacts/", {}).status_code == 404


def test_a_member_registers_going_out_through_the_api(api, m):
    from tongchou.core.tests.factories import grant
    from tongchou.organizations.models import RoleKind

    grant(m.me_user, m.village_a, RoleKind.MEMBER)
    c = as_user(api, m.me_user)
    response = c.post(
        "/api/mobility/spells/",
        {"member": m.me.pk, "destination_text": "银川市", "since": "2024-03-01", "reason": "study"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["name"] == m.me.name


def test_stations_create_update(api, m):
    c = as_user(api, m.admin_a)
    body = {"name": "长胜工业园区党员服务站", "kind": "industrial_park",
            "organization": m.street_a.pk, "region": "640202001",
            "services": ["transfer", "training"], "staff": ["staff_a"]}  # fmt: skip
    response = c.post("/api/mobility/stations/", body, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["staff"] == ["staff_a"]
    response = c.patch(f"/api/mobility/stations/{pk}/", {"staff": ["ghost"]}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "staff"
    response = c.patch(f"/api/mobility/stations/{pk}/", {"active": False}, format="json")
    assert response.json()["active"] is False
    response = c.post("/api/mobility/stations/", {**body, "organization": m.street_b.pk},
                      format="json")  # fmt: skip
    assert response.status_code == 404 and response.json()["field"] == "organization"
    staff = as_user(APIClient(), m.staff_a)
    response = staff.patch(f"/api/mobility/stations/{m.station_a.pk}/", {"name": "x"},
                           format="json")  # fmt: skip
    assert response.status_code == 403
    assert ServiceStation.objects.get(pk=m.station_a.pk).name != "x"


def test_list_query_counts(api, m, django_assert_num_queries):
    c = as_user(api, m.admin_a)
    spell_for(m.m1, station=m.station_a)
    c.get("/api/mobility/spells/")  # the scope is cached on the (forced) user from here on
    with django_assert_num_queries(3) as few:  # count, rows with both sides, lost flags
        c.get("/api/mobility/spells/")
    for member in (m.m2, m.me):
        spell_for(member, station=m.station_a, inflow_org=m.community_a)
    with django_assert_num_queries(len(few.captured_queries)):
        assert c.get("/api/mobility/spells/").json()["count"] == 3
    c.get("/api/mobility/stations/")
    with django_assert_num_queries(3) as few:  # count, rows, staff
        c.get("/api/mobility/stations/")
    ServiceStation.objects.create(name="另一站", kind="other", organization=m.street_a,
                                  org_path=m.street_a.path, region=m.street_a_r)  # fmt: skip
    with django_assert_num_queries(len(few.captured_queries)):
        assert c.get("/api/mobility/stations/").json()["count"] == 2
