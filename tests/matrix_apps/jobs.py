"""Permission-matrix entries for the jobs platform. Objects are made lazily per side: an
opening of each side's county 人社 bureau, a seeker of each side's village (with consent), and
an application of that seeker to that opening.

County A's admin is in scope for side A and out of scope for side B's rows (404, like missing);
a user with no role and no alliance unit gets 403 on lists and 404 on objects."""

import datetime as dt

from tests.matrix import LOGIN, Check, Entry, api_get, api_post, none, page_get, page_post, side
from tongchou.jobs.models import Application, ApplicationEvent, JobSeeker, Opening


def _cached(world, key: str, make):
    if key not in world.__dict__:
        world.__dict__[key] = make()
    return world.__dict__[key]


def _opening(world, in_scope: bool) -> Opening:
    from tongchou.jobs import services
    from tongchou.jobs.tests.conftest import ensure_skills
    from tongchou.service.models import AllianceUnit

    s = side(world, in_scope)

    def make():
        ensure_skills()
        unit = AllianceUnit.objects.create(
            name="人社局", kind="department", organization=s.county, org_path=s.county.path
        )
        today = dt.date.today()
        return services.opening_create(
            actor=world.root, unit=unit, title="电工", region=s.street_region, pay_min=4000,
            pay_max=6000, skills=["electrician"], first_day=today,
            last_day=today + dt.timedelta(days=90), lat=39.0, lon=106.4,
        )  # fmt: skip

    return _cached(world, f"jobs_opening_{in_scope}", make)


def _seeker(world, in_scope: bool) -> JobSeeker:
    from tongchou.jobs import services
    from tongchou.jobs.tests.conftest import ensure_skills

    s = side(world, in_scope)

    def make():
        ensure_skills()
        today = dt.date.today()
        return services.seeker_register(
            actor=world.root, organization=s.village, name="李师傅", phone="13512345678",
            kinds=["returned_migrant"], skills=["electrician"], max_km=50, lat=39.1, lon=106.4,
            available_from=today, consent_on=today,
        )  # fmt: skip

    return _cached(world, f"jobs_seeker_{in_scope}", make)


def _application(world, in_scope: bool) -> Application:
    from tongchou.jobs import services

    return _cached(
        world,
        f"jobs_application_{in_scope}",
        lambda: services.application_create(
            actor=world.root,
            seeker=_seeker(world, in_scope),
            opening=_opening(world, in_scope),
        ),
    )


def opening(world, in_scope: bool) -> dict:
    return {"pk": _opening(world, in_scope).pk}


def seeker(world, in_scope: bool) -> dict:
    return {"pk": _seeker(world, in_scope).pk}


def application(world, in_scope: bool) -> dict:
    return {"pk": _application(world, in_scope).pk}


POST_ONLY = Check("get", LOGIN, 405, 405, 405, json=False)

ENTRIES: dict[str, Entry] = {
    # Lists and forms need a role that sees members, or work at an alliance unit (403 without).
    "jobs:index": Entry(none, (page_get(out=None),)),
    "jobs:openings": Entry(none, (page_get(out=None),)),
    # Forms re-render (200) with the errors of an empty POST.
    "jobs:opening_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    # An opening out of scope (another county's, another unit's) looks missing.
    "jobs:opening_detail": Entry(opening, (page_get(no_role=404),)),
    "jobs:opening_edit": Entry(opening, (page_get(no_role=404), page_post(200, no_role=404))),
    "jobs:opening_suggestions": Entry(opening, (page_get(no_role=404),)),
    "jobs:seekers": Entry(none, (page_get(out=None),)),
    "jobs:seeker_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "jobs:seeker_detail": Entry(seeker, (page_get(no_role=404),)),
    "jobs:seeker_edit": Entry(seeker, (page_get(no_role=404), page_post(200, no_role=404))),
    # POST only; in scope the consent is withdrawn and the page comes back (302).
    "jobs:seeker_withdraw": Entry(seeker, (POST_ONLY, page_post(302, no_role=404))),
    "jobs:seeker_suggestions": Entry(seeker, (page_get(no_role=404),)),
    # POST only; without an opening the suggestions page comes back with its message.
    "jobs:seeker_apply": Entry(seeker, (POST_ONLY, page_post(302, no_role=404))),
    "jobs:applications": Entry(none, (page_get(out=None),)),
    # An empty POST re-renders the page with the form's errors.
    "jobs:application_detail": Entry(
        application, (page_get(no_role=404), page_post(200, no_role=404))
    ),
    "jobs:figures": Entry(none, (page_get(out=None),)),
    # REST: the same scope; an empty body is a 400 naming the first missing field.
    "api-jobs-opening-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-jobs-opening-detail": Entry(opening, (api_get(), Check("patch", 401, 403, 200, 404))),
    "api-jobs-opening-suggestions": Entry(opening, (api_get(),)),
    "api-jobs-seeker-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-jobs-seeker-detail": Entry(seeker, (api_get(), Check("patch", 401, 403, 200, 404))),
    "api-jobs-seeker-withdraw-consent": Entry(seeker, (api_post(200),)),
    "api-jobs-seeker-suggestions": Entry(seeker, (api_get(),)),
    "api-jobs-application-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-jobs-application-detail": Entry(application, (api_get(),)),
    "api-jobs-application-step": Entry(application, (api_post(400),)),
    "api-jobs-figures": Entry(none, (api_get(out=None),)),
}

STATE_MODELS: tuple = (Opening, JobSeeker, Application, ApplicationEvent)
