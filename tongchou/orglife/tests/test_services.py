import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.mobility.models import MobilityStatus
from tongchou.orglife import services
from tongchou.orglife.models import Attendance, Session, SessionFormat, SessionKind
from tongchou.orglife.tests.conftest import at, spell

pytestmark = pytest.mark.django_db


def create(w, actor=None, **kw):
    values = {
        "actor": actor or w.secretary_v,
        "organization": w.village_a,
        "kind": SessionKind.THEME_DAY,
        "starts_at": at(3),
        "format": SessionFormat.OFFLINE,
        "topic": "学习党章",
        "place": "村部会议室",
    }
    values.update(kw)
    return services.session_create(**values)


# --- sessions --------------------------------------------------------------------------------


def test_create_copies_path_and_date_and_audits(w):
    session = create(w, starts_at=at(3, hour=23))
    assert session.org_path == w.village_a.path
    assert session.held_on == timezone.localdate() - dt.timedelta(days=3)
    assert session.created_by == w.secretary_v
    event = AuditEvent.objects.get(object_type="orglife.session", object_id=str(session.pk))
    assert event.action == "create"
    assert event.org_path == w.village_a.path
    assert event.after["topic"] == "学习党章"


def test_create_needs_manage_members_on_the_organization(w):
    for user in (w.plain_member, w.norole, w.admin_b, w.secretary_c):
        with pytest.raises(PermissionDenied):
            create(w, actor=user)
    assert create(w, actor=w.admin_a).pk  # an ancestor's admin may


def test_topic_is_required(w):
    with pytest.raises(ApplicationError) as exc:
        create(w, topic="   ")
    assert exc.value.field == "topic"
    assert not Session.objects.exists()


def test_online_sessions_need_a_link(w):
    for fmt in (SessionFormat.ONLINE, SessionFormat.BOTH):
        with pytest.raises(ApplicationError) as exc:
            create(w, format=fmt, online_link="")
        assert exc.value.field == "online_link"
    session = create(w, format=SessionFormat.ONLINE, online_link="腾讯会议 123 456 789")
    assert session.place == ""  # an online session keeps no room


def test_a_session_in_the_future_may_be_planned(w):
    session = create(w, starts_at=at(-7))
    assert session.held_on > timezone.localdate()


def test_kind_must_suit_the_organization(w):
    with pytest.raises(ApplicationError) as exc:
        create(w, organization=w.street_a, kind=SessionKind.COMMITTEE_MEETING, actor=w.admin_a)
    assert exc.value.code == "kind_not_held"
    assert exc.value.field == "kind"
    assert "党课" in exc.value.message
    with pytest.raises(ApplicationError):
        create(w, organization=w.group_a, kind=SessionKind.GENERAL_MEETING)
    assert create(w, organization=w.group_a, kind=SessionKind.GROUP_MEETING).pk
    assert create(w, organization=w.street_a, kind=SessionKind.LECTURE, actor=w.admin_a).pk


def test_invalid_choices_name_the_field(w):
    with pytest.raises(ApplicationError) as exc:
        create(w, kind="party")
    assert exc.value.field == "kind"
    with pytest.raises(ApplicationError) as exc:
        create(w, format="radio")
    assert exc.value.field == "format"


def test_dissolved_organization_is_refused(w):
    w.community_a.status = "dissolved"
    w.community_a.save()
    with pytest.raises(ApplicationError) as exc:
        create(w, organization=w.community_a, actor=w.admin_a)
    assert exc.value.code == "organization_dissolved"


def test_not_before_the_organization_was_founded(w):
    w.village_a.founded_on = timezone.localdate() - dt.timedelta(days=1)
    w.village_a.save()
    with pytest.raises(ApplicationError) as exc:
        create(w, starts_at=at(10))
    assert exc.value.field == "starts_at"


def test_station_must_be_in_the_organizations_subtree(w):
    with pytest.raises(ApplicationError) as exc:
        create(w, station=w.station_a)  # the station is the street's, not the village's
    assert exc.value.code == "station_outside_organization"
    session = create(w, organization=w.street_a, station=w.station_a, actor=w.admin_a)
    assert session.station == w.station_a


def test_station_staff_hold_sessions_of_the_stations_organization(w):
    session = services.session_create(
        actor=w.staff,
        station=w.station_a,
        kind=SessionKind.THEME_DAY,
        starts_at=at(2),
        format=SessionFormat.BOTH,
        online_link="会议号 888",
        topic="流动党员主题党日",
    )
    assert session.organization == w.street_a
    assert session.org_path == w.street_a.path
    # …but not for another organization, nor without their station.
    with pytest.raises(PermissionDenied):
        create(w, actor=w.staff, organization=w.village_a)
    with pytest.raises(PermissionDenied):
        create(w, actor=w.staff, organization=w.street_a, kind=SessionKind.LECTURE)


