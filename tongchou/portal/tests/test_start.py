"""The home page of each person: what is waiting for them now (transfer steps they can take,
arrivals to register at their station, their imports), not only counts; and the navigation."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tongchou.core.tests.factories import UserFactory, create_member, grant
from tongchou.members.models import ImportJob, ImportStatus
from tongchou.mobility.services import outflow_register
from tongchou.organizations.models import RoleKind
from tongchou.service.models import AllianceUnit
from tongchou.transfers.models import TransferKind
from tongchou.transfers.services import transfer_request

pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def request_transfer(w, member):
    # Requested by a second secretary of the branch: whoever requests may not approve it, so
    # the step waits for the village secretary.
    clerk = getattr(w, "clerk", None)
    if clerk is None:
        clerk = w.clerk = UserFactory(username="clerk")
        grant(clerk, w.village, RoleKind.SECRETARY)
    return transfer_request(
        actor=clerk,
        member=member,
        kind=TransferKind.WITHIN,
        to_org=w.community,
        reason="工作调动",
    )


def test_transfer_steps_waiting_with_links(client, w):
    t = request_transfer(w, w.neighbour)
    html = home(client, w.village_secretary)
    assert "待您办理的组织关系转接（1）" in html
    assert f'href="{reverse("transfers:detail", args=[t.pk])}"' in html
    assert "马邻居 · 姚伏村党支部 → 长胜社区党支部" in html
    assert "还没有绑定" not in html


def test_the_page_costs_the_same_queries_with_more_waiting(client, w, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    request_transfer(w, w.neighbour)
    client.force_login(w.village_secretary)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for i in range(4):
        request_transfer(w, create_member(w.village, name=f"党员{i}"))
    with django_assert_num_queries(len(one.captured_queries)):
        html = client.get(reverse("home")).content.decode()
    assert "待您办理的组织关系转接（5）" in html


def test_station_staff_see_their_station_and_the_arrivals_to_register(client, w):
    staff = UserFactory(username="zhanyuan")
    w.station.staff.add(staff)
    outflow_register(
        actor=w.village_secretary,
        member=w.neighbour,
        destination_region=w.street_r,
        since=timezone.localdate() - dt.timedelta(days=3),
        reason="work",
    )
    html = home(client, staff)
    assert "还没有绑定" not in html and "没有任何角色" not in html
    assert "长胜街道党员服务站" in html
    assert f'href="{reverse("mobility:station_detail", args=[w.station.pk])}"' in html
    assert "马邻居 · 姚伏村党支部" in html
    assert f'href="{reverse("mobility:inflow")}"' in html
    # Once registered at the station, they are no longer expected there.
    from tongchou.mobility.services import inflow_register

    inflow_register(
        actor=staff,
        id_number=w.neighbour.id_number,
        name=w.neighbour.name,
        home_text=w.neighbour.organization.name,
        station=w.station,
        since=timezone.localdate(),
        reason="work",
    )
    html = home(client, staff)
    assert "马邻居 · 姚伏村党支部" not in html and "在站流动党员 1 名" in html


def test_own_imports_that_finished_with_links(client, w):
    done = ImportJob.objects.create(
        filename="花名册.xlsx",
        created_by=w.village_secretary,
        status=ImportStatus.DONE,
        created_count=12,
        finished_at=timezone.now(),
    )
    old = ImportJob.objects.create(
        filename="旧名册.xlsx",
        created_by=w.village_secretary,
        status=ImportStatus.FAILED,
        finished_at=timezone.now() - dt.timedelta(days=30),
    )
    html = home(client, w.village_secretary)
    assert f'href="{reverse("members:import_job", args=[done.pk])}"' in html
    assert "花名册.xlsx" in html and "12 人" in html
    assert "旧名册.xlsx" not in html and old.pk


def test_a_member_sees_their_own_summary(client, w):
    html = home(client, w.me_user)
    assert "还没有绑定" not in html
    assert "姚伏村党支部" in html and f'href="{reverse("portal:home")}"' in html
    assert "无正在办理的转接" in html


def test_a_secretary_who_is_a_member_sees_both(client, w):
    w.neighbour.user = w.village_secretary
    w.neighbour.save(update_fields=["user"])
    html = home(client, w.village_secretary)
    assert "姚伏村党支部 · 书记" in html and 'data-tc-waiting="member"' in html
    client.force_login(w.village_secretary)
    assert "我的 · 马邻居" in client.get(reverse("portal:home")).content.decode()


def test_someone_with_nothing_is_told_whom_to_ask(client, w):
    assert "请联系上级组织的管理员" in home(client, w.nobody)


# --- navigation ------------------------------------------------------------------------------


def test_navigation_by_what_the_person_does(client, w):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    admin = UserFactory(username="county_admin")
    grant(admin, w.county_a, RoleKind.ADMIN)
    staff = UserFactory(username="zhanyuan")
    w.station.staff.add(staff)

    html = home(client, admin)
    assert 'href="/audit/"' in html and 'href="/accounts/"' in html and 'href="/members/"' in html
    assert 'href="/api/docs/"' in html and 'href="/admin/"' not in html

    html = home(client, w.village_secretary)
    assert 'href="/accounts/"' in html and 'href="/members/"' in html
    assert 'href="/audit/"' not in html and 'href="/api/docs/"' not in html

    html = home(client, w.me_user)
    assert 'href="/me/"' in html
    for link in ("/accounts/", "/audit/", "/members/", "/api/docs/"):
        assert f'href="{link}"' not in html

    html = home(client, staff)
    assert 'href="/mobility/"' in html and 'href="/life/"' in html
    assert 'href="/accounts/"' not in html and 'href="/api/docs/"' not in html

    html = home(client, root)
    for link in ("/accounts/", "/audit/", "/api/docs/", "/admin/"):
        assert f'href="{link}"' in html


def test_alliance_unit_staff_find_their_needs_and_jobs_in_the_menu(client, w):
    # 人社 staff hold no role: the needs routed to their unit and their openings are their work.
    staff = UserFactory(username="renshe_staff")
    bureau = AllianceUnit.objects.create(
        name="人社局", kind="department", organization=w.county_a, org_path=w.county_a.path
    )
    html = home(client, staff)
    assert 'href="/service/"' not in html and 'href="/jobs/"' not in html
    bureau.staff.add(staff)
    html = home(client, UserFactory._meta.model.objects.get(pk=staff.pk))
    assert 'href="/service/"' in html and 'href="/jobs/"' in html
    for link in ("/members/", "/accounts/", "/resources/", "/service/proxy/"):
        assert f'href="{link}"' not in html
