"""Mobility pages: access, registration forms, spell actions, stations, masking, query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from tongchou.core.models import AuditEvent
from tongchou.members.choices import MemberStatus
from tongchou.mobility.models import MobileMember, MobilityContact, MobilityStatus, ServiceStation
from tongchou.mobility.tests.factories import external_spell, spell_for

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def test_station_staff_without_a_role_use_the_pages(client, m):
    spell = spell_for(m.mb, station=m.station_a)
    c = as_user(client, m.staff_a)
    response = c.get(reverse("mobility:list"))
    assert response.status_code == 200
    assert [s.pk for s in response.context["page"]] == [spell.pk]
    assert c.get(reverse("mobility:detail", args=[spell.pk])).status_code == 200
    assert c.get(reverse("mobility:stations")).status_code == 200
    assert c.get(reverse("mobility:station_detail", args=[m.station_a.pk])).status_code == 200
    assert c.get(reverse("mobility:station_detail", args=[m.station_b.pk])).status_code == 404
    assert c.get(reverse("mobility:inflow")).status_code == 200
    assert c.get(reverse("mobility:outflow")).status_code == 403
    assert c.get(reverse("mobility:station_create")).status_code == 403


def test_list_filters(client, m):
    linked = spell_for(m.m1, station=m.station_b, last_contact_on=m.today)
    alone = spell_for(m.m2)
    back = spell_for(m.me, status=MobilityStatus.RETURNED)
    c = as_user(client, m.admin_a)

    def pks(**params):
        response = c.get(reverse("mobility:list"), params)
        assert response.status_code == 200
        return {s.pk for s in response.context["page"]}

    assert pks() == {linked.pk, alone.pk, back.pk}
    assert pks(status="open") == {linked.pk, alone.pk}
    assert pks(has_inflow="no", status="open") == {alone.pk}
    assert pks(has_inflow="yes") == {linked.pk}
    assert pks(lost_contact="yes") == {alone.pk}
    assert pks(q="王建") == {linked.pk}
    assert pks(inflow_org=m.county_b.pk) == {linked.pk}
    assert pks(home_org=m.village_a.pk) == {linked.pk, alone.pk, back.pk}
    assert pks(station=m.station_b.pk) == {linked.pk}
    assert pks(home_org=m.village_b.pk) == set()
    response = c.get(reverse("mobility:list"), {"home_org": "x"})
    assert response.status_code == 200 and response.context["filter"].errors


def test_list_query_count_is_constant(client, m, django_assert_num_queries):
    c = as_user(client, m.admin_a)
    spell_for(m.m1, station=m.station_a)
    c.get(reverse("mobility:list"))
    with django_assert_num_queries(12) as few:
        c.get(reverse("mobility:list"))
    for i in range(20):
        spell_for(m.m2 if i == 0 else m.me, station=m.station_a, status="returned" if i else "open")
    external_spell(station=m.station_a)
    with django_assert_num_queries(len(few.captured_queries)):
        response = c.get(reverse("mobility:list"))
    assert response.context["page"].paginator.count == 22


def test_contacts_are_masked_everywhere(client, m):
    spell = spell_for(m.m1, station=m.station_a, contact="13912345678")
    c = as_user(client, m.admin_a)
    for url in (
        reverse("mobility:list"),
        reverse("mobility:detail", args=[spell.pk]),
        reverse("mobility:station_detail", args=[m.station_a.pk]),
        reverse("members:detail", args=[m.m1.pk]),
    ):
        body = c.get(url).content.decode()
        assert "13912345678" not in body and m.m1.phone not in body, url
        assert m.m1.id_number not in body, url
    assert "139****5678" in c.get(reverse("mobility:detail", args=[spell.pk])).content.decode()


def test_member_page_panel_offers_registration(client, m):
    c = as_user(client, m.secretary_v)
    body = c.get(reverse("members:detail", args=[m.m1.pk])).content.decode()
    assert "tc-panel-mobility" in body
    assert f"{reverse('mobility:outflow')}?member={m.m1.pk}" in body
    spell_for(m.m1, station=m.station_b)
    body = c.get(reverse("members:detail", args=[m.m1.pk])).content.decode()
    # An open spell: no second registration; the spell's page is linked.
    assert f"{reverse('mobility:outflow')}?member={m.m1.pk}" not in body
    assert m.station_b.name in body
    assert reverse("mobility:detail", args=[m.m1.mobility.get().pk]) in body


def test_outflow_from_the_member_page(client, m):
    c = as_user(client, m.secretary_v)
    url = reverse("mobility:outflow")
    assert c.get(url, {"q": "王"}).context["found"] == [m.m1]
    assert c.get(url, {"member": m.m1.pk}).status_code == 200
    assert c.get(url, {"member": m.mb.pk}).status_code == 404  # out of scope
    data = {"member": m.m1.pk, "destination_region": "640205001", "since": "2024-03-01",
            "reason": "work", "contact": "13812345678"}  # fmt: skip
    response = c.post(url, {**data, "destination_region": "640202100201"})
    assert response.status_code == 200
    assert response.context["form"].errors["destination_region"]
    response = c.post(url, {**data, "destination_region": "999"})
    assert response.context["form"].errors["destination_region"]
    response = c.post(url, data)
    spell = MobileMember.objects.get(member=m.m1)
    assert response.status_code == 302 and response["Location"] == reverse(
        "mobility:detail", args=[spell.pk]
    )
    response = c.post(url, data)
    assert "该党员已有一条未结束的流动登记" in response.content.decode()


def test_the_member_registers_going_out_themself(client, m):
    c = as_user(client, m.me_user)
    response = c.get(reverse("mobility:outflow"))
    assert response.status_code == 200 and response.context["member"] == m.me
    assert c.get(reverse("mobility:outflow"), {"member": m.m1.pk}).status_code == 404
    response = c.post(
        reverse("mobility:outflow"),
        {"member": m.me.pk, "destination_text": "银川市金凤区", "since": "2024-03-01",
         "reason": "work"},
    )  # fmt: skip
    assert response.status_code == 302
    m.me.refresh_from_db()
    assert m.me.status == MemberStatus.MOBILE


def test_inflow_by_station_staff_links_and_redirects(client, m):
    spell = spell_for(m.m1)
    c = as_user(client, m.staff_b)
    form = c.get(reverse("mobility:inflow")).context["form"]
    assert list(form.fields["station"].queryset) == [m.station_b]
    assert form.fields["station"].initial == m.station_b.pk
    data = {"station": m.station_b.pk, "id_number": m.m1.id_number, "name": m.m1.name,
            "home_text": "潮湖村党支部", "since": "2024-03-10", "reason": "work"}  # fmt: skip
    response = c.post(reverse("mobility:inflow"), {**data, "id_number": "640202"})
    assert response.status_code == 200 and response.context["form"].errors["id_number"]
    response = c.post(reverse("mobility:inflow"), {**data, "station": m.station_a.pk})
    assert response.context["form"].errors["station"]  # not a station of theirs
    response = c.post(reverse("mobility:inflow"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("mobility:detail", args=[spell.pk])
    spell.refresh_from_db()
    assert spell.station == m.station_b and MobileMember.objects.count() == 1
    page = c.get(response["Location"]).content.decode()
    assert m.m1.name in page and m.village_a.name in page


def test_spell_actions(client, m):
    spell = spell_for(m.m1, station=m.station_a)
    c = as_user(client, m.staff_a)
    today = m.today.isoformat()
    url = reverse("mobility:contact", args=[spell.pk])
    assert c.post(url, {"on": "2099-01-01", "channel": "phone"}).status_code == 400
    assert c.post(url, {"on": today, "channel": "visit", "note": "走访"}).status_code == 302
    assert MobilityContact.objects.get().by == m.staff_a
    response = c.post(reverse("mobility:end", args=[spell.pk]), {"on": today})
    assert response.status_code == 400 and response.context["end_form"].errors["note"]
    response = c.post(reverse("mobility:return", args=[spell.pk]), {"on": today})
    assert response.status_code == 302
    spell.refresh_from_db()
    assert spell.status == MobilityStatus.RETURNED
    response = c.post(reverse("mobility:return", args=[spell.pk]), {"on": today})
    assert response.status_code == 400
    assert "已经结束" in response.content.decode()


def test_a_viewer_without_manage_rights_gets_403_on_actions(client, m):
    from tongchou.core.tests.factories import UserFactory, grant
    from tongchou.organizations.models import RoleKind

    spell = spell_for(m.m1)
    viewer = UserFactory(username="viewer")
    grant(viewer, m.county_a, RoleKind.MEMBER)  # sees organizations only
    c = as_user(client, viewer)
    assert c.get(reverse("mobility:list")).status_code == 403
    assert c.get(reverse("mobility:detail", args=[spell.pk])).status_code == 404


def test_station_create_and_edit_pages(client, m):
    c = as_user(client, m.admin_a)
    data = {"name": "长胜物流园党员服务站", "kind": "logistics_hub",
            "organization": m.street_a.code, "region": "640202001",
            "services": ["transfer", "training"], "active": "on",
            "staff": "staff_a, nobody"}  # fmt: skip
    response = c.post(reverse("mobility:station_create"), data)
    assert response.status_code == 200 and "nobody" in str(response.context["form"].errors)
    # An account elsewhere (staff_b works in county B) is refused in the same words.
    response = c.post(reverse("mobility:station_create"), {**data, "staff": "staff_a staff_b"})
    assert response.status_code == 200
    assert str(response.context["form"].errors["staff"]).replace("staff_b", "nobody") == str(
        c.post(reverse("mobility:station_create"), data).context["form"].errors["staff"]
    )
    response = c.post(reverse("mobility:station_create"), {**data, "staff": "staff_a secretary_c"})
    station = ServiceStation.objects.get(name="长胜物流园党员服务站")
    assert response["Location"] == reverse("mobility:station_detail", args=[station.pk])
    assert set(station.staff.values_list("username", flat=True)) == {"staff_a", "secretary_c"}
    response = c.post(reverse("mobility:station_create"), {**data, "organization": m.street_b.code})
    assert response.context["form"].errors["organization"]
    edit = reverse("mobility:station_edit", args=[station.pk])
    assert c.get(edit).context["form"].initial["staff"] == "secretary_c staff_a"
    response = c.post(edit, {**data, "name": "新名称", "staff": ""})
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.name == "新名称" and not station.staff.exists()
    assert as_user(client, m.staff_a).get(edit).status_code == 404  # staff do not edit it
    assert AuditEvent.objects.filter(object_id=station.pk).count() == 2


def test_station_list_query_count(client, m, django_assert_num_queries):
    c = as_user(client, m.root)
    c.get(reverse("mobility:stations"))
    with django_assert_num_queries(5) as few:
        c.get(reverse("mobility:stations"))
    for i in range(10):
        ServiceStation.objects.create(
            name=f"站{i}", kind="other", organization=m.street_a, org_path=m.street_a.path,
            region=m.street_a_r,
        )  # fmt: skip
    with django_assert_num_queries(len(few.captured_queries)):
        response = c.get(reverse("mobility:stations"))
    assert response.context["page"].paginator.count == 12


def test_dates_in_the_future_are_refused_on_the_outflow_page(client, m):
    c = as_user(client, m.secretary_v)
    future = (m.today + dt.timedelta(days=3)).isoformat()
    response = c.post(
        reverse("mobility:outflow"),
        {"member": m.m1.pk, "destination_text": "银川", "since": future, "reason": "work"},
    )
    assert response.context["form"].errors["since"]
    assert not MobileMember.objects.exists()


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("mobility:list", "home_org"),
        ("mobility:list", "inflow_org"),
        ("mobility:stations", "org"),
        ("mobility:station_create", "org"),
        ("mobility:outflow", "q"),
    ],
)
@pytest.mark.parametrize("value", ["²", "1\x00", "\x00"])
def test_odd_query_values_do_not_crash(client, m, url, param, value):
    """ "²" passes str.isdigit() but not int(); PostgreSQL refuses a NUL in a query."""
    response = as_user(client, m.admin_a).get(reverse(url), {param: value})
    assert response.status_code == 200


def test_a_spell_links_its_station_only_for_who_may_open_it(client, m):
    """County B's admin sees their member's spell at county A's station, but not the station's
    page: its name without a link (the link was a 404)."""
    spell = spell_for(m.mb, station=m.station_a)
    station_url = reverse("mobility:station_detail", args=[m.station_a.pk])
    home_side = as_user(client, m.admin_b).get(reverse("mobility:detail", args=[spell.pk]))
    html = home_side.content.decode()
    assert m.station_a.name in html and station_url not in html
    assert client.get(station_url).status_code == 404
    for user in (m.admin_a, m.staff_a):
        page = as_user(client, user).get(reverse("mobility:detail", args=[spell.pk]))
        assert station_url in page.content.decode()
        assert client.get(station_url).status_code == 200
