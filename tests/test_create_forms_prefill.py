"""Create forms pre-fill the organization when the user manages exactly one — the same selector
everywhere (``members.selectors.role_organization_for``): the organizational-life session
form, the education course and training forms, and the inward transfer form (the receiving
branch). Someone with several managing roles (or the superuser) gets an empty field."""

import datetime as dt

import pytest
from django.urls import reverse

from tongchou.core.tests.factories import grant
from tongchou.education.models import Training
from tongchou.mobility.models import ServiceStation, StationKind
from tongchou.organizations.models import RoleKind

pytestmark = pytest.mark.django_db

FORMS = [
    ("orglife:create", "organization"),
    ("education:course_create", "organization"),
    ("education:training_create", "organization"),
    ("transfers:create", "to_org"),
]


def prefilled(client, user, url_name: str, field: str):
    client.force_login(user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    return response.context["form"][field].value()


@pytest.mark.parametrize(("url_name", "field"), FORMS)
def test_a_secretary_of_one_branch_finds_it_filled_in(client, world, url_name, field):
    assert prefilled(client, world.secretary_a, url_name, field) == world.a.village.code


@pytest.mark.parametrize(("url_name", "field"), FORMS)
def test_several_roles_or_the_superuser_choose_themselves(client, world, url_name, field):
    grant(world.secretary_a, world.joint_a, RoleKind.SECRETARY)
    assert prefilled(client, world.secretary_a, url_name, field) in (None, "")
    assert prefilled(client, world.root, url_name, field) in (None, "")


def test_the_inward_transfer_is_received_by_a_branch_not_a_county(client, world):
    """A county admin's one role is at a committee, which holds no members: nothing filled."""
    assert prefilled(client, world.admin_a, "transfers:create", "to_org") in (None, "")
    # A course or a session may well be the county's own.
    assert prefilled(client, world.admin_a, "education:course_create", "organization") == (
        world.a.county.code
    )


def test_a_session_form_emptied_by_the_user_stays_empty(client, world):
    client.force_login(world.secretary_a)
    response = client.get(reverse("orglife:create"), {"organization": ""})
    assert response.context["form"]["organization"].value() in (None, "")


def test_a_training_at_a_station_is_held_by_the_station_not_the_prefilled_branch(client, world):
    """The pre-filled organization is a default: choosing a station (of another organization)
    without touching it holds the training at the station's organization."""
    station = ServiceStation.objects.create(
        name="甲街道党员服务站",
        kind=StationKind.CITY_STREET,
        organization=world.a.street,
        org_path=world.a.street.path,
        region=world.a.street_region,
    )
    station.staff.add(world.secretary_a)
    client.force_login(world.secretary_a)
    response = client.post(
        reverse("education:training_create"),
        {
            "station": station.pk,
            "organization": world.a.village.code,  # as pre-filled
            "title": "电商直播培训",
            "held_on": dt.date.today().isoformat(),
            "hours": "4",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    training = Training.objects.get()
    assert training.station == station and training.organization == world.a.street
