"""Organizational-life figures count only sessions that have taken place: a session dated later
(planned) is shown as planned and counted as held nowhere — expectations, the report's last
attendance, the member panel."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tongchou.orglife import selectors
from tongchou.orglife.models import Attendance, Session, SessionFormat, SessionKind
from tongchou.orglife.panels import member_panel
from tongchou.orglife.report import left_behind_for
from tongchou.orglife.tests.conftest import spell

pytestmark = pytest.mark.django_db


def session_at(org, kind, starts_at: dt.datetime) -> Session:
    return Session.objects.create(
        organization=org, org_path=org.path, kind=kind, starts_at=starts_at,
        held_on=timezone.localdate(starts_at), format=SessionFormat.OFFLINE, topic="主题",
    )  # fmt: skip


def test_expectations_count_held_sessions_and_show_planned_ones(client, w):
    now = timezone.now()
    today = timezone.localdate(now)
    held = session_at(w.village_a, SessionKind.THEME_DAY, now - dt.timedelta(minutes=5))
    later_today = session_at(w.village_a, SessionKind.THEME_DAY, now + dt.timedelta(minutes=30))
    next_week = now + dt.timedelta(days=7)
    planned = session_at(w.village_a, SessionKind.THEME_DAY, next_week)
    summary = selectors.expectation_summary_for(w.admin_a, within=w.village_a, year=today.year)
    facts = summary.rows[0].kinds[SessionKind.THEME_DAY]
    this_year = [s for s in (held, later_today, planned) if s.held_on.year == today.year]
    assert facts.held == this_year.count(held), "only the session that has begun"
    assert facts.planned == len(this_year) - this_year.count(held)
    assert summary.totals.kinds[SessionKind.THEME_DAY].held == facts.held
    assert planned.held_on > today
    client.force_login(w.admin_a)
    page = client.get(reverse("orglife:expectations"), {"org": w.village_a.pk, "year": today.year})
    assert "已安排、尚未召开" in page.content.decode()


def test_a_planned_session_is_not_the_reports_last_attendance(w):
    villager = w.villagers[0]
    today = timezone.localdate()
    spell(villager, home=w.village_a, inflow=w.village_b, since=today - dt.timedelta(days=400))
    future = session_at(w.village_b, SessionKind.THEME_DAY, timezone.now() + dt.timedelta(days=3))
    Attendance.objects.create(session=future, member=villager, status="offline",
                              held_on=future.held_on)  # fmt: skip
    row = next(r for r in left_behind_for(w.admin_a).rows if r.member_id == villager.pk)
    assert row.last_attended is None and row.lost_contact
    past = session_at(w.village_b, SessionKind.THEME_DAY, timezone.now() - dt.timedelta(days=3))
    Attendance.objects.create(session=past, member=villager, status="online", held_on=past.held_on)
    row = next(r for r in left_behind_for(w.admin_a).rows if r.member_id == villager.pk)
    assert row.last_attended == past.held_on and not row.lost_contact


def test_the_member_panel_counts_what_took_place(w):
    villager = w.villagers[0]
    future = session_at(w.village_a, SessionKind.THEME_DAY, timezone.now() + dt.timedelta(days=3))
    past = session_at(w.village_a, SessionKind.THEME_DAY, timezone.now() - dt.timedelta(days=3))
    for s in (future, past):
        Attendance.objects.create(session=s, member=villager, status="offline", held_on=s.held_on)
    panel = member_panel(w.admin_a, villager)
    assert panel["facts"].total == 1 and [r.session for r in panel["facts"].recent] == [past]
