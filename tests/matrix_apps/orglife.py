"""Permission-matrix entries for the orglife app's URLs (merged into tests.matrix.REGISTRY).

Side A's session is held by county A's village branch (the admin's scope) two days ago, with
one attendance row; side B's by county B's (out of scope: 404). Both are built lazily from the
world and cached on it."""

import datetime as dt

from django.utils import timezone

from tests.matrix import (
    LOGIN,
    Check,
    Entry,
    api_get,
    api_post,
    member,
    none,
    page_get,
    page_post,
    side,
)
from tests.world import World
from tongchou.orglife.models import Attendance, Session, SessionFormat, SessionKind


def _session(world: World, in_scope: bool) -> Session:
    key = f"_orglife_session_{'a' if in_scope else 'b'}"
    if key not in world.__dict__:
        s = side(world, in_scope)
        starts_at = timezone.now() - dt.timedelta(days=2)
        session = Session.objects.create(
            kind=SessionKind.THEME_DAY,
            organization=s.village,
            org_path=s.village.path,
            starts_at=starts_at,
            held_on=timezone.localdate(starts_at),
            format=SessionFormat.OFFLINE,
            place="村部",
            topic="主题党日",
        )
        Attendance.objects.create(
            session=session, member=s.members[0], status="offline", held_on=session.held_on
        )
        world.__dict__[key] = session
    return world.__dict__[key]


def session(world: World, in_scope: bool) -> dict:
    return {"pk": _session(world, in_scope).pk}


ENTRIES: dict[str, Entry] = {
    # ---------------------------------------------------------------------------- pages
    # Lists and forms need a role granting member rights somewhere, or a station to work at.
    "orglife:list": Entry(none, (page_get(out=None),)),
    # An empty form comes back with its errors.
    "orglife:create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "orglife:expectations": Entry(none, (page_get(out=None),)),
    "orglife:report": Entry(none, (page_get(out=None),)),
    "orglife:report_export": Entry(none, (page_get(out=None),)),
    # Pages naming one session fetch it through the scope: without a role it is missing.
    "orglife:detail": Entry(session, (page_get(no_role=404),)),
    "orglife:edit": Entry(session, (page_get(no_role=404), page_post(200, no_role=404))),
    "orglife:delete": Entry(
        session,
        (Check("get", LOGIN, 405, 405, 405, json=False), page_post(302, no_role=404)),
    ),
    # An empty attendance form records that no one is listed (valid: back to the session).
    "orglife:attendance": Entry(
        session,
        (Check("get", LOGIN, 405, 405, 405, json=False), page_post(302, no_role=404)),
    ),
    # The session has no attachment: in scope it is missing too (downloads: test_views).
    "orglife:attachment": Entry(session, (page_get(404, no_role=404),)),
    # ---------------------------------------------------------------------------- API
    "api-life-session-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-life-session-detail": Entry(
        session,
        (
            api_get(),
            Check("patch", 401, 403, 200, 404),
            Check("delete", 401, 403, 204, 404),
        ),
    ),
    # An empty body lacks ``entries``: 400 naming it.
    "api-life-session-attendance": Entry(session, (api_get(), Check("put", 401, 403, 400, 404))),
    "api-life-expectations-list": Entry(none, (api_get(out=None),)),
    "api-life-report-list": Entry(none, (api_get(out=None),)),
    # A member's attendance over a period: whoever cannot see the member finds nothing (404).
    "orglife:member_attendance": Entry(member, (page_get(no_role=404),)),
    "api-life-member-attendance-detail": Entry(member, (api_get(no_role=404),)),
}

# Models whose rows a refused request must not change (added to the matrix's state check).
STATE_MODELS: tuple = (Session, Attendance)
