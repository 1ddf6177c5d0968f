"""The exact matcher against a brute-force optimum on many tiny random instances.

The brute force shares nothing with the solver but the distance formula: it tests every rule
itself (skill, availability, busy periods, distance), enumerates every subset of feasible pairs,
keeps those within capacities and slots, and takes the best (priority, −metres) pair.
"""

import random
from itertools import combinations

import pytest

from tongchou.core.geo import haversine_km
from tongchou.talent import matching
from tongchou.talent.matching import Need, Talent, solve

SKILLS = ["农技", "电商", "法律"]


def brute_force(talents, needs):
    feasible = []
    for i, t in enumerate(talents):
        for j, n in enumerate(needs):
            if n.skill not in t.skills:
                continue
            if not any(a <= n.first and n.last <= b for a, b in t.available):
                continue
            if any(not (b < n.first or n.last < a) for a, b in t.busy):
                continue
            if t.regions and not any(n.region.startswith(r) for r in t.regions):
                continue
            km = haversine_km(t.lat, t.lon, n.lat, n.lon)
            if km > t.max_km:
                continue
            feasible.append((i, j, round(km * 1000)))
    best = (0, 0)
    for size in range(1, len(feasible) + 1):
        for subset in combinations(feasible, size):
            used_t = [0] * len(talents)
            used_n = [0] * len(needs)
            for i, j, _m in subset:
                used_t[i] += 1
                used_n[j] += 1
            if any(used_t[i] > talents[i].capacity for i in range(len(talents))):
                continue
            if any(used_n[j] > needs[j].slots for j in range(len(needs))):
                continue
            value = (sum(needs[j].priority for _i, j, _m in subset), -sum(m for *_x, m in subset))
            best = max(best, value)
    return best[0], -best[1], len(feasible)


def random_instance(rng: random.Random):
    # Points within ~60 km of 石嘴山 so that distance limits bite.
    def point():
        return 39.0 + rng.uniform(-0.4, 0.4), 106.4 + rng.uniform(-0.5, 0.5)

    talents = []
    for i in range(rng.randint(2, 6)):
        lat, lon = point()
        a = rng.randint(0, 5)
        busy = ()
        if rng.random() < 0.25:
            b = rng.randint(0, 30)
            busy = ((b, b + rng.randint(0, 5)),)
        talents.append(
            Talent(
                id=f"t{i}",
                skills=frozenset(rng.sample(SKILLS, rng.randint(1, 2))),
                lat=lat,
                lon=lon,
                max_km=rng.choice([30.0, 60.0, 200.0, 200.0]),
                available=((a, a + rng.randint(15, 40)),),
                capacity=rng.choice([0, 1, 1, 1, 2, 3]),
                busy=busy,
                regions=("6402",) if rng.random() < 0.15 else (),
            )
        )
    needs = []
    for j in range(rng.randint(2, 4)):
        lat, lon = point()
        first = rng.randint(0, 15)
        needs.append(
            Need(
                id=f"n{j}",
                skill=rng.choice(SKILLS),
                lat=lat,
                lon=lon,
                first=first,
                last=first + rng.randint(0, 6),
                slots=rng.randint(1, 3),
                priority=rng.randint(1, 5),
                region=rng.choice(["640202", "640205", "640302"]),
            )
        )
    return talents, needs


def test_solver_matches_brute_force_on_random_tiny_instances():
    rng = random.Random(8)
    checked = nonzero = rich = 0
    while checked < 1000:
        talents, needs = random_instance(rng)
        expected_priority, expected_metres, n_feasible = brute_force(talents, needs)
        if n_feasible > 14:  # keep 2^n subsets small
            continue
        result = solve(talents, needs)
        matching.check(talents, needs, result.pairs)
        assert (result.priority, result.metres) == (expected_priority, expected_metres), (
            talents,
            needs,
        )
        assert result.priority == sum(needs[p.need].priority for p in result.pairs)
        assert result.metres == sum(p.metres for p in result.pairs)
        # Every empty slot is explained, and the counts add up.
        filled = {j: 0 for j in range(len(needs))}
        for p in result.pairs:
            filled[p.need] += 1
        assert {u.need: u.slots for u in result.unfilled} == {
            j: n.slots - filled[j] for j, n in enumerate(needs) if filled[j] < n.slots
        }
        # "taken": by needs of equal or higher priority only, as an optimum must be.
        for u in result.unfilled:
            if u.reason == matching.TAKEN:
                assert all(needs[k].priority >= needs[u.need].priority for k in u.taken_by)
        checked += 1
        nonzero += result.priority > 0
        rich += n_feasible >= 6
    # The instances are not trivially empty: most fill something, many have choices to make.
    assert nonzero > 750 and rich > 150, (nonzero, rich)


