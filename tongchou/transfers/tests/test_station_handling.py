"""A member service station offering transfer handling requests transfers for the mobile
members it looks after, sees them, and nothing else."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tongchou.core.tests.factories import UserFactory
from tongchou.mobility import services as mobility_services
from tongchou.mobility.models import StationKind, StationService
from tongchou.transfers import selectors, services
from tongchou.transfers.models import Transfer, TransferKind, TransferState

pytestmark = pytest.mark.django_db


def _station(w, *, offered=(StationService.TRANSFER, StationService.TRAINING)):
    staff = UserFactory(username=f"staff{len(offered)}")
    station = mobility_services.station_create(
        actor=w.root,
        organization=w.b.street,
        name="乙街道党员服务站",
        kind=StationKind.CITY_STREET,
        region=w.b.street_region,
        services=list(offered),
        staff=[staff],
    )
    return station, staff


def _arrive(w, member, station):
    since = dt.date.today() - dt.timedelta(days=30)
    mobility_services.outflow_register(
        actor=w.admin_a, member=member, destination_region=w.b.street_region, since=since,
        reason="work",
    )  # fmt: skip
    return mobility_services.inflow_register(
        actor=w.root, station=station, id_number=member.id_number, name=member.name,
        home_text=member.organization.name, since=since, reason="work",
    )  # fmt: skip


def test_station_staff_request_a_transfer_for_a_member_they_look_after(w):
    station, staff = _station(w)
    _arrive(w, w.m1, station)
    transfer = services.transfer_request(
        actor=staff, member=w.m1, kind=TransferKind.WITHIN, to_org=w.b.village, reason="定居"
    )
    assert transfer.state == TransferState.REQUESTED and transfer.requested_by == staff
    assert list(selectors.transfer_list_for(staff)) == [transfer]
    assert selectors.transfer_get_for(staff, transfer.pk) == transfer
    # Someone else's transfer, not at the station, stays invisible.
    other = services.transfer_request(
        actor=w.admin_a, member=w.m2, kind=TransferKind.WITHIN, to_org=w.village_a2, reason="调动"
    )
    assert other not in selectors.transfer_list_for(staff)


def test_staff_of_a_station_without_transfer_handling_may_not(w):
    station, staff = _station(w, offered=(StationService.TRAINING,))
    _arrive(w, w.m1, station)
    with pytest.raises(PermissionDenied):
        services.transfer_request(
            actor=staff, member=w.m1, kind=TransferKind.WITHIN, to_org=w.b.village, reason="定居"
        )
    assert not Transfer.objects.exists()


def test_staff_may_not_request_for_a_member_not_at_their_station(w):
    station, staff = _station(w)
    with pytest.raises(PermissionDenied):
        services.transfer_request(
            actor=staff, member=w.m1, kind=TransferKind.WITHIN, to_org=w.b.village, reason="定居"
        )
    assert not Transfer.objects.exists()


def test_request_page_for_station_staff(client, w):
    station, staff = _station(w)
    spell = _arrive(w, w.m1, station)
    client.force_login(staff)
    detail = client.get(reverse("mobility:detail", args=[spell.pk])).content.decode()
    assert f"{reverse('transfers:create')}?member={w.m1.pk}" in detail
    url = f"{reverse('transfers:create')}?member={w.m1.pk}"
    assert client.get(url).status_code == 200
    assert client.get(f"{reverse('transfers:create')}?member={w.m2.pk}").status_code == 404
    assert client.get(reverse("transfers:list")).status_code == 200
