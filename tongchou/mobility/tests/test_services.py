"""Mobility services: outflow, inflow (linking the same row), return, end, contacts, stations;
every refusal a clear error on the field at fault, nothing half done."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

from tongchou.core import crypto
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import make_id_number
from tongchou.members.choices import MemberStatus
from tongchou.mobility import services
from tongchou.mobility.models import MobileMember, MobilityContact, MobilityStatus
from tongchou.mobility.tests.factories import external_spell, spell_for
from tongchou.organizations.models import OrgStatus

pytestmark = pytest.mark.django_db

D = dt.date


def outflow(m, actor=None, member=None, **kw):
    args = {
        "actor": actor or m.secretary_v,
        "member": member or m.m1,
        "destination_region": m.street_b_r,
        "since": D(2024, 3, 1),
        "reason": "work",
        "contact": "13812345678",
    }
    args.update(kw)
    return services.outflow_register(**args)


def inflow(m, actor=None, **kw):
    """An arrival registered as the inflow side does: ID number, name and home organization
    as the person gives them (by default m1, the name on m1's record)."""
    args = {
        "actor": actor or m.admin_b,
        "inflow_org": m.street_b,
        "id_number": m.m1.id_number,
        "name": m.m1.name,
        "home_text": "潮湖村党支部",
        "since": D(2024, 3, 10),
        "reason": "work",
    }
    args.update(kw)
    return services.inflow_register(**args)


def refused(code, field, call, *args, **kwargs):
    before = (MobileMember.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ApplicationError) as exc:
        call(*args, **kwargs)
    assert (exc.value.code, exc.value.field) == (code, field), exc.value.message
    assert str(exc.value.message)
    assert (MobileMember.objects.count(), AuditEvent.objects.count()) == before
    return exc.value


# --- outflow ---------------------------------------------------------------------------------


def test_outflow_by_the_home_secretary(m):
    spell = outflow(m)
    assert spell.status == MobilityStatus.OPEN
    assert (spell.home_org, spell.home_path) == (m.village_a, m.village_a.path)
    assert spell.contact == "13812345678" and spell.contact_masked == "138****5678"
    assert spell.created_by == m.secretary_v
    m.m1.refresh_from_db()
    assert m.m1.status == MemberStatus.MOBILE
    # One change, one event: the spell's, saying the member's status followed it.
    (event,) = AuditEvent.objects.all()
    assert (event.object_type, event.object_id) == ("mobility.mobilemember", str(spell.pk))
    assert "13812345678" not in str(event.after)
    assert event.before == {"member__status": "normal"}
    assert event.after["member__status"] == "mobile"


def test_outflow_by_the_member_themself(m):
    spell = outflow(m, actor=m.me_user, member=m.me, destination_region=None,
                    destination_text="银川市金凤区")  # fmt: skip
    assert spell.member == m.me
    m.me.refresh_from_db()
    assert m.me.status == MemberStatus.MOBILE
    (event,) = AuditEvent.objects.all()
    assert event.object_type == "mobility.mobilemember" and event.actor == m.me_user
    assert event.after["member__status"] == "mobile"


def test_outflow_of_someone_else_without_rights_is_refused(m):
    for actor in (m.admin_b, m.me_user, m.secretary_c, m.staff_a):
        with pytest.raises(PermissionDenied):
            outflow(m, actor=actor)
    assert not MobileMember.objects.exists()


def test_outflow_destination_equal_to_home_is_refused(m):
    refused("destination_is_home", "destination_region", outflow, m,
            destination_region=m.village_a_r)  # fmt: skip
    refused("destination_is_home", "destination_text", outflow, m, destination_region=None,
            destination_text=m.village_a.name)  # fmt: skip
    refused("destination_required", "destination_region", outflow, m, destination_region=None)
    refused("destination_ambiguous", "destination_text", outflow, m, destination_text="银川")
    m.m1.refresh_from_db()
    assert m.m1.status == MemberStatus.NORMAL


def test_outflow_dates(m):
    refused("future_date", "since", outflow, m, since=m.today + dt.timedelta(days=1))
    refused("return_before_since", "expected_return", outflow, m,
            since=D(2024, 3, 1), expected_return=D(2024, 2, 1))  # fmt: skip
    spell = outflow(m, since=m.today, expected_return=m.today + dt.timedelta(days=90))
    assert spell.expected_return > spell.since


def test_outflow_bad_phone_and_reason(m):
    refused("invalid_phone", "contact", outflow, m, contact="12345")
    refused("invalid", "reason", outflow, m, reason="holiday")


def test_second_open_spell_is_refused(m):
    outflow(m)
    refused("already_mobile", "member", outflow, m, destination_region=m.street_a_r)
    assert MobileMember.objects.filter(member=m.m1).count() == 1


def test_the_database_keeps_one_open_spell_when_two_register_at_once(m):
    outflow(m)
    # The other registration did not see the first (it ran at the same time): the partial
    # unique constraint refuses it, with the same error.
    with mock.patch.object(services, "_open_spell_locked", return_value=None):
        refused("already_mobile", "member", outflow, m)


def test_outflow_after_a_return_opens_a_new_spell(m):
    first = outflow(m)
    services.spell_return(actor=m.secretary_v, spell=first, on=D(2024, 6, 1))
    second = outflow(m, since=D(2024, 9, 1))
    assert second.pk != first.pk and second.status == MobilityStatus.OPEN


def test_outflow_of_an_archived_member_is_refused(m):
    m.m2.archived = True
    m.m2.save()
    refused("member_not_active", "member", outflow, m, member=m.m2)


# --- inflow ----------------------------------------------------------------------------------


def test_inflow_of_a_member_gone_out_fills_the_same_row(m):
    spell = outflow(m)
    linked = inflow(m, contact="13900001111", note="在园区务工")
    assert linked.pk == spell.pk
    assert MobileMember.objects.count() == 1
    spell.refresh_from_db()
    assert (spell.inflow_org, spell.inflow_path) == (m.street_b, m.street_b.path)
    assert spell.inflow_registered_on == D(2024, 3, 10)
    assert spell.last_contact_on == D(2024, 3, 10)
    assert spell.contact == "13900001111"
    assert spell.home_org == m.village_a  # the home side is kept
    assert "在园区务工" in spell.note
    # One event, filed under both sides.
    (event,) = AuditEvent.objects.filter(object_id=spell.pk, note="登记流入")
    assert set(event.all_paths()) == {m.village_a.path, m.street_b.path}


def test_inflow_at_a_station_by_its_staff_links_too(m):
    spell = outflow(m)
    linked = inflow(m, actor=m.staff_b, inflow_org=None, station=m.station_b)
    assert linked.pk == spell.pk
    spell.refresh_from_db()
    assert spell.station == m.station_b and spell.station_path == m.street_b.path
    assert spell.inflow_org is None


def test_inflow_of_a_member_not_gone_out_opens_their_spell(m):
    spell = inflow(m, actor=m.staff_a, inflow_org=None, station=m.station_a,
                   id_number=m.mb.id_number, name=m.mb.name)  # fmt: skip
    assert spell.member == m.mb
    assert (spell.home_org, spell.home_path) == (m.village_b, m.village_b.path)
    assert spell.destination_region == m.street_a_r
    m.mb.refresh_from_db()
    assert m.mb.status == MemberStatus.MOBILE
    # Station staff may not edit the member record: only the status changed, told in the
    # spell's one event, which the member's own organization (the home side) finds too.
    (event,) = AuditEvent.objects.all()
    assert event.object_type == "mobility.mobilemember"
    assert event.after["member__status"] == "mobile"
    assert event.org_path == m.village_b.path and m.station_a.org_path in event.all_paths()


def test_inflow_of_someone_outside_the_deployment(m):
    id_number = make_id_number(region="610102")
    spell = inflow(m, id_number=id_number.lower(), name="赵刚", home_text="西安市新城区某党支部")
    assert spell.member is None and spell.name == "赵刚"
    assert spell.external_id_hash == crypto.lookup_hash(id_number)
    assert crypto.decrypt(spell.external_id_enc) == id_number
    assert spell.home_org is None and spell.home_path == ""
    refused("inflow_already_registered", "id_number", inflow, m, id_number=id_number,
            name="赵刚", home_text="西安")  # fmt: skip


def test_every_inflow_needs_name_and_home(m):
    """Asked of everyone, member of the deployment or not: a refusal that came only for one of
    them would tell which."""
    for id_number in (make_id_number(region="610102"), m.m1.id_number):
        refused("name_required", "name", inflow, m, id_number=id_number, name="")
        refused("home_text_required", "home_text", inflow, m, id_number=id_number, home_text="")


@pytest.mark.parametrize(
    "bad", ["12345", "64020219850314123", "640202198503141230", "640202198502301234"]
)
def test_malformed_id_number_is_refused(m, bad):
    refused("invalid_id_number", "id_number", inflow, m, id_number=bad, name="赵刚",
            home_text="西安")  # fmt: skip


def test_inflow_at_the_members_own_organization_is_refused(m):
    refused("inflow_is_home", "inflow_org", inflow, m, actor=m.secretary_v,
            inflow_org=m.village_a)  # fmt: skip
    own_station = services.station_create(
        actor=m.admin_a, organization=m.village_a, name="村服务站", kind="other",
        region=m.village_a_r,
    )  # fmt: skip
    refused("inflow_is_home", "station", inflow, m, actor=m.admin_a, inflow_org=None,
            station=own_station)  # fmt: skip


def test_a_name_that_differs_registers_someone_from_outside(m):
    """ID number and name must both match a record to link to it; otherwise the arrival is
    registered as a member from outside — exactly as for a number nobody holds — and the
    record's organization sees an audit event. The inflow side learns nothing of the record."""
    spell = inflow(m, name="别人")
    assert spell.member is None and spell.name == "别人" and spell.home_text == "潮湖村党支部"
    assert spell.home_org is None and spell.external_id_hash == m.m1.id_number_hash
    m.m1.refresh_from_db()
    assert m.m1.status == MemberStatus.NORMAL and not m.m1.mobility.exists()
    event = AuditEvent.objects.get(object_type="members.member", object_id=m.m1.pk)
    assert event.org_path == m.village_a.path and event.actor == m.admin_b
    assert "姓名或记录状态不符" in event.note


def test_inflow_where_another_side_registered_is_refused(m):
    outflow(m)
    inflow(m)
    refused("inflow_already_registered", "id_number", inflow, m, actor=m.staff_a,
            inflow_org=None, station=m.station_a)  # fmt: skip


def test_inflow_needs_rights_on_the_inflow_side(m):
    with pytest.raises(PermissionDenied):
        inflow(m, actor=m.admin_a)  # county B's street is not county A's admin's
    with pytest.raises(PermissionDenied):
        inflow(m, actor=m.staff_a, inflow_org=None, station=m.station_b)
    refused("inflow_side_required", "inflow_org", inflow, m, inflow_org=None)
    refused("future_date", "since", inflow, m, since=m.today + dt.timedelta(days=1))


def test_inflow_at_an_inactive_station_or_dissolved_org_is_refused(m):
    m.station_b.active = False
    m.station_b.save()
    refused("station_inactive", "station", inflow, m, actor=m.admin_b, inflow_org=None,
            station=m.station_b)  # fmt: skip
    m.street_b.status = OrgStatus.DISSOLVED
    m.street_b.save()
    refused("organization_dissolved", "inflow_org", inflow, m)


# --- return, end, contacts -------------------------------------------------------------------


def test_return_closes_the_spell_and_restores_the_status(m):
    spell = outflow(m)
    inflow(m)
    spell = services.spell_return(actor=m.admin_b, spell=spell, on=D(2024, 8, 1))
    assert (spell.status, spell.ended_on) == (MobilityStatus.RETURNED, D(2024, 8, 1))
    m.m1.refresh_from_db()
    assert m.m1.status == MemberStatus.NORMAL
    refused("spell_not_open", "on", services.spell_return, actor=m.secretary_v, spell=spell,
            on=D(2024, 8, 2))  # fmt: skip


def test_return_dates_and_rights(m):
    spell = outflow(m)
    refused("before_since", "on", services.spell_return, actor=m.secretary_v, spell=spell,
            on=D(2024, 2, 1))  # fmt: skip
    refused("future_date", "on", services.spell_return, actor=m.secretary_v, spell=spell,
            on=m.today + dt.timedelta(days=1))  # fmt: skip
    for actor in (m.admin_b, m.staff_a, m.secretary_c):
        with pytest.raises(PermissionDenied):
            services.spell_return(actor=actor, spell=spell, on=D(2024, 8, 1))


def test_the_member_registers_their_own_return(m):
    spell = outflow(m, member=m.me)
    services.spell_return(actor=m.me_user, spell=spell, on=D(2024, 8, 1))
    m.me.refresh_from_db()
    assert m.me.status == MemberStatus.NORMAL
    spell = outflow(m, member=m.me, since=D(2024, 9, 1))
    with pytest.raises(PermissionDenied):  # ending is for the sides, not the member
        services.spell_end(actor=m.me_user, spell=spell, on=D(2024, 10, 1), note="x")


def test_station_staff_act_on_spells_at_their_station(m):
    spell = inflow(m, actor=m.staff_a, inflow_org=None, station=m.station_a,
                   id_number=m.mb.id_number, name=m.mb.name)  # fmt: skip
    services.contact_record(actor=m.staff_a, spell=spell, on=D(2024, 4, 1), channel="visit")
    with pytest.raises(PermissionDenied):
        services.contact_record(actor=m.staff_b, spell=spell, on=D(2024, 4, 1), channel="visit")
    services.spell_end(actor=m.staff_a, spell=spell, on=D(2024, 5, 1), note="转入本地")
    spell.refresh_from_db()
    assert spell.status == MobilityStatus.ENDED and "转入本地" in spell.note


def test_end_needs_a_note(m):
    spell = outflow(m)
    refused("note_required", "note", services.spell_end, actor=m.secretary_v, spell=spell,
            on=D(2024, 5, 1), note=" ")  # fmt: skip


def test_contacts_keep_the_latest_date(m):
    spell = outflow(m)
    services.contact_record(actor=m.secretary_v, spell=spell, on=D(2024, 5, 1), channel="phone")
    services.contact_record(actor=m.secretary_v, spell=spell, on=D(2024, 4, 1), channel="visit")
    spell.refresh_from_db()
    assert spell.last_contact_on == D(2024, 5, 1)
    assert spell.contacts.count() == 2
    assert AuditEvent.objects.filter(object_type="mobility.mobilitycontact").count() == 2


def test_contact_refusals(m):
    spell = outflow(m)
    before = MobilityContact.objects.count()
    for kwargs, code in [
        ({"on": m.today + dt.timedelta(days=1)}, "future_date"),
        ({"on": D(2024, 1, 1)}, "before_since"),
        ({"channel": "pigeon"}, "invalid"),
    ]:
        args = {"actor": m.secretary_v, "spell": spell, "on": D(2024, 5, 1), "channel": "phone"}
        args.update(kwargs)
        with pytest.raises(ApplicationError) as exc:
            services.contact_record(**args)
        assert exc.value.code == code
    with pytest.raises(PermissionDenied):
        services.contact_record(actor=m.admin_b, spell=spell, on=D(2024, 5, 1), channel="phone")
    services.spell_return(actor=m.secretary_v, spell=spell, on=D(2024, 6, 1))
    with pytest.raises(ApplicationError):
        services.contact_record(actor=m.secretary_v, spell=spell, on=D(2024, 6, 1),
                                channel="phone")  # fmt: skip
    assert MobilityContact.objects.count() == before


# --- stations --------------------------------------------------------------------------------


def test_station_create_and_staff(m):
    station = services.station_create(
        actor=m.admin_a,
        organization=m.street_a,
        name=" 长胜工业园区党员服务站 ",
        kind="industrial_park",
        region=m.street_a_r,
        services=["training", "transfer", "training"],
        staff=[m.secretary_c],
    )
    assert station.name == "长胜工业园区党员服务站"
    assert station.org_path == m.street_a.path
    assert station.services == ["training", "transfer"]
    assert list(station.staff.all()) == [m.secretary_c]
    event = AuditEvent.objects.get(object_type="mobility.servicestation", object_id=station.pk)
    assert event.after["staff"] == ["secretary_c"]
    services.station_staff_add(actor=m.admin_a, station=station, user=m.staff_a)
    services.station_staff_remove(actor=m.admin_a, station=station, user=m.secretary_c)
    assert list(station.staff.all()) == [m.staff_a]
    assert AuditEvent.objects.filter(object_id=station.pk, action="update").count() == 2


def test_station_refusals(m):
    for actor in (m.secretary_v, m.admin_b, m.staff_a):
        with pytest.raises(PermissionDenied):
            services.station_create(actor=actor, organization=m.street_a, name="站",
                                    kind="other", region=m.street_a_r)  # fmt: skip
    with pytest.raises(ApplicationError) as exc:
        services.station_create(actor=m.admin_a, organization=m.street_a, name="",
                                kind="other", region=m.street_a_r)  # fmt: skip
    assert exc.value.field == "name"
    with pytest.raises(ApplicationError) as exc:
        services.station_create(actor=m.admin_a, organization=m.street_a, name="站",
                                kind="other", region=m.street_a_r, services=["x"])  # fmt: skip
    assert exc.value.field == "services"
    with pytest.raises(PermissionDenied):
        services.station_staff_add(actor=m.staff_a, station=m.station_a, user=m.staff_b)
    with pytest.raises(ApplicationError) as exc:
        services.users_by_username(["staff_a", "nobody"], actor=m.admin_a)
    assert exc.value.field == "staff" and "nobody" in exc.value.message


def _refusal(call) -> ApplicationError:
    with pytest.raises(ApplicationError) as exc:
        call()
    return exc.value


def test_station_staff_come_from_the_editors_own_accounts(m):
    """Naming a username puts that account in the station's organization: only accounts the
    editor already manages may be named, and one elsewhere is refused exactly like one that
    does not exist."""
    assert services.users_by_username(["staff_a", "secretary_c"], actor=m.admin_a) == [
        m.staff_a,
        m.secretary_c,
    ]
    unknown = _refusal(lambda: services.users_by_username(["ghost"], actor=m.admin_a))
    for elsewhere in ("staff_b", "admin_b", "norole", "root"):
        refused = _refusal(lambda n=elsewhere: services.users_by_username([n], actor=m.admin_a))
        assert (
            (refused.code, refused.field)
            == (unknown.code, unknown.field)
            == (
                "unknown_user",
                "staff",
            )
        )
        assert refused.message.replace(elsewhere, "ghost") == unknown.message
    # The services refuse them too, whoever found the user object, and write nothing.
    events = AuditEvent.objects.count()
    for call in (
        lambda: services.station_staff_add(actor=m.admin_a, station=m.station_a, user=m.staff_b),
        lambda: services.station_update(actor=m.admin_a, station=m.station_a, staff=[m.norole]),
        lambda: services.station_create(
            actor=m.admin_a,
            organization=m.street_a,
            name="新站",
            kind="other",
            region=m.street_a_r,
            staff=[m.staff_a, m.staff_b],
        ),  # fmt: skip
    ):
        assert _refusal(call).code == "unknown_user"
    assert list(m.station_a.staff.all()) == [m.staff_a]
    assert (
        AuditEvent.objects.count() == events
        and not m.station_a.staff.filter(pk=m.staff_b.pk).exists()
    )
    # County B's admin does not reach county A's station staff either; the superuser does.
    assert _refusal(lambda: services.users_by_username(["staff_a"], actor=m.admin_b))
    assert services.users_by_username(["staff_b"], actor=m.root) == [m.staff_b]


def test_a_stations_current_staff_stay_even_if_deactivated(m):
    m.staff_a.is_active = False
    m.staff_a.save()
    assert _refusal(lambda: services.users_by_username(["staff_a"], actor=m.admin_a))
    kept = services.users_by_username(["staff_a"], actor=m.admin_a, station=m.station_a)
    services.station_update(actor=m.admin_a, station=m.station_a, name="改名", staff=kept)
    assert list(m.station_a.staff.all()) == [m.staff_a]


def test_an_account_made_for_a_station_may_staff_another_in_scope(m):
    from tongchou.accounts.services import account_create

    issued = account_create(actor=m.admin_a, username="zhanwu", name="站务", station=m.station_a)
    assert services.users_by_username(["zhanwu"], actor=m.admin_a) == [issued.user]
    assert _refusal(lambda: services.users_by_username(["zhanwu"], actor=m.admin_b))


def test_station_moved_to_another_organization_takes_its_spells(m):
    spell = spell_for(m.mb, station=m.station_a)
    services.station_update(actor=m.admin_a, station=m.station_a, organization=m.community_a,
                            staff=[])  # fmt: skip
    spell.refresh_from_db()
    m.station_a.refresh_from_db()
    assert m.station_a.org_path == spell.station_path == m.community_a.path
    assert not m.station_a.staff.exists()
    with pytest.raises(PermissionDenied):
        services.station_update(actor=m.admin_a, station=m.station_a, organization=m.street_b)


def test_external_spell_factory_is_seen_as_external(m):
    spell = external_spell(station=m.station_a)
    assert spell.name == "外地党员" and spell.member_id is None
