"""Organization and region pages as anonymous, no role, in scope and out of scope."""

import pytest
from django.urls import reverse

from tongchou.core.models import AuditAction, AuditEvent
from tongchou.core.tests.factories import OrganizationFactory, create_member
from tongchou.organizations.models import Organization, OrgKind, OrgStatus, OrgType, Unit

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_tree_page_shows_roots_with_counts(client, world):
    w = world
    create_member(w.village_a)
    html = login(client, w.admin_street).get(reverse("organizations:tree")).content.decode()
    assert "长胜街道党工委" in html and "长胜红果子村村联建党支部" in html
    assert "大武口区委" not in html and "红果子镇党委" not in html
    assert "党员 1" in html  # member count of the street's subtree
    assert reverse("organizations:children", args=[w.street_a.pk]) in html  # expandable
    assert "联合" in html  # the joint org's type badge


def test_tree_page_opens_a_single_root(client, world):
    w = world
    html = login(client, w.admin_b).get(reverse("organizations:tree")).content.decode()
    assert "惠农区委" in html and "红果子镇党委" in html  # the root's children shown at once
    assert "<details open>" in html
    assert reverse("organizations:children", args=[w.street_b.pk]) in html  # and expandable
    assert "长胜街道党工委" not in html


def test_tree_page_query_count(client, world, django_assert_num_queries):
    w = world
    for i in range(5):
        OrganizationFactory(name=f"社区{i}", kind=OrgKind.BRANCH, parent=w.street_a)
    login(client, w.admin_a)
    # session, user, role paths, led joint orgs, roots; then for all roots together (county A
    # and the joint org led from village A) one statement of subtree totals. Children load on
    # demand.
    with django_assert_num_queries(5 + 1):
        response = client.get(reverse("organizations:tree"))
    assert response.status_code == 200