def test_attachment_type_and_size(w, settings):
    bad = SimpleUploadedFile("minutes.exe", b"MZ")
    with pytest.raises(ApplicationError) as exc:
        create(w, attachment=bad)
    assert exc.value.code == "attachment_type"
    big = SimpleUploadedFile("minutes.pdf", b"x")
    big.size = services.ATTACHMENT_MAX_BYTES + 1
    with pytest.raises(ApplicationError) as exc:
        create(w, attachment=big)
    assert exc.value.code == "attachment_too_large"
    assert not Session.objects.exists()
    session = create(w, attachment=SimpleUploadedFile("记录.pdf", b"%PDF-1.4"))
    assert session.attachment.name.startswith("orglife/")


def test_update_changes_fields_and_audits_the_difference(w):
    session = create(w)
    services.session_update(actor=w.secretary_v, session=session, topic="新主题", minutes="记录")
    session.refresh_from_db()
    assert session.topic == "新主题"
    event = AuditEvent.objects.filter(action="update").get()
    assert event.before == {"topic": "学习党章", "minutes": ""}
    assert event.after == {"topic": "新主题", "minutes": "记录"}


def test_update_moves_the_attendance_date_with_the_session(w):
    session = create(w)
    services.attendance_record(
        actor=w.secretary_v, session=session, entries={w.villagers[0].pk: "offline"}
    )
    services.session_update(actor=w.secretary_v, session=session, starts_at=at(20))
    assert Attendance.objects.get().held_on == timezone.localdate() - dt.timedelta(days=20)


def test_update_refuses_future_date_once_attendance_is_recorded(w):
    session = create(w)
    services.attendance_record(
        actor=w.secretary_v, session=session, entries={w.villagers[0].pk: "offline"}
    )
    with pytest.raises(ApplicationError) as exc:
        services.session_update(actor=w.secretary_v, session=session, starts_at=at(-3))
    assert exc.value.code == "future_with_attendance"
    session.refresh_from_db()
    assert session.held_on < timezone.localdate()


def test_update_refuses_unknown_fields_and_other_people(w):
    session = create(w)
    with pytest.raises(ApplicationError):
        services.session_update(actor=w.secretary_v, session=session, organization=w.community_a)
    with pytest.raises(PermissionDenied):
        services.session_update(actor=w.secretary_c, session=session, topic="x")


def test_delete_removes_attendance_and_audits(w):
    session = create(w)
    services.attendance_record(
        actor=w.secretary_v,
        session=session,
        entries={w.villagers[0].pk: "offline", w.villagers[1].pk: "absent"},
    )
    with pytest.raises(PermissionDenied):
        services.session_delete(actor=w.admin_b, session=session)
    services.session_delete(actor=w.secretary_v, session=session, reason="重复登记")
    assert not Session.objects.exists()
    assert not Attendance.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert event.before["attendance"] == {"offline": 1, "absent": 1}
    assert event.note == "重复登记"


# --- attendance ------------------------------------------------------------------------------


def test_attendance_replaces_the_list_in_one_go(w):
    session = create(w, format=SessionFormat.BOTH, online_link="会议号 1")
    v0, v1, v2 = w.villagers
    services.attendance_record(
        actor=w.secretary_v,
        session=session,
        entries=[(v0, "offline"), (v1, "online"), (v2, "excused")],
    )
    assert dict(Attendance.objects.values_list("member_id", "status")) == {
        v0.pk: "offline",
        v1.pk: "online",
        v2.pk: "excused",
    }
    assert set(Attendance.objects.values_list("held_on", flat=True)) == {session.held_on}
    services.attendance_record(
        actor=w.secretary_v, session=session, entries={v0.pk: "absent", str(v2.pk): "online"}
    )
    assert dict(Attendance.objects.values_list("member_id", "status")) == {
        v0.pk: "absent",
        v2.pk: "online",
    }
    events = AuditEvent.objects.filter(object_type="orglife.session", action="update")
    assert events.count() == 2
    assert events.first().after == {"attendance": {"absent": 1, "online": 1}}


