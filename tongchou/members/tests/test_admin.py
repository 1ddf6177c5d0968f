import pytest
from django.urls import reverse

from tongchou.core.tests.factories import OrganizationFactory, UserFactory, create_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_member_admin_shows_masked_numbers_only(staff_client):
    member = create_member(OrganizationFactory())
    plain = member.id_number
    page = staff_client.get(reverse("admin:members_member_change", args=[member.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert member.id_number_masked in html
    assert plain not in html and member.phone not in html


def test_member_admin_is_read_only(staff_client):
    member = create_member(OrganizationFactory())
    assert staff_client.get(reverse("admin:members_member_add")).status_code == 403
    response = staff_client.post(
        reverse("admin:members_member_change", args=[member.pk]), {"name": "改名"}
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.name != "改名"
    delete_url = reverse("admin:members_member_delete", args=[member.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403


def test_member_admin_list(staff_client):
    org = OrganizationFactory()
    for i in range(3):
        create_member(org, name=f"党员{i}")
    page = staff_client.get(reverse("admin:members_member_changelist"))
    assert page.status_code == 200
    assert "党员2" in page.content.decode()
