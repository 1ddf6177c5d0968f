"""Pages and API of the talent app: the member's own profile at /me/, bad input refused with
the field named and nothing written."""

import pytest

from tests.world import PASSWORD
from tongchou.talent.models import Need, Talent
from tongchou.talent.tests.factories import make_member_talent

pytestmark = pytest.mark.django_db


def _link(world):
    member = world.a.members[0]
    member.user = world.member_a
    member.save(update_fields=["user"])
    return member


def test_a_member_joins_and_edits_at_me(client, world):
    member = _link(world)
    client.login(username="member_a", password=PASSWORD)
    assert "加入人才库" in client.get("/me/").content.decode()
    response = client.post(
        "/me/talent/",
        {
            "skills": ["1", "3"],
            "capacity": "1",
            "max_km": "40",
            "home_lat": "39.0",
            "home_lon": "106.4",
            "availability": "2027-03-01 2027-06-30",
        },
    )
    assert response.status_code == 302
    talent = Talent.objects.get(member=member)
    assert talent.max_km == 40 and talent.availability.count() == 1
    page = client.get("/me/").content.decode()
    assert "编辑我的人才信息" in page and "2027-03-01" in page
    response = client.post(
        "/me/talent/",
        {"skills": ["1"], "capacity": "1", "availability": "2027-06-30 2027-03-01"},
    )
    assert response.status_code == 200 and "结束日期不能早于开始日期" in response.content.decode()
    assert Talent.objects.get(member=member).availability.get().first_day.month == 3


def test_api_refuses_unknown_skills_and_bad_needs(client, world):
    client.login(username="admin_a", password=PASSWORD)
    response = client.post(
        "/api/talent/profiles/",
        {"member": world.a.members[1].pk, "skills": ["agri-tech", "wizardry"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_skill" and response.json()["field"] == "skills"
    assert not Talent.objects.exists()
    base = {
        "organization": world.a.village.pk,
        "title": "直播培训",
        "skill": "e-commerce",
        "first_day": "2027-05-01",
        "last_day": "2027-05-10",
        "lat": 39.0,
        "lon": 106.4,
        "slots": 2,
    }
    for bad, field in (({"slots": 0}, "slots"), ({"last_day": "2027-04-01"}, "last_day")):
        response = client.post(
            "/api/talent/needs/", {**base, **bad}, content_type="application/json"
        )
        assert response.status_code == 400 and response.json()["field"] == field
    assert not Need.objects.exists()
    response = client.post("/api/talent/needs/", base, content_type="application/json")
    assert response.status_code == 201


def test_profile_page_masks_phones_and_lists_exchanges(client, world):
    talent = make_member_talent(world.a.members[0])
    client.login(username="admin_a", password=PASSWORD)
    page = client.get(f"/talent/{talent.pk}/").content.decode()
    assert world.a.members[0].phone not in page
    assert world.a.members[0].phone_masked in page


def test_lists_take_the_same_queries_for_3_rows_as_for_9(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongchou.talent.tests.factories import make_assignment, make_expert, make_need

    def add(n):
        for k in range(n):
            talent = make_expert(world.a.village, name=f"专家{k}")
            make_need(world.a.village)
            make_assignment(talent, world.a.street, world.a.village)

    urls = [
        "/talent/",
        "/talent/needs/",
        "/talent/exchanges/",
        "/talent/ledger/",
        "/api/talent/profiles/",
        "/api/talent/needs/",
        "/api/talent/exchanges/",
    ]
    client.login(username="admin_a", password=PASSWORD)

    def counts():
        out = []
        for url in urls:
            client.get(url)  # warm per-process caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            out.append(len(queries))
        return out

    add(3)
    few = counts()
    add(6)
    assert counts() == few
