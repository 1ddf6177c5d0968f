"""The jobs back office: openings are posted and edited through the opening services, refusals
show on the form at their field and save nothing; seekers are corrected (never added) through
the seeker service, their phones masked and their consent read-only; applications are only
looked up; nothing anyone refers to is deleted."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tongchou.core.models import AuditAction, AuditEvent
from tongchou.jobs import services
from tongchou.jobs.models import Application, JobSeeker, Opening, OpeningState
from tongchou.jobs.tests.conftest import make_opening, make_seeker
from tongchou.talent.models import Skill

pytestmark = pytest.mark.django_db

PHONE = "13512345678"  # make_seeker's resident phone


@pytest.fixture
def root(world):
    client = Client()
    client.force_login(world.root)
    return client


def _errors(response):
    assert response.status_code == 200, response.get("Location")
    return response.context["adminform"].form.errors


def _opening_form(world, **changes) -> dict:
    data = {
        "unit": world.bureau.pk,
        "title": "焊工",
        "skills": [Skill.objects.get(code="welding").pk],
        "region": world.a.street_region.pk,
        "address": "甲工业园区",
        "lat": "39.015",
        "lon": "106.384",
        "pay_min": "5000",
        "pay_max": "7000",
        "positions": "2",
        "first_day": str(world.today),
        "last_day": str(world.today + dt.timedelta(days=90)),
        "description": "持证上岗",
        "_save": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _seeker_form(seeker, **changes) -> dict:
    data = {
        "resident_name": seeker.resident_name,
        "kinds": seeker.kinds,
        "skills": [s.pk for s in seeker.skills.all()],
        "max_km": "" if seeker.max_km is None else str(seeker.max_km),
        "regions": ",".join(r.pk for r in seeker.regions.all()),
        "lat": "" if seeker.lat is None else str(seeker.lat),
        "lon": "" if seeker.lon is None else str(seeker.lon),
        "available_from": str(seeker.available_from),
        "active": "on" if seeker.active else None,
        "note": seeker.note,
        "_save": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- openings ---------------------------------------------------------------------------------


def test_the_openings_changelist_names_poster_and_pay(root, world):
    make_opening(world, title="电工")
    html = root.get(reverse("admin:jobs_opening_changelist")).content.decode()
    assert "电工" in html and "甲县人社局" in html and "4000–6000" in html


def test_posting_goes_through_the_service(root, world):
    response = root.post(reverse("admin:jobs_opening_add"), _opening_form(world))
    assert response.status_code == 302, _errors(response)
    opening = Opening.objects.get()
    assert (opening.org_path, opening.county_path, opening.state, opening.created_by) == (
        world.a.county.path,
        world.a.county.path,
        OpeningState.OPEN,
        world.root,
    )
    assert list(opening.skills.values_list("code", flat=True)) == ["welding"]
    event = AuditEvent.objects.get(object_type="jobs.opening", action=AuditAction.CREATE)
    assert event.actor == world.root and event.after["skills"] == ["welding"]


def test_an_enterprise_branch_posts_with_its_street_and_county(root, world):
    response = root.post(
        reverse("admin:jobs_opening_add"),
        _opening_form(world, unit="", employer=world.enterprise.pk),
    )
    assert response.status_code == 302, _errors(response)
    opening = Opening.objects.get()
    assert (opening.org_path, opening.street_path) == (world.enterprise.path, world.a.street.path)


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"pay_min": "8000", "pay_max": "6000"}, "pay_max", "下限不能高于上限"),
        ({"last_day": "2020-01-01"}, "last_day", "不能早于开始日期"),
        ({"unit": ""}, "unit", "二选一"),
        ({"employer": "EMPLOYER"}, "unit", "二选一"),
        ({"unit": "", "employer": "VILLAGE"}, "employer", "只有企业的党组织"),
        ({"lat": "39.0", "lon": ""}, "lon", "同时填写"),
        ({"title": "   "}, "title", ""),
        ({"skills": None}, "skills", ""),
    ],
)
def test_bad_openings_are_refused_naming_the_field(root, world, changes, field, text):
    swap = {"EMPLOYER": world.enterprise.pk, "VILLAGE": world.a.village.pk}
    changes = {k: swap.get(v, v) for k, v in changes.items()}
    response = root.post(reverse("admin:jobs_opening_add"), _opening_form(world, **changes))
    errors = _errors(response)
    assert field in errors and text in str(errors[field]), errors
    assert not Opening.objects.exists()
    assert not AuditEvent.objects.filter(object_type="jobs.opening").exists()


def test_editing_an_opening_goes_through_the_service(root, world):
    opening = make_opening(world, positions=1)
    seeker = make_seeker(world)
    application = services.application_create(actor=world.root, seeker=seeker, opening=opening)
    url = reverse("admin:jobs_opening_change", args=[opening.pk])
    form = _opening_form(world, unit=None, state="open", title="高级电工", positions="1")
    form["skills"] = [Skill.objects.get(code="electrician").pk]
    assert root.post(url, form).status_code == 302
    opening.refresh_from_db()
    assert opening.title == "高级电工" and opening.unit == world.bureau  # the poster stays
    event = AuditEvent.objects.get(object_type="jobs.opening", action=AuditAction.UPDATE)
    assert (event.before["title"], event.after["title"]) == ("电工", "高级电工")
    # Hired the one position: filled; fewer positions than hires is refused on the form.
    for step in ("interviewing", "hired"):
        services.application_step(actor=world.root, application=application, to_state=step)
    opening.refresh_from_db()
    assert opening.state == OpeningState.FILLED
    response = root.post(url, {**form, "state": "filled", "positions": "0"})
    assert "positions" in _errors(response)
    response = root.post(url, {**form, "state": "open"})
    assert "已招满" in str(_errors(response)["state"])
    opening.refresh_from_db()
    assert (opening.state, opening.positions) == (OpeningState.FILLED, 1)


def test_an_opening_somebody_applied_to_is_not_deleted(root, world):
    applied, unused = make_opening(world), make_opening(world, title="厨师", skills=["cooking"])
    services.application_create(actor=world.root, seeker=make_seeker(world), opening=applied)
    delete = "admin:jobs_opening_delete"
    assert root.post(reverse(delete, args=[applied.pk]), {"post": "yes"}).status_code == 403
    assert root.post(reverse(delete, args=[unused.pk]), {"post": "yes"}).status_code == 302
    assert list(Opening.objects.all()) == [applied]
    event = AuditEvent.objects.get(object_type="jobs.opening", action=AuditAction.DELETE)
    assert event.before["title"] == "厨师" and event.org_path == world.bureau.org_path


# --- seekers ----------------------------------------------------------------------------------


def test_seekers_are_listed_with_masked_phones_only(root, world):
    seeker = make_seeker(world, note="家住甲村三组8号")
    member_seeker = make_seeker(world, member=world.a.members[0], name="", phone="")
    pages = [
        root.get(reverse("admin:jobs_jobseeker_changelist")).content.decode(),
        root.get(reverse("admin:jobs_jobseeker_change", args=[seeker.pk])).content.decode(),
        root.get(reverse("admin:jobs_jobseeker_change", args=[member_seeker.pk])).content.decode(),
    ]
    assert seeker.phone_masked in pages[0] and member_seeker.phone_masked in pages[0]
    for html in pages:
        assert PHONE not in html and world.a.members[0].phone not in html
        assert seeker.phone_enc not in html
    assert "李师傅" in pages[0] and world.a.members[0].name in pages[0]


def test_seekers_are_not_added_in_the_back_office(root, world):
    assert root.get(reverse("admin:jobs_jobseeker_add")).status_code == 403


def test_correcting_a_seeker_goes_through_the_service_and_consent_stays(root, world):
    seeker = make_seeker(world)
    url = reverse("admin:jobs_jobseeker_change", args=[seeker.pk])
    form = _seeker_form(
        seeker,
        kinds=["rural_labour"],
        max_km="50",
        consent_on="2001-01-01",  # not a field here: ignored
        consent_recorded_by=world.admin_b.pk,
        consent_withdrawn_on=str(world.today),
    )
    response = root.post(url, form)
    assert response.status_code == 302, _errors(response)
    seeker.refresh_from_db()
    assert (seeker.kinds, seeker.max_km) == (["rural_labour"], 50)
    assert (seeker.consent_on, seeker.consent_recorded_by, seeker.consent_withdrawn_on) == (
        world.today,
        world.root,
        None,
    )
    assert seeker.phone_masked.endswith("5678")  # the number untouched
    event = AuditEvent.objects.get(object_type="jobs.jobseeker", action=AuditAction.UPDATE)
    assert event.after["kinds"] == ["rural_labour"]


def test_a_member_seekers_name_is_the_members(root, world):
    seeker = make_seeker(world, member=world.a.members[0], name="", phone="")
    url = reverse("admin:jobs_jobseeker_change", args=[seeker.pk])
    response = root.post(url, _seeker_form(seeker, resident_name="冒名"))
    assert response.status_code == 302, _errors(response)
    seeker.refresh_from_db()
    assert seeker.resident_name == "" and seeker.name == world.a.members[0].name


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"max_km": "", "regions": ""}, "max_km", "最远通勤距离或愿意工作的地区"),
        ({"lat": "", "lon": ""}, "lat", "经纬度"),
        ({"kinds": ["astronaut"]}, "kinds", "astronaut"),
        ({"resident_name": "  "}, "resident_name", ""),
    ],
)
def test_bad_corrections_are_refused_naming_the_field(root, world, changes, field, text):
    seeker = make_seeker(world)
    response = root.post(
        reverse("admin:jobs_jobseeker_change", args=[seeker.pk]), _seeker_form(seeker, **changes)
    )
    errors = _errors(response)
    assert field in errors and text in str(errors[field]), errors
    seeker.refresh_from_db()
    assert seeker.max_km == 30 and seeker.kinds == ["returned_migrant"]


def test_a_withdrawn_consent_is_not_undone_here(root, world):
    seeker = make_seeker(world)
    services.seeker_withdraw_consent(actor=world.root, seeker=seeker)
    seeker.refresh_from_db()
    response = root.post(
        reverse("admin:jobs_jobseeker_change", args=[seeker.pk]),
        _seeker_form(seeker, active="on"),
    )
    assert "撤回同意" in str(_errors(response)["active"])
    seeker.refresh_from_db()
    assert not seeker.active and seeker.consent_withdrawn_on == world.today


def test_a_seeker_who_applied_is_not_deleted(root, world):
    applied = make_seeker(world)
    services.application_create(actor=world.root, seeker=applied, opening=make_opening(world))
    other = make_seeker(world, name="王师傅", phone="")
    delete = "admin:jobs_jobseeker_delete"
    assert root.post(reverse(delete, args=[applied.pk]), {"post": "yes"}).status_code == 403
    assert root.post(reverse(delete, args=[other.pk]), {"post": "yes"}).status_code == 302
    assert list(JobSeeker.objects.all()) == [applied]
    event = AuditEvent.objects.get(object_type="jobs.jobseeker", action=AuditAction.DELETE)
    assert event.before["consent_on"] == str(world.today)


# --- applications -----------------------------------------------------------------------------


def test_applications_are_looked_up_not_moved(root, world):
    application = services.application_create(
        actor=world.root, seeker=make_seeker(world), opening=make_opening(world), note="村里推荐"
    )
    services.application_step(
        actor=world.root, application=application, to_state="interviewing", outcome="约面试"
    )
    html = root.get(reverse("admin:jobs_application_changelist")).content.decode()
    assert "李师傅" in html and "电工" in html and "面试中" in html
    url = reverse("admin:jobs_application_change", args=[application.pk])
    html = root.get(url).content.decode()
    assert "约面试" in html and PHONE not in html  # the steps, read-only
    assert root.post(url, {"state": "hired", "_save": "1"}).status_code == 403
    assert root.get(reverse("admin:jobs_application_add")).status_code == 403
    delete = reverse("admin:jobs_application_delete", args=[application.pk])
    assert root.post(delete, {"post": "yes"}).status_code == 403
    application.refresh_from_db()
    assert application.state == "interviewing" and Application.objects.count() == 1
