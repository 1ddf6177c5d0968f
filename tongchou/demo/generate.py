"""The Shizuishan demo: the real divisions of 石嘴山市 (6402), a Party organization network over
them, about 30,000 generated members and one login per role at county, street and village level.

Organizations are created through ``organization_create`` (every structural rule checked, every
creation audited); members through the member import path. The whole load is one transaction
and deterministic for a given seed; a database that already holds the demo is left as it is.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from tongchou.core.errors import ApplicationError
from tongchou.demo.people import PersonGenerator, import_row
from tongchou.members.importing import members_import
from tongchou.members.models import Member
from tongchou.organizations.models import (
    ChainLink,
    Formation,
    Organization,
    OrgKind,
    OrgType,
    Role,
    RoleKind,
    Sector,
    Unit,
    UnitKind,
)
from tongchou.organizations.services import organization_create, unit_create
from tongchou.regions.models import Region, RegionKind, UrbanRural
from tongchou.regions.services import regions_import

SHIZUISHAN_DIR = Path(__file__).resolve().parent.parent / "regions" / "data" / "shizuishan"
CITY_CODE = "6402"
ROOT_CODE = "6402"  # organization code of 石嘴山市委
DEMO_SEED = 6402
DEMO_MEMBERS = 30_000
DEMO_PASSWORD = "demo12345"
COUNTIES = {"640202": "大武口区委", "640205": "惠农区委", "640221": "平罗县委"}
DEMO_STREET = "640202001"  # 长胜街道: the street-level and village-level demo accounts live here

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    organization: str


@dataclass
class DemoResult:
    created: bool
    organizations: int = 0
    units: int = 0
    members: int = 0
    logins: list[Login] = field(default_factory=list)
    motion: dict[str, int] = field(default_factory=dict)  # see tongchou/demo/motion.py


def strip_committee(name: str) -> str:
    """``骏马社区居委会`` → ``骏马社区``; ``下庄子村村民委员会`` → ``下庄子村``."""
    for suffix in ("居民委员会", "村民委员会", "村委员会", "居委会", "村委会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def base_name(region: Region) -> str:
    """The community or village name used in its branch's name."""
    name = strip_committee(region.name)
    if name == region.name:  # 农牧场生活区 and the like keep their own name
        return name
    if region.kind == RegionKind.RESIDENTS and not name.endswith("社区"):
        return name + "社区"
    if region.kind == RegionKind.VILLAGERS and not name.endswith("村"):
        return name + "村"
    if region.kind == RegionKind.OTHER and not name.endswith(("村", "社区")):
        return name + "村"
    return name


ORDINALS = "一二三四五六七八九十"