def test_attendance_for_a_member_outside_the_organization_is_refused(w):
    session = create(w)
    services.attendance_record(
        actor=w.secretary_v, session=session, entries={w.villagers[0].pk: "offline"}
    )
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(
            actor=w.admin_a,  # sees the resident: told why
            session=session,
            entries={w.villagers[1].pk: "offline", w.resident.pk: "offline"},
        )
    assert exc.value.code == "member_outside_organization"
    assert "居民" in exc.value.message
    # Nothing half done: the earlier list stands.
    assert list(Attendance.objects.values_list("member_id", flat=True)) == [w.villagers[0].pk]


def test_attendance_for_a_member_out_of_the_actors_scope_looks_missing(w):
    """The village's secretary does not see the community's resident: the refusal must not
    reveal their name (nor that the id is a member's)."""
    session = create(w)
    w.resident.archived = True
    w.resident.save(update_fields=["archived"])
    for member in (w.resident, w.outsider):
        with pytest.raises(ApplicationError) as exc:
            services.attendance_record(
                actor=w.secretary_v,
                session=session,
                entries={w.villagers[1].pk: "offline", member.pk: "offline"},
            )
        assert exc.value.code == "member_not_found"
        assert member.name not in exc.value.message
        assert str(member.pk) in exc.value.message
    assert not Attendance.objects.exists()


def test_a_street_session_takes_members_of_its_whole_subtree(w):
    session = create(w, organization=w.street_a, kind=SessionKind.LECTURE, actor=w.admin_a)
    services.attendance_record(
        actor=w.admin_a,
        session=session,
        entries={w.villagers[0].pk: "offline", w.resident.pk: "offline"},
    )
    assert Attendance.objects.count() == 2
    with pytest.raises(ApplicationError):
        services.attendance_record(
            actor=w.admin_a, session=session, entries={w.outsider.pk: "offline"}
        )


def test_a_groups_session_takes_the_members_of_its_branch(w):
    session = create(w, organization=w.group_a, kind=SessionKind.GROUP_MEETING)
    services.attendance_record(
        actor=w.secretary_v, session=session, entries={w.villagers[0].pk: "offline"}
    )
    assert Attendance.objects.count() == 1


def test_a_mobile_member_is_accepted_at_the_inflow_organization(w):
    spell(w.outsider, home=w.village_b, inflow=w.community_a)
    session = create(w, organization=w.community_a, actor=w.secretary_c)
    services.attendance_record(
        actor=w.secretary_c, session=session, entries={w.outsider.pk: "offline"}
    )
    assert Attendance.objects.get().member == w.outsider


def test_a_mobile_member_is_accepted_at_the_station(w):
    spell(w.outsider, home=w.village_b, station=w.station_a)
    session = services.session_create(
        actor=w.staff,
        station=w.station_a,
        kind=SessionKind.THEME_DAY,
        starts_at=at(1),
        format=SessionFormat.ONLINE,
        online_link="会议号 2",
        topic="线上主题党日",
    )
    services.attendance_record(actor=w.staff, session=session, entries={w.outsider.pk: "online"})
    assert Attendance.objects.get().status == "online"


def test_a_mobile_member_elsewhere_or_back_home_is_refused(w):
    mobile = spell(w.outsider, home=w.village_b, inflow=w.courier_a)
    session = create(w, organization=w.community_a, actor=w.secretary_c)
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(
            actor=w.secretary_c, session=session, entries={w.outsider.pk: "offline"}
        )
    assert exc.value.code == "member_not_found"  # not in the secretary's scope: looks missing
    mobile.inflow_org, mobile.inflow_path = w.community_a, w.community_a.path
    mobile.status = MobilityStatus.RETURNED
    mobile.save()
    with pytest.raises(ApplicationError):
        services.attendance_record(
            actor=w.secretary_c, session=session, entries={w.outsider.pk: "offline"}
        )


def test_attendance_for_a_session_in_the_future_is_refused(w):
    session = create(w, starts_at=at(-1))
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(
            actor=w.secretary_v, session=session, entries={w.villagers[0].pk: "offline"}
        )
    assert exc.value.code == "session_in_future"
    assert not Attendance.objects.exists()


def test_status_must_be_valid_and_fit_the_format(w):
    session = create(w)  # offline
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(
            actor=w.secretary_v, session=session, entries={w.villagers[0].pk: "late"}
        )
    assert exc.value.code == "invalid_status"
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(
            actor=w.secretary_v, session=session, entries={w.villagers[0].pk: "online"}
        )
    assert exc.value.code == "status_format"


