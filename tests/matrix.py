"""The permission matrix: every URL of the project, and what each kind of caller gets.

Each URL name in ``config.urls`` has an ``Entry``; ``tests/test_permission_matrix.py`` fails
when a URL has none (so a new page or endpoint cannot ship without saying who may use it), and
runs every ``Check`` as four callers against the world of ``tests/world.py``:

* ``anonymous``: nobody signed in;
* ``no_role``: signed in, holding no role at all;
* ``in_scope``: a user whose role covers the object (``Check.user``, the county A admin unless
  said otherwise), with the object from county A;
* ``out_of_scope``: the same user with the object from county B, which must look missing (404).
  ``None`` when the URL names no object (lists, create forms without a parent, …).

Expected values are HTTP statuses, or ``LOGIN`` for "redirected to the login page".
API endpoints answer 401 to anonymous callers and 403 to a caller without a role; pages redirect
anonymous callers to the login page.
"""

from collections.abc import Callable
from dataclasses import dataclass

from tests.world import World

LOGIN = "login"  # a redirect to the login page

KW = Callable[[World, bool], dict]
Body = Callable[[World, bool], dict]


def none(world: World, in_scope: bool) -> dict:
    return {}


def empty(world: World, in_scope: bool) -> dict:
    return {}


def side(world: World, in_scope: bool):
    return world.a if in_scope else world.b


def village(world: World, in_scope: bool) -> dict:
    return {"pk": side(world, in_scope).village.pk}


def street(world: World, in_scope: bool) -> dict:
    return {"pk": side(world, in_scope).street.pk}


def member(world: World, in_scope: bool) -> dict:
    return {"pk": side(world, in_scope).members[0].pk}


def region(world: World, in_scope: bool) -> dict:
    return {"code": side(world, in_scope).street_region.code}


@dataclass(frozen=True)
class Check:
    method: str
    anonymous: int | str
    no_role: int | str
    in_scope: int | str
    out_of_scope: int | str | None
    body: Body = empty
    json: bool = True  # API bodies are JSON; page forms are form-encoded
    user: str = "admin_a"
    reveals: bool = False  # the one kind of request allowed to show ID numbers and phones


@dataclass(frozen=True)
class Entry:
    kwargs: KW
    checks: tuple[Check, ...]
    note: str = ""
    public: bool = False  # reachable without signing in (login page, API docs…)


def api_get(in_scope: int = 200, out: int | None = 404, no_role: int = 403) -> Check:
    return Check("get", 401, no_role, in_scope, out)


def api_post(
    in_scope: int, out: int | None = 404, body: Body = empty, user: str = "admin_a"
) -> Check:
    return Check("post", 401, 403, in_scope, out, body=body, user=user)


def page_get(in_scope: int = 200, out: int | None = 404, no_role: int = 403) -> Check:
    return Check("get", LOGIN, no_role, in_scope, out, json=False)


def page_post(in_scope: int, out: int | None = 404, no_role: int = 403, body: Body = empty):
    return Check("post", LOGIN, no_role, in_scope, out, body=body, json=False)


def import_job(world: World, in_scope: bool) -> dict:
    """An import is seen by the person who uploaded it: county B's is out of scope."""
    return {"pk": side(world, in_scope).import_job.pk}


def import_job_with_report(world: World, in_scope: bool) -> dict:
    """The same job, with its error-marked file (kept encrypted) to download."""
    from tongchou.core import crypto
    from tongchou.members.models import ImportReport

    job = side(world, in_scope).import_job
    content = crypto.encrypt_bytes(b"marked file")
    ImportReport.objects.get_or_create(job=job, defaults={"content": content})
    return {"pk": job.pk}


def lookup_body(world: World, in_scope: bool) -> dict:
    return {"id_number": side(world, in_scope).members[0].id_number}


def list_lookup_body(world: World, in_scope: bool) -> dict:
    """The member list's POST lookup by ID number: found → the member, not found (or out of
    scope, the same thing) → back to the list; both redirect, so out of scope looks missing."""
    return {"q": side(world, in_scope).members[0].id_number}


# Names skipped by the walk: Django's own admin and language switch (tested by Django).
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"set_language"}

