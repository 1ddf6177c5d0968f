"""Permission-matrix entries for the education app's URLs (merged into tests.matrix.REGISTRY).

Objects are made lazily from the world and cached on it: a course offered by each side's county,
a study record of each side's first member, a training held by each side's street. Side A is in
the county A admin's scope, side B looks missing (404)."""

import datetime as dt
from decimal import Decimal

from tests.matrix import LOGIN, Check, Entry, api_get, api_post, none, page_get, page_post, side
from tongchou.education.models import Course, StudyRecord, Training


def _cached(world, key: str, make):
    if key not in world.__dict__:
        world.__dict__[key] = make()
    return world.__dict__[key]


def _course(world, in_scope: bool) -> Course:
    s = side(world, in_scope)
    return _cached(
        world,
        f"edu_course_{in_scope}",
        lambda: Course.objects.create(
            title="学习党章党规",
            provider="共产党员网",
            hours=Decimal("2"),
            mode="online",
            organization=s.county,
            org_path=s.county.path,
        ),
    )


def _record(world, in_scope: bool) -> StudyRecord:
    member = side(world, in_scope).members[0]
    return _cached(
        world,
        f"edu_record_{in_scope}",
        lambda: StudyRecord.objects.create(
            member=member,
            org_path=member.org_path,
            title="自学",
            hours=Decimal("1"),
            studied_on=dt.date(2024, 5, 1),
        ),
    )


def _training(world, in_scope: bool) -> Training:
    s = side(world, in_scope)
    return _cached(
        world,
        f"edu_training_{in_scope}",
        lambda: Training.objects.create(
            title="农机维修培训",
            skill="农机维修",
            organization=s.street,
            org_path=s.street.path,
            held_on=dt.date(2024, 5, 1),
            hours=Decimal("4"),
        ),
    )


def course(world, in_scope: bool) -> dict:
    return {"pk": _course(world, in_scope).pk}


def record(world, in_scope: bool) -> dict:
    return {"pk": _record(world, in_scope).pk}


def training(world, in_scope: bool) -> dict:
    return {"pk": _training(world, in_scope).pk}


def participants_body(world, in_scope: bool) -> dict:
    return {"members": [side(world, in_scope).members[0].pk]}


ENTRIES: dict[str, Entry] = {
    # ------------------------------------------------------------------ pages
    # Lists and forms need a role that sees members (or a station's staff): 403 without.
    "education:courses": Entry(none, (page_get(out=None),)),
    # Forms re-render (200) with the errors of an empty POST.
    "education:course_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    # Pages naming one object fetch it through the scope: without a role it is missing.
    "education:course_detail": Entry(course, (page_get(no_role=404),)),
    "education:course_edit": Entry(course, (page_get(no_role=404), page_post(200, no_role=404))),
    "education:records": Entry(none, (page_get(out=None),)),
    "education:record_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    # POST only; deleting redirects to the list.
    "education:record_delete": Entry(
        record,
        (Check("get", LOGIN, 405, 405, 405, json=False), page_post(302, no_role=404)),
    ),
    "education:trainings": Entry(none, (page_get(out=None),)),
    "education:training_create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "education:training_detail": Entry(training, (page_get(no_role=404),)),
    "education:training_edit": Entry(
        training, (page_get(no_role=404), page_post(200, no_role=404))
    ),
    # Saving the list (the side's own member) redirects to the training.
    "education:training_participants": Entry(
        training, (page_get(no_role=404), page_post(302, no_role=404, body=participants_body))
    ),
    # ------------------------------------------------------------------ API
    "api-education-course-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-education-course-detail": Entry(course, (api_get(), Check("patch", 401, 403, 200, 404))),
    "api-education-study-record-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-education-study-record-detail": Entry(
        record, (api_get(), Check("delete", 401, 403, 204, 404))
    ),
    "api-education-training-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-education-training-detail": Entry(
        training, (api_get(), Check("patch", 401, 403, 200, 404))
    ),
    "api-education-training-participants": Entry(
        training, (Check("put", 401, 403, 200, 404, body=participants_body),)
    ),
}

# Models whose rows a refused request must not change (added to the matrix's state check).
STATE_MODELS: tuple = (Course, StudyRecord, Training)
