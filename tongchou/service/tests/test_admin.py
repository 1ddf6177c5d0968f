"""The back office for city-service proxy stations: adds and edits go through the service (the
village's region and path, staff reach, the audit), its refusals show on the form at the field
they name and save nothing, and a station that took in needs cannot be deleted."""

import pytest
from django.test import Client
from django.urls import reverse

from tongchou.core.models import AuditAction, AuditEvent
from tongchou.core.tests.factories import UserFactory
from tongchou.service import services
from tongchou.service.models import NeedCategory, ProxyStation, RoutingRule

pytestmark = pytest.mark.django_db

HOURS = "08:30-17:30\n08:30-17:30\n08:30-17:30\n08:30-17:30\n08:30-17:30\n09:00-12:00\n-"
CHANGELIST = "admin:service_proxystation_changelist"


@pytest.fixture
def root(world):
    client = Client()
    client.force_login(world.root)
    return client


def _station(world, **kw) -> ProxyStation:
    values = {
        "actor": world.root,
        "name": "甲村城市服务代办站",
        "organization": world.a.village,
        "services": ["social_security", "medical_insurance"],
        "phone": "0952-2011234",
    }
    values.update(kw)
    return services.proxy_station_create(**values)


def _form(world, **changes) -> dict:
    data = {
        "name": "甲村城市服务代办站",
        "organization": world.a.village.pk,
        "address": "村党群服务中心",
        "opening_hours": HOURS,
        "phone": "0952-2011234",
        "services": ["social_security", "certificates"],
        "staff": [],
        "active": "on",
        "_save": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _errors(response) -> str:
    assert response.status_code == 200  # the form again, not a redirect
    return str(response.context["adminform"].form.errors)


def test_the_changelist_names_services_and_staff_count(root, world):
    station = _station(world)
    station.staff.add(UserFactory(), UserFactory())
    _station(world, name="乙村代办站", organization=world.b.village, services=["certificates"])
    html = root.get(reverse(CHANGELIST)).content.decode()
    assert "甲村城市服务代办站" in html and "乙村代办站" in html
    assert "社保、医保" in html and "证照办理" in html
    assert '<td class="field-staff_count">2</td>' in html


def test_only_superusers_reach_the_back_office(world):
    clerk = UserFactory(username="office_clerk", is_staff=True)  # staff flag, no superuser
    client = Client()
    client.force_login(clerk)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(world.admin_a)  # a county admin works on the scoped pages, not here
    assert client.get(reverse(CHANGELIST)).status_code == 302


def test_adding_goes_through_the_service(root, world):
    clerk = UserFactory(username="clerk")
    response = root.post(reverse("admin:service_proxystation_add"), _form(world, staff=[clerk.pk]))
    assert response.status_code == 302, _errors(response)
    station = ProxyStation.objects.get()
    # Derived by the service: the village's path and region; hours parsed to the stored shape.
    assert station.org_path == world.a.village.path and station.region == world.a.village_region
    assert station.opening_hours[0] == ["08:30", "17:30"] and station.opening_hours[6] is None
    assert station.services == ["social_security", "certificates"]
    assert station.phone == "09522011234"  # the service's normal form, as on the pages
    assert list(station.staff.all()) == [clerk]
    event = AuditEvent.objects.get(object_type="service.proxystation", action=AuditAction.CREATE)
    assert event.actor == world.root and event.org_path == world.a.village.path
    assert event.after["staff"] == ["clerk"]


def test_a_station_outside_a_village_is_refused_on_the_form(root, world):
    response = root.post(
        reverse("admin:service_proxystation_add"), _form(world, organization=world.a.street.pk)
    )
    errors = response.context["adminform"].form.errors
    assert "城市服务代办站应设在村" in str(errors["organization"])
    assert not ProxyStation.objects.exists()
    assert not AuditEvent.objects.filter(object_type="service.proxystation").exists()


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"opening_hours": "08:30-17:30\n-"}, "opening_hours", "七行"),
        ({"opening_hours": HOURS.replace("09:00-12:00", "12:00-09:00")}, "opening_hours", "第6天"),
        ({"services": None}, "services", ""),
        ({"services": ["passport"]}, "services", "passport"),
        ({"phone": "call me <b>"}, "phone", ""),
        ({"name": "   "}, "name", ""),
    ],
)
def test_bad_input_is_refused_naming_the_field(root, world, changes, field, text):
    response = root.post(reverse("admin:service_proxystation_add"), _form(world, **changes))
    errors = response.context["adminform"].form.errors
    assert field in errors and text in str(errors[field])
    assert not ProxyStation.objects.exists()


