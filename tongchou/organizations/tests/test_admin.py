"""The back office edits plain attributes through the service; a refusal says so."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tongchou.core.tests.factories import OrganizationFactory, UserFactory
from tongchou.organizations.models import Organization, OrgStatus

pytestmark = pytest.mark.django_db


def _post(client, org, **changes):
    data = {
        "name": org.name,
        "code": org.code,
        "founded_on": "",
        "secretary_name": org.secretary_name,
        "formation": org.formation,
        **changes,
    }
    url = reverse("admin:organizations_organization_change", args=[org.pk])
    return client.post(url, data)


def test_admin_change_goes_through_the_service(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    org = OrganizationFactory(name="旧名党支部")
    response = _post(client, org, name="新名党支部")
    assert response.status_code == 302
    assert Organization.objects.get(pk=org.pk).name == "新名党支部"


def test_refused_change_returns_to_the_form_without_success_message(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    org = OrganizationFactory(name="已撤销党支部", status=OrgStatus.DISSOLVED)
    response = _post(client, org, name="改名党支部")
    assert response.status_code == 302 and response["Location"].endswith(f"/{org.pk}/change/")
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("已撤销的组织不能修改" in t for t in texts)
    assert not any("成功" in t or "successfully" in t for t in texts)
    assert Organization.objects.get(pk=org.pk).name == "已撤销党支部"
