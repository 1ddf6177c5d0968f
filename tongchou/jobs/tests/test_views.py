"""Pages: lists and forms in scope, errors on the form, state changes, figures, escaping."""

import datetime as dt

import pytest
from django.urls import reverse

from tongchou.jobs import services
from tongchou.jobs.models import Application, JobSeeker, Opening, OpeningState
from tongchou.jobs.tests.conftest import make_opening, make_seeker

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_unit_staff_see_their_openings_and_applications_only(client, world):
    mine = make_opening(world, title="甲县电工")
    theirs = make_opening(
        world, unit=world.bureau_b, title="乙县焊工", region=world.b.street_region
    )
    seeker = make_seeker(world)
    application = services.application_create(actor=world.root, seeker=seeker, opening=mine)
    _login(client, world.bureau_staff)
    page = client.get(reverse("jobs:openings")).content.decode()
    assert "甲县电工" in page and "乙县焊工" not in page
    assert client.get(reverse("jobs:opening_detail", args=[theirs.pk])).status_code == 404
    detail = client.get(reverse("jobs:opening_detail", args=[mine.pk])).content.decode()
    assert "李师傅" in detail
    assert "13512345678" not in detail
    home = client.get(reverse("jobs:index")).content.decode()
    assert reverse("jobs:application_detail", args=[application.pk]) in home
    # The home page carries the same card.
    assert (
        reverse("jobs:application_detail", args=[application.pk])
        in client.get("/").content.decode()
    )
    # Staff hold no role: the seeker registry is not theirs.
    assert client.get(reverse("jobs:seekers")).status_code == 403


