"""Who sees which spell and station: home side, inflow side, station staff; nobody else."""

import pytest
from django.http import Http404

from tongchou.mobility import selectors
from tongchou.mobility.models import MobilityStatus
from tongchou.mobility.permissions import staffed_station_ids, staffs
from tongchou.mobility.tests.factories import external_spell, spell_for

pytestmark = pytest.mark.django_db


def visible(user, **kw):
    return set(selectors.mobile_list_for(user, **kw).values_list("pk", flat=True))


def test_home_side_inflow_side_and_staff_see_the_spell(m):
    away = spell_for(m.m1, station=m.station_b)  # county A member at county B's station
    linked = spell_for(m.m2, inflow_org=m.street_b)
    alone = spell_for(m.mb)  # county B member, no inflow side
    ext = external_spell(station=m.station_a)
    assert visible(m.secretary_v) == {away.pk, linked.pk}  # home side
    assert visible(m.admin_a) == {away.pk, linked.pk, ext.pk}  # home side + station A's org
    assert visible(m.admin_b) == {away.pk, linked.pk, alone.pk}  # inflow side + home of mb
    assert visible(m.staff_b) == {away.pk}  # only what is at their station
    assert visible(m.staff_a) == {ext.pk}
    assert visible(m.secretary_c) == set()  # same street, other branch: nothing of theirs
    assert visible(m.norole) == set()
    assert visible(m.me_user) == set()  # a member's own spells are the portal's
    assert visible(m.root) == {away.pk, linked.pk, alone.pk, ext.pk}


def test_within_narrows_to_either_side(m):
    away = spell_for(m.m1, station=m.station_b)
    alone = spell_for(m.mb)
    assert visible(m.root, within=m.village_a) == {away.pk}
    assert visible(m.root, within=m.street_b) == {away.pk, alone.pk}
    assert visible(m.admin_a, within=m.county_b) == {away.pk}  # scope still applies


def test_get_out_of_scope_is_404(m):
    spell = spell_for(m.m1)
    assert selectors.mobile_get_for(m.secretary_v, spell.pk) == spell
    for user in (m.admin_b, m.staff_a, m.norole):
        with pytest.raises(Http404):
            selectors.mobile_get_for(user, spell.pk)
    with pytest.raises(Http404):
        selectors.mobile_get_for(m.secretary_v, "x")


def test_open_spell_and_inflow_side(m):
    assert selectors.open_spell_for(m.m1) is None
    assert selectors.inflow_side_of(m.m1) == ([], set())
    spell_for(m.m1, status=MobilityStatus.RETURNED)
    spell = spell_for(m.m1, station=m.station_b, inflow_org=m.street_a)
    assert selectors.open_spell_for(m.m1) == spell
    paths, stations = selectors.inflow_side_of(m.m1)
    assert paths == [m.street_a.path, m.street_b.path] and stations == {m.station_b.pk}
    assert len(selectors.spells_of_member(m.m1)) == 2


def test_stations_seen_in_scope_and_by_their_staff(m):
    def names(user):
        return set(selectors.station_list_for(user).values_list("name", flat=True))

    assert names(m.admin_a) == {m.station_a.name}
    assert names(m.secretary_v) == set()  # a village secretary does not see the street's
    assert names(m.staff_b) == {m.station_b.name}
    assert names(m.norole) == set()
    assert names(m.root) == {m.station_a.name, m.station_b.name}
    with pytest.raises(Http404):
        selectors.station_get_for(m.staff_a, m.station_b.pk)


def test_staffed_station_ids_is_cached_and_ignores_inactive_stations(m, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert staffed_station_ids(m.staff_a) == {m.station_a.pk}
        assert staffs(m.staff_a, m.station_a) and not staffs(m.staff_a, m.station_b)
    m.station_b.active = False
    m.station_b.save()
    m.staff_b.refresh_from_db()
    fresh = type(m.staff_b).objects.get(pk=m.staff_b.pk)
    assert staffed_station_ids(fresh) == set()


def test_list_query_count_is_constant(m, django_assert_num_queries):
    spell_for(m.m1, station=m.station_a)

    def run():
        user = type(m.admin_a).objects.get(pk=m.admin_a.pk)
        rows = list(selectors.mobile_list_for(user).select_related(*selectors.SPELL_RELATED))
        return [(s.name, s.home_org.name, s.station.name if s.station else "") for s in rows]

    # user, roles, led joint organizations, staffed stations, spells
    with django_assert_num_queries(5) as few:
        run()
    for member in (m.m2, m.me):
        spell_for(member, station=m.station_a)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(run()) == 3
