"""A village moved to another street takes its needs with it: their street and county, the
scoped lists, the figures, the overdue list and the escalations all follow."""

import datetime as dt

import pytest

from tongchou.organizations.services import organization_move
from tongchou.service import selectors, services
from tongchou.service.models import Intake, Need, NeedState

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 12, 2)


def _submit(world, summary: str, when: dt.datetime) -> Need:
    return services.need_submit(
        actor=world.admin_a,
        intake=Intake.STAFF,
        category=world.employment,
        organization=world.a.village,
        summary=summary,
        now=when,
    )


def test_moving_a_village_moves_its_needs_street_and_county(world):
    old_street, old_county = world.a.street, world.a.county
    open_need = _submit(world, "想进城务工", dt.datetime(2024, 10, 8, 2, tzinfo=dt.UTC))
    done = _submit(world, "修好了路灯", dt.datetime(2024, 10, 9, 2, tzinfo=dt.UTC))
    services.need_resolve(
        actor=world.admin_a,
        need=done,
        resolution="已修复",
        now=dt.datetime(2024, 10, 10, tzinfo=dt.UTC),
    )
    services.need_confirm(tracking_code=done.tracking_code, rating=4)
    # Overdue by now: escalated to village A's street.
    assert services.needs_escalate(today=TODAY) == (1, 0)
    open_need.refresh_from_db()
    assert open_need.escalated_to_path == old_street.path
    assert selectors.street_figures([old_street.path], today=TODAY)[0]["received"] == 2

    organization_move(actor=world.root, org=world.a.village, new_parent=world.b.street)

    world.a.village.refresh_from_db()
    for need in (open_need, done):
        need.refresh_from_db()
        assert need.org_path == world.a.village.path
        assert need.street_path == world.b.street.path
        assert need.county_path == world.b.county.path
    # The escalated need now waits at the street it belongs to.
    assert open_need.escalation == 1 and open_need.escalated_to_path == world.b.street.path
    # Scoped lists: county B's admin reads both, county A's admin neither.
    assert set(selectors.need_list_for(world.admin_b)) == {open_need, done}
    assert not selectors.need_list_for(world.admin_a).exists()
    # Figures and the overdue list follow the village.
    assert selectors.street_figures([old_street.path], today=TODAY) == []
    (row,) = selectors.street_figures([world.b.street.path], today=TODAY)
    assert (row["received"], row["on_time"], row["overdue"], row["rating"]) == (2, 1, 1, 4)
    assert selectors.county_overdue(old_county.path, TODAY) == []
    assert selectors.county_overdue(world.b.county.path, TODAY) == [open_need]
    # Three working days later the county above the new street is told, not the old one.
    assert services.needs_escalate(today=TODAY + dt.timedelta(days=3)) == (0, 1)
    open_need.refresh_from_db()
    assert open_need.escalated_to_path == world.b.county.path
    assert open_need.state == NeedState.SUBMITTED


def test_moving_a_street_to_another_county_moves_the_county(world):
    need = _submit(world, "想进城务工", dt.datetime(2024, 10, 8, 2, tzinfo=dt.UTC))
    organization_move(actor=world.root, org=world.a.street, new_parent=world.b.county)
    need.refresh_from_db()
    world.a.street.refresh_from_db()
    assert need.street_path == world.a.street.path  # the street moved with its path copy
    assert need.county_path == world.b.county.path
    assert selectors.county_overdue(world.b.county.path, TODAY) == [need]


def test_a_move_elsewhere_leaves_needs_alone(world):
    need = _submit(world, "想进城务工", dt.datetime(2024, 10, 8, 2, tzinfo=dt.UTC))
    before = Need.objects.values_list("org_path", "street_path", "county_path").get(pk=need.pk)
    organization_move(actor=world.root, org=world.b.village, new_parent=world.a.street)
    after = Need.objects.values_list("org_path", "street_path", "county_path").get(pk=need.pk)
    assert before == after
