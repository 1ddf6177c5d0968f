"""Writes: openings, seekers with consent, applications and their steps — and bad input."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tongchou.core import crypto
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.jobs import services
from tongchou.jobs.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    JobSeeker,
    Opening,
    OpeningState,
)
from tongchou.jobs.tests.conftest import make_opening, make_seeker

pytestmark = pytest.mark.django_db


def _error(exc_info) -> tuple[str, str | None]:
    return exc_info.value.code, exc_info.value.field


def test_opening_copies_paths_and_is_audited(world):
    opening = make_opening(world, actor=world.bureau_staff)
    assert opening.org_path == world.a.county.path
    assert opening.county_path == world.a.county.path
    assert list(opening.skills.values_list("code", flat=True)) == ["electrician"]
    assert AuditEvent.objects.filter(object_type="jobs.opening", object_id=str(opening.pk)).exists()


def test_enterprise_branch_posts_its_own_opening(world):
    opening = make_opening(world, employer=world.enterprise)
    assert opening.unit is None and opening.org_path == world.enterprise.path
    assert opening.street_path == world.a.street.path


def test_a_village_branch_is_not_an_employer(world):
    with pytest.raises(ApplicationError) as exc:
        make_opening(world, employer=world.a.village)
    assert _error(exc) == ("not_enterprise", "employer")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"pay_min": 7000, "pay_max": 5000}, ("pay_range", "pay_max")),
        ({"pay_min": -1}, ("out_of_range", "pay_min")),
        ({"positions": 0}, ("out_of_range", "positions")),
        ({"positions": -3}, ("out_of_range", "positions")),
        ({"skills": ["no-such-skill"]}, ("unknown_skill", "skills")),
        ({"skills": []}, ("required", "skills")),
        ({"title": "  "}, ("required", "title")),
        ({"title": "x" * 101}, ("too_long", "title")),
        ({"region": "999999"}, ("unknown_region", "region")),
        ({"lat": 39.0, "lon": None}, ("invalid_coordinate", "lon")),
        ({"lat": 95, "lon": 106}, ("invalid_coordinate", "lat")),
    ],
)
def test_opening_bad_input_changes_nothing(world, values, expected):
    before = (Opening.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ApplicationError) as exc:
        make_opening(world, **values)
    assert _error(exc) == expected
    assert (Opening.objects.count(), AuditEvent.objects.count()) == before


def test_period_that_ends_before_it_starts(world):
    with pytest.raises(ApplicationError) as exc:
        make_opening(world, first_day=world.today, last_day=world.today - dt.timedelta(days=1))
    assert _error(exc) == ("period_order", "last_day")


def test_other_units_staff_and_people_without_rights_cannot_post(world):
    with pytest.raises(PermissionDenied):
        make_opening(world, actor=world.bureau_b_staff)
    with pytest.raises(PermissionDenied):
        make_opening(world, actor=world.norole)
    with pytest.raises(PermissionDenied):
        make_opening(world, employer=world.enterprise, actor=world.admin_b)


def test_update_checks_the_same_rules_and_audits(world):
    opening = make_opening(world)
    with pytest.raises(ApplicationError) as exc:
        services.opening_update(actor=world.bureau_staff, opening=opening, pay_min=9000)
    assert _error(exc) == ("pay_range", "pay_max")
    opening = services.opening_update(
        actor=world.bureau_staff, opening=opening, pay_max=8000, skills=["electrician", "welding"]
    )
    assert opening.pay_max == 8000
    assert set(opening.skills.values_list("code", flat=True)) == {"electrician", "welding"}
    event = AuditEvent.objects.filter(object_type="jobs.opening").order_by("-id").first()
    assert event.after["pay_max"] == 8000
    with pytest.raises(PermissionDenied):
        services.opening_update(actor=world.bureau_b_staff, opening=opening, pay_max=9000)


# --- seekers -----------------------------------------------------------------------------------


def test_resident_phone_is_encrypted_and_masked(world):
    seeker = make_seeker(world, actor=world.secretary_a)
    assert seeker.phone_enc and "13512345678" not in seeker.phone_enc
    assert crypto.decrypt(seeker.phone_enc) == "13512345678"
    assert seeker.phone_masked != "13512345678" and seeker.phone_masked.startswith("135")
    assert seeker.consent_recorded_by == world.secretary_a
    assert seeker.county_path == world.a.county.path


def test_member_seeker_copies_nothing(world):
    member = world.a.members[0]
    seeker = make_seeker(world, member=member, name="", phone="")
    assert seeker.resident_name == "" and seeker.phone_enc == ""
    assert seeker.name == member.name and seeker.organization == member.organization
    with pytest.raises(ApplicationError) as exc:
        make_seeker(world, member=member)
    assert _error(exc) == ("already_registered", "member")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"consent_on": None}, ("consent_required", "consent_on")),
        ({"consent_on": ""}, ("consent_required", "consent_on")),
        ({"consent_on": dt.date.today() + dt.timedelta(days=2)}, ("future_date", "consent_on")),
        ({"skills": ["bogus"]}, ("unknown_skill", "skills")),
        ({"kinds": []}, ("required", "kinds")),
        ({"kinds": ["astronaut"]}, ("invalid", "kinds")),
        ({"max_km": None, "regions": []}, ("where_required", "max_km")),
        ({"lat": None, "lon": None}, ("point_required", "lat")),
        ({"regions": ["123"]}, ("unknown_region", "regions")),
        ({"phone": "12ab"}, ("invalid_phone", "phone")),
        ({"name": ""}, ("required", "name")),
    ],
)
def test_seeker_bad_input_changes_nothing(world, values, expected):
    with pytest.raises(ApplicationError) as exc:
        make_seeker(world, **values)
    assert _error(exc) == expected
    assert not JobSeeker.objects.exists()


def test_seeker_must_live_in_a_village(world):
    with pytest.raises(ApplicationError) as exc:
        make_seeker(world, village=world.a.street)
    assert _error(exc) == ("not_village", "organization")


def test_seeker_out_of_scope_cannot_be_registered_or_changed(world):
    with pytest.raises(PermissionDenied):
        make_seeker(world, village=world.b.village, actor=world.secretary_a)
    seeker = make_seeker(world, village=world.b.village)
    with pytest.raises(PermissionDenied):
        services.seeker_update(actor=world.admin_a, seeker=seeker, max_km=5)
    with pytest.raises(PermissionDenied):
        services.seeker_withdraw_consent(actor=world.secretary_a, seeker=seeker)


def test_withdrawing_consent_deactivates_and_withdraws_open_applications(world):
    seeker = make_seeker(world)
    opening = make_opening(world)
    application = services.application_create(
        actor=world.secretary_a, seeker=seeker, opening=opening
    )
    services.seeker_withdraw_consent(actor=world.secretary_a, seeker=seeker)
    seeker.refresh_from_db()
    application.refresh_from_db()
    assert not seeker.active and seeker.consent_withdrawn_on == dt.date.today()
    assert application.state == ApplicationState.WITHDRAWN
    with pytest.raises(ApplicationError) as exc:
        services.seeker_update(actor=world.secretary_a, seeker=seeker, active=True)
    assert _error(exc) == ("consent_withdrawn", "active")


# --- applications ------------------------------------------------------------------------------


def test_applying_twice_is_refused(world):
    seeker, opening = make_seeker(world), make_opening(world)
    services.application_create(actor=world.secretary_a, seeker=seeker, opening=opening)
    with pytest.raises(ApplicationError) as exc:
        services.application_create(actor=world.secretary_a, seeker=seeker, opening=opening)
    assert _error(exc) == ("already_applied", "opening")
    assert Application.objects.count() == 1


def test_applying_to_a_closed_opening_is_refused(world):
    seeker, opening = make_seeker(world), make_opening(world)
    services.opening_update(actor=world.bureau_staff, opening=opening, state="closed")
    with pytest.raises(ApplicationError) as exc:
        services.application_create(actor=world.secretary_a, seeker=seeker, opening=opening)
    assert _error(exc) == ("opening_not_open", "opening")


def test_applying_for_a_seeker_out_of_scope_is_refused(world):
    seeker = make_seeker(world, village=world.b.village)
    opening = make_opening(world)
    with pytest.raises(PermissionDenied):
        services.application_create(actor=world.secretary_a, seeker=seeker, opening=opening)
    assert not Application.objects.exists()


def test_steps_are_audited_and_filling_marks_the_opening(world):
    opening = make_opening(world, positions=1)
    first = make_seeker(world, name="甲")
    second = make_seeker(world, name="乙")
    a1 = services.application_create(actor=world.secretary_a, seeker=first, opening=opening)
    a2 = services.application_create(actor=world.secretary_a, seeker=second, opening=opening)
    # The seeker's side cannot decide; the opening's side cannot withdraw for the seeker.
    with pytest.raises(PermissionDenied):
        services.application_step(actor=world.secretary_a, application=a1, to_state="interviewing")
    with pytest.raises(PermissionDenied):
        services.application_step(actor=world.bureau_staff, application=a1, to_state="withdrawn")
    services.application_step(actor=world.bureau_staff, application=a1, to_state="interviewing")
    services.application_step(
        actor=world.bureau_staff, application=a1, to_state="hired", outcome="下周一报到"
    )
    opening.refresh_from_db()
    a1.refresh_from_db()
    assert opening.state == OpeningState.FILLED
    assert a1.state == ApplicationState.HIRED and a1.decided_on == dt.date.today()
    assert a1.outcome == "下周一报到"
    assert list(a1.events.values_list("to_state", flat=True)) == [
        "applied",
        "interviewing",
        "hired",
    ]
    assert (
        AuditEvent.objects.filter(object_type="jobs.application", object_id=str(a1.pk)).count() == 3
    )
    # The other applicant can no longer be hired on a filled opening.
    services.application_step(actor=world.bureau_staff, application=a2, to_state="interviewing")
    with pytest.raises(ApplicationError) as exc:
        services.application_step(actor=world.bureau_staff, application=a2, to_state="hired")
    assert _error(exc) == ("opening_not_open", "state")


@pytest.mark.parametrize(
    ("path", "to_state"),
    [
        ([], "hired"),  # applied → hired skips the interview
        ([], "applied"),
        ([], "bogus"),
        (["withdrawn"], "interviewing"),
        (["not_hired"], "hired"),
        (["interviewing", "hired"], "withdrawn"),
    ],
)
def test_illegal_transitions(world, path, to_state):
    opening, seeker = make_opening(world), make_seeker(world)
    application = services.application_create(actor=world.root, seeker=seeker, opening=opening)
    for state in path:
        services.application_step(actor=world.root, application=application, to_state=state)
    events = ApplicationEvent.objects.count()
    with pytest.raises(ApplicationError) as exc:
        services.application_step(actor=world.root, application=application, to_state=to_state)
    assert _error(exc) == ("invalid_transition", "state")
    assert ApplicationEvent.objects.count() == events


def test_reopening_a_filled_opening_needs_more_positions(world):
    opening, seeker = make_opening(world, positions=1), make_seeker(world)
    application = services.application_create(actor=world.root, seeker=seeker, opening=opening)
    services.application_step(actor=world.root, application=application, to_state="interviewing")
    services.application_step(actor=world.root, application=application, to_state="hired")
    with pytest.raises(ApplicationError) as exc:
        services.opening_update(actor=world.root, opening=opening, state="open")
    assert _error(exc) == ("positions_filled", "state")
    with pytest.raises(ApplicationError) as exc:
        services.opening_update(actor=world.root, opening=opening, positions=0)
    assert exc.value.field == "positions"
    opening = services.opening_update(actor=world.root, opening=opening, positions=2)
    assert opening.state == OpeningState.OPEN


def test_a_skill_an_opening_asks_for_cannot_be_deleted_in_the_back_office(world):
    """The talent app's skill admin asks every relation of the taxonomy, the jobs app's too."""
    from django.contrib import admin
    from django.test import RequestFactory

    from tongchou.talent.models import Skill

    make_opening(world, skills=["welding"])
    model_admin = admin.site._registry[Skill]
    request = RequestFactory().get("/")
    request.user = world.root
    assert not model_admin.has_delete_permission(request, Skill.objects.get(code="welding"))
    assert model_admin.has_delete_permission(request, Skill.objects.get(code="cooking"))


def test_a_moved_village_takes_its_seekers_and_openings_to_the_new_street(world):
    from tongchou.organizations.services import organization_move

    seeker = make_seeker(world)
    assert (seeker.street_path, seeker.county_path) == (world.a.street.path, world.a.county.path)
    organization_move(actor=world.root, org=world.a.village, new_parent=world.b.street)
    seeker.refresh_from_db()
    world.b.street.refresh_from_db()
    world.b.county.refresh_from_db()
    assert (seeker.street_path, seeker.county_path) == (world.b.street.path, world.b.county.path)
