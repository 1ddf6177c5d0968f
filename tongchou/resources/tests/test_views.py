"""The pages: search for a free room, book it, the second booker refused on the form, a session
recorded at the booking without retyping, a cancellation reaching the organizer, the week view,
the flow report and the iCalendar feeds."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tongchou.core.errors import ApplicationError
from tongchou.core.tests.factories import UserFactory, grant
from tongchou.organizations.models import RoleKind
from tongchou.orglife.models import Session
from tongchou.resources import services
from tongchou.resources.models import Booking, BookingState, Resource
from tongchou.resources.selectors import organization_feed_for
from tongchou.resources.tests.factories import at, book, make_room, workday

pytestmark = pytest.mark.django_db


def _search(client, **params):
    return client.get(reverse("resources:list"), params)


def test_search_finds_the_free_room_by_region_capacity_and_time(client, world):
    room = make_room(world)
    small = make_room(world, name="小会议室", capacity=10)
    day = workday()
    client.force_login(world.secretary_a)
    params = {
        "kind": "room",
        "region": world.a.county_region.code,
        "capacity": 40,
        "day": day.isoformat(),
        "start": "14:00",
        "end": "17:00",
    }
    shown = list(_search(client, **params).context["page"])
    assert room in shown and small not in shown
    book(world, room, actor=world.admin_b, org=world.b.village, day=day, start=(16, 0), end=(17, 0))
    assert room not in list(_search(client, **params).context["page"])
    # Outside the opening hours nothing is offered.
    late = {**params, "start": "19:00", "end": "20:00"}
    assert room not in list(_search(client, **late).context["page"])
    # Another county's code finds nothing of county A.
    other = {**params, "region": world.b.county_region.code, "day": day.isoformat()}
    assert not list(_search(client, **other).context["page"])


def test_booking_on_the_page_and_the_second_booker_is_refused_on_the_form(client, world):
    room = make_room(world)
    day = workday()
    client.force_login(world.secretary_a)
    url = reverse("resources:book", args=[room.pk])
    form = client.get(url, {"day": day.isoformat(), "start": "14:00", "end": "16:00"})
    assert form.context["form"]["organization"].value() == world.a.village.code
    body = {
        "organization": world.a.village.code,
        "day": day.isoformat(),
        "start": "14:00",
        "end": "16:00",
        "purpose": "主题党日",
        "people": "30",
    }
    response = client.post(url, body)
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("resources:booking_detail", args=[booking.pk])
    client.force_login(world.admin_b)
    refused = client.post(url, {**body, "organization": world.b.village.code, "start": "15:00"})
    assert refused.status_code == 200
    assert "该时段已被预约" in str(refused.context["form"].errors)
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"people": "61"}, "超过容纳人数"),
        ({"start": "16:00", "end": "15:00"}, "结束时间应晚于开始时间"),
        ({"start": "19:00", "end": "20:00"}, "超出开放时间"),
    ],
)
def test_bad_input_on_the_form_is_named_and_nothing_is_written(client, world, change, message):
    room = make_room(world)
    client.force_login(world.secretary_a)
    body = {
        "organization": world.a.village.code,
        "day": workday().isoformat(),
        "start": "14:00",
        "end": "16:00",
        "purpose": "主题党日",
        "people": "30",
        **change,
    }
    response = client.post(reverse("resources:book", args=[room.pk]), body)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors)
    assert not Booking.objects.exists()


def test_a_recurring_booking_is_checked_first_then_the_free_ones_booked(client, world):
    room = make_room(world)
    day = workday(8)
    book(world, room, actor=world.admin_b, org=world.b.village, day=day + dt.timedelta(weeks=1))
    client.force_login(world.secretary_a)
    url = reverse("resources:book", args=[room.pk])
    body = {
        "organization": world.a.village.code,
        "day": day.isoformat(),
        "start": "14:00",
        "end": "16:00",
        "purpose": "党小组会",
        "people": "10",
        "repeat": "weekly",
        "count": "3",
    }
    check = client.post(url, body)
    assert check.status_code == 200
    preview = check.context["preview"]
    assert len(preview["skipped"]) >= 1
    assert Booking.objects.filter(organization=world.a.village).count() == 0
    done = client.post(url, {**body, "mode": "free"})
    assert done.status_code == 302
    assert Booking.objects.filter(organization=world.a.village).count() == len(preview["free"])


def test_a_session_takes_the_place_and_time_of_a_booking_and_hears_of_its_cancellation(
    client, world
):
    room = make_room(world)
    booking = book(world, room)
    client.force_login(world.secretary_a)
    create = reverse("orglife:create") + f"?booking={booking.pk}"
    form = client.get(create).context["form"]
    assert form["organization"].value() == world.a.village.code
    assert "党群服务中心多功能厅" in form["place"].value()
    starts = timezone.localtime(booking.starts_at)
    response = client.post(
        create,
        {
            "organization": world.a.village.code,
            "kind": "theme_day",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "format": "offline",
            "place": form["place"].value(),
            "topic": "主题党日",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    session = Session.objects.get()
    booking.refresh_from_db()
    assert booking.session == session and session.place.startswith("党群服务中心多功能厅")
    # The owner cancels: the organizer finds it on the home page.
    services.booking_cancel(actor=world.admin_a, booking=booking, reason="场地维修")
    home = client.get(reverse("home"))
    assert booking in home.context["waiting"].bookings_cancelled
    assert "场地维修" in home.content.decode()


def test_a_training_takes_the_place_and_date_of_a_booking(client, world):
    room = make_room(world)
    booking = book(world, room)
    client.force_login(world.secretary_a)
    form = client.get(reverse("education:training_create") + f"?booking={booking.pk}")
    initial = form.context["form"].initial
    assert initial["held_on"] == timezone.localtime(booking.starts_at).date()
    assert initial["hours"] == 2.0


def test_requests_wait_on_the_keepers_home_page(client, world):
    room = make_room(world, auto_confirm=False)
    booking = book(world, room)
    client.force_login(world.admin_a)
    assert booking in client.get(reverse("home")).context["waiting"].bookings_to_decide
    response = client.post(reverse("resources:booking_confirm", args=[booking.pk]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == BookingState.CONFIRMED


def test_the_week_shows_who_booked_only_in_scope(client, world):
    room = make_room(world, owner=world.city)
    day = workday()
    book(world, room, day=day, purpose="甲村主题党日")
    url = reverse("resources:detail", args=[room.pk]) + f"?week={day.isoformat()}"
    client.force_login(world.admin_a)
    assert world.a.village.name in client.get(url).content.decode()
    client.force_login(world.admin_b)
    page = client.get(url).content.decode()
    assert world.a.village.name not in page and "已占用" in page


def test_the_flow_report_counts_one_urban_to_rural_use_and_drills_down(client, world):
    room = make_room(world)
    booking = book(world, room)
    year = timezone.localtime(booking.starts_at).year
    client.force_login(world.admin_a)
    report = client.get(reverse("resources:flows"), {"year": year}).context["report"]
    assert report.totals["u2r"].uses == 1 and report.totals["u2r"].hours == 2
    assert report.total.people == 30
    rows = client.get(reverse("resources:flow_rows"), {"year": year, "direction": "u2r"})
    assert [r.url for r in rows.context["rows"]] == [
        reverse("resources:booking_detail", args=[booking.pk])
    ]
    # County B's admin: no flow of theirs.
    client.force_login(world.admin_b)
    report = client.get(reverse("resources:flows"), {"year": year}).context["report"]
    assert report.total.uses == 0
    # County B's village is not among county A's choices: a form error, no report.
    client.force_login(world.admin_a)
    response = client.get(reverse("resources:flows"), {"year": year, "org": world.b.village.pk})
    assert response.context["report"] is None and response.context["form"].errors["org"]


def test_ical_feeds_parse_with_a_real_parser(client, world):
    room = make_room(world, auto_confirm=False)
    requested = book(world, room, start=(9, 0), end=(10, 0))
    confirmed = book(world, room, start=(14, 0), end=(16, 0))
    services.booking_confirm(actor=world.admin_a, booking=confirmed)
    response = client.get(reverse("resources:resource_feed", args=[room.feed_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"booking-{requested.pk}@tongchou", f"booking-{confirmed.pk}@tongchou"}
    event = events[f"booking-{confirmed.pk}@tongchou"]
    assert event.decoded("DTSTART") == confirmed.starts_at
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(events[f"booking-{requested.pk}@tongchou"]["STATUS"]) == "TENTATIVE"
    for line in response.content.split(b"\r\n"):
        assert len(line) <= 75  # folded as RFC 5545 says
    token = organization_feed_for(world.a.village).token
    org_cal = Calendar.from_ical(
        client.get(reverse("resources:organization_feed", args=[token])).content
    )
    assert len(org_cal.walk("VEVENT")) == 2
    # A wrong token is a 404, like anything missing.
    assert client.get(reverse("resources:resource_feed", args=["x" * 32])).status_code == 404


def test_the_member_sees_their_branch_bookings_at_me(client, world):
    member = world.a.members[0]
    member.user = world.member_a
    member.save(update_fields=["user"])
    room = make_room(world)
    book(world, room, purpose="支部党员大会")
    client.force_login(world.member_a)
    assert "支部党员大会" in client.get(reverse("portal:home")).content.decode()


def test_a_resource_is_added_on_its_page(client, world):
    user = UserFactory(username="street_secretary")
    grant(user, world.a.street, RoleKind.SECRETARY)
    client.force_login(user)
    response = client.post(
        reverse("resources:create"),
        {
            "owner": world.a.street.code,
            "kind": "room",
            "name": "<b>议事厅</b>",
            "region": world.a.village_region.code,
            "status": "in_use",
            "capacity": "30",
            "visibility": "county",
            "bookers": "visible",
            "opening_hours": "\n".join(["08:30-17:30"] * 5 + ["-", "-"]),
            "closed_on_days_off": "on",
            "lead_hours": "0",
            "buffer_before": "15",
            "buffer_after": "15",
            "hold_hours": "48",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(response["Location"]).content.decode()
    assert "&lt;b&gt;议事厅&lt;/b&gt;" in page and "<b>议事厅</b>" not in page
    assert Resource.objects.get().region == world.a.village_region
    assert at(workday(), 9)  # the helper makes aware datetimes


# --- photos ------------------------------------------------------------------------------------


def _jpeg_with_gps() -> bytes:
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 1.0, 2.0)}  # GPS IFD: where the picture was taken
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), (10, 120, 60)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_is_kept_clean_and_shown_through_the_resource_scope(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    room = make_room(world, visibility="subtree")
    client.force_login(world.admin_a)
    upload = SimpleUploadedFile("hall.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(
        reverse("resources:photo_add", args=[room.pk]),
        {"photo": upload, "caption": "<b>大厅</b>"},
    )
    assert response.status_code == 302
    photo = room.photos.get()
    page = client.get(reverse("resources:detail", args=[room.pk])).content.decode()
    assert "&lt;b&gt;大厅&lt;/b&gt;" in page and "<b>大厅</b>" not in page
    served = client.get(reverse("resources:photo", args=[room.pk, photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    body = b"".join(served.streaming_content)
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG" and max(image.size) == 1600  # shrunk for the page
        assert not image.getexif()  # no GPS, no maker: re-encoded from the pixels
    # Out of scope it is missing, as the resource is.
    client.force_login(world.admin_b)
    assert client.get(reverse("resources:photo", args=[room.pk, photo.pk])).status_code == 404


def test_a_file_that_is_not_a_photo_is_refused_naming_the_field_and_nothing_is_kept(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    room = make_room(world)
    client.force_login(world.admin_a)
    script = SimpleUploadedFile(
        "x.jpg", b"<script>alert(1)</script>" * 10, content_type="image/jpeg"
    )
    response = client.post(reverse("resources:photo_add", args=[room.pk]), {"photo": script})
    assert response.status_code == 400
    assert "只接受 JPEG、PNG 或 WebP 格式的照片" in response.content.decode()
    assert not room.photos.exists()


def test_photos_are_capped_per_resource_and_removed_with_their_file(
    world, django_capture_on_commit_callbacks
):
    from tongchou.resources.tests.factories import png_upload

    room = make_room(world)
    photos = [
        services.resource_photo_add(actor=world.admin_a, resource=room, upload=png_upload())
        for _ in range(services.PHOTOS_PER_RESOURCE)
    ]
    with pytest.raises(ApplicationError) as caught:
        services.resource_photo_add(actor=world.admin_a, resource=room, upload=png_upload())
    assert (caught.value.code, caught.value.field) == ("too_many_photos", "photo")
    with pytest.raises(PermissionDenied):
        services.resource_photo_remove(actor=world.secretary_a, photo=photos[0])
    storage, name = photos[0].image.storage, photos[0].image.name
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_photo_remove(actor=world.admin_a, photo=photos[0])
    assert not storage.exists(name)
    assert room.photos.count() == services.PHOTOS_PER_RESOURCE - 1


def test_a_photo_whose_row_cannot_be_written_leaves_no_file(world, monkeypatch, settings, tmp_path):
    from tongchou.core import audit
    from tongchou.resources.tests.factories import png_upload

    settings.MEDIA_ROOT = tmp_path
    room = make_room(world)

    def broken(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.resource_photo_add(actor=world.admin_a, resource=room, upload=png_upload())
    assert not room.photos.exists()
    assert not list(Path(tmp_path).rglob("*.jpg"))
