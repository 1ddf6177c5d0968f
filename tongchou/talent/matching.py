"""Optimal matching of talent to needs (人才供需匹配): the exact solver, plain Python + NumPy.

No Django here: the command line (``manage.py talent_match``), the app's matching round and the
bench all call :func:`solve` on the same :class:`Talent`/:class:`Need` values.

Rules (issue 8 §6). A talent may fill a need iff
  * they have the need's skill,
  * one of their availability periods covers the need's period, inclusive
    (``available[0] <= period[0]`` and ``period[1] <= available[1]``), and none of their busy
    periods (existing assignments) overlaps it,
  * the haversine great-circle distance on a sphere of radius 6371.0 km is ≤ their ``max_km``.
Each talent fills at most ``capacity`` slots, and at most one slot of a given need.

Objective, lexicographic: maximize the total priority of filled slots, then minimize the total
distance. Distances enter the objective in whole metres (``round(km * 1000)``): that is the unit
the objective is exact in, and the km written out are those metres / 1000.

Min-cost flow: source → talent (capacity c, cost 0) → need (capacity 1, cost m - B·p) → sink
(capacity slots), plus a bypass source → sink (cost 0) so that leaving talent idle is allowed;
the source supplies U = min(Σ capacities, Σ slots) units. A solution filling the slot set F costs
B·(−P(F)) + K(F) where P is total priority and K total metres. Big-M: take
B = U · m_max + 1, with m_max the largest metre cost of any feasible pair. Every solution fills
at most U slots, so 0 ≤ K(F) ≤ U · m_max < B. If P(F) > P(G), priorities being integers,
P(F) ≥ P(G) + 1 and cost(F) − cost(G) ≤ −B + K(F) − K(G) ≤ −B + U·m_max < 0: a higher priority
always costs less, whatever the distance; among equal priorities the cost orders by K. So the
minimum cost is the lexicographic optimum. All costs are checked to fit in 63 bits before solving.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from tongchou.core.geo import haversine_km, haversine_km_array

FORMAT = "tongchou-talent/1"
INT63 = 2**62  # keep every cost sum comfortably inside a signed 64-bit integer

# Why a slot stays empty, from the earliest stage at which every candidate dropped out.
NO_SKILL = "no_skill"  # no talent has the skill
TOO_FAR = "too_far"  # everyone with the skill is beyond their max_km
UNAVAILABLE = "unavailable"  # those near enough are not free for the whole period
TAKEN = "taken"  # those who could are filling needs of higher (or equal) priority
REASONS = (NO_SKILL, TOO_FAR, UNAVAILABLE, TAKEN)


@dataclass(frozen=True)
class Talent:
    id: object
    skills: frozenset[str]
    lat: float
    lon: float
    max_km: float
    available: tuple[tuple[int, int], ...]  # inclusive day ranges
    capacity: int = 1
    busy: tuple[tuple[int, int], ...] = ()  # existing assignments, inclusive day ranges
    # The app's "which regions": region-code prefixes the talent will go to (empty: anywhere
    # within max_km). Not part of the scenario file.
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Need:
    id: object
    skill: str
    lat: float
    lon: float
    first: int
    last: int
    slots: int
    priority: int
    region: str = ""  # region code of the place (the app's; "" in scenario files)


@dataclass(frozen=True)
class Pair:
    talent: int  # index into the talents
    need: int  # index into the needs
    metres: int

    @property
    def km(self) -> float:
        return self.metres / 1000


@dataclass
class Unfilled:
    need: int
    slots: int
    reason: str
    taken_by: tuple[int, ...] = ()  # needs that hold the talents who could have come (TAKEN)


@dataclass
class Result:
    pairs: list[Pair]
    unfilled: list[Unfilled]
    priority: int
    metres: int
    feasible_pairs: int = 0
    stats: dict = field(default_factory=dict)

    @property
    def km(self) -> float:
        return self.metres / 1000


class TooLarge(ValueError):
    """The costs would not fit in 64-bit integers (absurd priorities or slot counts)."""


def metres(km) -> np.ndarray:
    return np.rint(np.asarray(km, dtype=np.float64) * 1000).astype(np.int64)


def covers(talent: Talent, first: int, last: int) -> bool:
    """Free for the whole inclusive range: one availability covers it and nothing busy overlaps."""
    if not any(a <= first and last <= b for a, b in talent.available):
        return False
    return not any(a <= last and first <= b for a, b in talent.busy)


def goes_to(talent: Talent, need: Need) -> bool:
    """The talent's regions, if they named any, include the need's place."""
    return not talent.regions or any(need.region.startswith(r) for r in talent.regions)


# --- candidates -------------------------------------------------------------------------------


@dataclass
class Candidates:
    talent: np.ndarray  # int64 talent indices
    need: np.ndarray  # int64 need indices
    metres: np.ndarray  # int64


def candidates(talents: list[Talent], needs: list[Need]) -> Candidates:
    """Every feasible (talent, need) pair, vectorized per skill."""
    by_skill: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(talents):
        for s in t.skills:
            by_skill[s].append(i)
    needs_by_skill: dict[str, list[int]] = defaultdict(list)
    for j, n in enumerate(needs):
        needs_by_skill[n.skill].append(j)

    # One row per availability period of a talent; talents with busy periods are re-checked.
    t_lat = np.array([t.lat for t in talents], dtype=np.float64)
    t_lon = np.array([t.lon for t in talents], dtype=np.float64)
    t_max = np.array([t.max_km for t in talents], dtype=np.float64)
    out_t: list[np.ndarray] = []
    out_n: list[np.ndarray] = []
    out_m: list[np.ndarray] = []
    for skill, js in needs_by_skill.items():
        ids = by_skill.get(skill)
        if not ids:
            continue
        rows_t, rows_a, rows_b = [], [], []
        for i in ids:
            for a, b in talents[i].available:
                rows_t.append(i)
                rows_a.append(a)
                rows_b.append(b)
        rt = np.array(rows_t, dtype=np.int64)
        ra = np.array(rows_a, dtype=np.int64)
        rb = np.array(rows_b, dtype=np.int64)
        rlat, rlon, rmax = t_lat[rt], t_lon[rt], t_max[rt]
        # Needs of this skill in blocks, so a block × rows matrix stays a few MB.
        block = max(1, 2_000_000 // max(1, len(rt)))
        for start in range(0, len(js), block):
            jj = np.array(js[start : start + block], dtype=np.int64)
            n_lat = np.array([needs[j].lat for j in jj], dtype=np.float64)[:, None]
            n_lon = np.array([needs[j].lon for j in jj], dtype=np.float64)[:, None]
            n_first = np.array([needs[j].first for j in jj], dtype=np.int64)[:, None]
            n_last = np.array([needs[j].last for j in jj], dtype=np.int64)[:, None]
            ok = (ra[None, :] <= n_first) & (n_last <= rb[None, :])
            r_idx_n, r_idx_r = np.nonzero(ok)
            if not len(r_idx_n):
                continue
            km = haversine_km_array(
                rlat[r_idx_r], rlon[r_idx_r], n_lat[r_idx_n, 0], n_lon[r_idx_n, 0]
            )
            near = km <= rmax[r_idx_r]
            out_t.append(rt[r_idx_r[near]])
            out_n.append(jj[r_idx_n[near]])
            out_m.append(metres(km[near]))
    if not out_t:
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty.copy(), empty.copy())
    ct = np.concatenate(out_t)
    cn = np.concatenate(out_n)
    cm = np.concatenate(out_m)
    # A talent whose periods overlap may be listed twice for one need: keep one row.
    key = ct * len(needs) + cn
    key, first = np.unique(key, return_index=True)
    ct, cn, cm = ct[first], cn[first], cm[first]
    # Busy periods and region lists are rare: those talents' pairs are checked one by one.
    special = np.array([bool(t.busy or t.regions) for t in talents], dtype=bool)
    if special.any():
        keep = np.ones(len(ct), dtype=bool)
        for k in np.nonzero(special[ct])[0]:
            t, n = talents[ct[k]], needs[cn[k]]
            keep[k] = covers(t, n.first, n.last) and goes_to(t, n)
        ct, cn, cm = ct[keep], cn[keep], cm[keep]
    return Candidates(ct, cn, cm)


# --- solving ----------------------------------------------------------------------------------


def solve(talents: list[Talent], needs: list[Need], *, cands: Candidates | None = None) -> Result:
    """The lexicographic optimum (max total priority, then min total metres)."""
    from ortools.graph.python import min_cost_flow

    cands = cands if cands is not None else candidates(talents, needs)
    n_t, n_n = len(talents), len(needs)
    total_cap = sum(t.capacity for t in talents)
    total_slots = sum(n.slots for n in needs)
    units = min(total_cap, total_slots, len(cands.talent))
    pairs: list[Pair] = []
    if units > 0:
        m_max = int(cands.metres.max())
        big = units * m_max + 1
        prio = np.array([n.priority for n in needs], dtype=np.int64)
        p_max = int(prio.max())
        # |cost of any arc| ≤ big·p_max + m_max; a solution uses ≤ units of them, and OR-Tools'
        # cost scaling multiplies every cost by the number of nodes + 1.
        if (big * p_max + m_max) * max(units + 1, n_t + n_n + 3) >= INT63:
            raise TooLarge(
                "priorities × slots × distances too large for exact 64-bit costs "
                f"(big-M {big:,}, highest priority {p_max:,}, {units:,} units)"
            )
        source, sink = n_t + n_n, n_t + n_n + 1
        smcf = min_cost_flow.SimpleMinCostFlow()
        t_nodes = np.arange(n_t, dtype=np.int64)
        n_nodes = np.arange(n_n, dtype=np.int64) + n_t
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.full(n_t, source, dtype=np.int64),
            t_nodes,
            np.array([t.capacity for t in talents], dtype=np.int64),
            np.zeros(n_t, dtype=np.int64),
        )
        pair_arcs = smcf.add_arcs_with_capacity_and_unit_cost(
            cands.talent,
            cands.need + n_t,
            np.ones(len(cands.talent), dtype=np.int64),
            cands.metres - big * prio[cands.need],
        )
        smcf.add_arcs_with_capacity_and_unit_cost(
            n_nodes,
            np.full(n_n, sink, dtype=np.int64),
            np.array([n.slots for n in needs], dtype=np.int64),
            np.zeros(n_n, dtype=np.int64),
        )
        smcf.add_arc_with_capacity_and_unit_cost(source, sink, units, 0)
        smcf.set_node_supply(source, units)
        smcf.set_node_supply(sink, -units)
        status = smcf.solve()
        if status == smcf.BAD_COST_RANGE:
            raise TooLarge("costs out of the solver's range (priorities or distances too large)")
        if status != smcf.OPTIMAL:
            raise RuntimeError(f"min cost flow ended with status {status}")
        flows = smcf.flows(np.asarray(pair_arcs, dtype=np.int64))
        chosen = np.nonzero(flows > 0)[0]
        order = np.lexsort((cands.metres[chosen], cands.talent[chosen], cands.need[chosen]))
        chosen = chosen[order]
        pairs = [
            Pair(int(cands.talent[k]), int(cands.need[k]), int(cands.metres[k])) for k in chosen
        ]
    result = Result(
        pairs=pairs,
        unfilled=[],
        priority=sum(needs[p.need].priority for p in pairs),
        metres=sum(p.metres for p in pairs),
        feasible_pairs=len(cands.talent),
    )
    result.unfilled = explain_unfilled(talents, needs, pairs, cands)
    return result


def explain_unfilled(
    talents: list[Talent], needs: list[Need], pairs: list[Pair], cands: Candidates
) -> list[Unfilled]:
    """For each need with empty slots, why: the earliest stage at which everyone dropped out.

    At an optimum every talent who could fill an empty slot is already at capacity (else adding
    them would raise the total priority) or already on this need; TAKEN names the needs holding
    them, whose priorities are ≥ this one's (else moving the talent over would raise the total).
    """
    filled = defaultdict(int)
    on_need: dict[int, set[int]] = defaultdict(set)
    needs_of_talent: dict[int, list[int]] = defaultdict(list)
    for p in pairs:
        filled[p.need] += 1
        on_need[p.need].add(p.talent)
        needs_of_talent[p.talent].append(p.need)
    short = [j for j, n in enumerate(needs) if filled[j] < n.slots]
    if not short:
        return []
    feasible: dict[int, list[int]] = defaultdict(list)
    for t, n in zip(cands.talent.tolist(), cands.need.tolist(), strict=True):
        feasible[n].append(t)
    by_skill: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(talents):
        for s in t.skills:
            by_skill[s].append(i)
    out = []
    for j in short:
        n = needs[j]
        empty = n.slots - filled[j]
        if feasible[j]:
            others = sorted(
                {k for t in feasible[j] if t not in on_need[j] for k in needs_of_talent[t]}
            )
            out.append(Unfilled(j, empty, TAKEN, tuple(others)))
            continue
        with_skill = by_skill.get(n.skill, [])
        if not with_skill:
            out.append(Unfilled(j, empty, NO_SKILL))
            continue
        km = haversine_km_array(
            np.array([talents[i].lat for i in with_skill]),
            np.array([talents[i].lon for i in with_skill]),
            np.full(len(with_skill), n.lat),
            np.full(len(with_skill), n.lon),
        )
        near = any(
            km[k] <= talents[i].max_km and goes_to(talents[i], n) for k, i in enumerate(with_skill)
        )
        out.append(Unfilled(j, empty, UNAVAILABLE if near else TOO_FAR))
    return out


def greedy(talents: list[Talent], needs: list[Need], cands: Candidates) -> Result:
    """The hand method, for comparison: needs by priority (highest first, then as listed), each
    slot to the nearest feasible talent still free."""
    options: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for t, n, m in zip(
        cands.talent.tolist(), cands.need.tolist(), cands.metres.tolist(), strict=True
    ):
        options[n].append((m, t))
    left = [t.capacity for t in talents]
    pairs = []
    for j in sorted(range(len(needs)), key=lambda j: (-needs[j].priority, j)):
        want = needs[j].slots
        for m, t in sorted(options.get(j, ())):
            if not want:
                break
            if left[t] > 0:
                left[t] -= 1
                want -= 1
                pairs.append(Pair(t, j, m))
    return Result(
        pairs=pairs,
        unfilled=[],
        priority=sum(needs[p.need].priority for p in pairs),
        metres=sum(p.metres for p in pairs),
        feasible_pairs=len(cands.talent),
    )


def check(talents: list[Talent], needs: list[Need], pairs: list[Pair]) -> None:
    """Raise AssertionError unless ``pairs`` obey every rule (used by tests and the bench)."""
    per_talent: dict[int, int] = defaultdict(int)
    per_need: dict[int, int] = defaultdict(int)
    seen = set()
    for p in pairs:
        t, n = talents[p.talent], needs[p.need]
        assert (p.talent, p.need) not in seen, "a talent twice on one need"
        seen.add((p.talent, p.need))
        assert n.skill in t.skills, "skill"
        assert covers(t, n.first, n.last), "period"
        assert goes_to(t, n), "regions"
        km = haversine_km(t.lat, t.lon, n.lat, n.lon)
        assert km <= t.max_km, "distance"
        assert int(metres(km)) == p.metres, "metres"
        per_talent[p.talent] += 1
        per_need[p.need] += 1
    for i, c in per_talent.items():
        assert c <= talents[i].capacity, "capacity"
    for j, c in per_need.items():
        assert c <= needs[j].slots, "slots"


def distance_explained(talent: Talent, need: Need) -> dict:
    """Why a pair holds: the skill, the distance against the limit, the period inside the
    availability that covers it (for the app's review page)."""
    km = haversine_km(talent.lat, talent.lon, need.lat, need.lon)
    window = next(((a, b) for a, b in talent.available if a <= need.first and need.last <= b), None)
    return {
        "skill": need.skill,
        "km": round(km, 3),
        "max_km": talent.max_km,
        "period": (need.first, need.last),
        "available": window,
    }
