"""The life of a need: intake, routing, deadlines, escalation, the resident's answer."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.service import selectors, services
from tongchou.service.models import EventKind, Household, Intake, Need, NeedState

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=dt.UTC)


def submit(world, category=None, **kw):
    kw.setdefault("now", at(2024, 9, 27))
    return services.need_submit(
        actor=world.admin_a,
        intake=Intake.STAFF,
        category=category or world.employment,
        organization=world.a.village,
        summary=kw.pop("summary", "想找一份城里的工作"),
        description=kw.pop("description", "返乡后想进城务工"),
        phone=kw.pop("phone", "13912345678"),
        **kw,
    )


def test_intake_routes_most_specific_rule_and_deadlines_in_working_days(world):
    need = submit(world)
    assert need.unit == world.bureau and need.rule == world.rule_jobs
    # Friday Sep 27 2024: +2 working days = Sun Sep 29 (swapped), Mon Sep 30.
    assert need.ack_due == dt.date(2024, 9, 30)
    # +10: Sep 29, 30, Oct 8, 9, 10, 11, 12 (swapped Sat), 14, 15, 16.
    assert need.resolve_due == dt.date(2024, 10, 16)
    assert need.street_path == world.a.street.path and need.county_path == world.a.county.path
    assert need.phone_masked.startswith("139") and "1234" not in need.phone_masked
    assert "13912345678" not in need.phone_enc
    other = submit(world, category=world.health)
    assert other.unit == world.hospital and other.rule == world.rule_any
    kinds = list(need.events.values_list("kind", flat=True))
    assert kinds == [EventKind.SUBMITTED, EventKind.ROUTED]
    assert AuditEvent.objects.filter(object_type="service.need", object_id=str(need.pk)).exists()


def test_no_rule_leaves_the_need_unrouted(world):
    need = services.need_submit(
        actor=world.admin_b,
        intake=Intake.STAFF,
        category=world.employment,
        organization=world.b.village,
        summary="修路",
        now=at(2024, 2, 8),
    )
    assert need.unit is None
    # Thursday Feb 8 2024 + 2 working days: Feb 9, Sunday Feb 18 (swapped).
    assert need.ack_due == dt.date(2024, 2, 18)


def test_bad_input_is_refused_and_nothing_is_written(world):
    before = Need.objects.count()
    with pytest.raises(ApplicationError) as e:
        submit(world, category="no-such")
    assert e.value.code == "unknown_category"
    with pytest.raises(ApplicationError) as e:
        submit(world, description="长" * 4001)
    assert e.value.code == "too_long" and e.value.field == "description"
    with pytest.raises(ApplicationError) as e:
        services.need_submit(
            actor=world.admin_a,
            intake=Intake.STAFF,
            category=world.employment,
            organization=None,
            summary="x",
        )
    assert e.value.code == "missing_location"
    with pytest.raises(PermissionDenied):
        services.need_submit(
            actor=world.admin_a,
            intake=Intake.STAFF,
            category=world.employment,
            organization=world.b.village,
            summary="x",
        )
    assert Need.objects.count() == before


def test_full_life_confirm_and_close(world):
    need = submit(world, now=timezone.now())
    with pytest.raises(PermissionDenied):
        services.need_accept(actor=world.hospital_staff, need=need)
    need = services.need_accept(actor=world.bureau_staff, need=need)
    need = services.need_start(actor=world.bureau_staff, need=need)
    with pytest.raises(ApplicationError) as e:
        services.need_confirm(tracking_code=need.tracking_code, rating=5)
    assert e.value.code == "not_resolved"
    need = services.need_resolve(actor=world.bureau_staff, need=need, resolution="推荐到园区企业")
    assert need.on_time is True
    with pytest.raises(ApplicationError) as e:
        services.need_confirm(tracking_code=need.tracking_code, rating=6)
    assert e.value.code == "invalid_rating"
    need = services.need_confirm(tracking_code=need.tracking_code, rating=5, comment="很好")
    assert need.state == NeedState.CONFIRMED and need.rating == 5
    need = services.need_close(actor=world.admin_a, need=need)
    assert need.state == NeedState.CLOSED
    kinds = [e.kind for e in selectors.history_of(need)]
    assert kinds == [
        "submitted",
        "routed",
        "accepted",
        "started",
        "resolved",
        "confirmed",
        "closed",
    ]


def test_reopen_within_the_window_only(world):
    need = submit(world, now=timezone.now())
    need = services.need_resolve(actor=world.bureau_staff, need=need, resolution="已办")
    later = need.resolved_at + dt.timedelta(days=services.REOPEN_DAYS + 1)
    with pytest.raises(ApplicationError) as e:
        services.need_reopen(tracking_code=need.tracking_code, reason="没解决", now=later)
    assert e.value.code == "reopen_window_over"
    with pytest.raises(ApplicationError):
        services.need_reopen(tracking_code=need.tracking_code, reason=" ")
    need = services.need_reopen(tracking_code=need.tracking_code, reason="还没解决")
    assert need.state == NeedState.REOPENED and need.on_time is None
    assert need.clock_start == timezone.localdate()


def test_reassign_with_a_reason_and_merge_keeps_both_histories(world):
    need = submit(world)
    with pytest.raises(ApplicationError):
        services.need_reassign(actor=world.admin_a, need=need, unit=world.hospital, reason="")
    need = services.need_reassign(
        actor=world.admin_a, need=need, unit=world.hospital, reason="需要体检证明"
    )
    assert need.unit == world.hospital and need.rule is None and need.route_note == "需要体检证明"
    dup = submit(world, summary="同一件事")
    survivor = services.need_merge(actor=world.admin_a, duplicate=dup, into=need)
    dup.refresh_from_db()
    assert dup.state == NeedState.MERGED and dup.merged_into == survivor
    history = selectors.history_of(survivor)
    assert {e.need_id for e in history} == {need.pk, dup.pk}


def test_calendar_correction_moves_open_deadlines_not_resolved_ones(world):
    open_need = submit(world)
    done = submit(world)
    services.need_resolve(actor=world.bureau_staff, need=done, resolution="ok", now=at(2024, 9, 28))
    done.refresh_from_db()
    old_due = done.resolve_due
    # A late notice: Tuesday Oct 8 2024 declared a day off.
    moved = services.calendar_correct(
        actor=world.root, day=dt.date(2024, 10, 8), is_workday=False, note="补充通知"
    )
    assert moved == 1
    open_need.refresh_from_db()
    done.refresh_from_db()
    assert open_need.resolve_due == dt.date(2024, 10, 17)
    assert done.resolve_due == old_due
    assert open_need.events.filter(kind=EventKind.DEADLINE_MOVED).exists()
    with pytest.raises(PermissionDenied):
        services.calendar_correct(
            actor=world.secretary_a, day=dt.date(2024, 10, 9), is_workday=False
        )


def test_overdue_escalates_to_the_street_then_the_county(world):
    need = submit(world)  # acknowledge due Sep 30, resolve due Oct 16 2024
    assert services.needs_escalate(today=dt.date(2024, 9, 30)) == (0, 0)
    need = services.need_accept(actor=world.bureau_staff, need=need)  # late, but accepted
    assert services.needs_escalate(today=dt.date(2024, 10, 16)) == (0, 0)
    assert services.needs_escalate(today=dt.date(2024, 10, 17)) == (1, 0)
    need.refresh_from_db()
    assert need.escalation == 1 and need.escalated_to_path == world.a.street.path
    # The street is told: a role holder there sees it waiting.
    from tongchou.core.tests.factories import UserFactory, grant

    street_secretary = UserFactory(username="street_sec")
    grant(street_secretary, world.a.street, "secretary")
    assert selectors.waiting_for(street_secretary, dt.date(2024, 10, 17))["escalated"] == [need]
    # 3 working days at the street: Oct 18, 21, 22 → the county on the 22nd.
    assert services.needs_escalate(today=dt.date(2024, 10, 21)) == (0, 0)
    assert services.needs_escalate(today=dt.date(2024, 10, 22)) == (0, 1)
    need.refresh_from_db()
    assert need.escalated_to_path == world.a.county.path
    assert selectors.waiting_for(world.admin_a, dt.date(2024, 10, 22))["escalated"] == [need]
    assert selectors.county_overdue(world.a.county.path, dt.date(2024, 10, 22)) == [need]


def test_unit_staff_see_only_their_routed_needs(world):
    jobs = submit(world)
    health = submit(world, category=world.health)
    assert list(selectors.need_list_for(world.bureau_staff)) == [jobs]
    assert list(selectors.need_list_for(world.hospital_staff)) == [health]
    assert not selectors.need_list_for(world.norole).exists()
    assert not selectors.need_list_for(world.admin_b).exists()
    assert selectors.need_list_for(world.admin_a).count() == 2


def test_public_figures_and_resolved_list(world):
    need = submit(world, now=timezone.now())
    services.need_resolve(actor=world.bureau_staff, need=need, resolution="已推荐岗位")
    services.need_confirm(tracking_code=need.tracking_code, rating=4)
    submit(world, now=timezone.now())
    figures = selectors.street_figures(today=timezone.localdate())
    assert figures == [
        {
            "street_path": world.a.street.path,
            "received": 2,
            "on_time": 1,
            "overdue": 0,
            "rating": 4.0,
            "name": world.a.street.name,
        }
    ]
    assert [n.pk for n in selectors.public_resolved()] == [need.pk]


def test_a_visit_raises_needs(world):
    household = Household.objects.create(
        address="甲村3组5号", organization=world.a.village, org_path=world.a.village.path,
        consent=True,
    )  # fmt: skip
    member = world.a.members[0]
    member.user = world.member_a
    member.save(update_fields=["user"])
    visit = services.visit_record(
        actor=world.member_a,
        household=household,
        member=member,
        visited_on=dt.date(2024, 5, 6),
        way="in_person",
        notes="老人想找活干",
        needs=[{"category": world.employment, "summary": "找工作"}],
    )
    need = visit.needs.get()
    assert need.intake == Intake.VISIT and need.unit == world.bureau
    household.refresh_from_db()
    assert household.last_visited_on == dt.date(2024, 5, 6)
    with pytest.raises(PermissionDenied):
        services.visit_record(
            actor=world.norole, household=household, visited_on=dt.date(2024, 5, 6), way="phone"
        )


def test_contact_suggestion_by_load_and_assignment(world):
    from tongchou.core.tests.factories import create_member

    busy, free = world.a.members[0], world.a.members[1]
    make = lambda **kw: Household.objects.create(  # noqa: E731
        address="x", organization=world.a.village, org_path=world.a.village.path, **kw
    )
    make(contact=busy)
    make(contact=busy)
    target = make()
    create_member(world.b.village, name="外村")
    suggested = [m for m, _ in services.contact_suggestions(target)]
    assert suggested == [free, busy]  # fewest households first; only the village's members
    services.household_assign(actor=world.secretary_a, household=target, member=free)
    target.refresh_from_db()
    assert target.contact == free  # the secretary chose; nothing was forced
    with pytest.raises(ApplicationError):
        services.household_assign(
            actor=world.secretary_a, household=target, member=world.b.members[0]
        )
    with pytest.raises(PermissionDenied):
        services.household_assign(actor=world.admin_b, household=target, member=free)


def test_daily_command_closes_resolved_needs_past_the_window(world):
    import io

    from django.core.management import call_command

    need = submit(world, now=timezone.now() - dt.timedelta(days=40))
    services.need_resolve(
        actor=world.bureau_staff, need=need, resolution="ok",
        now=timezone.now() - dt.timedelta(days=services.REOPEN_DAYS + 2),
    )  # fmt: skip
    out = io.StringIO()
    call_command("service_escalate", stdout=out)
    need.refresh_from_db()
    assert need.state == NeedState.CLOSED and "closed 1" in out.getvalue()


def test_a_visit_keeps_its_optional_photos_clean_and_a_bad_one_refuses_the_visit(
    world, settings, tmp_path
):
    from PIL import Image

    from tongchou.resources.tests.factories import png_upload
    from tongchou.service.models import Visit

    settings.MEDIA_ROOT = tmp_path
    household = Household.objects.create(
        address="甲村3组6号", organization=world.a.village, org_path=world.a.village.path,
        consent=True,
    )  # fmt: skip
    visit = services.visit_record(
        actor=world.secretary_a,
        household=household,
        visited_on=dt.date(2024, 5, 6),
        way="in_person",
        photos=[png_upload(), png_upload(size=(4000, 10))],
        photos_agreed=True,
    )
    photos = list(visit.photos.all())
    assert len(photos) == 2
    with photos[1].image.open("rb") as f, Image.open(f) as image:
        assert image.format == "JPEG" and image.size[0] == 1600
    with pytest.raises(ApplicationError) as caught:
        services.visit_record(
            actor=world.secretary_a,
            household=household,
            visited_on=dt.date(2024, 5, 7),
            way="in_person",
            photos=[png_upload(), SimpleUploadedFile("x.jpg", b"GIF89a" + b"\x00" * 50)],
            photos_agreed=True,
        )
    assert caught.value.field == "photos"
    with pytest.raises(ApplicationError) as caught:
        services.visit_record(
            actor=world.secretary_a,
            household=household,
            visited_on=dt.date(2024, 5, 7),
            way="in_person",
            photos=[png_upload() for _ in range(services.VISIT_PHOTOS + 1)],
            photos_agreed=True,
        )
    assert caught.value.code == "too_many_photos"
    with pytest.raises(ApplicationError) as caught:  # no photo without the household's yes
        services.visit_record(
            actor=world.secretary_a,
            household=household,
            visited_on=dt.date(2024, 5, 7),
            way="in_person",
            photos=[png_upload()],
        )
    assert (caught.value.code, caught.value.field) == ("photos_not_agreed", "photos_agreed")
    # Nothing of the refused visits was kept: no row, no file.
    assert Visit.objects.filter(household=household).count() == 1
    assert sorted(p.name for p in tmp_path.rglob("*.jpg")) == sorted(
        Path(p.image.name).name for p in photos
    )
