"""organization_create / update / move / dissolve against the real database."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from tongchou.core import tree
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.core.tests.factories import RegionFactory, UserFactory, create_member, grant
from tongchou.members.models import Member
from tongchou.organizations import services
from tongchou.organizations.models import (
    ChainLink,
    Organization,
    OrgKind,
    OrgStatus,
    OrgType,
    RoleKind,
    Sector,
    Unit,
    UnitKind,
)
from tongchou.regions.models import RegionLevel, UrbanRural

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_user():
    return get_user_model().objects.create_superuser("boss", password="pass-Word-123")


@pytest.fixture
def region():
    return RegionFactory(code="640202001000", name="长胜街道", level=RegionLevel.TOWNSHIP)


@pytest.fixture
def rural_region():
    return RegionFactory(
        code="640202001201", name="长胜村", level=RegionLevel.VILLAGE, urban_rural=UrbanRural.RURAL
    )


@pytest.fixture
def net(root_user, region, rural_region):
    """county committee → street working committee → two village branches."""

    def make(name, kind, parent, reg=region, **kw):
        return services.organization_create(
            actor=root_user, name=name, kind=kind, region=reg, parent=parent, **kw
        )

    county = make("区委", OrgKind.COMMITTEE, None, code="C1")
    street = make("街道党工委", OrgKind.WORKING_COMMITTEE, county, code="S1")
    street2 = make("镇党委", OrgKind.COMMITTEE, county, code="S2")
    v1 = make("一村党支部", OrgKind.BRANCH, street, rural_region, code="V1")
    v2 = make("二村党支部", OrgKind.BRANCH, street, rural_region, code="V2")
    return {"county": county, "street": street, "street2": street2, "v1": v1, "v2": v2}


def units(region, n):
    return [
        Unit.objects.create(name=f"单位{i}", kind=UnitKind.ENTERPRISE, region=region)
        for i in range(n)
    ]


def test_create_builds_path_code_and_audit(net, root_user, rural_region):
    v1, street = net["v1"], net["street"]
    assert v1.path == tree.child_path(street.path, v1.pk)
    assert v1.depth == 3
    assert v1.urban_rural == UrbanRural.RURAL  # taken from the region
    group = services.organization_create(
        actor=root_user, name="第一党小组", kind=OrgKind.GROUP, region=rural_region, parent=v1
    )
    assert group.code == f"{rural_region.code}-{group.pk}"
    event = AuditEvent.objects.get(object_id=str(group.pk), action=AuditAction.CREATE)
    assert event.org_path == group.path and event.after["name"] == "第一党小组"


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"kind": OrgKind.BRANCH, "parent": None}, "invalid_parent_kind", "parent"),
        ({"kind": OrgKind.GENERAL_BRANCH, "parent": None}, "invalid_parent_kind", "parent"),
        ({"kind": OrgKind.BRANCH, "org_type": OrgType.JOINT}, "joint_without_lead", "lead"),
        (
            {"kind": OrgKind.BRANCH, "org_type": OrgType.FUNCTIONAL},
            "functional_without_sector",
            "sector",
        ),
        (
            {
                "kind": OrgKind.BRANCH,
                "org_type": OrgType.INDUSTRY_CHAIN,
                "chain_links": [ChainLink.GROWING],
            },
            "chain_links",
            "chain_links",
        ),
        (
            {
                "kind": OrgKind.BRANCH,
                "org_type": OrgType.INDUSTRY_CHAIN,
                "chain_links": [ChainLink.GROWING, "mining"],
            },
            "chain_links",
            "chain_links",
        ),
        ({"kind": OrgKind.BRANCH, "code": "V1"}, "duplicate_code", "code"),
    ],
)
def test_create_refuses_invalid_structures(net, root_user, region, kwargs, code, field):
    values = {"name": "新组织", "region": region, "parent": net["street"], **kwargs}
    before = Organization.objects.count()
    with pytest.raises(ApplicationError) as info:
        services.organization_create(actor=root_user, **values)
    assert info.value.code == code
    assert info.value.field == field
    assert str(info.value.message)
    assert Organization.objects.count() == before


def test_group_cannot_sit_above_a_branch(net, root_user, region):
    group = services.organization_create(
        actor=root_user, name="党小组", kind=OrgKind.GROUP, region=region, parent=net["v1"]
    )
    with pytest.raises(ApplicationError) as info:
        services.organization_create(
            actor=root_user, name="支部", kind=OrgKind.BRANCH, region=region, parent=group
        )
    assert info.value.code == "invalid_parent_kind"
    assert "党小组" in str(info.value.message)


def test_joint_needs_two_units(net, root_user, region):
    lead = net["v1"]
    for given in (None, units(region, 1)):
        with pytest.raises(ApplicationError) as info:
            services.organization_create(
                actor=root_user,
                name="联建党支部",
                kind=OrgKind.BRANCH,
                org_type=OrgType.JOINT,
                region=region,
                parent=net["street2"],
                lead=lead,
                units=given,
            )
        assert info.value.code == "joint_needs_units"
    joint = services.organization_create(
        actor=root_user,
        name="联建党支部",
        kind=OrgKind.BRANCH,
        org_type=OrgType.JOINT,
        region=region,
        parent=net["street2"],
        lead=lead,
        units=units(region, 2),
    )
    assert joint.units.count() == 2 and joint.lead == lead


def test_functional_and_chain_are_accepted_with_their_facts(net, root_user, region):
    functional = services.organization_create(
        actor=root_user,
        name="快递员党支部",
        kind=OrgKind.BRANCH,
        org_type=OrgType.FUNCTIONAL,
        sector=Sector.COURIER,
        region=region,
        parent=net["street"],
    )
    chain = services.organization_create(
        actor=root_user,
        name="枸杞产业党支部",
        kind=OrgKind.BRANCH,
        org_type=OrgType.INDUSTRY_CHAIN,
        chain_links=[ChainLink.GROWING, ChainLink.SALES, ChainLink.GROWING],
        region=region,
        parent=net["street"],
    )
    assert functional.sector == Sector.COURIER
    assert chain.chain_links == [ChainLink.GROWING, ChainLink.SALES]


def test_rename_is_audited_with_before_and_after(net, root_user):
    org = services.organization_update(actor=root_user, org=net["v1"], name="  新一村党支部 ")
    assert Organization.objects.get(pk=org.pk).name == "新一村党支部"
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(org.pk)).get()
    assert event.before == {"name": "一村党支部"} and event.after == {"name": "新一村党支部"}


def test_an_update_that_changes_nothing_writes_no_event_and_units_are_recorded(net, root_user):
    org = net["v1"]
    unit = Unit.objects.create(name="一村村委会", kind="village_committee", region=org.region)
    services.organization_update(actor=root_user, org=org, units=list(org.units.all()))
    updates = AuditEvent.objects.filter(object_id=str(org.pk), action=AuditAction.UPDATE)
    assert not updates.exists()
    services.organization_update(actor=root_user, org=org, units=[unit])
    (event,) = updates.all()
    assert event.before == {"units": []} and event.after == {"units": [unit.pk]}


def test_update_refuses_duplicate_code_and_unknown_fields(net, root_user):
    with pytest.raises(ApplicationError) as info:
        services.organization_update(actor=root_user, org=net["v1"], code="V2")
    assert info.value.code == "duplicate_code"
    with pytest.raises(ApplicationError):
        services.organization_update(actor=root_user, org=net["v1"], parent=net["county"])


@pytest.mark.parametrize("code", ["", "   "])
def test_update_refuses_clearing_the_code(net, root_user, code):
    # A blank code was saved: the unique organization code became "" (and a second one a 500).
    with pytest.raises(ApplicationError) as info:
        services.organization_update(actor=root_user, org=net["v1"], code=code)
    assert (info.value.code, info.value.field) == ("code_required", "code")
    assert Organization.objects.get(pk=net["v1"].pk).code == "V1"


def test_founding_and_dissolution_dates_cannot_be_in_the_future(net, root_user, region):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ApplicationError) as info:
        services.organization_create(
            actor=root_user,
            name="x",
            kind=OrgKind.BRANCH,
            region=region,
            parent=net["street"],
            founded_on=tomorrow,
        )
    assert info.value.field == "founded_on"
    with pytest.raises(ApplicationError) as info:
        services.organization_update(actor=root_user, org=net["v2"], founded_on=tomorrow)
    assert info.value.field == "founded_on"
    with pytest.raises(ApplicationError) as info:
        services.organization_dissolve(actor=root_user, org=net["v2"], on=tomorrow)
    assert info.value.field == "on"
    services.organization_update(actor=root_user, org=net["v2"], founded_on=dt.date(2001, 7, 1))
    with pytest.raises(ApplicationError) as info:
        services.organization_dissolve(actor=root_user, org=net["v2"], on=dt.date(2000, 1, 1))
    assert (info.value.code, info.value.field) == ("before_founding", "on")
    assert Organization.objects.get(pk=net["v2"].pk).status == OrgStatus.ACTIVE


def test_move_rewrites_subtree_and_member_copies(net, root_user, region):
    street, street2, v1 = net["street"], net["street2"], net["v1"]
    group = services.organization_create(
        actor=root_user, name="党小组", kind=OrgKind.GROUP, region=region, parent=v1
    )
    m1 = create_member(v1, name="甲")
    m2 = create_member(group, name="乙")
    other = create_member(net["v2"], name="丙")
    services.organization_move(actor=root_user, org=street, new_parent=street2)
    street.refresh_from_db()
    v1.refresh_from_db()
    group.refresh_from_db()
    assert street.parent_id == street2.pk
    assert street.path == tree.child_path(street2.path, street.pk)
    assert v1.path == tree.child_path(street.path, v1.pk) and v1.depth == 4
    assert group.path == tree.child_path(v1.path, group.pk) and group.depth == 5
    assert Member.objects.get(pk=m1.pk).org_path == v1.path
    assert Member.objects.get(pk=m2.pk).org_path == group.path
    assert Member.objects.get(pk=other.pk).org_path.startswith(street.path)
    assert Organization.objects.filter(tree.subtree_q(street2.path)).count() == 5
    event = AuditEvent.objects.get(action=AuditAction.MOVE)
    assert event.before["parent"] == net["county"].pk and event.after["parent"] == street2.pk


def test_move_under_own_descendant_is_refused(net, root_user):
    street, v1 = net["street"], net["v1"]
    paths = dict(Organization.objects.values_list("pk", "path"))
    for target in (v1, street):
        with pytest.raises(ApplicationError) as info:
            services.organization_move(actor=root_user, org=street, new_parent=target)
        assert info.value.code == "move_cycle"
        assert info.value.field == "parent"
    assert dict(Organization.objects.values_list("pk", "path")) == paths


def test_move_refuses_wrong_kind_under_new_parent(net, root_user):
    with pytest.raises(ApplicationError) as info:
        services.organization_move(actor=root_user, org=net["street2"], new_parent=net["v1"])
    assert info.value.code == "invalid_parent_kind"


def test_dissolve_refused_with_children(net, root_user):
    with pytest.raises(ApplicationError) as info:
        services.organization_dissolve(actor=root_user, org=net["street"])
    assert info.value.code == "has_children"


def test_dissolve_refused_with_members(net, root_user):
    create_member(net["v1"])
    with pytest.raises(ApplicationError) as info:
        services.organization_dissolve(actor=root_user, org=net["v1"])
    assert info.value.code == "has_members"
    assert "党员" in str(info.value.message)


def test_dissolve_refused_while_leading_a_joint_org(net, root_user, region):
    services.organization_create(
        actor=root_user,
        name="联建党支部",
        kind=OrgKind.BRANCH,
        org_type=OrgType.JOINT,
        region=region,
        parent=net["street2"],
        lead=net["v2"],
        units=units(region, 2),
    )
    with pytest.raises(ApplicationError) as info:
        services.organization_dissolve(actor=root_user, org=net["v2"])
    assert info.value.code == "leads_joint"


def test_dissolve_then_no_more_changes(net, root_user):
    org = services.organization_dissolve(actor=root_user, org=net["v2"], note="合并")
    assert org.status == OrgStatus.DISSOLVED and org.dissolved_on is not None
    assert AuditEvent.objects.filter(action=AuditAction.DISSOLVE, note="合并").exists()
    with pytest.raises(ApplicationError):
        services.organization_dissolve(actor=root_user, org=org)
    with pytest.raises(ApplicationError):
        services.organization_update(actor=root_user, org=org, name="x")
    with pytest.raises(ApplicationError) as info:
        services.organization_create(
            actor=root_user, name="x", kind=OrgKind.GROUP, region=org.region, parent=org
        )
    assert info.value.code == "parent_dissolved"


def test_services_check_the_actor_scope(net, region):
    admin = UserFactory(username="street-admin")
    grant(admin, net["street"], RoleKind.ADMIN)
    secretary = UserFactory(username="v1-secretary")
    grant(secretary, net["v1"], RoleKind.SECRETARY)
    created = services.organization_create(
        actor=admin, name="三村党支部", kind=OrgKind.BRANCH, region=region, parent=net["street"]
    )
    assert created.parent == net["street"]
    with pytest.raises(PermissionDenied):  # outside the admin's subtree
        services.organization_create(
            actor=admin, name="x", kind=OrgKind.BRANCH, region=region, parent=net["street2"]
        )
    with pytest.raises(PermissionDenied):  # roots are for the superuser
        services.organization_create(
            actor=admin, name="x", kind=OrgKind.COMMITTEE, region=region, parent=None
        )
    with pytest.raises(PermissionDenied):  # secretaries do not manage organizations
        services.organization_update(actor=secretary, org=net["v1"], name="x")
    with pytest.raises(PermissionDenied):  # the new parent must be manageable too
        services.organization_move(actor=admin, org=net["v1"], new_parent=net["street2"])


def test_unit_create_is_audited(net, root_user, region):
    unit = services.unit_create(
        actor=root_user, name="长胜村委会", kind=UnitKind.VILLAGE_COMMITTEE, region=region
    )
    assert AuditEvent.objects.filter(
        object_type="organizations.unit", object_id=str(unit.pk)
    ).exists()
    with pytest.raises(ApplicationError):
        services.unit_create(actor=root_user, name="x", kind="castle", region=region)


def test_new_units_are_created_with_the_joint_org_or_not_at_all(net, root_user, region):
    from tongchou.organizations.models import Unit, UnitKind

    before = Unit.objects.count()
    new_units = [
        {"name": "新村委会", "kind": UnitKind.VILLAGE_COMMITTEE, "region": region},
        {"name": "新企业", "kind": UnitKind.ENTERPRISE, "region": region},
    ]
    with pytest.raises(ApplicationError) as info:  # no lead: refused, and no unit left behind
        services.organization_create(
            actor=root_user,
            name="联建党支部",
            kind=OrgKind.BRANCH,
            org_type=OrgType.JOINT,
            region=region,
            parent=net["street2"],
            new_units=new_units,
        )
    assert info.value.code == "joint_without_lead"
    assert Unit.objects.count() == before
    joint = services.organization_create(
        actor=root_user,
        name="联建党支部",
        kind=OrgKind.BRANCH,
        org_type=OrgType.JOINT,
        region=region,
        parent=net["street2"],
        lead=net["v1"],
        new_units=new_units,
    )
    assert sorted(joint.units.values_list("name", flat=True)) == ["新企业", "新村委会"]
