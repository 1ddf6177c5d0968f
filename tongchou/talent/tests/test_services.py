"""Services, selectors and the ledger of the talent app on the shared two-county world
(tests/world.py): county A (street A urban, village A rural) and county B, the same."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tests.world import PASSWORD
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.regions.flows import FlowDirection
from tongchou.talent import flows, rounds, selectors, services
from tongchou.talent.models import (
    Assignment,
    AssignmentState,
    MatchRound,
    Need,
    RoundState,
    Talent,
)
from tongchou.talent.tests.factories import create_assignment, make_expert

pytestmark = pytest.mark.django_db
D = dt.date


def _state():
    return (
        Talent.objects.count(),
        Need.objects.count(),
        Assignment.objects.count(),
        AuditEvent.objects.count(),
    )


def test_member_profile_links_the_member_and_copies_nothing(world):
    member = world.a.members[0]
    talent = services.talent_create_for_member(
        actor=world.secretary_a,
        member=member,
        skills=["agri-tech", "e-commerce"],
        max_km=60,
        home_lat=39.0,
        home_lon=106.4,
        availability=[(D(2027, 3, 1), D(2027, 6, 30))],
        returning=True,
    )
    assert talent.member == member and talent.expert_name == "" and talent.phone_enc == ""
    assert talent.name == member.name and talent.phone == member.phone
    assert sorted(talent.skills.values_list("code", flat=True)) == ["agri-tech", "e-commerce"]
    assert AuditEvent.objects.filter(object_type="talent.talent").count() == 1


def test_unknown_skill_is_refused_and_nothing_changes(world):
    before = _state()
    with pytest.raises(ApplicationError) as caught:
        services.talent_create_for_member(
            actor=world.secretary_a, member=world.a.members[0], skills=["agri-tech", "magic"]
        )
    assert caught.value.code == "unknown_skill" and caught.value.field == "skills"
    assert "magic" in str(caught.value.message)
    assert _state() == before


def test_expert_phone_is_encrypted_and_masked(world):
    talent = services.talent_create_expert(
        actor=world.admin_a,
        organization=world.a.village,
        name="李律师",
        phone="139 5200 1234",
        skills=["law"],
    )
    assert talent.phone == "13952001234"
    assert "13952001234" not in talent.phone_enc
    assert talent.phone_masked == "139****1234"


def test_a_member_edits_their_own_profile_but_not_their_name(world):
    member = world.a.members[0]
    member.user = world.member_a
    member.save(update_fields=["user"])
    talent = services.talent_create_for_member(
        actor=world.member_a, member=member, skills=["health"]
    )
    services.talent_update(actor=world.member_a, talent=talent, current_post="村医", max_km=30)
    talent.refresh_from_db()
    assert talent.current_post == "村医" and talent.max_km == 30
    with pytest.raises(ApplicationError):
        services.talent_update(actor=world.member_a, talent=talent, name="别人")
    # Someone else's profile: no.
    other = make_expert(world.a.village)
    with pytest.raises(PermissionDenied):
        services.talent_update(actor=world.member_a, talent=other, current_post="x")


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"slots": 0}, "slots", "out_of_range"),
        ({"slots": -3}, "slots", "out_of_range"),
        ({"first_day": D(2027, 5, 10), "last_day": D(2027, 5, 1)}, "last_day", "period_order"),
        ({"skill": "astrology"}, "skills", "unknown_skill"),
        ({"lat": float("nan")}, "lat", "invalid_coordinate"),
        ({"lon": 200}, "lon", "invalid_coordinate"),
        ({"title": "  "}, "title", "required"),
    ],
)
def test_bad_needs_are_refused_by_field(world, changes, field, code):
    values = dict(
        title="电商直播培训",
        skill="e-commerce",
        first_day=D(2027, 5, 1),
        last_day=D(2027, 5, 10),
        lat=39.0,
        lon=106.4,
        slots=2,
    )
    values.update(changes)
    before = _state()
    with pytest.raises(ApplicationError) as caught:
        services.need_create(actor=world.secretary_a, organization=world.a.village, **values)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert _state() == before


def test_needs_are_posted_in_scope_only(world):
    with pytest.raises(PermissionDenied):
        services.need_create(
            actor=world.admin_b,
            organization=world.a.village,
            title="x",
            skill="law",
            first_day=D(2027, 1, 1),
            last_day=D(2027, 1, 2),
            lat=39,
            lon=106,
            slots=1,
        )


def test_exchange_states_and_overlap(world):
    talent = make_expert(world.a.street)
    a = services.assignment_create(
        actor=world.admin_a,
        talent=talent,
        kind="stationed",
        from_org=world.a.street,
        to_org=world.a.village,
        first_day=D(2026, 3, 1),
        last_day=D(2026, 8, 31),
        goals="村集体经济增收",
    )
    assert a.state == AssignmentState.PLANNED
    # The flow facts are stamped when it is agreed: street A is urban, village A rural.
    assert (a.direction, a.month, a.days) == (FlowDirection.URBAN_TO_RURAL, D(2026, 3, 1), 184)
    with pytest.raises(ApplicationError) as caught:
        services.assignment_create(
            actor=world.admin_a,
            talent=talent,
            kind="secondment",
            from_org=world.a.street,
            to_org=world.a.village,
            first_day=D(2026, 8, 31),
            last_day=D(2026, 9, 30),
        )
    assert caught.value.code == "talent_busy"
    with pytest.raises(ApplicationError) as caught:
        services.assignment_complete(actor=world.admin_a, assignment=a, summary="好")
    assert caught.value.code == "wrong_state"
    a = services.assignment_start(actor=world.admin_a, assignment=a)
    services.log_add(actor=world.admin_a, assignment=a, day=D(2026, 3, 5), text="走访12户")
    with pytest.raises(ApplicationError) as caught:
        services.assignment_complete(actor=world.admin_a, assignment=a, summary="  ")
    assert caught.value.field == "summary"
    a = services.assignment_end_early(
        actor=world.admin_a, assignment=a, ended_on=D(2026, 5, 31), summary="因病提前结束"
    )
    assert a.state == AssignmentState.ENDED_EARLY and a.end_day == D(2026, 5, 31)
    assert a.days == 92  # 1 March to 31 May: the person-days shrink with the exchange
    # Ended: the period is free again.
    services.assignment_create(
        actor=world.admin_a,
        talent=talent,
        kind="secondment",
        from_org=world.a.street,
        to_org=world.a.village,
        first_day=D(2026, 8, 1),
        last_day=D(2026, 9, 30),
    )


def test_both_sides_and_their_committees_see_an_exchange(world):
    talent = make_expert(world.a.street)
    a = services.assignment_create(
        actor=world.admin_a,
        talent=talent,
        kind="expert_visit",
        from_org=world.a.street,
        to_org=world.b.village,
        first_day=D(2026, 4, 1),
        last_day=D(2026, 4, 10),
    )
    for user in (world.admin_a, world.admin_b, world.root):
        assert selectors.assignment_list_for(user).filter(pk=a.pk).exists()
    assert not selectors.assignment_list_for(world.norole).exists()
    assert not selectors.assignment_list_for(world.secretary_a).exists()  # village A: neither


def test_ledger_directions_and_person_days_by_year(world):
    talent = make_expert(world.a.street)
    other = make_expert(world.b.village, name="张大姐")
    down = create_assignment(
        talent=talent,
        kind="stationed",
        from_org=world.a.street,
        from_path=world.a.street.path,
        to_org=world.a.village,
        to_path=world.a.village.path,
        first_day=D(2025, 12, 1),
        last_day=D(2026, 1, 31),
        state=AssignmentState.COMPLETED,
    )
    up = create_assignment(
        talent=other,
        kind="city_training",
        from_org=world.b.village,
        from_path=world.b.village.path,
        to_org=world.b.street,
        to_path=world.b.street.path,
        first_day=D(2026, 3, 1),
        last_day=D(2026, 3, 31),
        ended_on=D(2026, 3, 10),
        state=AssignmentState.ENDED_EARLY,
    )
    create_assignment(  # planned: has not flowed
        talent=other,
        kind="city_training",
        from_org=world.b.village,
        from_path=world.b.village.path,
        to_org=world.b.street,
        to_path=world.b.street.path,
        first_day=D(2026, 6, 1),
        last_day=D(2026, 6, 30),
    )
    rows = flows.assignment_flows(year=2026)
    assert [
        (r.assignment_id, r.direction, r.first_day, r.last_day, r.person_days) for r in rows
    ] == [
        (down.pk, FlowDirection.URBAN_TO_RURAL, D(2026, 1, 1), D(2026, 1, 31), 31),
        (up.pk, FlowDirection.RURAL_TO_URBAN, D(2026, 3, 1), D(2026, 3, 10), 10),
    ]
    assert [r.person_days for r in flows.assignment_flows(year=2025)] == [31]
    county_a = flows.assignment_flows(year=2026, under_path=world.a.county.path)
    assert [r.assignment_id for r in county_a] == [down.pk]
    totals = flows.ledger(rows)["by_direction"]
    assert (
        totals[FlowDirection.URBAN_TO_RURAL].people,
        totals[FlowDirection.URBAN_TO_RURAL].person_days,
    ) == (
        1,
        31,
    )
    assert (
        totals[FlowDirection.RURAL_TO_URBAN].people,
        totals[FlowDirection.RURAL_TO_URBAN].person_days,
    ) == (
        1,
        10,
    )


# --- matching rounds -------------------------------------------------------------------------


def _round_world(world):
    """Two experts of street A (one near, one far), two needs of village A."""
    near = make_expert(world.a.street, name="近", skills=("agri-tech",), lat=39.0, lon=106.4)
    far = make_expert(world.a.street, name="远", skills=("agri-tech", "law"), lat=39.3, lon=106.4)
    for t in (near, far):
        t.availability.create(first_day=D(2030, 1, 1), last_day=D(2030, 12, 31))
    urgent = services.need_create(
        actor=world.admin_a,
        organization=world.a.village,
        title="急",
        skill="agri-tech",
        first_day=D(2030, 5, 1),
        last_day=D(2030, 5, 10),
        lat=39.01,
        lon=106.4,
        slots=1,
        priority=3,
    )
    law = services.need_create(
        actor=world.admin_a,
        organization=world.a.village,
        title="法律",
        skill="law",
        first_day=D(2030, 5, 1),
        last_day=D(2030, 5, 10),
        lat=39.01,
        lon=106.4,
        slots=1,
        priority=1,
    )
    nobody = services.need_create(
        actor=world.admin_a,
        organization=world.a.village,
        title="养老",
        skill="elderly-care",
        first_day=D(2030, 5, 1),
        last_day=D(2030, 5, 10),
        lat=39.01,
        lon=106.4,
        slots=1,
    )
    return near, far, urgent, law, nobody


def test_a_round_proposes_the_optimum_and_confirms_into_exchanges(world):
    near, far, urgent, law, nobody = _round_world(world)
    match = rounds.round_run(actor=world.admin_a, organization=world.a.county, today=D(2030, 1, 1))
    pairs = {(p.talent_id, p.need_id) for p in match.proposals.all()}
    # The far expert is the only lawyer: the near one takes the urgent need.
    assert pairs == {(near.pk, urgent.pk), (far.pk, law.pk)}
    assert match.priority == 4
    assert match.unfilled == [{"need": nobody.pk, "slots": 1, "reason": "no_skill", "taken_by": []}]
    # A swap that breaks a rule is refused by name; removing works.
    proposal = match.proposals.get(need=law)
    with pytest.raises(ApplicationError) as caught:
        rounds.proposal_swap(actor=world.admin_a, proposal=proposal, talent=near)
    assert caught.value.code in ("no_skill", "capacity")
    made = rounds.round_confirm(actor=world.admin_a, match=match)
    assert {(a.talent_id, a.need_id, a.to_org_id) for a in made} == {
        (near.pk, urgent.pk, world.a.village.pk),
        (far.pk, law.pk, world.a.village.pk),
    }
    match.refresh_from_db()
    assert match.state == RoundState.CONFIRMED
    # Both sides are told: planned exchanges wait on the home page of who manages either.
    assert selectors.waiting_assignments_for(world.secretary_a).count() == 2
    assert selectors.waiting_assignments_for(world.admin_b).count() == 0
    # A second round: the filled needs are gone, the talents busy in that period.
    again = rounds.round_run(actor=world.admin_a, organization=world.a.county, today=D(2030, 1, 1))
    assert again.proposals.count() == 0 and [u["need"] for u in again.unfilled] == [nobody.pk]


def test_only_a_coordinator_runs_rounds(world):
    with pytest.raises(PermissionDenied):
        rounds.round_run(actor=world.secretary_a, organization=world.a.village)
    with pytest.raises(PermissionDenied):
        rounds.round_run(actor=world.admin_b, organization=world.a.county)
    assert MatchRound.objects.count() == 0


def test_round_pages_explain_pairs_and_unfilled(client, world):
    _round_world(world)
    match = rounds.round_run(actor=world.admin_a, organization=world.a.county, today=D(2030, 1, 1))
    client.login(username="admin_a", password=PASSWORD)
    page = client.get(f"/talent/rounds/{match.pk}/").content.decode()
    assert "没有人具备该技能" in page and "具备" in page and "公里" in page
    response = client.post(f"/talent/rounds/{match.pk}/", {"action": "confirm"})
    assert response.status_code == 302
    assert Assignment.objects.count() == 2
    client.logout()
    client.login(username="secretary_a", password=PASSWORD)
    home = client.get("/").content.decode()
    assert "急" in home and "法律" in home


def test_swapping_in_a_talent_at_capacity_exchanges_the_two_pairs(world):
    a = make_expert(world.a.street, name="甲", lat=39.0, lon=106.4)
    b = make_expert(world.a.street, name="乙", lat=39.02, lon=106.4)
    for t in (a, b):
        t.availability.create(first_day=D(2030, 1, 1), last_day=D(2030, 12, 31))
    needs = [
        services.need_create(
            actor=world.admin_a,
            organization=world.a.village,
            title=title,
            skill="agri-tech",
            first_day=D(2030, 5, 1),
            last_day=D(2030, 5, 10),
            lat=lat,
            lon=106.4,
            slots=1,
        )
        for title, lat in (("北", 39.0), ("南", 39.02))
    ]
    match = rounds.round_run(actor=world.admin_a, organization=world.a.county, today=D(2030, 1, 1))
    assert {(p.talent_id, p.need_id) for p in match.proposals.all()} == {
        (a.pk, needs[0].pk),
        (b.pk, needs[1].pk),
    }
    rounds.proposal_swap(actor=world.admin_a, proposal=match.proposals.get(need=needs[0]), talent=b)
    assert {(p.talent_id, p.need_id, p.adjusted) for p in match.proposals.all()} == {
        (b.pk, needs[0].pk, True),
        (a.pk, needs[1].pk, True),
    }
    made = rounds.round_confirm(actor=world.admin_a, match=match)
    assert len(made) == 2


def test_regions_served_by_code_and_unknown_codes_refused(world):
    talent = make_expert(world.a.village)
    services.talent_update(actor=world.admin_a, talent=talent, regions=[world.a.county_region.code])
    assert list(talent.regions.values_list("code", flat=True)) == [world.a.county_region.code]
    before = _state()
    with pytest.raises(ApplicationError) as caught:
        services.talent_update(actor=world.admin_a, talent=talent, regions=["999999"])
    assert (caught.value.field, caught.value.code) == ("regions", "unknown_region")
    assert _state() == before
    assert talent.regions.count() == 1