def test_functional_branch_merges_online_and_offline_into_one_record(w):
    session = create(
        w,
        organization=w.courier_a,
        actor=w.admin_a,
        format=SessionFormat.BOTH,
        online_link="钉钉群直播",
    )
    services.attendance_record(actor=w.admin_a, session=session, entries={w.courier.pk: "online"})
    services.attendance_record(actor=w.admin_a, session=session, entries={w.courier.pk: "offline"})
    assert Attendance.objects.filter(member=w.courier).count() == 1
    assert Attendance.objects.get().status == "offline"


def test_unknown_duplicate_and_archived_members(w):
    session = create(w)
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(actor=w.secretary_v, session=session, entries={999999: "absent"})
    assert exc.value.code == "member_not_found"
    v0 = w.villagers[0]
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(
            actor=w.secretary_v, session=session, entries=[(v0, "offline"), (v0, "absent")]
        )
    assert exc.value.code == "duplicate_member"
    services.attendance_record(actor=w.secretary_v, session=session, entries={v0.pk: "offline"})
    v0.archived = True
    v0.save()
    # Already recorded: kept; newly added: refused.
    services.attendance_record(actor=w.secretary_v, session=session, entries={v0.pk: "absent"})
    w.villagers[1].archived = True
    w.villagers[1].save()
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(
            actor=w.secretary_v, session=session, entries={w.villagers[1].pk: "absent"}
        )
    assert exc.value.code == "member_archived"


def test_attendance_needs_the_right_to_manage_the_session(w):
    session = create(w)
    for user in (w.plain_member, w.secretary_c, w.admin_b, w.staff, w.norole):
        with pytest.raises(PermissionDenied):
            services.attendance_record(actor=user, session=session, entries={})


def test_station_staff_record_only_the_mobile_members_at_their_station(w):
    """Station staff hold no role at the street: its own members are not theirs to record (nor
    to be offered), the mobile members at the station are."""
    from tongchou.orglife import selectors

    spell(w.outsider, home=w.village_b, station=w.station_a)
    session = services.session_create(
        actor=w.staff,
        station=w.station_a,
        kind=SessionKind.THEME_DAY,
        starts_at=at(2),
        format=SessionFormat.BOTH,
        online_link="会议号 888",
        topic="流动党员主题党日",
    )
    assert selectors.attendance_candidates(session, w.staff) == [w.outsider]
    assert w.resident in selectors.attendance_candidates(session, w.admin_a)
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(
            actor=w.staff,
            session=session,
            entries={w.outsider.pk: "online", w.resident.pk: "offline"},
        )
    assert exc.value.code == "member_not_found" and "居民" not in exc.value.message
    assert not Attendance.objects.exists()
    services.attendance_record(actor=w.staff, session=session, entries={w.outsider.pk: "online"})
    assert Attendance.objects.get().member == w.outsider


# --- everyone at once, then the exceptions ----------------------------------------------------


def test_everyone_present_then_the_exceptions_in_one_step(w):
    session = create(w)
    v0, v1, v2 = w.villagers
    spell(w.courier, home=w.courier_a, inflow=w.village_a)  # flowed in: not expected here
    services.attendance_record(
        actor=w.secretary_v,
        session=session,
        entries={v1.pk: "excused", w.courier.pk: "offline"},
        everyone="offline",
    )
    rows = dict(session.attendance.values_list("member_id", "status"))
    assert rows == {v0.pk: "offline", v1.pk: "excused", v2.pk: "offline", w.courier.pk: "offline"}
    event = AuditEvent.objects.filter(object_id=str(session.pk)).latest("pk")
    assert "应到3人" in event.note and "线下参加" in event.note
    assert event.after == {"attendance": {"offline": 3, "excused": 1}}


def test_everyone_refusals_name_the_field_and_write_nothing(w):
    session = create(w)
    cases = [
        (
            create(w, organization=w.group_a, kind=SessionKind.GROUP_MEETING),
            w.secretary_v,
            "excused",
            "invalid_status",
        ),
        (
            create(w, organization=w.group_a, kind=SessionKind.GROUP_MEETING),
            w.secretary_v,
            "offline",
            "no_roster",
        ),
        (session, w.secretary_v, "online", "status_format"),
    ]
    for target, actor, status, code in cases:
        with pytest.raises(ApplicationError) as exc:
            services.attendance_record(actor=actor, session=target, entries={}, everyone=status)
        assert exc.value.code == code and exc.value.field == "everyone", code
    from tongchou.mobility.models import ServiceStation, StationKind

    village_station = ServiceStation.objects.create(
        name="长胜村服务点",
        kind=StationKind.CITY_STREET,
        organization=w.village_a,
        org_path=w.village_a.path,
        region=w.region_a,
    )
    village_station.staff.add(w.staff)
    at_station = create(w, actor=w.staff, organization=None, station=village_station)
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(
            actor=w.staff, session=at_station, entries={}, everyone="offline"
        )
    assert exc.value.code == "everyone_needs_manager"
    assert not Attendance.objects.exists()


