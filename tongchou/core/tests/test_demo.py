"""The Shizuishan demo loader: structure from the real divisions, valid members, idempotency.

One load per test (it builds ~800 organizations through the services); a small member count
keeps it quick, the structure does not depend on it.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tongchou.core import tree
from tongchou.core.models import AuditEvent
from tongchou.core.validators import id_number_facts
from tongchou.demo.people import PersonGenerator
from tongchou.members.models import Member
from tongchou.members.rules import check_member
from tongchou.organizations.models import Organization, OrgKind, OrgType, Role, Sector, Unit
from tongchou.organizations.permissions import Action, scope_for
from tongchou.regions.models import Region, RegionKind

pytestmark = pytest.mark.django_db

MEMBERS = 400


def load(members: int = MEMBERS) -> str:
    out = io.StringIO()
    call_command("load_demo", members=members, stdout=out)
    return out.getvalue()


def test_structure_follows_the_real_divisions_and_second_run_changes_nothing():
    output = load()

    root = Organization.objects.get(parent=None)
    assert root.name == "石嘴山市委" and root.region_id == "6402"
    counties = Organization.objects.filter(parent=root, kind=OrgKind.COMMITTEE)
    assert sorted(counties.values_list("name", flat=True)) == ["大武口区委", "平罗县委", "惠农区委"]

    townships = Region.objects.filter(code__startswith="6402", level=4)
    assert townships.count() == 36
    for region in townships:
        org = Organization.objects.get(code=region.code)
        assert org.region_id == region.code
        assert org.parent.region_id == region.parent_id
        expected = (
            OrgKind.WORKING_COMMITTEE if region.kind == RegionKind.STREET else OrgKind.COMMITTEE
        )
        assert org.kind == expected

    villages = Region.objects.filter(code__startswith="6402", level=5)
    assert villages.count() == 326
    village_orgs = Organization.objects.filter(code__in=villages.values("code"))
    assert village_orgs.count() == 326
    assert set(village_orgs.values_list("kind", flat=True)) == {
        OrgKind.BRANCH,
        OrgKind.GENERAL_BRANCH,
    }
    assert all(
        "委员会" not in name and "居委会" not in name
        for name in village_orgs.values_list("name", flat=True)
    )
    assert Unit.objects.filter(region__in=villages).count() >= 326
    general = village_orgs.filter(kind=OrgKind.GENERAL_BRANCH).first()
    assert 2 <= general.children.filter(kind=OrgKind.BRANCH).count() <= 3
    assert Organization.objects.filter(kind=OrgKind.GROUP).exists()

    # Paths are consistent with parents everywhere.
    for org in Organization.objects.select_related("parent"):
        parent_path = org.parent.path if org.parent else ""
        assert org.path == tree.child_path(parent_path, org.pk)
        assert org.depth == tree.depth(org.path)

    joints = Organization.objects.filter(org_type=OrgType.JOINT)
    assert joints.count() >= 3
    assert {"村企联建", "村社联建", "村居联建"} <= {
        kind
        for name in joints.values_list("name", flat=True)
        for kind in ("村企联建", "村社联建", "村居联建")
        if kind in name
    }
    for joint in joints:
        assert joint.lead is not None and joint.lead.org_type != OrgType.JOINT
        units = list(joint.units.select_related("region"))
        assert len(units) >= 2
        assert {u.region.urban_rural for u in units} == {"urban", "rural"}
    functional = Organization.objects.filter(org_type=OrgType.FUNCTIONAL)
    assert set(functional.values_list("sector", flat=True)) == {Sector.COURIER, Sector.RIDE_HAILING}
    chain = Organization.objects.get(org_type=OrgType.INDUSTRY_CHAIN)
    assert set(chain.chain_links) == {"growing", "processing", "sales"}

    # Members: the asked number, valid by the one rule set, consistent ID numbers.
    assert Member.objects.count() == MEMBERS
    for member in Member.objects.select_related("organization"):
        number = member.id_number
        birth, gender = id_number_facts(number)
        assert (birth, gender) == (member.birth_date, member.gender)
        assert number[:6] in {"640202", "640205", "640221"}
        assert member.org_path == member.organization.path
        assert member.organization.kind != OrgKind.GROUP
        values = {
            f: getattr(member, f)
            for f in [
                "name",
                "gender",
                "ethnicity",
                "birth_date",
                "education",
                "category",
                "admission_date",
                "full_member_date",
                "status",
            ]
        }
        assert check_member({**values, "id_number": number, "phone": member.phone}) == {}
    genders = dict.fromkeys("MF", 0)
    for g in Member.objects.values_list("gender", flat=True):
        genders[g] += 1
    assert genders["M"] > genders["F"]

    # Logins: one per role at county, street and village level.
    roles = {
        username: (kind, org)
        for username, kind, org in Role.objects.values_list(
            "user__username", "kind", "organization__name"
        )
    }
    assert roles["county_admin"] == ("admin", "大武口区委")
    assert roles["street_admin"][0] == "admin" and roles["street_admin"][1].endswith("党工委")
    assert roles["street_secretary"] == ("secretary", roles["street_admin"][1])
    assert roles["village_secretary"] == ("secretary", "骏马社区党支部")
    assert roles["member"][0] == "member"
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    member_user = User.objects.get(username="member")
    assert Member.objects.filter(user=member_user).exists()
    secretary = User.objects.get(username="village_secretary")
    assert secretary.check_password("demo12345")
    # The village secretary is a member of their branch too: their own page (/me/) works.
    own = Member.objects.get(user=secretary)
    assert own.organization.name == "骏马社区党支部" and own.user_id != member_user.pk
    # The village secretary's branch leads a joint organization, which is in their scope.
    led = joints.filter(lead__name=roles["village_secretary"][1]).get()
    assert scope_for(secretary, Action.VIEW_MEMBERS).covers(led.path)
    for username in roles:
        assert username in output
    # Members in motion come with it (each app's demo is tested in its own tests; transfers
    # need more members in the demo branch than this small load has).
    for label in ("流动党员与党员服务站", "组织生活", "党员教育"):
        assert label in output
    assert "station_staff" in output

    counts = (
        Organization.objects.count(),
        Member.objects.count(),
        Unit.objects.count(),
        Region.objects.count(),
        Role.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )
    second = load()
    assert "未作任何改动" in second and "village_secretary" in second
    assert counts == (
        Organization.objects.count(),
        Member.objects.count(),
        Unit.objects.count(),
        Region.objects.count(),
        Role.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )


def test_generated_people_are_deterministic_and_valid():
    def people(seed):
        generator = PersonGenerator(seed)
        return [
            generator.person(county_code="640221", urban_rural=ur, org_code="X")
            for ur in ["urban", "rural"] * 500
        ]

    first = people(7)
    assert first == people(7)
    assert first != people(8)
    assert len({p["id_number"] for p in first}) == len(first)
    for person in first:
        assert check_member(person) == {}
        assert person["id_number"].startswith("640221")
    men = sum(p["gender"] == "M" for p in first)
    hui = sum(p["ethnicity"] == "03" for p in first)
    assert 600 < men < 800 and 200 < hui < 400


def test_bench_plan_builds_a_valid_tree_from_the_divisions():
    """The benchmark writes its organizations in bulk, past the services: the plan must keep
    the same rules (parent kinds, paths, unique codes) the services would."""
    from bench.plan import RegionRow, build_plan
    from tongchou.demo.generate import SHIZUISHAN_DIR
    from tongchou.organizations.models import ALLOWED_PARENT_KINDS
    from tongchou.regions.services import regions_import

    regions_import(directory=SHIZUISHAN_DIR)
    rows = [
        RegionRow(r.code, r.name, r.level, r.parent_id, r.kind, r.urban_rural)
        for r in Region.objects.all()
    ]
    plan = build_plan(rows, root_code="64")
    nodes = {n.id: n for n in plan.nodes}
    assert len({n.code for n in plan.nodes}) == len(plan.nodes)
    assert len(plan.nodes) > 2 * 326
    for node in plan.nodes:
        parent = nodes.get(node.parent)
        assert node.kind in OrgKind.values
        assert (parent.kind if parent else None) in ALLOWED_PARENT_KINDS[node.kind]
        assert node.path == tree.child_path(parent.path if parent else "", node.id)
        assert node.urban_rural in ("urban", "rural")
        if node.weight:
            assert node.kind == OrgKind.BRANCH
    assert {n.code for n in plan.nodes if n.level == "village"} == {
        r.code for r in rows if r.level == 5
    }