class _Builder:
    def __init__(self, *, seed: int, members: int, progress: Progress | None):
        self.rng = random.Random(seed)
        self.people = PersonGenerator(seed)
        self.names = PersonGenerator(seed + 1)  # secretaries' names: a separate stream
        self.members_wanted = members
        self.progress = progress or (lambda message: None)
        self.actor = None
        self.password_hash = ""
        self.org_count = 0
        # (organization code, region code, urban/rural, weight, sector) of member-holding orgs
        self.holders: list[tuple[str, str, str, float, str]] = []
        self.branch_by_village: dict[str, Organization] = {}
        self.unit_by_region: dict[str, Unit] = {}

    # -- helpers ------------------------------------------------------------------------------
    def secretary(self) -> str:
        gender = "M" if self.rng.random() < 0.75 else "F"
        ethnicity = "03" if self.rng.random() < 0.3 else "01"
        return self.names.name(gender, ethnicity)

    def founded(self, start: int, end: int) -> dt.date:
        return dt.date(
            self.rng.randint(start, end), self.rng.randint(1, 12), self.rng.randint(1, 28)
        )

    def create(self, **kwargs) -> Organization:
        kwargs.setdefault("secretary_name", self.secretary())
        org = organization_create(actor=self.actor, **kwargs)
        self.org_count += 1
        return org

    def hold(self, org: Organization, region_code: str, weight: float, sector: str = "") -> None:
        self.holders.append((org.code, region_code, org.urban_rural, weight, sector))

    # -- the tree -----------------------------------------------------------------------------
    def build(self) -> None:
        regions = {r.code: r for r in Region.objects.filter(code__startswith=CITY_CODE)}
        city = regions[CITY_CODE]
        self.build_units(regions)
        root = self.create(
            name="石嘴山市委",
            kind=OrgKind.COMMITTEE,
            region=city,
            parent=None,
            urban_rural=UrbanRural.URBAN,
            code=ROOT_CODE,
            founded_on=dt.date(1960, 7, 1),
        )
        self.counties: dict[str, Organization] = {}
        self.townships: dict[str, Organization] = {}
        for code, name in COUNTIES.items():
            county = regions[code]
            self.counties[code] = self.create(
                name=name,
                kind=OrgKind.COMMITTEE,
                region=county,
                parent=root,
                urban_rural=UrbanRural.RURAL if code == "640221" else UrbanRural.URBAN,
                code=code,
                founded_on=self.founded(1960, 1987),
            )
        streets = sorted((r for r in regions.values() if r.level == 4), key=lambda r: r.code)
        villages = sorted((r for r in regions.values() if r.level == 5), key=lambda r: r.code)
        for street in streets:
            if street.kind == RegionKind.STREET:
                name, kind = f"{street.name}党工委", OrgKind.WORKING_COMMITTEE
            else:
                name, kind = f"{street.name}党委", OrgKind.COMMITTEE
            self.townships[street.code] = self.create(
                name=name,
                kind=kind,
                region=street,
                parent=self.counties[street.parent_id],
                urban_rural=street.urban_rural or UrbanRural.RURAL,
                code=street.code,
                founded_on=self.founded(1970, 2005),
            )
        self.progress(f"组织：市、县、乡镇街道 {self.org_count} 个")
        for village in villages:
            self.build_village(village)
        self.progress(f"组织：村、社区党组织完成，共 {self.org_count} 个")
        self.build_enterprises(regions)
        self.build_special(regions)
        self.progress(f"组织：共 {self.org_count} 个")

    def build_units(self, regions: dict[str, Region]) -> None:
        """One village or residents' committee per community/village."""
        for region in sorted((r for r in regions.values() if r.level == 5), key=lambda r: r.code):
            if region.kind == RegionKind.RESIDENTS:
                kind = UnitKind.RESIDENTS_COMMITTEE
            else:
                kind = UnitKind.VILLAGE_COMMITTEE
            self.unit_by_region[region.code] = self.unit(region.name, kind, region)

    def build_village(self, village: Region) -> None:
        urban_rural = village.urban_rural or UrbanRural.RURAL
        if village.kind == RegionKind.RESIDENTS:
            size = self.rng.triangular(40, 260, 90)
        else:
            size = self.rng.triangular(25, 200, 70)
        parent = self.townships[village.parent_id]
        name = base_name(village)
        unit = self.unit_by_region[village.code]
        common = {
            "region": village,
            "urban_rural": urban_rural,
            "units": [unit],
        }
        if size >= 150:
            general = self.create(
                name=f"{name}党总支",
                kind=OrgKind.GENERAL_BRANCH,
                parent=parent,
                code=village.code,
                founded_on=self.founded(1965, 2010),
                **common,
            )
            self.branch_by_village[village.code] = general
            count = 2 if size < 200 else 3
            for i in range(count):
                branch = self.create(
                    name=f"{name}第{ORDINALS[i]}党支部",
                    kind=OrgKind.BRANCH,
                    parent=general,
                    code=f"{village.code}{i + 1:02d}",
                    founded_on=self.founded(1990, 2015),
                    **common,
                )
                self.hold(branch, village.code, size / count)
                self.maybe_groups(branch, common)
        else:
            branch = self.create(
                name=f"{name}党支部",
                kind=OrgKind.BRANCH,
                parent=parent,
                code=village.code,
                founded_on=self.founded(1965, 2012),
                **common,
            )
            self.branch_by_village[village.code] = branch
            self.hold(branch, village.code, size)
            self.maybe_groups(branch, common)

    def maybe_groups(self, branch: Organization, common: dict) -> None:
        if self.rng.random() >= 0.3:
            return
        for i in range(self.rng.randint(2, 3)):
            self.create(
                name=f"{branch.name}第{ORDINALS[i]}党小组",
                kind=OrgKind.GROUP,
                parent=branch,
                code=f"{branch.code}{i + 1:02d}",
                founded_on=self.founded(2000, 2020),
                **{k: v for k, v in common.items() if k != "units"},
            )

    def unit(self, name: str, kind: str, region: Region) -> Unit:
        return unit_create(actor=self.actor, name=name, kind=kind, region=region)

    def build_enterprises(self, regions: dict[str, Region]) -> None:
        """A few non-public enterprises with their own branches (两新组织)."""
        enterprises = [
            ("640202010", "石嘴山市鑫晟新材料有限公司", 60),
            ("640202011", "宁夏贺兰山装备制造有限公司", 45),
            ("640205001", "石嘴山市惠丰冶金科技有限公司", 55),
            ("640205100", "宁夏红果子精细化工有限公司", 35),
            ("640221100", "平罗县沙湖旅游发展有限公司", 30),
            ("640221102", "宁夏宝丰现代农业科技有限公司", 40),
        ]
        for street_code, name, size in enterprises:
            street = regions[street_code]
            unit = self.unit(name, UnitKind.ENTERPRISE, street)
            org = self.create(
                name=f"{name}党支部",
                kind=OrgKind.BRANCH,
                parent=self.townships[street_code],
                region=street,
                urban_rural=street.urban_rural,
                units=[unit],
                code=f"{street_code}E01",
                founded_on=self.founded(2005, 2020),
            )
            self.hold(org, street_code, size)

    def build_special(self, regions: dict[str, Region]) -> None:
        """Joint, functional and industry-chain organizations (paper §2.1, §4.2)."""
        # 村居联建: a community of 长胜街道 (urban) with a village of 星海镇 (rural), led by the
        # community's branch; the demo village secretary is that branch's secretary.
        community = self.first_village(DEMO_STREET, RegionKind.RESIDENTS)
        village = self.first_village("640202100", RegionKind.VILLAGERS)
        lead = self.branch_by_village[community.code]
        self.demo_branch = lead
        self.joint_residents = self.create(
            name=f"{base_name(community)}·{base_name(village)}村居联建联合党支部",
            kind=OrgKind.BRANCH,
            org_type=OrgType.JOINT,
            formation=Formation.JOINT,
            parent=self.townships[DEMO_STREET],
            region=community,
            urban_rural=UrbanRural.URBAN,
            lead=lead,
            code=f"{DEMO_STREET}J01",
            units=[self.unit_by_region[community.code], self.unit_by_region[village.code]],
            founded_on=dt.date(2021, 6, 18),
        )
        self.hold(self.joint_residents, community.code, 18)

        # 村企联建: a village of 平罗县姚伏镇 with an enterprise in 大武口区长兴街道 (urban).
        village = self.first_village("640221104", RegionKind.VILLAGERS)
        enterprise = self.unit(
            "宁夏塞上农品供应链有限公司", UnitKind.ENTERPRISE, regions["640202010"]
        )
        self.create(
            name=f"{base_name(village)}村企联建联合党支部",
            kind=OrgKind.BRANCH,
            org_type=OrgType.JOINT,
            formation=Formation.JOINT,
            parent=self.townships["640221104"],
            region=village,
            urban_rural=UrbanRural.RURAL,
            lead=self.branch_by_village[village.code],
            code="640221104J01",
            units=[self.unit_by_region[village.code], enterprise],
            founded_on=dt.date(2022, 3, 15),
        )
        self.hold(Organization.objects.get(code="640221104J01"), village.code, 15)

        # 村社联建: a village of 惠农区庙台乡 with its farmers' cooperative and a community of
        # 惠农区育才路街道 (urban) where the produce is sold.
        village = self.first_village("640205200", RegionKind.VILLAGERS)
        community = self.first_village("640205001", RegionKind.RESIDENTS)
        cooperative = self.unit(
            f"{base_name(village)}农民专业合作社", UnitKind.SOCIAL_ORGANIZATION, village
        )
        self.create(
            name=f"{base_name(village)}·{base_name(community)}村社联建联合党支部",
            kind=OrgKind.BRANCH,
            org_type=OrgType.JOINT,
            formation=Formation.JOINT,
            parent=self.townships["640205200"],
            region=village,
            urban_rural=UrbanRural.RURAL,
            lead=self.branch_by_village[village.code],
            code="640205200J01",
            units=[
                self.unit_by_region[village.code],
                cooperative,
                self.unit_by_region[community.code],
            ],
            founded_on=dt.date(2022, 9, 1),
        )
        self.hold(Organization.objects.get(code="640205200J01"), village.code, 12)

        # Functional branches for new employment groups.
        street = regions[DEMO_STREET]
        courier_unit = self.unit("石嘴山市顺达快递服务有限公司", UnitKind.ENTERPRISE, street)
        courier = self.create(
            name="长胜街道快递员党支部",
            kind=OrgKind.BRANCH,
            org_type=OrgType.FUNCTIONAL,
            sector=Sector.COURIER,
            parent=self.townships[DEMO_STREET],
            region=street,
            urban_rural=UrbanRural.URBAN,
            code=f"{DEMO_STREET}F01",
            units=[courier_unit],
            founded_on=dt.date(2021, 7, 1),
        )
        self.hold(courier, DEMO_STREET, 40, Sector.COURIER)
        county = regions["640202"]
        ride_unit = self.unit("石嘴山市网约车行业协会", UnitKind.SOCIAL_ORGANIZATION, street)
        ride = self.create(
            name="大武口区网约车司机党支部",
            kind=OrgKind.BRANCH,
            org_type=OrgType.FUNCTIONAL,
            sector=Sector.RIDE_HAILING,
            parent=self.counties["640202"],
            region=county,
            urban_rural=UrbanRural.URBAN,
            code="640202F01",
            units=[ride_unit],
            founded_on=dt.date(2022, 5, 20),
        )
        self.hold(ride, DEMO_STREET, 30, Sector.RIDE_HAILING)

        # Industry chain: vegetables grown in 平罗 villages, processed in 城关镇, sold through a
        # logistics company in 大武口区's streets.
        farm_village = self.first_village("640221102", RegionKind.VILLAGERS)
        growing = self.unit(
            f"{base_name(farm_village)}设施蔬菜种植合作社",
            UnitKind.SOCIAL_ORGANIZATION,
            farm_village,
        )
        processing = self.unit(
            "平罗县绿源蔬菜加工有限公司", UnitKind.ENTERPRISE, regions["640221100"]
        )
        sales = self.unit(
            "石嘴山市鲜达农产品物流有限公司", UnitKind.ENTERPRISE, regions["640202010"]
        )
        chain = self.create(
            name="平罗县设施蔬菜产业链党总支",
            kind=OrgKind.GENERAL_BRANCH,
            org_type=OrgType.INDUSTRY_CHAIN,
            chain_links=list(ChainLink.values),
            formation=Formation.JOINT,
            parent=self.counties["640221"],
            region=regions["640221"],
            urban_rural=UrbanRural.RURAL,
            code="640221C01",
            units=[growing, processing, sales],
            founded_on=dt.date(2023, 4, 12),
        )
        for i, (link_name, unit, region) in enumerate(
            [
                ("种植", growing, farm_village),
                ("加工", processing, regions["640221100"]),
                ("销售物流", sales, regions["640202010"]),
            ],
            start=1,
        ):
            branch = self.create(
                name=f"平罗县设施蔬菜产业链{link_name}党支部",
                kind=OrgKind.BRANCH,
                parent=chain,
                region=region,
                urban_rural=region.urban_rural or UrbanRural.RURAL,
                units=[unit],
                code=f"640221C01{i:02d}",
                founded_on=dt.date(2023, 4, 12),
            )
            self.hold(branch, region.code, 15)

    def first_village(self, street_code: str, kind: str) -> Region:
        return Region.objects.filter(parent_id=street_code, kind=kind).order_by("code").first()

    # -- members ------------------------------------------------------------------------------
    def member_rows(self):
        total_weight = sum(h[3] for h in self.holders)
        scale = self.members_wanted / total_weight if total_weight else 0
        counts = [int(h[3] * scale) for h in self.holders]
        # hand out the rounding remainder, largest organizations first (deterministic)
        remainder = self.members_wanted - sum(counts)
        order = sorted(range(len(counts)), key=lambda i: -self.holders[i][3])
        for i in order[:remainder]:
            counts[i] += 1
        row_number = 1
        for (code, region_code, urban_rural, _, sector), count in zip(
            self.holders, counts, strict=True
        ):
            for _ in range(count):
                row_number += 1
                person = self.people.person(
                    county_code=region_code[:6],
                    urban_rural=urban_rural,
                    org_code=code,
                    home_region_code=region_code,
                    sector=sector,
                    young=bool(sector),
                )
                yield row_number, import_row(person)

    # -- accounts -----------------------------------------------------------------------------
    def accounts(self) -> None:
        User = get_user_model()
        county = self.counties["640202"]
        street = self.townships[DEMO_STREET]
        for username, org, kind in [
            ("county_admin", county, RoleKind.ADMIN),
            ("street_admin", street, RoleKind.ADMIN),
            ("street_secretary", street, RoleKind.SECRETARY),
            ("village_secretary", self.demo_branch, RoleKind.SECRETARY),
            ("member", self.demo_branch, RoleKind.MEMBER),
        ]:
            user = User.objects.create(username=username, password=self.password_hash)
            Role.objects.create(user=user, organization=org, kind=kind)
            if username == "member":
                first = (
                    Member.objects.filter(org_path__startswith=self.demo_branch.path, user=None)
                    .order_by("id")
                    .first()
                )
                if first is not None:
                    Member.objects.filter(pk=first.pk).update(user=user)
        link_secretary_record()