def test_post_an_opening_with_errors_shown_on_the_form(client, world):
    _login(client, world.bureau_staff)
    url = reverse("jobs:opening_create")
    form = {
        "unit": world.bureau.pk,
        "title": "<script>alert(1)</script>叉车司机",
        "skills": ["driving", "logistics"],
        "region": world.a.street_region.code,
        "pay_min": "6000",
        "pay_max": "5000",
        "positions": "2",
        "first_day": "2026-03-01",
        "last_day": "2026-09-30",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "月薪下限不能高于上限。" in response.content.decode()
    assert not Opening.objects.exists()
    response = client.post(url, {**form, "pay_max": "7000", "last_day": "2026-02-01"})
    assert "用工结束日期不能早于开始日期。" in response.content.decode()
    response = client.post(url, {**form, "pay_max": "7000", "skills": ["nope"]})
    assert response.status_code == 200 and not Opening.objects.exists()
    response = client.post(url, {**form, "pay_max": "7000"})
    opening = Opening.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("jobs:opening_detail", args=[opening.pk])).content.decode()
    assert "&lt;script&gt;" in page and "<script>alert(1)" not in page
    # Editing: close it.
    edit = reverse("jobs:opening_edit", args=[opening.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {**form, "pay_max": "7000", "state": "closed"})
    assert response.status_code == 302
    opening.refresh_from_db()
    assert opening.state == OpeningState.CLOSED


def test_secretary_registers_a_seeker_only_with_consent(client, world):
    _login(client, world.secretary_a)
    url = reverse("jobs:seeker_create")
    form = {
        "organization": world.a.village.pk,
        "name": "王大哥",
        "phone": "13712345678",
        "kinds": ["returned_migrant"],
        "skills": ["electrician"],
        "max_km": "30",
        "lat": "39.1",
        "lon": "106.4",
        "available_from": dt.date.today().isoformat(),
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "须本人同意后才能登记求职信息。" in response.content.decode()
    assert not JobSeeker.objects.exists()
    response = client.post(url, {**form, "consent_on": dt.date.today().isoformat()})
    assert response.status_code == 302
    seeker = JobSeeker.objects.get()
    page = client.get(reverse("jobs:seeker_detail", args=[seeker.pk])).content.decode()
    assert "13712345678" not in page and "137****5678" in page
    # Edit keeps the phone when the masked value comes back unchanged.
    edit = reverse("jobs:seeker_edit", args=[seeker.pk])
    response = client.post(
        edit,
        {k: v for k, v in form.items() if k != "organization"} | {"phone": "137****5678"},
    )
    assert response.status_code == 302
    seeker.refresh_from_db()
    assert seeker.phone_masked == "137****5678"
    # A village out of scope is not offered (the choice is refused).
    response = client.post(
        url, {**form, "organization": world.b.village.pk, "consent_on": "2026-01-01"}
    )
    assert response.status_code == 200 and JobSeeker.objects.count() == 1


def test_apply_from_suggestions_and_walk_the_states(client, world):
    opening = make_opening(world, positions=1)
    seeker = make_seeker(world)
    _login(client, world.secretary_a)
    page = client.get(reverse("jobs:seeker_suggestions", args=[seeker.pk])).content.decode()
    assert opening.title in page and "为其报名" in page
    apply = reverse("jobs:seeker_apply", args=[seeker.pk])
    response = client.post(apply, {"opening": opening.pk})
    application = Application.objects.get()
    assert response.status_code == 302
    # Twice: a message, nothing new.
    response = client.post(apply, {"opening": opening.pk}, follow=True)
    assert "该求职者已报名这个岗位。" in response.content.decode()
    assert Application.objects.count() == 1
    detail = reverse("jobs:application_detail", args=[application.pk])
    # The village cannot hire; the form comes back with the refusal as a 403.
    assert client.post(detail, {"to_state": "interviewing"}).status_code == 403
    client.force_login(world.bureau_staff)
    response = client.post(detail, {"to_state": "hired"})
    assert response.status_code == 200
    assert "不能从" in response.content.decode()
    assert client.post(detail, {"to_state": "interviewing"}).status_code == 302
    assert client.post(detail, {"to_state": "hired", "outcome": "已签合同"}).status_code == 302
    opening.refresh_from_db()
    assert opening.state == OpeningState.FILLED
    page = client.get(detail).content.decode()
    assert "已签合同" in page and "已录用" in page


def test_withdraw_consent_from_the_page(client, world):
    seeker = make_seeker(world)
    _login(client, world.secretary_a)
    response = client.post(reverse("jobs:seeker_withdraw", args=[seeker.pk]))
    assert response.status_code == 302
    seeker.refresh_from_db()
    assert not seeker.active and seeker.consent_withdrawn_on is not None
    page = client.get(reverse("jobs:seeker_suggestions", args=[seeker.pk])).content.decode()
    assert "不再推荐岗位" in page


def test_opening_suggestions_page_lists_seekers_in_scope(client, world):
    opening = make_opening(world)
    make_seeker(world, name="近处的人")
    make_seeker(world, village=world.b.village, name="乙县的人")
    _login(client, world.admin_a)
    page = client.get(reverse("jobs:opening_suggestions", args=[opening.pk])).content.decode()
    assert "近处的人" in page and "乙县的人" not in page
    # Unit staff see a count, not the people.
    client.force_login(world.bureau_staff)
    page = client.get(reverse("jobs:opening_suggestions", args=[opening.pk])).content.decode()
    assert "近处的人" not in page


def test_figures_pages(client, world):
    make_opening(world, employer=world.enterprise, positions=3)
    make_seeker(world)
    _login(client, world.admin_a)
    page = client.get(reverse("jobs:figures")).content.decode()
    assert world.a.county.name in page and world.b.county.name not in page
    street = client.get(reverse("jobs:figures") + f"?county={world.a.county.pk}").content.decode()
    assert world.a.street.name in street
    assert client.get(reverse("jobs:figures") + f"?county={world.b.county.pk}").status_code == 404
    assert client.get(reverse("jobs:figures") + "?county=abc").status_code == 404
    assert client.get(reverse("jobs:figures") + "?year=abc").status_code == 200


def test_english_pages(client, world):
    opening = make_opening(world)
    _login(client, world.admin_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("jobs:opening_detail", args=[opening.pk])).content.decode()
    assert "Suggested seekers" in page and "推荐的求职者" not in page


def test_unit_staff_get_no_tab_they_cannot_open(client, world):
    _login(client, world.bureau_staff)
    page = client.get(reverse("jobs:index")).content.decode()
    assert reverse("jobs:seekers") not in page and reverse("jobs:figures") not in page
    _login(client, world.admin_a)
    page = client.get(reverse("jobs:index")).content.decode()
    assert reverse("jobs:seekers") in page and reverse("jobs:figures") in page


def test_list_pages_do_not_grow_with_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _login(client, world.admin_a)
    urls = [reverse("jobs:openings"), reverse("jobs:seekers"), reverse("jobs:applications")]

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(i):
        opening = make_opening(world, title=f"岗位{i}", skills=["electrician", "welding"])
        seeker = make_seeker(world, name=f"人{i}", member=None)
        services.application_create(actor=world.root, seeker=seeker, opening=opening)

    add(0)
    before = [count(u) for u in urls]
    for i in range(1, 6):
        add(i)
    assert [count(u) for u in urls] == before


def test_an_openings_side_sees_who_applied_but_not_where_they_live(client, world):
    from rest_framework.test import APIClient

    from tongchou.jobs import services

    seeker = make_seeker(world, note="家中老人需照顾，只能白班")
    opening = make_opening(world)
    services.application_create(actor=world.secretary_a, seeker=seeker, opening=opening)
    url = reverse("jobs:seeker_detail", args=[seeker.pk])
    client.force_login(world.secretary_a)  # the village: everything
    assert "只能白班" in client.get(url).content.decode()
    client.force_login(world.bureau_staff)  # the unit that posted: who, not where or notes
    page = client.get(url).content.decode()
    assert seeker.name in page and "只能白班" not in page and "公里以内" not in page
    api = APIClient()
    api.force_authenticate(world.bureau_staff)
    data = api.get(f"/api/jobs/seekers/{seeker.pk}/").json()
    assert data["name"] == seeker.name and data["skills"] == ["electrician"]
    assert (data["lat"], data["lon"], data["max_km"], data["regions"]) == (None, None, None, [])
    api.force_authenticate(world.secretary_a)
    assert api.get(f"/api/jobs/seekers/{seeker.pk}/").json()["lat"] is not None