REGISTRY: dict[str, Entry] = {
    # ---------------------------------------------------------------------------- API: docs
    "api-schema": Entry(none, (Check("get", 200, 200, 200, None),), public=True),
    "api-docs": Entry(none, (Check("get", 200, 200, 200, None),), public=True),
    # ---------------------------------------------------------------------------- API: auth
    "api-auth-token": Entry(
        none,
        (
            # Empty credentials: a 400 naming the field, for everybody (it is the way in).
            Check("post", 400, 400, 400, None),
            Check("delete", 401, 204, 204, None),
        ),
        public=True,
    ),
    "api-me": Entry(none, (api_get(out=None, no_role=200),)),
    # ---------------------------------------------------------------------------- API: regions
    "api-region-list": Entry(none, (api_get(out=None),)),
    # Divisions are public facts, not scoped: any role holder reads any region.
    "api-region-detail": Entry(region, (api_get(out=200),)),
    "api-region-children": Entry(region, (api_get(out=200),)),
    # ---------------------------------------------------------------------------- API: orgs
    "api-organization-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-organization-detail": Entry(village, (api_get(), Check("patch", 401, 403, 200, 404))),
    "api-organization-children": Entry(street, (api_get(),)),
    "api-organization-subtree": Entry(street, (api_get(),)),
    "api-organization-move": Entry(village, (api_post(400),)),
    # The village still has members: refused with a reason (400), never dissolved here.
    "api-organization-dissolve": Entry(village, (api_post(400),)),
    # ---------------------------------------------------------------------------- API: members
    "api-member-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-member-detail": Entry(member, (api_get(), Check("patch", 401, 403, 200, 404))),
    "api-member-archive": Entry(member, (api_post(200),)),
    "api-member-reveal": Entry(
        member,
        (
            Check("post", 401, 403, 200, 404, reveals=True),
            Check("post", 401, 403, 200, 404, reveals=True, user="secretary_a"),
        ),
    ),
    "api-member-lookup": Entry(none, (api_post(200, body=lookup_body),)),
    # No file: 400 naming the field. Out of scope is tested with a default organization in
    # tests/test_api_import.py.
    "api-member-import": Entry(none, (Check("post", 401, 403, 400, None, json=False),)),
    # An import job is seen by the person who uploaded it: county B's admin's looks missing.
    "api-member-import-job-detail": Entry(import_job, (api_get(),)),
    # ---------------------------------------------------------------------------- pages: core
    "login": Entry(none, (Check("get", 200, 302, 302, None, json=False),), public=True),
    # Django's LogoutView takes POST only; everyone lands on the login page.
    "logout": Entry(
        none,
        (
            Check("get", 405, 405, 405, None, json=False),
            Check("post", LOGIN, LOGIN, LOGIN, None, json=False),
        ),
        public=True,
    ),
    # Home and password pages are for every signed-in user, with or without a role.
    "home": Entry(none, (page_get(out=None, no_role=200),)),
    "password_change": Entry(
        none, (page_get(out=None, no_role=200), page_post(200, out=None, no_role=200))
    ),
    "password_change_done": Entry(none, (page_get(out=None, no_role=200),)),
    "audit": Entry(none, (page_get(out=None),)),
    # ---------------------------------------------------------------------------- pages: regions
    "regions:index": Entry(none, (page_get(out=None),)),
    "regions:detail": Entry(region, (page_get(out=200),)),
    # Region pickers search divisions (public facts) for anyone signed in, a member going
    # out included; only GET.
    "regions:search": Entry(
        none,
        (page_get(out=None, no_role=200), Check("post", LOGIN, 405, 405, None, json=False)),
        note="divisions are public facts: any signed-in person, no role needed",
    ),
    # ---------------------------------------------------------------------------- pages: orgs
    "organizations:tree": Entry(none, (page_get(out=None),)),
    "organizations:search": Entry(none, (page_get(out=None),)),
    # Pages naming one organization fetch it through the scope: without a role it is missing.
    "organizations:detail": Entry(village, (page_get(no_role=404),)),
    "organizations:children": Entry(street, (page_get(no_role=404),)),
    # Forms re-render (200) with the errors of an empty POST.
    "organizations:create": Entry(street, (page_get(no_role=404), page_post(200, no_role=404))),
    "organizations:edit": Entry(village, (page_get(no_role=404), page_post(200, no_role=404))),
    "organizations:move": Entry(village, (page_get(no_role=404), page_post(200, no_role=404))),
    "organizations:dissolve": Entry(village, (page_get(no_role=404), page_post(200, no_role=404))),
    # ---------------------------------------------------------------------------- pages: members
    # Registry pages need a role granting the action somewhere (403 without a role).
    "members:list": Entry(
        none, (page_get(out=None), page_post(302, out=302, body=list_lookup_body))
    ),
    "members:create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "members:export": Entry(none, (page_get(out=None),)),
    "members:import": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "members:import_template": Entry(none, (page_get(out=None),)),
    # Someone else's import job looks missing.
    "members:import_job": Entry(import_job, (page_get(no_role=404),)),
    "members:import_job_progress": Entry(import_job, (page_get(no_role=404),)),
    "members:import_job_errors": Entry(import_job, (page_get(no_role=404),)),
    # The uploaded file with its errors marked: ID numbers in the clear, the uploader's only.
    "members:import_job_report": Entry(import_job_with_report, (page_get(no_role=404),)),
    # POST on the detail page is "show the full numbers": audited, and the one page allowed
    # to show them.
    "members:detail": Entry(
        member,
        (page_get(no_role=404), Check("post", LOGIN, 404, 200, 404, json=False, reveals=True)),
    ),
    "members:edit": Entry(member, (page_get(no_role=404), page_post(200, no_role=404))),
    # POST only; without a reason the form comes back with its error (400).
    "members:archive": Entry(
        member,
        (
            Check("get", LOGIN, 405, 405, 405, json=False),
            page_post(400, no_role=404),
        ),
    ),
}

# Each app above members keeps its entries in tests/matrix_apps/<app>.py (imported last: those
# modules use the helpers defined here).
from tests.matrix_apps import (  # noqa: E402
    accounts,
    education,
    jobs,
    linkage,
    mobility,
    orglife,
    pairing,
    portal,
    resources,
    service,
    talent,
    transfers,
)

APP_MODULES = (
    mobility,
    transfers,
    orglife,
    education,
    linkage,
    accounts,
    portal,
    resources,
    talent,
    service,
    pairing,
    jobs,
)
for _module in APP_MODULES:
    REGISTRY.update(_module.ENTRIES)
STATE_MODELS: tuple = tuple(model for m in APP_MODULES for model in m.STATE_MODELS)