def link_secretary_record() -> bool:
    """The demo's village secretary is also a member of the branch they lead, so their own page
    (/me/) works: their login is linked to a member record there (the first free one after the
    ``member`` login's). Idempotent: a secretary already linked is left as is."""
    User = get_user_model()
    secretary = User.objects.filter(username="village_secretary").first()
    if secretary is None or Member.objects.filter(user=secretary).exists():
        return False
    role = Role.objects.filter(user=secretary, kind=RoleKind.SECRETARY).first()
    if role is None:
        return False
    record = (
        Member.objects.filter(organization_id=role.organization_id, user=None, archived=False)
        .order_by("id")
        .first()
    )
    if record is None:
        return False
    Member.objects.filter(pk=record.pk, user=None).update(user=secretary)
    User.objects.filter(pk=secretary.pk).update(first_name=record.name)
    return True


def _admin() -> tuple[object, str]:
    """The superuser ``admin`` (kept as it is if it exists) and the demo password's hash, made
    once and shared by the demo logins (hashing is deliberately slow)."""
    User = get_user_model()
    password_hash = make_password(DEMO_PASSWORD)
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create(
            username="admin", is_staff=True, is_superuser=True, password=password_hash
        )
    elif not admin.is_superuser:
        raise ApplicationError(
            "demo_admin", "已有名为 admin 的账号但不是超级管理员，无法载入演示数据。"
        )
    return admin, password_hash