def test_an_inactive_account_is_not_made_staff(root, world):
    gone = UserFactory(username="gone_clerk", is_active=False)
    response = root.post(reverse("admin:service_proxystation_add"), _form(world, staff=[gone.pk]))
    assert "gone_clerk" in str(response.context["adminform"].form.errors["staff"])
    assert not ProxyStation.objects.exists()


def test_editing_moves_the_station_through_the_service(root, world):
    station = _station(world)
    url = reverse("admin:service_proxystation_change", args=[station.pk])
    assert 'value="09522011234"' in root.get(url).content.decode()
    response = root.post(
        url, _form(world, name="乙村代办站", organization=world.b.village.pk, active=None)
    )
    assert response.status_code == 302, _errors(response)
    station.refresh_from_db()
    assert (station.name, station.org_path, station.region, station.active) == (
        "乙村代办站",
        world.b.village.path,
        world.b.village_region,
        False,
    )
    event = AuditEvent.objects.get(object_type="service.proxystation", action=AuditAction.UPDATE)
    assert event.before["name"] == "甲村城市服务代办站" and event.after["active"] is False


def test_a_refused_edit_changes_nothing(root, world):
    station = _station(world)
    response = root.post(
        reverse("admin:service_proxystation_change", args=[station.pk]),
        _form(world, name="改名站", organization=world.city.pk),
    )
    assert "organization" in response.context["adminform"].form.errors
    station.refresh_from_db()
    assert station.name == "甲村城市服务代办站" and station.org_path == world.a.village.path


def test_a_station_that_took_in_needs_cannot_be_deleted(root, world):
    social = NeedCategory.objects.get(code="social_security")
    RoutingRule.objects.create(region=world.a.county_region, category=social, unit=world.bureau)
    used, unused = _station(world), _station(world, name="备用站")
    services.proxy_need_file(
        actor=world.root, station=used, service="social_security", summary="代办养老保险"
    )
    assert root.get(reverse("admin:service_proxystation_delete", args=[used.pk])).status_code == (
        403
    )
    assert (
        root.post(
            reverse("admin:service_proxystation_delete", args=[used.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    response = root.post(
        reverse("admin:service_proxystation_delete", args=[unused.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert list(ProxyStation.objects.all()) == [used]
    event = AuditEvent.objects.get(object_type="service.proxystation", action=AuditAction.DELETE)
    assert event.before["name"] == "备用站" and event.actor == world.root
    # No bulk action either: a bulk delete would skip the check and the audit.
    assert 'name="action"' not in root.get(reverse(CHANGELIST)).content.decode()


def test_a_refusal_at_save_time_saves_nothing_and_returns_to_the_form(world):
    """The row may change between the form's check and the save: the service's refusal then
    comes back as a message, nothing is written or logged, and the answer is the form again."""
    from django.contrib import admin
    from django.contrib.admin.models import LogEntry
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    station = _station(world)
    model_admin = admin.site._registry[ProxyStation]
    url = reverse("admin:service_proxystation_change", args=[station.pk])
    request = RequestFactory().post(url)
    request.user, request.session = world.root, {}
    request._messages = FallbackStorage(request)
    form = type("Checked", (), {})()
    form.cleaned_data = {  # data the service refuses when the save comes (not a village)
        "name": "改名站", "organization": world.a.street, "address": "", "opening_hours": [],
        "phone": "", "services": ["certificates"], "staff": [], "active": True,
    }  # fmt: skip
    model_admin.save_model(request, station, form, change=True)
    model_admin.log_change(request, station, "changed")
    response = model_admin.response_change(request, station)
    assert response.status_code == 302 and response["Location"] == url
    assert [str(m) for m in get_messages(request)] == ["城市服务代办站应设在村，请选择村党组织。"]
    station.refresh_from_db()
    assert station.name == "甲村城市服务代办站"
    assert not LogEntry.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()
