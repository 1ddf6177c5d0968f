"""Education services: what they write, what they refuse (and that a refusal writes nothing)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.education import services
from tongchou.education.models import Course, StudyRecord, Training
from tongchou.education.tests.conftest import make_spell, make_station

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)


def course(w, org=None, actor=None, **kw):
    values = {
        "title": "学习贯彻党的二十大精神",
        "provider": "石嘴山市委党校",
        "hours": Decimal("4"),
        "mode": "online",
    }
    values.update(kw)
    return services.course_create(
        actor=actor or w.admin_a, organization=org or w.county_a, **values
    )


def training(w, actor=None, **kw):
    values = {
        "organization": w.street_a,
        "title": "电商直播培训",
        "skill": "电商直播",
        "held_on": YESTERDAY,
        "hours": Decimal("6"),
    }
    values.update(kw)
    return services.training_create(actor=actor or w.admin_a, **values)


# --- courses ---------------------------------------------------------------------------------


def test_course_create_is_audited(w):
    c = course(w)
    assert c.org_path == w.county_a.path
    event = AuditEvent.objects.get(object_type="education.course")
    assert event.action == AuditAction.CREATE and event.org_path == w.county_a.path


def test_course_create_out_of_scope_is_refused(w):
    with pytest.raises(PermissionDenied):
        course(w, org=w.county_b)
    with pytest.raises(PermissionDenied):
        course(w, actor=w.plain_member, org=w.village_a)
    assert not Course.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hours": Decimal("0")}, "hours"),
        ({"hours": Decimal("-2")}, "hours"),
        ({"hours": Decimal("1000")}, "hours"),
        ({"title": "  "}, "title"),
        ({"provider": ""}, "provider"),
        ({"mode": "both"}, "mode"),
    ],
)
def test_course_bad_input_names_the_field(w, changes, field):
    with pytest.raises(ApplicationError) as exc:
        course(w, **changes)
    assert exc.value.field == field
    assert not Course.objects.exists()


def test_course_update_audits_only_changes(w):
    c = course(w)
    services.course_update(actor=w.admin_a, course=c, hours=Decimal("6"), title=c.title)
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.before == {"hours": "4.0"} and event.after == {"hours": "6.0"}


def test_course_update_by_a_lower_secretary_is_refused(w):
    c = course(w)
    with pytest.raises(PermissionDenied):
        services.course_update(actor=w.secretary_v, course=c, hours=Decimal("6"))
    with pytest.raises(ApplicationError):
        services.course_update(actor=w.admin_a, course=c, organization=w.county_b)


# --- study records ---------------------------------------------------------------------------


def test_record_from_a_course_takes_title_and_hours(w):
    c = course(w)
    r = services.study_record_create(
        actor=w.secretary_v, member=w.m1, course=c, studied_on=YESTERDAY
    )
    assert (r.title, r.hours, r.org_path) == (c.title, Decimal("4.0"), w.village_a.path)
    assert r.recorded_by == w.secretary_v
    assert AuditEvent.objects.filter(object_type="education.studyrecord").count() == 1


def test_record_hours_override_the_course(w):
    c = course(w)
    r = services.study_record_create(
        actor=w.secretary_v, member=w.m1, course=c, hours="2.5", studied_on=YESTERDAY
    )
    assert r.hours == Decimal("2.5")


def test_record_of_a_course_offered_above_the_member(w):
    c = course(w, actor=w.city_admin, org=w.city)
    r = services.study_record_create(
        actor=w.secretary_v, member=w.m1, course=c, studied_on=YESTERDAY
    )
    assert r.course == c


def test_record_of_a_course_offered_elsewhere_is_refused(w):
    c = course(w, actor=w.admin_b, org=w.county_b)
    with pytest.raises(ApplicationError) as exc:
        services.study_record_create(
            actor=w.secretary_v, member=w.m1, course=c, studied_on=YESTERDAY
        )
    assert exc.value.code == "course_not_offered" and exc.value.field == "course"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hours": "0", "title": "自学"}, "hours"),
        ({"hours": "24.5", "title": "自学"}, "hours"),
        ({"hours": "abc", "title": "自学"}, "hours"),
        ({"title": "自学"}, "hours"),
        ({"hours": "2", "title": " "}, "title"),
        ({"hours": "2", "title": "自学", "studied_on": TODAY + dt.timedelta(days=1)}, "studied_on"),
    ],
)
def test_record_bad_input_names_the_field(w, kwargs, field):
    kwargs = {"studied_on": YESTERDAY, **kwargs}
    with pytest.raises(ApplicationError) as exc:
        services.study_record_create(actor=w.secretary_v, member=w.m1, **kwargs)
    assert exc.value.field == field
    assert not StudyRecord.objects.exists() and not AuditEvent.objects.exists()


def test_record_24_hours_and_today_are_accepted(w):
    r = services.study_record_create(
        actor=w.secretary_v, member=w.m1, title="集中轮训", hours="24", studied_on=TODAY
    )
    assert r.hours == Decimal("24.0")


def test_record_out_of_scope_is_refused(w):
    for actor, member in ((w.secretary_v, w.m3), (w.admin_a, w.mb), (w.plain_member, w.m1)):
        with pytest.raises(PermissionDenied):
            services.study_record_create(
                actor=actor, member=member, title="x", hours="1", studied_on=YESTERDAY
            )
    with pytest.raises(PermissionDenied):  # a station's staff records trainings, not study
        services.study_record_create(
            actor=w.station_staff, member=w.m1, title="x", hours="1", studied_on=YESTERDAY
        )
    assert not StudyRecord.objects.exists()


def test_record_of_an_archived_member_is_refused(w):
    w.m1.archived = True
    w.m1.save()
    with pytest.raises(ApplicationError) as exc:
        services.study_record_create(
            actor=w.secretary_v, member=w.m1, title="x", hours="1", studied_on=YESTERDAY
        )
    assert exc.value.code == "member_archived"


def test_record_delete(w):
    r = services.study_record_create(
        actor=w.secretary_v, member=w.m1, title="x", hours="1", studied_on=YESTERDAY
    )
    with pytest.raises(PermissionDenied):
        services.study_record_delete(actor=w.admin_b, record=r)
    services.study_record_delete(actor=w.admin_a, record=r)
    assert not StudyRecord.objects.exists()
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "delete" and event.before["hours"] == "1.0"
    with pytest.raises(ApplicationError):
        services.study_record_delete(actor=w.admin_a, record=r)


def test_a_trainings_record_is_not_deleted_alone(w):
    t = training(w)
    services.training_participants_set(actor=w.admin_a, training=t, members=[w.m1])
    r = StudyRecord.objects.get()
    with pytest.raises(ApplicationError) as exc:
        services.study_record_delete(actor=w.admin_a, record=r)
    assert exc.value.code == "training_record"
    assert StudyRecord.objects.count() == 1


# --- trainings -------------------------------------------------------------------------------


def test_training_at_an_organization(w):
    t = training(w)
    assert t.org_path == w.street_a.path and t.station is None and t.created_by == w.admin_a
    assert AuditEvent.objects.filter(object_type="education.training").count() == 1


def test_station_staff_create_a_training_at_their_station(w):
    t = training(w, actor=w.station_staff, organization=None, station=w.station)
    assert t.organization == w.street_a and t.station == w.station
    assert t.place == w.station.address


def test_station_staff_cannot_hold_one_at_the_organization_or_another_station(w):
    with pytest.raises(PermissionDenied):
        training(w, actor=w.station_staff)
    other = make_station(w.county_b, w.county_b_r, name="惠农区党员服务站")
    with pytest.raises(PermissionDenied):
        training(w, actor=w.station_staff, organization=None, station=other)
    assert not Training.objects.exists()


def test_training_station_of_another_organization_is_refused(w):
    with pytest.raises(ApplicationError) as exc:
        training(w, organization=w.village_a, station=w.station)
    assert exc.value.field == "station"


def test_training_at_a_closed_station_is_refused(w):
    w.station.active = False
    w.station.save()
    with pytest.raises(ApplicationError) as exc:
        training(w, organization=None, station=w.station)
    assert exc.value.code == "station_closed"


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"hours": "0"}, "hours"), ({"hours": "25"}, "hours"), ({"title": ""}, "title")],
)
def test_training_bad_input(w, kw, field):
    with pytest.raises(ApplicationError) as exc:
        training(w, **kw)
    assert exc.value.field == field


def test_training_out_of_scope_is_refused(w):
    with pytest.raises(PermissionDenied):
        training(w, organization=w.county_b)
    with pytest.raises(PermissionDenied):
        training(w, actor=w.secretary_v)  # a village secretary, the street's training


def test_participants_become_study_records(w):
    t = training(w)
    services.training_participants_set(actor=w.admin_a, training=t, members=[w.m1, w.m3])
    records = StudyRecord.objects.order_by("member_id")
    assert [(r.member, r.hours, r.studied_on, r.title, r.training) for r in records] == [
        (w.m1, Decimal("6.0"), YESTERDAY, t.title, t),
        (w.m3, Decimal("6.0"), YESTERDAY, t.title, t),
    ]
    assert records[1].org_path == w.community_a.path  # filed at the member's own organization
    services.training_participants_set(actor=w.admin_a, training=t, members=[w.m3, w.m2])
    assert set(StudyRecord.objects.values_list("member_id", flat=True)) == {w.m2.pk, w.m3.pk}
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).order_by("-id").first()
    assert event.after == {"participants": sorted([w.m2.pk, w.m3.pk])}
    assert event.note == "+1 -1"


def test_participants_unchanged_writes_no_event(w):
    t = training(w)
    services.training_participants_set(actor=w.admin_a, training=t, members=[w.m1])
    before = AuditEvent.objects.count()
    services.training_participants_set(actor=w.admin_a, training=t, members=[w.m1])
    assert AuditEvent.objects.count() == before


def test_mobile_member_at_the_station_may_attend_and_hours_count_at_home(w):
    t = training(w, actor=w.station_staff, organization=None, station=w.station)
    with pytest.raises(ApplicationError):  # a street member not at the station: not theirs
        services.training_participants_set(actor=w.station_staff, training=t, members=[w.mb, w.m1])
    assert not StudyRecord.objects.exists()
    services.training_participants_set(actor=w.station_staff, training=t, members=[w.mb])
    record = StudyRecord.objects.get(member=w.mb)
    assert record.org_path == w.village_b.path


def test_mobile_member_registered_at_the_inflow_organization_may_attend(w):
    away = make_spell(w.mb2, inflow_org=w.community_a)
    t = training(w)
    services.training_participants_set(actor=w.admin_a, training=t, members=[w.mb2])
    assert StudyRecord.objects.get().member == w.mb2
    away.status = "returned"
    away.save()
    t2 = training(w, title="农机维修")
    with pytest.raises(ApplicationError):
        services.training_participants_set(actor=w.admin_a, training=t2, members=[w.mb2])


def test_participant_outside_every_rule_refuses_the_whole_list(w):
    t = training(w)
    with pytest.raises(ApplicationError) as exc:
        services.training_participants_set(actor=w.admin_a, training=t, members=[w.m1, w.mb2])
    assert exc.value.code == "participant_not_allowed" and str(w.mb2.pk) in exc.value.message
    assert w.mb2.name not in exc.value.message  # no name of someone out of scope
    assert not StudyRecord.objects.exists()


def test_a_member_in_the_actors_own_scope_may_attend_elsewhere(w):
    t = training(w, actor=w.admin_b, organization=w.village_b, title="快递安全")
    services.training_participants_set(actor=w.city_admin, training=t, members=[w.m1])
    assert StudyRecord.objects.get().member == w.m1


def test_participants_by_someone_who_cannot_manage_the_training(w):
    t = training(w)
    for actor in (w.secretary_v, w.admin_b, w.station_staff):
        with pytest.raises(PermissionDenied):
            services.training_participants_set(actor=actor, training=t, members=[w.m1])


def test_participants_of_a_training_not_yet_held(w):
    t = training(w, held_on=TODAY + dt.timedelta(days=3))
    with pytest.raises(ApplicationError) as exc:
        services.training_participants_set(actor=w.admin_a, training=t, members=[w.m1])
    assert exc.value.code == "not_held_yet"
    services.training_participants_set(actor=w.admin_a, training=t, members=[])


def test_a_listed_participant_who_moved_away_may_stay(w):
    t = training(w)
    services.training_participants_set(actor=w.admin_a, training=t, members=[w.m1])
    w.m1.organization, w.m1.org_path = w.village_b, w.village_b.path
    w.m1.save()
    services.training_participants_set(actor=w.admin_a, training=t, members=[w.m1, w.m2])
    assert StudyRecord.objects.count() == 2


def test_training_update_moves_its_records_along(w):
    t = training(w)
    services.training_participants_set(actor=w.admin_a, training=t, members=[w.m1])
    day = YESTERDAY - dt.timedelta(days=5)
    services.training_update(actor=w.admin_a, training=t, hours="3", held_on=day, title="直播")
    r = StudyRecord.objects.get()
    assert (r.hours, r.studied_on, r.title) == (Decimal("3.0"), day, "直播")


def test_training_with_participants_cannot_move_to_the_future(w):
    t = training(w)
    services.training_participants_set(actor=w.admin_a, training=t, members=[w.m1])
    with pytest.raises(ApplicationError) as exc:
        services.training_update(actor=w.admin_a, training=t, held_on=TODAY + dt.timedelta(days=1))
    assert exc.value.field == "held_on"
    t.refresh_from_db()
    assert t.held_on == YESTERDAY


def test_training_update_refusals(w):
    t = training(w)
    with pytest.raises(PermissionDenied):
        services.training_update(actor=w.admin_b, training=t, hours="2")
    with pytest.raises(ApplicationError):
        services.training_update(actor=w.admin_a, training=t, organization=w.county_b)
