"""The generated organization network of a deployment: a pure function of the divisions.

Province committee → city committees → county committees → street working committees and
town/township committees → a branch or general branch per community/village; some general
branches carry 2-3 branches and some branches 党小组, so the organizations outnumber the
villages by about two to one (Shandong: ~62,000 villages → ~125,000 organizations).

Ids are assigned here, in tree order, so every path is known before anything is written and
the whole tree goes to the database in bulk with correct ``path`` and ``depth``.
"""

import random
from dataclasses import dataclass, field

from tongchou.core import tree
from tongchou.demo.generate import base_name

ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: int
    parent: str | None
    kind: str
    urban_rural: str


@dataclass
class Node:
    id: int
    code: str
    name: str
    kind: str
    region: str
    urban_rural: str
    parent: int | None
    path: str
    level: str  # province, city, county, township, village, branch, group
    county: str = ""
    weight: float = 0.0  # share of members (branches that hold members only)


@dataclass
class Plan:
    nodes: list[Node] = field(default_factory=list)

    @property
    def holders(self) -> list[Node]:
        return [n for n in self.nodes if n.weight > 0]

    def by_level(self, level: str) -> list[Node]:
        return [n for n in self.nodes if n.level == level]


def committee_name(name: str) -> str:
    """山东省 → 山东省委, 济南市 → 济南市委, 平阴县 → 平阴县委; a development zone has a 党委."""
    if name.endswith(("省", "市", "区", "县", "旗")) and "开发区" not in name:
        return f"{name}委"
    return f"{name}党委"


def build_plan(
    regions: list[RegionRow], *, root_code: str, seed: int = 37, start_id: int = 1
) -> Plan:
    """``regions``: every division under (and including) ``root_code``, any order."""
    rng = random.Random(seed)
    children: dict[str | None, list[RegionRow]] = {}
    by_code = {r.code: r for r in regions}
    for r in regions:
        children.setdefault(r.parent, []).append(r)
    for rows in children.values():
        rows.sort(key=lambda r: r.code)
    plan = Plan()
    next_id = start_id

    def add(**kwargs) -> Node:
        nonlocal next_id
        parent = kwargs.pop("parent_node", None)
        node_id = next_id
        next_id += 1
        path = tree.child_path(parent.path if parent else "", node_id)
        node = Node(id=node_id, parent=parent.id if parent else None, path=path, **kwargs)
        plan.nodes.append(node)
        return node

    root_region = by_code[root_code]
    root = add(
        code=root_code,
        name=committee_name(root_region.name),
        kind="committee",
        region=root_code,
        urban_rural="urban",
        level=_level_name(root_region.level),
    )

    def walk(region: RegionRow, parent: Node) -> None:
        for child in children.get(region.code, []):
            if child.level <= 3:
                node = add(
                    code=child.code,
                    name=committee_name(child.name),
                    kind="committee",
                    region=child.code,
                    urban_rural="urban"
                    if child.level == 2
                    else ("urban" if child.name.endswith("区") else "rural"),
                    level=_level_name(child.level),
                    parent_node=parent,
                    county=child.code if child.level == 3 else "",
                )
                walk(child, node)
            elif child.level == 4:
                street = child.kind == "street" or not child.kind
                node = add(
                    code=child.code,
                    name=f"{child.name}{'党工委' if street else '党委'}",
                    kind="working_committee" if street else "committee",
                    region=child.code,
                    urban_rural=child.urban_rural or "urban",
                    level="township",
                    parent_node=parent,
                    county=child.code[:6],
                )
                walk(child, node)
            else:
                village(child, parent)

    def village(region: RegionRow, parent: Node) -> None:
        urban = region.urban_rural == "urban"
        name = base_name(region)
        size = rng.triangular(8, 40, 14) if urban else rng.triangular(5, 30, 10)
        county = region.code[:6]
        common = {
            "region": region.code,
            "urban_rural": region.urban_rural or "rural",
            "county": county,
        }
        general = rng.random() < (0.35 if urban else 0.2)
        if general:
            top = add(
                code=region.code,
                name=f"{name}党总支",
                kind="general_branch",
                level="village",
                parent_node=parent,
                **common,
            )
            count = rng.randint(2, 3)
            for i in range(count):
                branch = add(
                    code=f"{region.code}{i + 1:02d}",
                    name=f"{name}第{ORDINALS[i]}党支部",
                    kind="branch",
                    level="branch",
                    parent_node=top,
                    weight=size / count,
                    **common,
                )
                groups(branch, common)
        else:
            branch = add(
                code=region.code,
                name=f"{name}党支部",
                kind="branch",
                level="village",
                parent_node=parent,
                weight=size,
                **common,
            )
            groups(branch, common)

    def groups(branch: Node, common: dict) -> None:
        if rng.random() >= 0.15:
            return
        for i in range(rng.randint(1, 3)):
            add(
                code=f"{branch.code}{i + 1:02d}",
                name=f"{branch.name}第{ORDINALS[i]}党小组",
                kind="group",
                level="group",
                parent_node=branch,
                **common,
            )

    walk(root_region, root)
    return plan


def _level_name(level: int) -> str:
    return {1: "province", 2: "city", 3: "county"}[level]
