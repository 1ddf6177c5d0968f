"""Education pages: who gets in, what they see, forms through the services, query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tongchou.core.tests.factories import create_member
from tongchou.education.models import Course, StudyRecord, Training
from tongchou.education.tests.factories import make_course, make_record, make_training

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def login(client, user):
    client.force_login(user)
    return client


LISTS = ["education:courses", "education:records", "education:trainings"]


@pytest.mark.parametrize("name", LISTS)
def test_lists_need_a_role(client, w, name):
    assert client.get(reverse(name)).status_code == 302
    assert login(client, w.norole).get(reverse(name)).status_code == 403
    assert login(client, w.admin_a).get(reverse(name)).status_code == 200


def test_station_staff_without_a_role_use_courses_and_trainings(client, w):
    c = login(client, w.station_staff)
    assert c.get(reverse("education:courses")).status_code == 200
    assert c.get(reverse("education:trainings")).status_code == 200
    assert c.get(reverse("education:training_create")).status_code == 200
    assert c.get(reverse("education:records")).status_code == 403
    assert c.get(reverse("education:course_create")).status_code == 403


def test_course_list_filters_and_scope(client, w):
    make_course(w.county_a, title="大武口课程", mode="online")
    make_course(w.city, title="市级课程", provider="共产党员网")
    make_course(w.county_b, title="惠农课程")
    c = login(client, w.secretary_v)
    html = c.get(reverse("education:courses")).content.decode()
    assert "大武口课程" in html and "市级课程" in html and "惠农课程" not in html
    html = c.get(reverse("education:courses"), {"q": "党员网"}).content.decode()
    assert "市级课程" in html and "大武口课程" not in html
    html = c.get(reverse("education:courses"), {"mode": "online"}).content.decode()
    assert "大武口课程" in html and "市级课程" not in html


def test_course_create_and_edit(client, w):
    c = login(client, w.admin_a)
    data = {
        "organization": "C-A",
        "title": "新时代党员素质提升",
        "provider": "石嘴山市委党校",
        "hours": "3",
        "mode": "offline",
    }
    response = c.post(reverse("education:course_create"), data)
    course = Course.objects.get()
    assert response["Location"] == reverse("education:course_detail", args=[course.pk])
    response = c.post(reverse("education:course_edit", args=[course.pk]), {**data, "hours": "0"})
    assert response.status_code == 200 and "学时应大于0" in response.content.decode()
    c.post(reverse("education:course_edit", args=[course.pk]), {**data, "hours": "5"})
    course.refresh_from_db()
    assert course.hours == Decimal("5.0")


def test_course_create_out_of_scope_org_is_a_form_error(client, w):
    c = login(client, w.admin_a)
    response = c.post(
        reverse("education:course_create"),
        {"organization": "C-B", "title": "x", "provider": "y", "hours": "1", "mode": "online"},
    )
    assert response.status_code == 200 and "不在您的管理范围内" in response.content.decode()
    assert not Course.objects.exists()


def test_course_offered_above_is_seen_but_not_edited(client, w):
    course = make_course(w.city)
    c = login(client, w.secretary_v)
    assert c.get(reverse("education:course_detail", args=[course.pk])).status_code == 200
    assert c.get(reverse("education:course_edit", args=[course.pk])).status_code == 403


def test_record_list_filters(client, w):
    make_record(w.m1, title="村里学习", studied_on=dt.date(2024, 6, 1))
    make_record(w.m3, title="社区学习", hours=Decimal("3"))
    make_record(w.mb, title="外县学习")
    c = login(client, w.admin_a)
    html = c.get(reverse("education:records")).content.decode()
    assert "村里学习" in html and "社区学习" in html and "外县学习" not in html
    html = c.get(reverse("education:records"), {"org": w.community_a.pk}).content.decode()
    assert "社区学习" in html and "村里学习" not in html
    html = c.get(reverse("education:records"), {"year": 2024}).content.decode()
    assert "村里学习" in html and "社区学习" not in html
    response = c.get(reverse("education:records"), {"q": "赵"})
    assert "社区学习" in response.content.decode() and response.context["total"] == Decimal("3")
    assert c.get(reverse("education:records"), {"year": "abc"}).status_code == 200


def test_record_create_from_the_member_page(client, w):
    course = make_course(w.county_a, hours=Decimal("3"))
    c = login(client, w.secretary_v)
    url = reverse("education:record_create") + f"?member={w.m1.pk}"
    assert w.m1.name in c.get(url).content.decode()
    response = c.post(
        url, {"member": w.m1.pk, "course": course.pk, "studied_on": TODAY.isoformat()}
    )
    assert response["Location"] == reverse("members:detail", args=[w.m1.pk])
    record = StudyRecord.objects.get()
    assert (record.hours, record.title) == (Decimal("3.0"), course.title)


def test_record_create_errors_on_the_fields(client, w):
    c = login(client, w.secretary_v)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = c.post(
        reverse("education:record_create"),
        {"member": w.m1.pk, "title": "自学", "hours": "30", "studied_on": tomorrow},
    )
    assert "学时不能超过" in " ".join(response.context["form"].errors["hours"])
    response = c.post(
        reverse("education:record_create"),
        {"member": w.m1.pk, "title": "自学", "hours": "2", "studied_on": tomorrow},
    )
    assert "不能晚于今天" in " ".join(response.context["form"].errors["studied_on"])
    response = c.post(
        reverse("education:record_create"),
        {"member": w.m3.pk, "title": "自学", "hours": "2", "studied_on": TODAY.isoformat()},
    )
    assert "不在您的管理范围内" in " ".join(response.context["form"].errors["member"])
    assert not StudyRecord.objects.exists()


def test_record_create_member_search(client, w):
    c = login(client, w.admin_a)
    html = c.get(reverse("education:record_create"), {"q": "赵"}).content.decode()
    assert "赵社区" in html and "王村民" not in html


def test_record_delete(client, w):
    record = make_record(w.m1)
    c = login(client, w.admin_b)
    assert c.post(reverse("education:record_delete", args=[record.pk])).status_code == 404
    c = login(client, w.secretary_v)
    response = c.post(reverse("education:record_delete", args=[record.pk]))
    assert response.status_code == 302 and not StudyRecord.objects.exists()


def test_training_flow_at_a_station(client, w):
    c = login(client, w.station_staff)
    response = c.post(
        reverse("education:training_create"),
        {
            "station": w.station.pk,
            "title": "快递安全培训",
            "skill": "快递安全",
            "held_on": (TODAY - dt.timedelta(days=2)).isoformat(),
            "hours": "3",
        },
    )
    training = Training.objects.get()
    assert response["Location"] == reverse("education:training_detail", args=[training.pk])
    assert training.organization == w.street_a
    page = c.get(reverse("education:training_participants", args=[training.pk]))
    html = page.content.decode()
    # Only the mobile members at the station: the street's own members are not the staff's.
    assert "马流动" in html and "王村民" not in html and "杨在家" not in html
    response = c.post(
        reverse("education:training_participants", args=[training.pk]),
        {"members": [w.mb.pk]},
    )
    assert response.status_code == 302
    assert set(training.records.values_list("member_id", flat=True)) == {w.mb.pk}
    html = c.get(reverse("education:training_detail", args=[training.pk])).content.decode()
    assert "马流动" in html


def test_training_participant_out_of_reach_is_a_form_error(client, w):
    training = make_training(w.street_a)
    c = login(client, w.admin_a)
    response = c.post(
        reverse("education:training_participants", args=[training.pk]),
        {"members": [w.m1.pk, w.mb2.pk]},
    )
    assert response.status_code == 200 and response.context["form"].errors["members"]
    assert not StudyRecord.objects.exists()


@pytest.mark.parametrize("bad", ["99999999999999999999", "²", "-1", "abc"])
def test_training_participant_ids_that_cannot_be_ids_are_a_form_error(client, w, bad):
    training = make_training(w.street_a)
    c = login(client, w.admin_a)
    response = c.post(
        reverse("education:training_participants", args=[training.pk]),
        {"members": [w.m1.pk, bad]},
    )
    assert response.status_code == 200 and response.context["form"].errors["members"]
    assert not StudyRecord.objects.exists()


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("education:courses", "org"),
        ("education:records", "org"),
        ("education:trainings", "org"),
        ("education:record_create", "member"),
        ("education:record_create", "course"),
        ("education:record_create", "q"),
    ],
)
@pytest.mark.parametrize("value", ["²", "\x00", "1\x00"])
def test_odd_query_values_do_not_crash(client, w, url, param, value):
    """ "²" passes str.isdigit() but not int(); PostgreSQL refuses a NUL in a query."""
    response = login(client, w.admin_a).get(reverse(url), {param: value})
    assert response.status_code == 200


def test_participant_search_with_a_nul_does_not_crash(client, w):
    training = make_training(w.street_a)
    url = reverse("education:training_participants", args=[training.pk])
    assert login(client, w.admin_a).get(url, {"q": "王\x00"}).status_code == 200


def test_training_create_needs_a_station_or_organization(client, w):
    c = login(client, w.admin_a)
    response = c.post(
        reverse("education:training_create"),
        {"title": "x", "held_on": TODAY.isoformat(), "hours": "2"},
    )
    assert response.status_code == 200 and response.context["form"].errors["organization"]


def test_training_edit_and_refusals(client, w):
    training = make_training(w.street_a)
    assert (
        login(client, w.secretary_v)
        .get(reverse("education:training_edit", args=[training.pk]))
        .status_code
        == 404
    )
    c = login(client, w.admin_a)
    data = {"title": "直播带货", "held_on": TODAY.isoformat(), "hours": "2"}
    response = c.post(reverse("education:training_edit", args=[training.pk]), data)
    assert response.status_code == 302
    training.refresh_from_db()
    assert training.title == "直播带货"


def test_member_page_shows_study_hours_beside_the_standard(client, w, settings):
    settings.STUDY_HOURS_STANDARD = 32
    make_record(w.m1, hours=Decimal("18"), title="党章学习")
    t = make_training(w.street_a, station=w.station, title="电商直播培训")
    make_record(w.m1, training=t, title=t.title, hours=Decimal("0.5"), studied_on=t.held_on)
    html = login(client, w.secretary_v).get(reverse("members:detail", args=[w.m1.pk]))
    html = html.content.decode()
    if t.held_on.year == TODAY.year:
        assert "18.5 / 32 学时" in html
    assert "党章学习" in html and "电商直播培训" in html and "年度标准 32 学时" in html
    assert "排名" not in html and "得分" not in html


@pytest.mark.parametrize(
    ("name", "make", "queries"),
    [
        ("education:courses", lambda w, i: make_course(w.county_a, title=f"课程{i}"), 8),
        ("education:records", lambda w, i: make_record(w.m1, title=f"学习{i}"), 7),
        (
            "education:trainings",
            lambda w, i: make_training(w.street_a, station=w.station, title=f"培训{i}"),
            8,
        ),
    ],
)
def test_list_query_count_is_constant(client, w, django_assert_num_queries, name, make, queries):
    c = login(client, w.admin_a)
    for i in range(3):
        make(w, i)
    c.get(reverse(name))  # warm the session
    with django_assert_num_queries(queries) as few:
        c.get(reverse(name))
    for i in range(3, 30):
        make(w, i)
    extra = create_member(w.community_a, name="新党员")
    make_record(extra)
    with django_assert_num_queries(len(few.captured_queries)):
        response = c.get(reverse(name))
    assert len(response.context["page"].object_list) >= 30


def test_record_list_links_only_trainings_the_viewer_may_open(client, w):
    # A village member trained at the street (out of the village secretary's scope): the record
    # is theirs to see, the training's page is not, so its title is shown without a link.
    outside = make_training(w.street_a, title="街道电商培训")
    inside = make_training(w.village_a, title="村里农技培训")
    make_record(w.m1, title=outside.title, training=outside)
    make_record(w.m1, title=inside.title, training=inside)
    html = login(client, w.secretary_v).get(reverse("education:records")).content.decode()
    assert "街道电商培训" in html and "村里农技培训" in html
    assert reverse("education:training_detail", args=[inside.pk]) in html
    assert reverse("education:training_detail", args=[outside.pk]) not in html
    assert client.get(reverse("education:training_detail", args=[outside.pk])).status_code == 404
