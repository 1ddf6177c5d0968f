"""Reads: scope, suggestions by skill and distance, withdrawn consent, waiting lists, figures."""

import datetime as dt

import pytest
from django.http import Http404

from tongchou.jobs import selectors, services
from tongchou.jobs.tests.conftest import B_POINT, NEAR_A, make_opening, make_seeker

pytestmark = pytest.mark.django_db


def test_unit_staff_see_only_their_openings_and_applications(world):
    mine = make_opening(world)
    theirs = make_opening(world, unit=world.bureau_b, region=world.b.street_region)
    seeker = make_seeker(world)
    far = make_seeker(world, village=world.b.village, name="乙", max_km=None, regions=["640205"])
    a_mine = services.application_create(actor=world.root, seeker=seeker, opening=mine)
    a_theirs = services.application_create(actor=world.root, seeker=far, opening=theirs)
    staff = world.bureau_staff
    assert list(selectors.opening_list_for(staff)) == [mine]
    assert list(selectors.application_list_for(staff)) == [a_mine]
    with pytest.raises(Http404):
        selectors.opening_get_for(staff, theirs.pk)
    with pytest.raises(Http404):
        selectors.application_get_for(staff, a_theirs.pk)
    # The seeker who applied is visible to the opening's side; others are not.
    assert selectors.seeker_get_for(staff, seeker.pk) == seeker
    with pytest.raises(Http404):
        selectors.seeker_get_for(staff, far.pk)
    # No role, no unit: nothing.
    assert not selectors.opening_list_for(world.norole).exists()
    assert not selectors.application_list_for(world.norole).exists()


def test_village_secretary_sees_the_villages_seekers_and_their_applications(world):
    opening = make_opening(world, unit=world.bureau_b, region=world.b.street_region)
    mine = make_seeker(world, max_km=None, regions=["640205"])
    other = make_seeker(world, village=world.b.village, name="乙")
    application = services.application_create(actor=world.root, seeker=mine, opening=opening)
    assert list(selectors.seeker_list_for(world.secretary_a)) == [mine]
    with pytest.raises(Http404):
        selectors.seeker_get_for(world.secretary_a, other.pk)
    # The application is seen from the seeker's side though the opening is county B's …
    assert selectors.application_get_for(world.secretary_a, application.pk) == application
    # … and the opening is on the board while open, not in the secretary's scope.
    with pytest.raises(Http404):
        selectors.opening_get_for(world.secretary_a, opening.pk)
    assert selectors.opening_board_get(world.secretary_a, opening.pk) == opening
    with pytest.raises(Http404):
        selectors.opening_board_get(world.norole, opening.pk)


def test_suggestions_for_an_opening_by_skill_then_distance(world):
    opening = make_opening(world, skills=["electrician", "welding"])
    near_one = make_seeker(world, name="近单技能", lat=NEAR_A[0], lon=NEAR_A[1])
    both = make_seeker(
        world, name="远双技能", skills=["electrician", "welding"], lat=39.2, lon=106.384, max_km=50
    )
    make_seeker(world, name="技能不符", skills=["cooking"])
    make_seeker(world, name="太远", lat=B_POINT[0], lon=B_POINT[1], max_km=10)
    in_region = make_seeker(
        world, name="按地区", max_km=None, lat=None, lon=None, regions=[world.a.county_region.code]
    )
    make_seeker(world, name="晚到", available_from=opening.last_day + dt.timedelta(days=1))
    got = selectors.suggestions_for_opening(world.admin_a, opening)
    assert [s.seeker for s in got] == [both, near_one, in_region]
    assert got[0].shared == ("电工", "焊工") or set(got[0].shared) == {"电工", "焊工"}
    assert got[1].km == pytest.approx(11.1, abs=0.2)
    assert got[2].km is None
    # The secretary of village A sees the same (all of them are village A's); county B sees none.
    assert len(selectors.suggestions_for_opening(world.secretary_a, opening)) == 3
    assert selectors.suggestions_for_opening(world.admin_b, opening) == []
    assert selectors.suggestion_count_for_opening(opening) == 3


