"""Pages: staff intake, the resident's public pages, hostile input shown as text."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongchou.service import services
from tongchou.service.models import Intake, Need, NeedState

pytestmark = pytest.mark.django_db


def test_public_submit_gives_a_code_and_the_page_shows_script_as_text(world):
    c = Client()
    r = c.post(
        "/service/submit/",
        {
            "category": world.employment.pk,
            "organization": world.a.village.pk,
            "summary": "<script>alert('x')</script>找工作",
            "description": "<b>bold</b>",
            "phone": "13811112222",
        },
    )
    assert r.status_code == 200
    need = Need.objects.get()
    assert need.intake == Intake.PUBLIC and need.unit == world.bureau
    assert need.tracking_code in r.content.decode()
    page = c.get(f"/service/track/{need.tracking_code}/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "13811112222" not in page and "<b>bold</b>" not in page
    # The staff page escapes too, and masks the phone.
    c.force_login(world.bureau_staff)
    page = c.get(f"/service/{need.pk}/").content.decode()
    assert "<script>alert" not in page and "13811112222" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_oversized_text_is_refused_and_nothing_is_written(world):
    r = Client().post(
        "/service/submit/",
        {"category": world.employment.pk, "organization": world.a.village.pk,
         "summary": "x", "description": "长" * 4001},
    )  # fmt: skip
    assert r.status_code == 200 and not Need.objects.exists()
    assert "4000" in r.content.decode()


def test_unknown_tracking_code_is_a_plain_404():
    c = Client()
    a = c.get("/service/track/ZZZZZZZZZZ/")
    b = c.get("/service/track/" + "Q" * 40 + "/")
    assert a.status_code == 404 and b.status_code == 404


def test_resident_confirms_with_a_rating_through_the_code(world):
    need = services.need_submit(
        actor=world.admin_a, intake=Intake.STAFF, category=world.employment,
        organization=world.a.village, summary="找工作",
    )  # fmt: skip
    c = Client()
    url = f"/service/track/{need.tracking_code}/"
    r = c.post(url, {"step": "confirm", "rating": 5})
    assert r.status_code == 302
    need.refresh_from_db()
    assert need.state == NeedState.SUBMITTED  # not resolved: refused, nothing changed
    staff = Client()
    staff.force_login(world.bureau_staff)
    r = staff.post(f"/service/{need.pk}/step/", {"step": "resolve", "resolution": "推荐岗位"})
    assert r.status_code == 302
    r = c.post(url, {"step": "confirm", "rating": 9})
    assert r.status_code == 400
    r = c.post(url, {"step": "confirm", "rating": 4, "comment": "谢谢"})
    need.refresh_from_db()
    assert need.state == NeedState.CONFIRMED and need.rating == 4


def test_unit_staff_see_only_their_unit_and_home_page_lists_it(world):
    jobs = services.need_submit(
        actor=world.admin_a, intake=Intake.STAFF, category=world.employment,
        organization=world.a.village, summary="找工作",
    )  # fmt: skip
    health = services.need_submit(
        actor=world.admin_a, intake=Intake.STAFF, category=world.health,
        organization=world.a.village, summary="看病",
    )  # fmt: skip
    c = Client()
    c.force_login(world.bureau_staff)
    assert c.get(f"/service/{jobs.pk}/").status_code == 200
    assert c.get(f"/service/{health.pk}/").status_code == 404
    home = c.get("/").content.decode()
    assert "找工作" in home and "看病" not in home
    listing = c.get("/service/").content.decode()
    assert "找工作" in listing and "看病" not in listing


def test_staff_intake_form(world):
    c = Client()
    c.force_login(world.secretary_a)
    r = c.post(
        "/service/new/",
        {"category": world.health.pk, "organization": world.a.village.pk, "summary": "腿疼",
         "resident_name": "李大爷", "phone": "13900002222"},
    )  # fmt: skip
    need = Need.objects.get()
    assert r.status_code == 302 and need.unit == world.hospital
    assert c.get("/service/public/").status_code == 200


def test_secretary_assigns_a_contact_from_the_suggestions(world):
    from tongchou.service.models import Household

    household = Household.objects.create(
        address="甲村1号", organization=world.a.village, org_path=world.a.village.path
    )
    c = Client()
    c.force_login(world.secretary_a)
    page = c.get(f"/service/households/{household.pk}/").content.decode()
    assert world.a.members[1].name in page
    r = c.post(
        f"/service/households/{household.pk}/",
        {"step": "assign", "member": world.a.members[1].pk},
    )
    assert r.status_code == 302
    household.refresh_from_db()
    assert household.contact == world.a.members[1]
    # A member of another village is not accepted, and nothing changes.
    c.post(
        f"/service/households/{household.pk}/", {"step": "assign", "member": world.b.members[0].pk}
    )
    household.refresh_from_db()
    assert household.contact == world.a.members[1]


def test_api_lists_only_what_the_caller_may_read(world):
    jobs = services.need_submit(
        actor=world.admin_a, intake=Intake.STAFF, category=world.employment,
        organization=world.a.village, summary="找工作", phone="13911112222",
    )  # fmt: skip
    services.need_submit(
        actor=world.admin_a, intake=Intake.STAFF, category=world.health,
        organization=world.a.village, summary="看病",
    )  # fmt: skip
    c = Client()
    c.force_login(world.bureau_staff)
    body = c.get("/api/service/needs/").json()
    assert [row["id"] for row in body["results"]] == [jobs.pk]
    assert "13911112222" not in str(body) and body["results"][0]["unit_name"] == world.bureau.name
    c.force_login(world.admin_b)
    assert c.get(f"/api/service/needs/{jobs.pk}/").status_code == 404


def test_a_visit_with_photos_from_the_household_page(world, settings, tmp_path):
    from tongchou.resources.tests.factories import png_upload
    from tongchou.service.models import Household

    settings.MEDIA_ROOT = tmp_path
    household = Household.objects.create(
        address="甲村2号", organization=world.a.village, org_path=world.a.village.path
    )
    c = Client()
    c.force_login(world.secretary_a)
    url = f"/service/households/{household.pk}/"
    form = {
        "visited_on": "2024-05-06",
        "way": "in_person",
        "notes": "院子里种了菜",
        "photos_agreed": "on",
    }
    r = c.post(url, {**form, "photos": [png_upload("a.png"), png_upload("b.png")]})
    assert r.status_code == 302
    visit = household.visits.get()
    assert visit.photos.count() == 2
    page = c.get(url).content.decode()
    first = visit.photos.first()
    assert f"/service/visits/{visit.pk}/photos/{first.pk}.jpg" in page
    assert c.get(f"/service/visits/{visit.pk}/photos/{first.pk}.jpg").status_code == 200
    # A file that is no photo: the form again, the field named, what was typed kept.
    bad = SimpleUploadedFile("x.png", b"not an image at all")
    r = c.post(url, {**form, "notes": "第二次走访", "photos": [bad]})
    assert r.status_code == 200
    body = r.content.decode()
    assert "只接受 JPEG、PNG 或 WebP 格式的照片" in body and "第二次走访" in body
    assert household.visits.count() == 1


def test_more_visit_photos_than_allowed_are_refused_by_the_form(world):
    from tongchou.resources.tests.factories import png_upload
    from tongchou.service.models import Household

    household = Household.objects.create(
        address="甲村4号", organization=world.a.village, org_path=world.a.village.path
    )
    c = Client()
    c.force_login(world.secretary_a)
    form = {"visited_on": "2024-05-06", "way": "in_person", "photos_agreed": "on"}
    r = c.post(
        f"/service/households/{household.pk}/",
        {**form, "photos": [png_upload(f"{i}.png") for i in range(4)]},
    )
    assert r.status_code == 200 and "最多上传 3 张照片" in r.content.decode()
    assert not household.visits.exists()
