"""Joint sessions (联合组织生活): a session names the other organizations that held it with it —
any active organization, even outside the recorder's subtree (a city community and its paired
village) — never itself, at most ten; the page takes codes, the API ids; edits replace the list;
the audit keeps it."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.organizations.models import OrgStatus
from tongchou.orglife import services
from tongchou.orglife.models import Session

from .test_services import create

pytestmark = pytest.mark.django_db


def test_a_session_names_its_partners_even_outside_the_recorders_subtree(w):
    session = create(w, partners=[w.community_a, w.village_b, w.community_a])
    assert set(session.partners.all()) == {w.community_a, w.village_b}
    event = AuditEvent.objects.get(object_type="orglife.session", object_id=str(session.pk))
    assert sorted(event.after["partners"]) == sorted([w.community_a.pk, w.village_b.pk])
    services.session_update(actor=w.secretary_v, session=session, partners=[w.village_b])
    assert list(session.partners.all()) == [w.village_b]


@pytest.mark.parametrize("which", ["self", "dissolved"])
def test_a_partner_is_another_active_organization(w, which):
    partner = w.village_a
    if which == "dissolved":
        w.village_b.status = OrgStatus.DISSOLVED
        w.village_b.save(update_fields=["status"])
        partner = w.village_b
    with pytest.raises(ApplicationError) as info:
        create(w, partners=[partner])
    assert info.value.field == "partners"
    assert not Session.objects.exists()


def test_the_page_takes_codes_and_names_an_unknown_one(client, w):
    client.force_login(w.secretary_v)
    data = {
        "organization": w.village_a.code,
        "kind": "theme_day",
        "starts_at": "2025-05-01T09:00",
        "format": "offline",
        "topic": "村社联建主题党日",
        "partners": f"{w.community_a.code}, NOPE1",
    }
    response = client.post(reverse("orglife:create"), data)
    assert response.status_code == 200 and "NOPE1" in response.content.decode()
    data["partners"] = w.community_a.code
    response = client.post(reverse("orglife:create"), data)
    session = Session.objects.get(topic="村社联建主题党日")
    assert response.status_code == 302
    assert list(session.partners.all()) == [w.community_a]
    detail = client.get(reverse("orglife:detail", args=[session.pk])).content.decode()
    assert w.community_a.name in detail


def test_the_api_reads_and_writes_partner_ids(w):
    api = APIClient()
    api.force_authenticate(w.secretary_v)
    body = {
        "organization": w.village_a.pk,
        "kind": "theme_day",
        "starts_at": "2025-05-01T09:00:00+08:00",
        "format": "offline",
        "topic": "联合党课",
        "partners": [w.community_a.pk],
    }
    created = api.post("/api/life/sessions/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["partners"] == [{"id": w.community_a.pk, "name": w.community_a.name}]
    missing = api.post("/api/life/sessions/", {**body, "partners": [2**40]}, format="json")
    assert missing.status_code == 404 and missing.json()["field"] == "partners"
