"""The "no one left behind" report (教育管理无遗漏).

Every open spell of a mobile member in a subtree (home side or inflow side), with both sides,
the last organizational life the member attended (anywhere, sessions that have taken place),
the last contact, and two flags:

* ``no_inflow_side``: neither an inflow organization nor a station looks after them;
* ``lost_contact``: nobody has reached them for ``months`` months (default
  ``settings.LOST_CONTACT_MONTHS``), as ``tongchou.mobility.rules`` defines it for every page:
  the latest of going out, the spell's last contact and the member's last attended session
  counts, so someone who left last week is not yet lost.

Rows are of two kinds: ``outflow`` rows are the viewed subtree's own members away (their home
organization is in it) — the same people the roster lists as 流动 for that subtree — and the
others arrived from elsewhere (an inflow organization or station in the subtree), members of
other subtrees or from outside the deployment.

Each row names with whom to act: the secretaries and admins (accounts) of the home organization;
when it has none, the secretary on its record; failing that, the accounts of its nearest
ancestor that has some. The inflow organization or station is the other side to act with.

Built in a fixed number of reads whatever the number of rows: the spells (one query with their
names and each member's last attendance) and the roles (by path range where the rows come from).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import tree
from tongchou.core.errors import ApplicationError
from tongchou.mobility.rules import is_lost, lost_cutoff, months_back
from tongchou.organizations.models import Organization, Role, RoleKind
from tongchou.orglife.models import PRESENT, Attendance

__all__ = ["attended_between", "check_months", "left_behind_for", "months_back", "report_xlsx"]

MAX_MONTHS = 120
FLAGS = ("no_inflow_side", "lost_contact")


@dataclass
class ReportRow:
    spell_id: int
    member_id: int | None
    name: str
    home_org_id: int | None
    home_org: str  # name, or the text of a home outside the deployment
    home_path: str
    destination: str
    inflow_org_id: int | None
    inflow_org: str
    station_id: int | None
    station: str
    since: dt.date
    last_attended: dt.date | None
    last_contact: dt.date | None
    no_inflow_side: bool = False
    lost_contact: bool = False
    outflow: bool = False  # a member of the viewed subtree (home side in it), away
    act_with: list[str] = field(default_factory=list)  # home side: secretaries and admins
    act_with_org: str = ""  # the organization those people belong to

    @property
    def inflow_side(self) -> str:
        return " / ".join(s for s in (self.inflow_org, self.station) if s)

    @property
    def flagged(self) -> bool:
        return self.no_inflow_side or self.lost_contact


@dataclass
class LeftBehindReport:
    within: Organization | None
    months: int
    today: dt.date
    cutoff: dt.date  # contact before this day is "lost"
    rows: list[ReportRow]
    # total, no_inflow_side, lost_contact, flagged; and of the outflow rows (the subtree's own
    # members away: the roster's 流动 for it): outflow, outflow_lost_contact,
    # outflow_no_inflow_side; inflow = total - outflow
    counts: dict[str, int]

    def rows_with(self, flag: str | None) -> list[ReportRow]:
        if flag in FLAGS:
            return [row for row in self.rows if getattr(row, flag)]
        if flag == "flagged":
            return [row for row in self.rows if row.flagged]
        return self.rows


def check_months(months) -> int:
    if months in (None, ""):
        return settings.LOST_CONTACT_MONTHS
    try:
        months = int(months)
    except (TypeError, ValueError):
        months = 0
    if not 1 <= months <= MAX_MONTHS:
        raise ApplicationError(
            "invalid",
            _("失联月数应为 1 到 %(max)s 之间的整数。") % {"max": MAX_MONTHS},
            field="months",
        )
    return months


SPELL_COLUMNS = (
    "pk",
    "member_id",
    "member__name",
    "external_name",
    "home_org_id",
    "home_org__name",
    "home_org__secretary_name",
    "home_text",
    "home_path",
    "destination_region__name",
    "destination_text",
    "inflow_org_id",
    "inflow_org__name",
    "station_id",
    "station__name",
    "since",
    "last_contact_on",
)


def _chunks(values: list, size: int | None = None):
    size = size or (900 if connection.vendor == "sqlite" else 20_000)
    for low in range(0, len(values), size):
        yield values[low : low + size]


def _people_by_org(paths: set[str], covered: list[str] | None) -> dict[int, list[str]]:
    """Secretaries and admins of the organizations at ``paths`` and of all their ancestors,
    by organization id.

    ``covered`` are subtrees that hold most of ``paths`` (the report's ``within``, or the user's
    scope; None: the whole deployment): their roles are read by path range, with no parameter
    per organization (tens of thousands of ids in ``IN`` lists cost more than the rows). Only
    the organizations outside them, and the ancestors above them, are read by id."""
    ids: set[int] = set()
    for path in paths:
        if covered is None or not tree.covers(covered, path):
            ids.update(tree.ancestor_ids(path))
            ids.add(int(path[-tree.SEGMENT :]))
    for path in covered or ():
        ids.update(tree.ancestor_ids(path))
    order = {RoleKind.SECRETARY: 0, RoleKind.ADMIN: 1}
    roles = Role.objects.filter(kind__in=list(order), user__is_active=True).values_list(
        "organization_id", "kind", "user__username", "user__last_name", "user__first_name"
    )
    found = []
    if covered is None:
        found += roles
    elif covered:
        found += roles.filter(tree.union_q(covered, "organization__path"))
    for chunk in _chunks(sorted(ids)):
        found += roles.filter(organization_id__in=chunk)
    people: dict[int, list[str]] = defaultdict(list)
    labels = {RoleKind.SECRETARY: RoleKind.SECRETARY.label, RoleKind.ADMIN: RoleKind.ADMIN.label}
    for org_id, kind, username, last, first in sorted(
        set(found), key=lambda r: (r[0], order[r[1]], r[2])
    ):
        name = f"{last}{first}".strip() or username
        people[org_id].append(f"{name}（{labels[kind]}）")
    return people


def _covered(user, within: Organization | None) -> list[str] | None:
    """The subtrees the report's rows mostly come from (see ``_people_by_org``)."""
    from tongchou.organizations.permissions import Action, scope_for

    if within is not None:
        return [within.path]
    scope = scope_for(user, Action.VIEW_MEMBERS)
    return None if scope.everything else list(scope.paths)


