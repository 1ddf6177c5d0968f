"""Statuses set by hand and by workflows; forms that do not ask twice (birth date and gender
from the ID number, the organization one manages, regions by name)."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongchou.core.errors import ApplicationError
from tongchou.core.tests.factories import RegionFactory, create_member, member_values
from tongchou.members import services
from tongchou.members.choices import MemberStatus
from tongchou.members.forms import MemberForm
from tongchou.members.models import Member
from tongchou.members.rules import HAND_SET_STATUSES, hand_set_status_error
from tongchou.members.tests.conftest import id_number
from tongchou.regions.models import RegionLevel

pytestmark = pytest.mark.django_db


def test_hand_set_statuses_are_normal_and_deceased():
    assert {"normal", "deceased"} == HAND_SET_STATUSES
    for status in ("mobile", "lost_contact", "transferred_out", "nonsense"):
        assert hand_set_status_error(status)
    assert hand_set_status_error("deceased") is None
    assert "外出流动" in hand_set_status_error("normal", current="mobile")


@pytest.mark.parametrize("status", ["mobile", "lost_contact", "transferred_out"])
def test_the_service_refuses_workflow_statuses(w, status):
    values = member_values(status=status)
    with pytest.raises(ApplicationError) as exc:
        services.member_create(actor=w.secretary_v, organization=w.village_a, **values)
    assert (exc.value.code, exc.value.field) == ("status_not_settable", "status")
    assert not Member.objects.exists()


def test_a_mobile_members_status_is_not_changed_by_hand(w):
    member = create_member(w.village_a, status=MemberStatus.MOBILE)
    with pytest.raises(ApplicationError) as exc:
        services.member_update(actor=w.secretary_v, member=member, status="normal")
    assert exc.value.field == "status" and "流动党员登记" in str(exc.value.message)
    # Other fields still change, the status stays.
    services.member_update(actor=w.secretary_v, member=member, occupation="个体")
    member.refresh_from_db()
    assert (member.occupation, member.status) == ("个体", MemberStatus.MOBILE)


def test_the_form_offers_only_hand_set_statuses_and_shows_a_workflow_one(client, w):
    client.force_login(w.secretary_v)
    form = client.get(reverse("members:create")).context["form"]
    assert [v for v, _label in form.fields["status"].choices] == ["normal", "deceased"]
    member = create_member(w.village_a, status=MemberStatus.MOBILE)
    form = client.get(reverse("members:edit", args=[member.pk])).context["form"]
    assert form.fields["status"].disabled and "mobile" in dict(form.fields["status"].choices)
    # A page that sends a status anyway changes nothing about it.
    data = {**MemberForm.initial_for(member), "status": "normal", "organization": "V-A"}
    data["home_region"] = ""
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items() if v}
    response = client.post(reverse("members:edit", args=[member.pk]), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == MemberStatus.MOBILE


def test_the_api_refuses_workflow_statuses_clearly(w):
    api = APIClient()
    api.force_authenticate(w.admin_a)
    body = {k: str(v) for k, v in member_values().items() if v is not None}
    body.update(organization=w.village_a.pk, status="mobile")
    response = api.post("/api/members/", body, format="json")
    assert response.status_code == 400 and response.json()["field"] == "status"
    assert "流动" in response.json()["message"]


# --- birth date and gender from the ID number ------------------------------------------------


def test_the_api_reads_birth_date_and_gender_off_the_id_number(w):
    api = APIClient()
    api.force_authenticate(w.admin_a)
    number = id_number(dt.date(1990, 7, 1), "F")
    body = {k: str(v) for k, v in member_values().items() if v is not None}
    body.pop("birth_date"), body.pop("gender")
    body.update(organization=w.village_a.pk, id_number=number)
    response = api.post("/api/members/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["birth_date"], response.json()["gender"]) == ("1990-07-01", "F")
    # Given, they must agree.
    body.update(id_number=id_number(dt.date(1991, 1, 2), "M", seq=3), gender="F")
    response = api.post("/api/members/", body, format="json")
    assert response.status_code == 400 and response.json()["field"] == "gender"
    # A new ID number by PATCH brings its own facts.
    member = Member.objects.get()
    new = id_number(dt.date(1992, 2, 3), "M", seq=9)
    response = api.patch(f"/api/members/{member.pk}/", {"id_number": new}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["birth_date"], response.json()["gender"]) == ("1992-02-03", "M")


def test_the_form_shows_the_facts_read_only(client, w):
    client.force_login(w.secretary_v)
    response = client.get(reverse("members:create"))
    form = response.context["form"]
    assert form.fields["birth_date"].disabled and form.fields["gender"].disabled
    html = response.content.decode()
    assert "js/id-facts.js" in html and "data-tc-id-facts" in html
    assert "data-tc-id-birth" in html and "data-tc-id-gender" in html
    # Sent back with an error, the page shows what the typed number says.
    number = id_number(dt.date(1988, 8, 8), "F", seq=4)
    response = client.post(reverse("members:create"), {"id_number": number, "name": ""})
    form = response.context["form"]
    assert form["birth_date"].value() == dt.date(1988, 8, 8)
    assert str(form["gender"].value()) == "女"


# --- pre-filled organization, regions by name ------------------------------------------------


def test_the_organization_one_manages_is_pre_filled(client, w):
    client.force_login(w.secretary_v)  # secretary of one branch
    assert client.get(reverse("members:create")).context["form"].initial["organization"] == "V-A"
    client.force_login(w.admin_a)  # a county: no guess
    assert "organization" not in client.get(reverse("members:create")).context["form"].initial


def test_home_region_by_name(client, w):
    street = RegionFactory(code="640202001", name="长胜街道", level=RegionLevel.TOWNSHIP,
                           parent=w.county_a_r)  # fmt: skip
    client.force_login(w.secretary_v)
    data = {k: v for k, v in member_values().items() if v is not None}
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}
    data.update(organization="V-A", status="normal", home_region="长胜街道")
    response = client.post(reverse("members:create"), data)
    assert response.status_code == 302
    assert Member.objects.get().home_region == street
    # The edit form shows the picked label, which it takes back unchanged.
    member = Member.objects.get()
    page = client.get(reverse("members:edit", args=[member.pk])).content.decode()
    assert "长胜街道（640202001）" in page and "js/region-search.js" in page