def demo_logins() -> list[Login]:
    by_user: dict[str, list[str]] = {}
    for username, kind, org_name in Role.objects.filter(
        user__username__in=[
            "county_admin",
            "street_admin",
            "street_secretary",
            "village_secretary",
            "member",
            "chain_secretary",
            "coop_secretary",
        ]
    ).values_list("user__username", "kind", "organization__name"):
        by_user.setdefault(username, []).append(f"{RoleKind(kind).label} · {org_name}")
    logins = [Login("admin", "超级管理员", "全部")]
    for username in [
        "county_admin",
        "street_admin",
        "street_secretary",
        "village_secretary",
        "member",
        "chain_secretary",  # linkage: the industry chain's secretary (tongchou/linkage/demo.py)
        "coop_secretary",  # linkage: a cooperative's village secretary
    ]:
        for role in by_user.get(username, []):
            label, org_name = role.split(" · ", 1)
            logins.append(Login(username, label, org_name))
    # Staff of member service stations hold no role: they act for their station.
    from tongchou.mobility.models import ServiceStation

    for username, station in ServiceStation.objects.filter(staff__isnull=False).values_list(
        "staff__username", "name"
    ):
        logins.append(Login(username, "服务站工作人员", station))
    # Staff of service-alliance units hold no role either: they work the needs routed to them.
    from tongchou.service.models import AllianceUnit

    for username, unit in (
        AllianceUnit.objects.filter(staff__isnull=False)
        .order_by("staff__username")
        .values_list("staff__username", "name")
    ):
        logins.append(Login(username, "联盟单位工作人员", unit))
    # Staff of city-service proxy stations (城市服务代办站) hold no role either: they file city
    # services for residents at their station (tongchou/service/demo.py, populate_proxy).
    from tongchou.service.models import ProxyStation

    for username, station in (
        ProxyStation.objects.filter(staff__isnull=False)
        .order_by("staff__username")
        .values_list("staff__username", "name")
    ):
        logins.append(Login(username, "代办站工作人员", station))
    return logins