def _org_names(ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for chunk in _chunks(sorted(ids)):
        names.update(Organization.objects.filter(pk__in=chunk).values_list("pk", "name"))
    return names


def left_behind_for(
    user,
    *,
    within: Organization | None = None,
    months: int | None = None,
    today: dt.date | None = None,
) -> LeftBehindReport:
    """Every open spell the user may see (``mobility.selectors.mobile_list_for``), narrowed to
    spells touching ``within``'s subtree on either side, with its flags (see module doc)."""
    from tongchou.mobility.models import MobilityStatus
    from tongchou.mobility.selectors import mobile_list_for

    months = check_months(months)
    today = today or timezone.localdate()
    cutoff = lost_cutoff(today=today, months=months)
    # The last present attendance at a session that has taken place, per spell, as a
    # correlated lookup on the ``attendance_member_history`` index (newest first, one entry
    # read per member).
    last_present = (
        Attendance.objects.filter(
            member_id=OuterRef("member_id"), status__in=PRESENT, held_on__lte=today
        )
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    own = _covered(user, within)  # the viewed subtree(s): outflow rows have their home here
    spells = (
        mobile_list_for(user, within=within)
        .filter(status=MobilityStatus.OPEN)
        .annotate(last_attended=Subquery(last_present))
        .order_by("home_path", "pk")
        .values_list(*SPELL_COLUMNS, "last_attended")
    )
    raw = list(spells)
    people = _people_by_org({r[8] for r in raw if r[8]}, own)
    ancestors_named: dict[str, tuple[int, list[str]] | None] = {}

    def acting(path: str) -> tuple[int, list[str]] | None:
        if path not in ancestors_named:
            chain = [*tree.ancestor_ids(path), int(path[-tree.SEGMENT :])]
            ancestors_named[path] = next(
                ((pk, people[pk]) for pk in reversed(chain) if people.get(pk)), None
            )
        return ancestors_named[path]

    rows: list[ReportRow] = []
    acting_orgs: set[int] = set()
    for (pk, member_id, member_name, external_name, home_id, home_name, home_secretary,
         home_text, home_path, region_name, destination_text, inflow_id, inflow_name,
         station_id, station_name, since, contact, last_attended) in raw:  # fmt: skip
        row = ReportRow(
            spell_id=pk,
            member_id=member_id,
            name=member_name or external_name,
            home_org_id=home_id,
            home_org=home_name or home_text,
            home_path=home_path,
            destination=region_name or destination_text or "",
            inflow_org_id=inflow_id,
            inflow_org=inflow_name or "",
            station_id=station_id,
            station=station_name or "",
            since=since,
            last_attended=last_attended,
            last_contact=contact,
        )
        row.no_inflow_side = inflow_id is None and station_id is None
        row.lost_contact = is_lost(
            since=since, last_contact=contact, last_attended=last_attended, cutoff=cutoff
        )
        row.outflow = member_id is not None and (own is None or tree.covers(own, home_path))
        if home_id is not None and not people.get(home_id) and home_secretary:
            # No account at the home organization, but its secretary is on record.
            row.act_with = [f"{home_secretary}（{RoleKind.SECRETARY.label}）"]
            row.act_with_org = home_name
        elif home_path:
            found = acting(home_path)
            if found is not None:
                org_id, names = found
                row.act_with = names
                row.act_with_org = str(org_id)
                acting_orgs.add(org_id)
        rows.append(row)
    if acting_orgs:
        names = _org_names(acting_orgs)
        for row in rows:
            if row.act_with_org.isdigit():
                row.act_with_org = names.get(int(row.act_with_org), "")
    outflow = [r for r in rows if r.outflow]
    counts = {
        "total": len(rows),
        "no_inflow_side": sum(1 for r in rows if r.no_inflow_side),
        "lost_contact": sum(1 for r in rows if r.lost_contact),
        "flagged": sum(1 for r in rows if r.flagged),
        "outflow": len(outflow),
        "outflow_no_inflow_side": sum(1 for r in outflow if r.no_inflow_side),
        "outflow_lost_contact": sum(1 for r in outflow if r.lost_contact),
        "inflow": len(rows) - len(outflow),
    }
    return LeftBehindReport(
        within=within, months=months, today=today, cutoff=cutoff, rows=rows, counts=counts
    )


def attended_between(cutoff: dt.date, today: dt.date):
    """Attendance that counts as reaching a mobile member (tongchou.mobility.rules): present,
    online or offline, at a session held between ``cutoff`` and ``today``."""
    return Attendance.objects.filter(status__in=PRESENT, held_on__gte=cutoff, held_on__lte=today)


def _scope_path(actor) -> str:
    """The deepest path common to the actor's export scope (where the event is filed)."""
    from tongchou.organizations.permissions import Action, scope_for

    paths = list(scope_for(actor, Action.EXPORT).paths)
    common = paths[0] if paths else ""
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[: -tree.SEGMENT]
    return common


def report_filename(report: LeftBehindReport) -> tuple[str, str]:
    """The export's Chinese file name (naming the organization when one was chosen) and its
    ASCII fallback."""
    from django.utils import timezone

    stamp = f"{timezone.localtime():%Y%m%d-%H%M}"
    scope = f"-{report.within.name}" if report.within is not None else ""
    return f"流动党员教育管理情况{scope}-{stamp}.xlsx", f"left-behind-{stamp}.xlsx"


def report_xlsx(*, actor, report: LeftBehindReport, flag: str | None = None):
    """The report (or its rows with ``flag``) as .xlsx, audited as an export. No ID numbers
    or phones are in it. Returns an open temporary file positioned at 0."""
    from tongchou.core import audit, spreadsheets
    from tongchou.core.models import AuditAction
    from tongchou.organizations.permissions import Action, can

    if not can(actor, Action.EXPORT):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    rows = report.rows_with(flag)
    headers = [
        "姓名",
        "流出党组织",
        "流入地",
        "流入党组织",
        "党员服务站",
        "外出时间",
        "最近参加组织生活",
        "最近联系",
        "无流入地管理",
        f"失联（{report.months}个月以上）",
        "责任人（流出地）",
        "责任组织",
        "类别",
    ]
    values = (
        [
            row.name,
            row.home_org,
            row.destination,
            row.inflow_org,
            row.station,
            row.since,
            row.last_attended,
            row.last_contact,
            "是" if row.no_inflow_side else "",
            "是" if row.lost_contact else "",
            "、".join(row.act_with),
            row.act_with_org,
            "本组织外出" if row.outflow else "外地流入",
        ]
        for row in rows
    )
    out, _counts = spreadsheets.write_xlsx([spreadsheets.Sheet("流动党员", headers, values)])
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="mobility.mobilemember",
        object_repr=_("导出流动党员教育管理情况（%(n)s人）") % {"n": len(rows)},
        org_path=report.within.path if report.within is not None else _scope_path(actor),
        after={"count": len(rows), "months": report.months, "flag": flag or ""},
        note=f"within={report.within.pk if report.within else '-'} flag={flag or '-'}",
    )
    return out