def test_withdrawn_consent_and_applied_seekers_are_not_suggested(world):
    opening = make_opening(world)
    gone = make_seeker(world, name="撤回")
    applied = make_seeker(world, name="已报名")
    stays = make_seeker(world, name="在列")
    gone = services.seeker_withdraw_consent(actor=world.root, seeker=gone)
    services.application_create(actor=world.root, seeker=applied, opening=opening)
    assert [s.seeker for s in selectors.suggestions_for_opening(world.root, opening)] == [stays]
    assert selectors.suggestions_for_seeker(world.root, gone) == []


def test_suggestions_for_a_seeker_are_open_openings_in_reach(world):
    seeker = make_seeker(world, skills=["electrician", "driving"])
    close = make_opening(world, title="近")
    better = make_opening(world, title="双技能", skills=["electrician", "driving"], lat=39.0)
    make_opening(world, title="乙县远处", unit=world.bureau_b, lat=B_POINT[0], lon=B_POINT[1])
    closed = make_opening(world, title="已关闭")
    services.opening_update(actor=world.root, opening=closed, state="closed")
    make_opening(world, title="不符", skills=["cooking"])
    got = selectors.suggestions_for_seeker(world.secretary_a, seeker)
    assert [s.opening for s in got] == [better, close]
    # A person with no role or unit sees no board at all.
    assert selectors.suggestions_for_seeker(world.norole, seeker) == []


def test_waiting_for_unit_staff_and_secretary(world):
    opening = make_opening(world)
    busy = make_seeker(world, name="已报名")
    idle = make_seeker(world, name="待帮扶")
    application = services.application_create(actor=world.root, seeker=busy, opening=opening)
    staff = selectors.waiting_for(world.bureau_staff)
    assert staff["to_answer"] == [application] and staff["idle_seekers"] == []
    secretary = selectors.waiting_for(world.secretary_a)
    assert secretary["idle_seekers"] == [idle]
    assert selectors.waiting_for(world.bureau_b_staff) == {"to_answer": [], "idle_seekers": []}


def test_figures_per_county_and_street_come_from_the_records(world):
    year = world.today.year
    opening = make_opening(world, positions=3)
    make_opening(world, employer=world.enterprise, positions=2)
    seeker = make_seeker(world)
    make_seeker(world, village=world.b.village, name="乙")
    application = services.application_create(actor=world.root, seeker=seeker, opening=opening)
    services.application_step(actor=world.root, application=application, to_state="interviewing")
    services.application_step(actor=world.root, application=application, to_state="hired")
    rows = {r["organization"]: r for r in selectors.county_figures(world.root, year=year)}
    a, b = rows[world.a.county], rows[world.b.county]
    assert (a["openings"], a["positions"], a["seekers"], a["applications"], a["hires"]) == (
        2, 5, 1, 1, 1,
    )  # fmt: skip
    assert (b["openings"], b["seekers"], b["hires"]) == (0, 1, 0)
    month = a["months"][world.today.month]
    assert month["openings"] == 2 and month["hires"] == 1
    assert selectors.county_figures(world.root, year=year - 1)[0]["openings"] == 0
    # County A's admin reads county A only; the village secretary reads their county's totals.
    assert [r["organization"] for r in selectors.county_figures(world.admin_a, year=year)] == [
        world.a.county
    ]
    assert [r["organization"] for r in selectors.county_figures(world.secretary_a, year=year)] == [
        world.a.county
    ]
    with pytest.raises(Http404):
        selectors.figure_county_get(world.admin_a, world.b.county.pk)
    streets = selectors.street_figures(world.a.county, year=year)
    assert [(s["organization"], s["openings"], s["seekers"]) for s in streets] == [
        (world.a.street, 1, 1)
    ]
