"""Permission-matrix entries for the talent app's URLs (merged into tests.matrix.REGISTRY).

Objects are made lazily from the world and cached on it: an outside expert registered by each
side's village, a need of each side's village, a planned exchange from each side's street to its
village, a proposed (empty) matching round of each side's county. Side A is in the county A
admin's scope, side B looks missing (404). The member's own profile page (/me/talent/) names no
object: a login without a member record gets a page saying so."""

import datetime as dt

from tests.matrix import LOGIN, Check, Entry, api_get, api_post, none, page_get, page_post, side
from tongchou.talent.models import (
    Assignment,
    Availability,
    MatchRound,
    Need,
    Proposal,
    Skill,
    Talent,
    WorkLogEntry,
)
from tongchou.talent.tests.factories import create_assignment


def _cached(world, key: str, make):
    if key not in world.__dict__:
        world.__dict__[key] = make()
    return world.__dict__[key]


def _talent(world, in_scope: bool) -> Talent:
    s = side(world, in_scope)

    def make():
        t = Talent.objects.create(
            kind="expert",
            expert_name="王农技",
            organization=s.village,
            org_path=s.village.path,
            max_km=50,
            home_lat=39.0,
            home_lon=106.4,
        )
        t.skills.set([Skill.objects.get(code="agri-tech")])
        return t

    return _cached(world, f"talent_talent_{in_scope}", make)


def _need(world, in_scope: bool) -> Need:
    s = side(world, in_scope)
    return _cached(
        world,
        f"talent_need_{in_scope}",
        lambda: Need.objects.create(
            organization=s.village,
            org_path=s.village.path,
            title="枸杞病虫害防治",
            skill=Skill.objects.get(code="agri-tech"),
            first_day=dt.date(2031, 5, 1),
            last_day=dt.date(2031, 5, 20),
            lat=39.05,
            lon=106.4,
            slots=1,
        ),
    )


def _assignment(world, in_scope: bool) -> Assignment:
    s = side(world, in_scope)
    return _cached(
        world,
        f"talent_assignment_{in_scope}",
        lambda: create_assignment(
            talent=_talent(world, in_scope),
            kind="stationed",
            from_org=s.street,
            from_path=s.street.path,
            to_org=s.village,
            to_path=s.village.path,
            first_day=dt.date(2026, 3, 1),
            last_day=dt.date(2026, 8, 31),
        ),
    )


def _round(world, in_scope: bool) -> MatchRound:
    s = side(world, in_scope)
    return _cached(
        world,
        f"talent_round_{in_scope}",
        lambda: MatchRound.objects.create(organization=s.county, org_path=s.county.path),
    )


def talent(world, in_scope: bool) -> dict:
    return {"pk": _talent(world, in_scope).pk}


def need(world, in_scope: bool) -> dict:
    return {"pk": _need(world, in_scope).pk}


def assignment(world, in_scope: bool) -> dict:
    return {"pk": _assignment(world, in_scope).pk}


def match_round(world, in_scope: bool) -> dict:
    return {"pk": _round(world, in_scope).pk}


def _me(method: str, status: int) -> Check:
    # No object: the no-role login (no member record) gets the page saying so.
    return Check(method, LOGIN, 200, status, None, json=False, user="member_a")


ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------------ pages
    # Lists and forms need a role that sees members: 403 without.
    "talent:list": Entry(none, (page_get(out=None),)),
    # Forms re-render (200) with the errors of an empty POST.
    "talent:member_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "talent:expert_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    # Pages naming one object fetch it through the scope: without a role it is missing.
    "talent:detail": Entry(talent, (page_get(no_role=404),)),
    "talent:edit": Entry(talent, (page_get(no_role=404), page_post(200, no_role=404))),
    "talent:needs": Entry(none, (page_get(out=None),)),
    "talent:need_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "talent:need_detail": Entry(need, (page_get(no_role=404),)),
    "talent:need_edit": Entry(need, (page_get(no_role=404), page_post(200, no_role=404))),
    "talent:assignments": Entry(none, (page_get(out=None),)),
    "talent:assignment_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    # POST adds a work log entry; empty, the form comes back with its errors (400).
    "talent:assignment_detail": Entry(
        assignment, (page_get(no_role=404), page_post(400, no_role=404))
    ),
    # POST only; an unknown step is said in a message, back on the exchange (302).
    "talent:assignment_step": Entry(
        assignment,
        (Check("get", LOGIN, 405, 405, 405, json=False), page_post(302, no_role=404)),
    ),
    "talent:ledger": Entry(none, (page_get(out=None),)),
    # POST runs a round; empty, the form comes back with its error (400).
    "talent:rounds": Entry(none, (page_get(out=None), page_post(400, out=None))),
    # POST adjusts/confirms (the coordinator only); an unknown action is said in a message.
    "talent:round_detail": Entry(match_round, (page_get(no_role=404), page_post(302, no_role=404))),
    "talent_me:profile": Entry(none, (_me("get", 200), _me("post", 200))),
    # ------------------------------------------------------------------ API
    "api-talent-skill-list": Entry(none, (api_get(out=None),)),
    "api-talent-profile-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-talent-profile-detail": Entry(talent, (api_get(), Check("patch", 401, 403, 200, 404))),
    "api-talent-need-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-talent-need-detail": Entry(need, (api_get(), Check("patch", 401, 403, 200, 404))),
    "api-talent-exchange-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-talent-exchange-detail": Entry(assignment, (api_get(),)),
    "api-talent-exchange-start": Entry(assignment, (api_post(200),)),
    # Without a summary: 400 naming it.
    "api-talent-exchange-complete": Entry(assignment, (api_post(400),)),
    "api-talent-exchange-end-early": Entry(assignment, (api_post(400),)),
    "api-talent-exchange-log": Entry(assignment, (api_post(400),)),
    "api-talent-round-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-talent-round-detail": Entry(match_round, (api_get(),)),
    "api-talent-round-confirm": Entry(match_round, (api_post(200),)),
    "api-talent-ledger": Entry(none, (api_get(out=None),)),
}

# Models whose rows a refused request must not change (added to the matrix's state check).
STATE_MODELS: tuple = (
    Talent,
    Availability,
    Need,
    Assignment,
    WorkLogEntry,
    MatchRound,
    Proposal,
)
