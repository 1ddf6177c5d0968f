"""The inflow registration tells the inflow side nothing about whom an ID number belongs to;
what "lost contact" means, in Python and in SQL alike; forms that do not ask twice."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.core.tests.factories import create_member, make_id_number
from tongchou.members.choices import MemberStatus
from tongchou.members.id_numbers import lookups_spent
from tongchou.mobility import services
from tongchou.mobility.models import MobileMember, MobilityStatus
from tongchou.mobility.rules import is_lost, lost_contact_q, lost_cutoff, months_back
from tongchou.mobility.tests.factories import spell_for
from tongchou.orglife.models import Attendance, Session

pytestmark = pytest.mark.django_db


def _register(m, number, name, **kw):
    args = {"actor": m.staff_a, "station": m.station_a, "id_number": number, "name": name,
            "home_text": "某县某村党支部", "since": m.today, "reason": "work"}  # fmt: skip
    args.update(kw)
    return services.inflow_register(**args)


def _outcome(call):
    try:
        spell = call()
    except ApplicationError as exc:
        return ("refused", exc.code, exc.field, str(exc.message))
    return ("external", spell.member_id, spell.name, spell.home_text, spell.home_org_id)


def test_nobody_archived_or_a_wrong_name_read_exactly_alike(m):
    """Station staff (no role) try three numbers with the same made-up name: one nobody holds,
    one of an archived record, one of an active member out of their scope. Every answer is the
    same kind (a member from outside, with what they typed), each refusal the same words."""
    nobody = make_id_number(region="610102")
    archived = create_member(m.village_b, name="归档人", archived=True)
    for number in (nobody, archived.id_number, m.mb.id_number):
        assert _outcome(lambda n=number: _register(m, n, "假名")) == (
            "external", None, "假名", "某县某村党支部", None
        )  # fmt: skip
        # The second try is refused, in the same words, whoever holds the number.
        again = _outcome(lambda n=number: _register(m, n, "假名"))
        assert again[:3] == ("refused", "inflow_already_registered", "id_number")
        assert "归档人" not in again[3] and m.mb.name not in again[3]
    m.mb.refresh_from_db()
    assert m.mb.status == MemberStatus.NORMAL and not m.mb.mobility.exists()
    # The records' organizations know someone tried; the nobody number touched no record.
    tried = AuditEvent.objects.filter(object_type="members.member")
    assert set(tried.values_list("object_id", flat=True)) == {str(archived.pk), str(m.mb.pk)}
    assert all(e.org_path == m.village_b.path for e in tried)


def test_missing_fields_are_refused_alike_before_anything_is_looked_up(m):
    for number in (make_id_number(region="610102"), m.mb.id_number):
        for name, extra, field in (("", {}, "name"), ("张海燕", {"home_text": ""}, "home_text")):
            with pytest.raises(ApplicationError) as exc:
                _register(m, number, name, **extra)
            assert exc.value.field == field
    assert lookups_spent(m.staff_a) == 0 and not MobileMember.objects.exists()


def test_the_right_name_links_the_record_and_its_phone(m):
    spell = _register(m, m.mb.id_number, m.mb.name)
    assert spell.member == m.mb and spell.home_org == m.village_b
    assert spell.contact == m.mb.phone  # not typed again: the record's
    m.mb.refresh_from_db()
    assert m.mb.status == MemberStatus.MOBILE


def test_inflow_spends_the_budget_and_the_api_answers_429(m, settings):
    settings.ID_LOOKUP_LIMIT_PER_HOUR = 2
    api = APIClient()
    api.force_authenticate(m.staff_a)
    body = {"station": m.station_a.pk, "name": "某人", "home_text": "某党支部",
            "since": m.today.isoformat(), "reason": "work"}  # fmt: skip
    for _ in range(2):
        number = make_id_number(region="610102")
        response = api.post("/api/mobility/spells/inflow/", {**body, "id_number": number},
                            format="json")  # fmt: skip
        assert response.status_code == 201
    number = make_id_number(region="610102")
    response = api.post("/api/mobility/spells/inflow/", {**body, "id_number": number},
                        format="json")  # fmt: skip
    assert response.status_code == 429 and response.json()["code"] == "too_many_lookups"
    assert MobileMember.objects.count() == 2
    # The page says so on the form.
    page = APIClient()
    page.force_login(m.staff_a)
    response = page.post(reverse("mobility:inflow"), {**body, "id_number": number})
    assert "次数已达上限" in response.content.decode()


# --- lost contact ----------------------------------------------------------------------------

CUTOFF_CASES = [
    # (went out, last contact, last attended) in days ago → lost with 6 months
    ((10, None, None), False),  # went out last week, nobody registered them: not lost
    ((400, None, None), True),
    ((400, 10, None), False),
    ((400, 300, None), True),
    ((400, None, 10), False),  # attending is being reached
    ((400, 300, 250), True),
    ((100, None, 400), False),  # attended before going out: going out is later, and recent
    ((400, 300, -3), True),  # "attended" a session still to come: nothing
]


@pytest.mark.parametrize(("days", "lost"), CUTOFF_CASES)
def test_is_lost_and_lost_contact_q_agree(m, days, lost):
    since, contact, attended = (None if d is None else m.today - dt.timedelta(days=d) for d in days)
    spell = spell_for(m.m1, since=since, last_contact_on=contact, station=m.station_a)
    if attended is not None:
        session = Session.objects.create(
            kind="theme_day", organization=m.street_a, org_path=m.street_a.path,
            starts_at=dt.datetime.combine(attended, dt.time(9)).astimezone(),
            held_on=attended, topic="主题党日",
        )  # fmt: skip
        Attendance.objects.create(session=session, member=m.m1, status="offline", held_on=attended)
    cutoff = lost_cutoff(today=m.today)
    reached = attended if attended is not None and attended <= m.today else None
    assert is_lost(since=since, last_contact=contact, last_attended=reached, cutoff=cutoff) is lost
    in_sql = MobileMember.objects.filter(lost_contact_q(today=m.today), pk=spell.pk).exists()
    assert in_sql is lost


def test_a_closed_spell_is_never_lost(m):
    spell = spell_for(m.m1, since=m.today - dt.timedelta(days=900), status=MobilityStatus.RETURNED)
    assert not MobileMember.objects.filter(lost_contact_q(), pk=spell.pk).exists()


def test_months_back_clips_to_the_month():
    assert months_back(dt.date(2025, 8, 31), 6) == dt.date(2025, 2, 28)
    assert months_back(dt.date(2024, 8, 31), 6) == dt.date(2024, 2, 29)


# --- forms that do not ask twice -------------------------------------------------------------


def test_outflow_takes_a_destination_by_name_and_the_phone_on_record(client, m):
    client.force_login(m.secretary_v)
    url = reverse("mobility:outflow")
    page = client.get(url, {"member": m.m1.pk})
    assert "139****0001" in page.content.decode()  # the record's, masked, as the default
    response = client.post(url, {"member": m.m1.pk, "destination_region": "育才路街道",
                                 "since": m.today.isoformat(), "reason": "work"})  # fmt: skip
    assert response.status_code == 302
    spell = MobileMember.objects.get()
    assert spell.destination_region == m.street_b_r and spell.contact == m.m1.phone


def test_an_unknown_or_ambiguous_region_name_is_a_clear_error(client, m):
    client.force_login(m.secretary_v)
    url = reverse("mobility:outflow")
    base = {"member": m.m1.pk, "since": m.today.isoformat(), "reason": "work"}
    response = client.post(url, {**base, "destination_region": "不存在的街道"})
    assert "没有找到这个区划" in " ".join(response.context["form"].errors["destination_region"])
    from tongchou.core.tests.factories import RegionFactory
    from tongchou.regions.models import RegionLevel

    RegionFactory(code="640205002", name="长胜街道", level=RegionLevel.TOWNSHIP)
    response = client.post(url, {**base, "destination_region": "长胜街道"})
    errors = " ".join(response.context["form"].errors["destination_region"])
    assert "有多个区划" in errors and "640202001" in errors and "640205002" in errors
    assert not MobileMember.objects.exists()


def test_station_form_pre_fills_the_managed_organization(client, m):
    client.force_login(m.admin_b)
    form = client.get(reverse("mobility:station_create")).context["form"]
    assert form.initial["organization"] == m.county_b.code
    assert form.initial["region"] == m.county_b.region_id


def test_inflow_form_pre_fills_the_managed_organization(client, m):
    client.force_login(m.secretary_c)
    form = client.get(reverse("mobility:inflow")).context["form"]
    assert form.fields["inflow_org"].initial == m.community_a.code
