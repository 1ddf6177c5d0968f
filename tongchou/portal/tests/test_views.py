"""The member's own pages: their record only, masked; their own requests through the services."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def login(client, user):
    client.force_login(user)
    return client


PAGES = ["portal:home", "portal:transfer", "portal:going_out", "portal:arrived"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_goes_to_login(client, w, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_a_login_without_a_member_record_gets_a_friendly_page(client, w, name):
    response = login(client, w.nobody).get(reverse(name))
    assert response.status_code == 200
    assert "还没有关联党员记录" in response.content.decode()


def test_without_a_member_record_a_post_writes_nothing(client, w):
    from tongchou.transfers.models import Transfer

    response = login(client, w.nobody).post(
        reverse("portal:transfer"), {"kind": "within", "to_org": "C-1", "reason": "x"}
    )
    assert response.status_code == 200 and not Transfer.objects.exists()


def test_home_shows_the_own_record_masked_and_the_panels(client, w):
    html = login(client, w.me_user).get(reverse("portal:home")).content.decode()
    assert "马文明" in html and "姚伏村党支部" in html
    assert w.me.id_number not in html and w.me.id_number_masked in html
    assert "13995011111" not in html and "139****1111" in html
    assert "马邻居" not in html  # nobody else's record
    assert 'id="tc-panel-education"' in html and "学时" in html
    assert "未外出" in html and "无正在办理的转接" in html


def test_request_a_transfer(client, w):
    from tongchou.transfers.models import Transfer

    c = login(client, w.me_user)
    response = c.post(
        reverse("portal:transfer"),
        {"kind": "within", "to_org": "C-1", "reason": "在城区长期务工，就近参加组织生活"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    transfer = Transfer.objects.get()
    assert transfer.member == w.me and transfer.to_org == w.community
    assert transfer.requested_by == w.me_user
    html = c.get(reverse("portal:home")).content.decode()
    assert transfer.get_state_display() in html and "长胜社区党支部" in html


def test_transfer_with_an_unknown_code_is_a_field_error(client, w):
    from tongchou.transfers.models import Transfer

    response = login(client, w.me_user).post(
        reverse("portal:transfer"), {"kind": "within", "to_org": "NOPE", "reason": "x"}
    )
    assert response.status_code == 200
    assert "组织代码不存在" in " ".join(response.context["form"].errors["to_org"])
    assert not Transfer.objects.exists()


def test_transfer_to_the_own_organization_shows_the_services_reason(client, w):
    from tongchou.transfers.models import Transfer

    response = login(client, w.me_user).post(
        reverse("portal:transfer"), {"kind": "within", "to_org": "V-1", "reason": "x"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Transfer.objects.exists()


def test_going_out_then_arriving(client, w):
    from tongchou.mobility.models import MobileMember

    c = login(client, w.me_user)
    since = TODAY - dt.timedelta(days=10)
    response = c.post(
        reverse("portal:going_out"),
        {
            "destination_region": "640202001",
            "since": since.isoformat(),
            "reason": "work",
            "contact": "13995012222",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    spell = MobileMember.objects.get()
    assert spell.member == w.me and spell.status == "open" and spell.since == since
    html = c.get(reverse("portal:home")).content.decode()
    assert "起在外流动" in html and "13995012222" not in html


def test_arriving_registered_by_the_member_themself(client, w):
    from tongchou.mobility.models import MobileMember

    c = login(client, w.me_user)
    since = TODAY - dt.timedelta(days=10)
    c.post(
        reverse("portal:going_out"),
        {"destination_region": "640202001", "since": since.isoformat(), "reason": "work"},
    )
    response = c.post(
        reverse("portal:arrived"),
        {"station": w.station.pk, "since": TODAY.isoformat(), "reason": "work"},
    )
    assert response.status_code == 302, response.context["form"].errors
    spell = MobileMember.objects.get()
    assert spell.station == w.station and spell.member == w.me


def test_a_refused_request_is_shown_on_the_form(client, w):
    """What the service refuses (here: "arriving" at one's own organization) comes back on the
    form with its reason, and nothing is registered."""
    from tongchou.mobility.models import MobileMember

    response = login(client, w.me_user).post(
        reverse("portal:arrived"),
        {"inflow_org": w.village.code, "since": TODAY.isoformat(), "reason": "work"},
    )
    assert response.status_code == 200
    assert "不是流入" in " ".join(response.context["form"].errors["inflow_org"])
    assert not MobileMember.objects.exists()


def test_going_out_with_a_date_in_the_future_is_refused(client, w):
    from tongchou.mobility.models import MobileMember

    response = login(client, w.me_user).post(
        reverse("portal:going_out"),
        {
            "destination_region": "640202001",
            "since": (TODAY + dt.timedelta(days=3)).isoformat(),
            "reason": "work",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not MobileMember.objects.exists()


def test_arrived_needs_a_station_or_an_organization(client, w):
    response = login(client, w.me_user).post(
        reverse("portal:arrived"), {"since": TODAY.isoformat(), "reason": "work"}
    )
    assert response.status_code == 200 and response.context["form"].errors["station"]
