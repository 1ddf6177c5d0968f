"""A member's attendance over a chosen period, in a page and in the API."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.world import build_world
from tongchou.orglife.models import Attendance, Session, SessionFormat, SessionKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def _held(org, day: dt.date, member, status: str, topic: str) -> Session:
    starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    session = Session.objects.create(
        kind=SessionKind.THEME_DAY,
        organization=org,
        org_path=org.path,
        starts_at=starts_at,
        held_on=day,
        format=SessionFormat.BOTH,
        online_link="会议号 123",
        topic=topic,
    )
    Attendance.objects.create(session=session, member=member, status=status, held_on=day)
    return session


@pytest.fixture
def history(world):
    member = world.a.members[0]
    today = timezone.localdate()
    _held(world.a.village, today - dt.timedelta(days=10), member, "online", "近期主题党日")
    _held(world.a.village, today - dt.timedelta(days=400), member, "offline", "去年的党课")
    return member


def test_page_defaults_to_the_last_twelve_months_and_takes_a_period(client, world, history):
    client.force_login(world.admin_a)
    url = reverse("orglife:member_attendance", args=[history.pk])
    recent = client.get(url).content.decode()
    assert "近期主题党日" in recent and "去年的党课" not in recent
    start = (timezone.localdate() - dt.timedelta(days=500)).isoformat()
    both = client.get(url, {"start": start}).content.decode()
    assert "近期主题党日" in both and "去年的党课" in both


def test_page_refuses_a_reversed_period_naming_the_field(client, world, history):
    client.force_login(world.admin_a)
    url = reverse("orglife:member_attendance", args=[history.pk])
    response = client.get(url, {"start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in " ".join(response.context["form"].errors["end"])


def test_api_counts_by_status_over_the_period(client, world, history):
    client.force_login(world.admin_a)
    url = reverse("api-life-member-attendance-detail", args=[history.pk])
    start = (timezone.localdate() - dt.timedelta(days=500)).isoformat()
    body = client.get(url, {"start": start}).json()
    assert body["total"] == 2 and body["counts"]["online"] == 1 and body["counts"]["offline"] == 1
    assert [r["topic"] for r in body["results"]] == ["近期主题党日", "去年的党课"]
    bad = client.get(url, {"start": "not-a-date"})
    assert bad.status_code == 400 and bad.json()["field"] == "start"


def test_the_member_sees_their_own_and_others_see_nothing(client, world, history):
    url = reverse("api-life-member-attendance-detail", args=[history.pk])
    history.user = world.norole
    history.save(update_fields=["user"])
    client.force_login(world.norole)
    assert client.get(url).json()["total"] == 1
    client.force_login(world.admin_b)
    assert client.get(url).status_code == 404


def test_the_member_s_own_page_leads_back_to_their_portal_not_to_the_session_list(
    client, world, history
):
    history.user = world.norole
    history.save(update_fields=["user"])
    client.force_login(world.norole)
    html = client.get(reverse("orglife:member_attendance", args=[history.pk])).content.decode()
    assert "近期主题党日" in html
    assert f'href="{reverse("orglife:list")}"' not in html  # a 403 for them
    assert f'breadcrumb-item"><a href="{reverse("portal:home")}"' in html
    client.force_login(world.admin_a)
    html = client.get(reverse("orglife:member_attendance", args=[history.pk])).content.decode()
    assert f'breadcrumb-item"><a href="{reverse("orglife:list")}"' in html