def demo_present() -> bool:
    return Organization.objects.filter(code=ROOT_CODE, parent=None).exists()


def write_members(actor, rows) -> int:
    """Members through the member import path (validation, encryption, one audit event)."""
    result = members_import(actor=actor, rows=rows)
    if result.errors:
        first = result.errors[0]
        raise ApplicationError(
            "demo_members",
            f"generated member rejected: row {first.row} {first.column}: {first.message}",
        )
    return result.created


def load_demo(
    *,
    members: int = DEMO_MEMBERS,
    seed: int = DEMO_SEED,
    progress: Progress | None = None,
    motion: bool = True,
) -> DemoResult:
    """Load the demo once; on a database that already holds it, change nothing (apart from
    filling in the members-in-motion data of apps added since, each step idempotent)."""
    from tongchou.demo.motion import populate_motion

    progress = progress or (lambda message: None)
    if demo_present():
        link_secretary_record()  # demos loaded before secretaries had their own record
        counts = populate_motion(seed=seed, progress=progress) if motion else {}
        return DemoResult(created=False, logins=demo_logins(), motion=counts)
    if Organization.objects.exists():
        raise ApplicationError(
            "demo_not_empty",
            "数据库中已有其他党组织，演示数据只能载入到空数据库。",
        )
    with transaction.atomic():
        regions_import(directory=SHIZUISHAN_DIR)
        progress("区划：石嘴山市 3 个县区、36 个乡镇街道、326 个村和社区")
        builder = _Builder(seed=seed, members=members, progress=progress)
        builder.actor, builder.password_hash = _admin()
        builder.build()
        created = write_members(builder.actor, builder.member_rows())
        progress(f"党员：{created} 名")
        builder.accounts()
    counts = populate_motion(seed=seed, progress=progress) if motion else {}
    return DemoResult(
        created=True,
        organizations=builder.org_count,
        units=Unit.objects.count(),
        members=created,
        logins=demo_logins(),
        motion=counts,
    )