def test_priority_dominates_any_distance():
    """One talent, two needs: priority 2 a long way off beats priority 1 next door."""
    t = Talent("a", frozenset({"法律"}), 39.0, 106.0, 20100.0, ((0, 100),))  # antipode 20,015 km
    near = Need("near", "法律", 39.0, 106.001, 1, 2, 1, 1)
    far = Need("far", "法律", -39.0, -74.0, 1, 2, 1, 2)
    result = solve([t], [near, far])
    assert [(p.talent, p.need) for p in result.pairs] == [(0, 1)]
    assert result.unfilled[0].need == 0 and result.unfilled[0].reason == matching.TAKEN
    assert result.unfilled[0].taken_by == (1,)


def test_two_lower_priorities_beat_one_higher():
    """A talent with capacity 2 fills two priority-2 needs rather than one priority-3 need
    that needs them alone (4 > 3): priority is summed over slots, not compared need by need."""
    a = Talent("a", frozenset({"电商"}), 39.0, 106.0, 50.0, ((0, 10),), capacity=1)
    high = Need("high", "电商", 39.0, 106.1, 1, 2, 1, 3)
    lows = [Need(f"low{k}", "电商", 39.0, 106.1, 1, 2, 1, 2) for k in range(2)]
    b = Talent("b", frozenset({"电商"}), 39.0, 106.0, 50.0, ((0, 10),), capacity=1)
    result = solve([a, b], [high, *lows])
    assert result.priority == 5  # high (3) + one low (2): two talents, three single slots
    wide = Talent("w", frozenset({"电商"}), 39.0, 106.0, 50.0, ((0, 10),), capacity=2)
    result = solve([wide], [high, *lows])
    assert result.priority == 5  # capacity 2: high (3) + a low (2) beats the two lows (4)
    assert sorted(p.need for p in result.pairs) == [0, 1]


def test_unfilled_reasons():
    far = Talent("far", frozenset({"农技"}), 30.0, 100.0, 10.0, ((0, 100),))
    busy = Talent("busy", frozenset({"医疗"}), 39.0, 106.0, 50.0, ((0, 100),), busy=((5, 6),))
    needs = [
        Need("nobody", "教育", 39.0, 106.0, 1, 2, 1, 1),
        Need("too-far", "农技", 39.0, 106.0, 1, 2, 1, 1),
        Need("unavailable", "医疗", 39.0, 106.0, 4, 5, 1, 1),
    ]
    result = solve([far, busy], needs)
    assert [(u.need, u.reason) for u in result.unfilled] == [
        (0, matching.NO_SKILL),
        (1, matching.TOO_FAR),
        (2, matching.UNAVAILABLE),
    ]


def test_availability_is_inclusive_and_distance_limit_inclusive():
    n = Need("n", "法律", 39.0, 106.0, 5, 9, 1, 1)
    km = haversine_km(39.0, 106.0, 39.1, 106.0)
    t = Talent("t", frozenset({"法律"}), 39.1, 106.0, km, ((5, 9),))
    assert [(p.talent, p.need) for p in solve([t], [n]).pairs] == [(0, 0)]
    late = Talent("t", frozenset({"法律"}), 39.1, 106.0, km, ((6, 9),))
    assert solve([late], [n]).pairs == []


def test_haversine_known_distance():
    # One degree of latitude on a 6371.0 km sphere: 6371 π / 180.
    assert haversine_km(0, 0, 1, 0) == pytest.approx(111.19492664455873, abs=1e-9)


def test_absurd_priorities_are_refused_not_overflowed():
    t = Talent("a", frozenset({"法律"}), 39.0, 106.0, 20100.0, ((0, 100),), capacity=10**9)
    # 100 feasible units of up to 20,000 km: big-M 2·10^9, times a priority of 10^9.
    needs = [Need(f"n{k}", "法律", -39.0, -74.0 + k / 10, 1, 2, 10**9, 10**9) for k in range(100)]
    with pytest.raises(matching.TooLarge):
        solve([t], needs)
