"""Helpers that build spells straight into the table (services are tested separately)."""

import datetime as dt

from tongchou.core import crypto
from tongchou.core.tests.factories import make_id_number
from tongchou.mobility.models import MobileMember, MobilityStatus


def spell_for(
    member,
    *,
    station=None,
    inflow_org=None,
    since=dt.date(2024, 3, 1),
    status=MobilityStatus.OPEN,
    contact="13812345678",
    **fields,
) -> MobileMember:
    return MobileMember.objects.create(
        member=member,
        home_org_id=member.organization_id,
        home_path=member.org_path,
        destination_text=fields.pop("destination_text", "银川市金凤区"),
        since=since,
        reason=fields.pop("reason", "work"),
        contact_enc=crypto.encrypt(contact),
        station=station,
        station_path=station.org_path if station else "",
        inflow_org=inflow_org,
        inflow_path=inflow_org.path if inflow_org else "",
        status=status,
        **fields,
    )


def external_spell(*, station, name="外地党员", since=dt.date(2024, 5, 1)) -> MobileMember:
    id_number = make_id_number(region="610102")
    return MobileMember.objects.create(
        external_name=name,
        external_id_enc=crypto.encrypt(id_number),
        external_id_hash=crypto.lookup_hash(id_number),
        home_text="西安市新城区某党支部",
        destination_region=station.region,
        since=since,
        reason="work",
        station=station,
        station_path=station.org_path,
    )