def test_children_partial(client, world):
    w = world
    create_member(w.village_a)
    create_member(w.village_a)
    response = login(client, w.admin_a).get(
        reverse("organizations:children", args=[w.street_a.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment
    assert "长胜村党支部" in html and "长胜社区党支部" in html
    assert "党员 2" in html and "农村" in html and "城市" in html


def test_children_partial_of_out_of_scope_org_is_404(client, world):
    w = world
    response = login(client, w.admin_a).get(reverse("organizations:children", args=[w.street_b.pk]))
    assert response.status_code == 404


def test_detail_shows_attributes_units_lead_and_counts(client, world):
    w = world
    create_member(w.village_a)
    client = login(client, w.admin_street)
    html = client.get(reverse("organizations:detail", args=[w.joint.pk])).content.decode()
    assert "长胜村党支部" in html  # lead, linked: it is in scope
    assert reverse("organizations:detail", args=[w.village_a.pk]) in html
    assert "长胜村委会" in html and "红果子村委会" in html  # units
    html = client.get(reverse("organizations:detail", args=[w.village_a.pk])).content.decode()
    assert "长胜红果子村村联建党支部" in html  # the joint org it leads
    assert f"/members/?org={w.village_a.pk}" in html
    assert reverse("organizations:edit", args=[w.village_a.pk]) in html  # manager actions
    assert "长胜街道党工委" in html  # breadcrumb


def test_detail_for_secretary_has_no_manage_actions(client, world):
    w = world
    html = (
        login(client, w.secretary)
        .get(reverse("organizations:detail", args=[w.village_a.pk]))
        .content.decode()
    )
    assert reverse("organizations:edit", args=[w.village_a.pk]) not in html


def test_search_page_and_htmx_results(client, world):
    w = world
    client = login(client, w.admin_a)
    html = client.get(reverse("organizations:search"), {"q": "长胜"}).content.decode()
    assert "长胜村党支部" in html and "<html" in html
    assert "红果子村党支部" not in html
    partial = client.get(
        reverse("organizations:search"), {"q": "v-a"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial and "长胜村党支部" in partial
    none = client.get(reverse("organizations:search"), {"q": "红果子村党支部"}).content.decode()
    assert "没有找到" in none


PAGES = [
    ("organizations:detail", "get"),
    ("organizations:children", "get"),
    ("organizations:create", "get"),
    ("organizations:edit", "get"),
    ("organizations:move", "get"),
    ("organizations:dissolve", "get"),
]


@pytest.mark.parametrize(("name", "method"), PAGES)
def test_object_pages_out_of_scope_are_404(client, world, name, method):
    w = world
    response = login(client, w.admin_a).get(reverse(name, args=[w.village_b.pk]))
    assert response.status_code == 404
    response = client.get(reverse(name, args=[987654]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name",
    ["organizations:create", "organizations:edit", "organizations:move", "organizations:dissolve"],
)
def test_manage_pages_need_manage_scope(client, world, name):
    w = world
    assert login(client, w.secretary).get(reverse(name, args=[w.village_a.pk])).status_code == 404
    assert (
        login(client, w.admin_street).get(reverse(name, args=[w.village_a.pk])).status_code == 200
    )
    assert login(client, w.norole).get(reverse(name, args=[w.village_a.pk])).status_code == 404
    response = client.post(reverse(name, args=[w.village_a.pk]), {"name": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/orgs/",
        "/orgs/search/?q=x",
        "/orgs/1/",
        "/orgs/1/children/",
        "/orgs/1/add/",
        "/orgs/1/edit/",
        "/orgs/1/move/",
        "/orgs/1/dissolve/",
        "/regions/",
        "/regions/640202000000/",
    ],
)
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", ["/orgs/", "/orgs/search/?q=长胜", "/regions/"])
def test_no_role_is_403_on_list_pages(client, world, url):
    assert login(client, world.norole).get(url).status_code == 403


def test_create_child_through_the_page(client, world):
    w = world
    client = login(client, w.admin_street)
    url = reverse("organizations:create", args=[w.village_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "第一党小组",
            "kind": OrgKind.GROUP,
            "org_type": OrgType.STANDARD,
            "formation": "single",
            "region": w.village_a_r.code,
        },
    )
    group = Organization.objects.get(name="第一党小组")
    assert response.status_code == 302
    assert response["Location"] == reverse("organizations:detail", args=[group.pk])
    assert group.parent == w.village_a and group.urban_rural == "rural"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(group.pk)).exists()


def test_create_shows_service_errors_on_the_form(client, world):
    w = world
    client = login(client, w.admin_street)
    url = reverse("organizations:create", args=[w.street_a.pk])
    base = {"formation": "single", "region": w.street_a_r.code, "kind": OrgKind.BRANCH}
    # functional without sector: the message lands on the sector field
    response = client.post(url, {**base, "name": "快递", "org_type": OrgType.FUNCTIONAL})
    assert response.status_code == 200
    assert "功能型党组织须注明服务的新就业群体" in response.content.decode()
    # a group straight under a working committee: a form-wide message
    response = client.post(
        url, {**base, "name": "小组", "kind": OrgKind.GROUP, "org_type": OrgType.STANDARD}
    )
    assert "党小组不能设在党工委之下" in response.content.decode()
    # unknown region code; a lead out of scope looks like an unknown code
    response = client.post(
        url,
        {**base, "name": "联建", "org_type": OrgType.JOINT, "lead": w.village_b.code},
    )
    assert "不在您的管辖范围内" in response.content.decode()
    response = client.post(url, {**base, "name": "x", "org_type": "standard", "region": "999"})
    assert "区划代码“999”不存在" in response.content.decode()
    assert not Organization.objects.filter(
        parent=w.street_a, name__in=["快递", "小组", "x"]
    ).exists()


def test_create_joint_org_with_new_units_is_all_or_nothing(client, world):
    w = world
    client = login(client, w.admin_street)
    url = reverse("organizations:create", args=[w.street_a.pk])
    values = {
        "name": "村企联建党支部",
        "kind": OrgKind.BRANCH,
        "org_type": OrgType.JOINT,
        "formation": "joint",
        "region": w.village_a_r.code,
        "lead": w.village_a.code,
        "new_unit_1_name": "枸杞加工厂",
        "new_unit_1_kind": "enterprise",
        "new_unit_1_region": w.village_a_r.code,
    }
    units_before = Unit.objects.count()
    response = client.post(url, values)  # one unit only: refused, and the new unit is not kept
    assert response.status_code == 200
    assert "联合党组织至少应联合两个单位" in response.content.decode()
    assert Unit.objects.count() == units_before
    response = client.post(url, {**values, "units": [w.unit1.pk]})
    assert response.status_code == 302
    joint = Organization.objects.get(name="村企联建党支部")
    assert joint.lead == w.village_a
    assert {u.name for u in joint.units.all()} == {"长胜村委会", "枸杞加工厂"}


def test_edit_through_the_page(client, world):
    w = world
    client = login(client, w.admin_street)
    url = reverse("organizations:edit", args=[w.community_a.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, [])}
    data["name"] = "长胜社区第一党支部"
    data["founded_on"] = "2001-07-01"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    w.community_a.refresh_from_db()
    assert w.community_a.name == "长胜社区第一党支部"
    assert str(w.community_a.founded_on) == "2001-07-01"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(w.community_a.pk))
    assert event.after == {"name": "长胜社区第一党支部", "founded_on": "2001-07-01"}
    response = client.post(url, {**data, "code": "V-A"})
    assert "组织代码已存在" in response.content.decode()


def test_move_through_the_page(client, world):
    w = world
    new_street = OrganizationFactory(
        name="新街道党工委", kind=OrgKind.WORKING_COMMITTEE, parent=w.county_a, code="S-A2"
    )
    member = create_member(w.community_a)
    client = login(client, w.admin_a)
    url = reverse("organizations:move", args=[w.community_a.pk])
    response = client.post(url, {"new_parent": "S-A2"})
    assert response.status_code == 302
    w.community_a.refresh_from_db()
    assert w.community_a.parent == new_street
    member.refresh_from_db()
    assert member.org_path == w.community_a.path
    # under its own descendant / out of scope / unknown: clear messages on the field
    response = client.post(
        reverse("organizations:move", args=[w.street_a.pk]), {"new_parent": "V-A"}
    )
    assert "不能把组织移到它自己或它的下级组织之下" in response.content.decode()
    response = client.post(url, {"new_parent": "S-B"})
    assert "不在您的管辖范围内" in response.content.decode()


def test_dissolve_through_the_page(client, world):
    w = world
    client = login(client, w.admin_street)
    url = reverse("organizations:dissolve", args=[w.community_a.pk])
    response = client.post(url, {})
    assert response.status_code == 200  # the confirmation box is required
    create_member(w.community_a)
    response = client.post(url, {"confirm": "on"})
    assert "仍有党员" in response.content.decode()
    response = client.post(
        reverse("organizations:dissolve", args=[w.village_a.pk]), {"confirm": "on"}
    )
    assert (
        "仍牵头联合党组织" in response.content.decode()
        or "仍有下级组织" in response.content.decode()
    )
    response = client.post(
        reverse("organizations:dissolve", args=[w.street_a.pk]), {"confirm": "on"}
    )
    assert "仍有下级组织" in response.content.decode()
    empty = OrganizationFactory(name="待撤销支部", kind=OrgKind.BRANCH, parent=w.street_a)
    response = client.post(reverse("organizations:dissolve", args=[empty.pk]), {"confirm": "on"})
    assert response.status_code == 302
    empty.refresh_from_db()
    assert empty.status == OrgStatus.DISSOLVED


def test_region_pages(client, world):
    w = world
    client = login(client, w.member_user)
    html = client.get(reverse("regions:index")).content.decode()
    assert "石嘴山市" in html
    html = client.get(reverse("regions:detail", args=[w.street_a_r.code])).content.decode()
    assert "长胜村" in html and "长胜社区" in html and "农村" in html
    assert "大武口区" in html  # breadcrumb
    assert client.get(reverse("regions:detail", args=["000"])).status_code == 404


def test_children_partial_query_count(client, world, django_assert_num_queries):
    w = world
    for i in range(8):
        child = OrganizationFactory(name=f"社区{i}", kind=OrgKind.BRANCH, parent=w.street_a)
        create_member(child, name=f"党员{i}")
    login(client, w.admin_a)
    # session, user, role paths, led joint orgs, the parent, then children and one statement
    # of subtree totals: fixed however many children there are
    with django_assert_num_queries(7):
        response = client.get(reverse("organizations:children", args=[w.street_a.pk]))
    assert response.content.decode().count('class="tc-node"') == 10


def test_admin_back_office(client, world):
    w = world
    client.force_login(w.superuser)
    for url in (
        "/admin/organizations/organization/",
        f"/admin/organizations/organization/{w.joint.pk}/change/",
        "/admin/organizations/unit/",
        "/admin/organizations/role/",
        "/admin/organizations/role/add/",
        "/admin/regions/region/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/organizations/organization/add/").status_code == 403
    # an attribute corrected in the admin goes through the service (and is audited)
    data = {
        "name": "村村联建党支部",
        "code": "J-1",
        "founded_on": "",
        "secretary_name": "赵书记",
        "formation": "joint",
    }
    response = client.post(f"/admin/organizations/organization/{w.joint.pk}/change/", data)
    assert response.status_code == 302
    w.joint.refresh_from_db()
    assert w.joint.name == "村村联建党支部" and w.joint.secretary_name == "赵书记"
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(w.joint.pk)).exists()