def test_a_member_expected_on_the_date_may_be_recorded_after_leaving(w):
    """Recorded late: someone transferred out (and archived) since the session was there."""
    from tongchou.members.models import Member

    session = create(w, starts_at=at(20))
    gone = w.villagers[2]
    Member.objects.filter(pk=gone.pk).update(archived=True)
    from tongchou.transfers.models import Transfer

    Transfer.objects.create(
        kind="outward",
        state="completed",
        member=gone,
        member_name=gone.name,
        from_org=w.village_a,
        from_path=w.village_a.path,
        to_text="外省",
        reason="r",
        completed_at=at(5),
    )
    services.attendance_record(actor=w.secretary_v, session=session, entries={}, everyone="offline")
    assert session.attendance.filter(member=gone).exists()


# --- host, minute-taker, lecturer -------------------------------------------------------------


def test_host_and_minute_taker_are_members_of_the_organization(w):
    v0, v1, _v2 = w.villagers
    session = create(w, host=v0, minute_taker=v1)
    assert (session.host, session.minute_taker) == (v0, v1)
    event = AuditEvent.objects.get(object_id=str(session.pk), action="create")
    assert event.after["host"] == v0.pk and event.after["minute_taker"] == v1.pk
    with pytest.raises(ApplicationError) as exc:
        create(w, host=w.resident, actor=w.admin_a)  # another branch's member
    assert exc.value.code == "member_outside_organization" and exc.value.field == "host"
    with pytest.raises(ApplicationError) as exc:
        create(w, minute_taker=w.outsider)  # out of the secretary's sight: looks missing
    assert exc.value.code == "member_not_found" and exc.value.field == "minute_taker"
    assert "外县党员" not in str(exc.value.message)
    # A mobile member the branch looks after may host.
    spell(w.courier, home=w.courier_a, inflow=w.village_a)
    assert create(w, host=w.courier, actor=w.admin_a).host == w.courier


def test_the_lecturer_is_for_party_lectures_a_member_or_a_name(w):
    lecture = create(w, kind=SessionKind.LECTURE, lecturer=w.villagers[0])
    assert lecture.lecturer_label == "村民0"
    named = create(w, kind=SessionKind.LECTURE, lecturer_name="李老师（市委党校）")
    assert named.lecturer_label == "李老师（市委党校）" and named.lecturer is None
    # A member elsewhere whom the recorder may see (the county admin: a street resident).
    assert create(w, actor=w.admin_a, kind=SessionKind.LECTURE, lecturer=w.resident).lecturer
    for kwargs, code, field in [
        (
            {"kind": SessionKind.THEME_DAY, "lecturer_name": "李老师"},
            "lecturer_for_lectures",
            "lecturer_name",
        ),
        (
            {"kind": SessionKind.LECTURE, "lecturer": w.villagers[0], "lecturer_name": "李"},
            "lecturer_twice",
            "lecturer_name",
        ),
        ({"kind": SessionKind.LECTURE, "lecturer": w.resident}, "member_not_found", "lecturer"),
        ({"kind": SessionKind.LECTURE, "lecturer_name": "长" * 51}, "invalid", "lecturer_name"),
    ]:
        with pytest.raises(ApplicationError) as exc:
            create(w, **kwargs)
        assert (exc.value.code, exc.value.field) == (code, field)
    # A lecture turned into a theme day drops its lecturer.
    services.session_update(actor=w.secretary_v, session=lecture, kind=SessionKind.THEME_DAY)
    lecture.refresh_from_db()
    assert lecture.lecturer is None and lecture.lecturer_name == ""


def test_a_host_archived_since_stays_named(w):
    from tongchou.members.models import Member

    session = create(w, host=w.villagers[0])
    Member.objects.filter(pk=w.villagers[0].pk).update(archived=True)
    session = Session.objects.get(pk=session.pk)
    services.session_update(actor=w.secretary_v, session=session, topic="改了主题")
    with pytest.raises(ApplicationError) as exc:
        services.session_update(
            actor=w.secretary_v,
            session=session,
            minute_taker=Member.objects.get(pk=w.villagers[0].pk),
        )
    assert exc.value.code == "member_archived"
