"""Export of a (filtered, scoped) member list to .xlsx. Every export is audited; ID numbers and
phones are masked unless the person has the reveal right and asked for them explicitly."""

from __future__ import annotations

from typing import IO

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit, crypto, spreadsheets, tree
from tongchou.core.models import AuditAction
from tongchou.members.models import Member
from tongchou.organizations.permissions import Action, can, scope_for

EXPORT_HEADERS = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "身份证号",
    "手机号",
    "学历",
    "职业",
    "党员类别",
    "入党日期",
    "转正日期",
    "所在党组织",
    "所在党组织代码",
    "状态",
    "户籍区划代码",
]
EXPORT_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number_enc",
    "phone_enc",
    "education",
    "occupation",
    "category",
    "admission_date",
    "full_member_date",
    "org_path",
    "status",
    "home_region_id",
    "organization__name",
    "organization__code",
]


def _common_path(paths) -> str:
    paths = list(paths)
    if not paths:
        return ""
    common = paths[0]
    for p in paths[1:]:
        while not p.startswith(common):
            common = common[: -tree.SEGMENT]
    return common


def member_export(
    *,
    actor,
    members: QuerySet[Member],
    filters: str = "",
    unmasked: bool = False,
    org_path: str = "",
) -> IO[bytes]:
    """Write ``members`` (already scoped and filtered by the caller, through
    ``member_list_for(actor, action=Action.EXPORT)`` and ``MemberFilter``) to an .xlsx file
    and record the export. ``filters`` (the query string) goes into the audit note.
    With ``unmasked`` (needs the reveal right), rows in the reveal scope show full numbers and
    a reveal event is recorded too. Returns an open temporary file positioned at 0."""
    if not can(actor, Action.EXPORT):
        raise PermissionDenied
    reveal = scope_for(actor, Action.REVEAL) if unmasked else None
    if unmasked and reveal.is_empty:
        raise PermissionDenied

    labels = _labels()

    def rows():
        for values in members.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000):
            (name, gender, ethnicity, birth, id_enc, phone_enc, education, occupation, category,
             admitted, full_on, path, status, region, org_name, org_code) = values  # fmt: skip
            id_number = crypto.decrypt(id_enc)
            phone = crypto.decrypt(phone_enc)
            if reveal is None or not reveal.covers(path):
                id_number = crypto.mask_id_number(id_number)
                phone = crypto.mask_phone(phone)
            yield [
                name,
                labels["gender"].get(gender, gender),
                labels["ethnicity"].get(ethnicity, ethnicity),
                birth,
                id_number,
                phone,
                labels["education"].get(education, education),
                occupation,
                labels["category"].get(category, category),
                admitted,
                full_on,
                org_name,
                org_code,
                labels["status"].get(status, status),
                region or "",
            ]

    out, (count,) = spreadsheets.write_xlsx([spreadsheets.Sheet("党员", EXPORT_HEADERS, rows())])

    scope_path = org_path or _common_path(scope_for(actor, Action.EXPORT).paths)
    note = (("unmasked " if unmasked else "") + (filters or "-"))[:255]
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=Member._meta.label_lower,
        object_repr=_("导出%(n)s名党员") % {"n": count},
        org_path=scope_path,
        after={"count": count, "unmasked": unmasked, "at": timezone.now().isoformat()},
        note=note,
    )
    if unmasked:
        audit.record(
            actor=actor,
            action=AuditAction.REVEAL,
            object_type=Member._meta.label_lower,
            object_repr=_("导出完整身份证号和手机号（%(n)s名党员）") % {"n": count},
            org_path=scope_path,
            note=("export " + (filters or "-"))[:255],
        )
    return out


def export_filename(org_name: str | None = None) -> tuple[str, str]:
    """The export's file name (Chinese, naming the organization when one was chosen) and its
    ASCII fallback."""
    stamp = f"{timezone.localtime():%Y%m%d-%H%M}"
    scope = f"-{org_name}" if org_name else ""
    return f"党员名册{scope}-{stamp}.xlsx", f"members-{stamp}.xlsx"


def _labels() -> dict[str, dict[str, str]]:
    from tongchou.members.choices import Category, Education, Ethnicity, Gender, MemberStatus

    return {
        "gender": {v: str(label) for v, label in Gender.choices},
        "ethnicity": {v: str(label) for v, label in Ethnicity.choices},
        "education": {v: str(label) for v, label in Education.choices},
        "category": {v: str(label) for v, label in Category.choices},
        "status": {v: str(label) for v, label in MemberStatus.choices},
    }
