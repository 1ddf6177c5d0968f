"""Validating: every row checked on its own (a fast path, then the full one that names every
problem), then what only the database knows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

from django.utils.translation import gettext as _

from tongchou.core import crypto
from tongchou.core.errors import ApplicationError
from tongchou.core.validators import normalize_phone
from tongchou.members.choices import MemberStatus
from tongchou.members.importing.reading import _KEYS, HEADERS, RowReader, _dict_cells
from tongchou.members.importing.values import _BAD, _Dates, _value_maps
from tongchou.members.rules import check_member, member_is_consistent
from tongchou.members.selectors import id_hashes_taken
from tongchou.members.services import check_organization_accepts_members
from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, scope_for
from tongchou.regions.models import Region

# check_member's field names → the column that carries them.
_FIELD_COLUMN = {
    **HEADERS,
    "organization": HEADERS["org_code"],
    "home_region": HEADERS["home_region_code"],
}
PROGRESS_EVERY = 10_000
_CHUNK = 500  # codes per lookup query


@dataclass(frozen=True)
class RowError:
    row: int  # as in the file: the header is row 1 (0 for the file as a whole)
    column: str  # the Chinese header ("" for the whole row or file)
    message: str


# Positions in the per-row record kept between validation and writing.
(
    _ROW,
    _NAME,
    _GENDER,
    _ETHNICITY,
    _BIRTH,
    _ID,
    _HASH,
    _PHONE,
    _EDUCATION,
    _OCCUPATION,
    _CATEGORY,
    _ADMISSION,
    _FULL,
    _ORG,
    _STATUS,
    _REGION,
    _ID_ENC,  # the ID number and phone encrypted (written as they are)
    _PHONE_ENC,
) = range(18)


def _exact_keys(mapping: dict[str, str]) -> dict[str, str]:
    """The keys a cell can match as it is, without stripping (no surrounding blanks)."""
    return {k: v for k, v in mapping.items() if k and k == k.strip()}


def _fast_checker(tables: dict, today: dt.date, default_code: str):
    """``fast(number, cells)`` → the finished record (hashed and encrypted) of a row that is
    right as it stands, or None when the row needs the full path (``check_row``). No
    database, no messages, nothing shared between rows.

    (Checking in forked worker processes was measured and does not pay on two cores: the
    records coming back through pickling, and copy-on-write faults on the rows both processes
    touch, cost the parent about as much CPU as checking every row itself.)"""
    fast_gender = tables["gender"].get
    fast_ethnicity = tables["ethnicity"].get
    fast_category = tables["category"].get
    fast_education = tables["education"].get
    fast_status = tables["status"].get
    dates = _Dates()
    hasher = crypto.bulk_lookup_hasher()
    encrypt = crypto.bulk_encryptor()
    consistent = member_is_consistent
    bad = _BAD

    def fast(number: int, cells: list[str]) -> tuple | None:
        (
            name,
            gender,
            ethnicity,
            birth,
            id_number,
            phone,
            education,
            occupation,
            category,
            admission,
            full,
            org_code,
            status,
            region,
        ) = cells
        gender = fast_gender(gender)
        ethnicity = fast_ethnicity(ethnicity)
        category = fast_category(category)
        education = fast_education(education)
        status = fast_status(status)
        birth = dates[birth]
        admission = dates[admission]
        full = dates[full]
        name = name.strip()
        id_number = id_number.strip().upper()
        if not (phone.isdigit() and phone.isascii()):
            phone = normalize_phone(phone)
        occupation = occupation.strip()
        org_code = org_code.strip() or default_code
        if (
            gender is not None
            and ethnicity is not None
            and category is not None
            and education is not None
            and status is not None
            and birth is not bad
            and admission is not bad
            and full is not bad
            and org_code
            and consistent(
                name,
                gender,
                ethnicity,
                birth,
                id_number,
                phone,
                education,
                occupation,
                category,
                admission,
                full,
                status,
                today,
            )
        ):
            return (
                number,
                name,
                gender,
                ethnicity,
                birth,
                id_number,
                hasher(id_number),
                phone,
                education,
                occupation,
                category,
                admission,
                full,
                org_code,
                status,
                region.strip() or None,
                encrypt(id_number),
                encrypt(phone),
            )
        return None

    return fast


def _validate_rows(rows, default_org, total, report) -> tuple[list[tuple], list[RowError]]:
    """The per-row checks that need no database: parsing and ``check_member``.

    Nearly every row of a real file is right, so each row first takes a fast path: its cells
    looked up as they are, and ``member_is_consistent`` (the same rules as ``check_member``,
    answered yes or no). A row the fast path cannot accept as it stands — blanks around a value,
    an unknown label, a bad date, a broken rule, a duplicate — goes through ``check_row``, the
    full path that names every problem; both give the same record for a row without problems.
    Duplicates are decided here, in file order, whichever path a row took."""
    source = rows.cells() if isinstance(rows, RowReader) else _dict_cells(rows)
    maps = _value_maps()
    genders, ethnicities, educations = maps["gender"], maps["ethnicity"], maps["education"]
    categories, statuses = maps["category"], maps["status"]
    normal = MemberStatus.NORMAL.value
    tables = {
        "gender": _exact_keys(genders),
        "ethnicity": _exact_keys(ethnicities),
        "category": _exact_keys(categories),
        "education": _exact_keys(educations) | {"": ""},
        "status": _exact_keys(statuses) | {"": normal},
    }
    today = dt.date.today()
    default_code = default_org.code if default_org is not None else ""
    fast = _fast_checker(tables, today, default_code)
    dates = _Dates()
    hasher = crypto.bulk_lookup_hasher()
    encrypt = crypto.bulk_encryptor()
    column = _FIELD_COLUMN
    bad = _BAD
    records: list[tuple] = []
    append = records.append
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    remember = seen.setdefault
    every = PROGRESS_EVERY

    def check_row(number: int, cells: list[str]) -> None:
        get = dict(zip(_KEYS, cells, strict=True)).get
        problems: dict[str, str] = {}

        name = get("name", "").strip()
        gender_text = get("gender", "").strip()
        gender = genders.get(gender_text)
        if gender is None and gender_text:
            problems["gender"] = _("“%(v)s”不是有效的性别，应为“男”或“女”。") % {"v": gender_text}
        ethnicity_text = get("ethnicity", "").strip()
        ethnicity = ethnicities.get(ethnicity_text)
        if ethnicity is None and ethnicity_text:
            problems["ethnicity"] = _("“%(v)s”不在56个民族之列。") % {"v": ethnicity_text}
        education_text = get("education", "").strip()
        education = educations.get(education_text, "") if education_text else ""
        if education_text and not education:
            problems["education"] = _("“%(v)s”不是可选的学历。") % {"v": education_text}
        category_text = get("category", "").strip()
        category = categories.get(category_text)
        if category is None and category_text:
            problems["category"] = _("“%(v)s”不是有效的党员类别，应为“正式党员”或“预备党员”。") % {
                "v": category_text
            }
        status_text = get("status", "").strip()
        status = statuses.get(status_text) if status_text else normal
        if status is None:
            problems["status"] = _("“%(v)s”不是可选的状态。") % {"v": status_text}

        birth = dates[get("birth_date", "")]
        admission = dates[get("admission_date", "")]
        full = dates[get("full_member_date", "")]
        if birth is bad or admission is bad or full is bad:
            for key, value in (
                ("birth_date", birth),
                ("admission_date", admission),
                ("full_member_date", full),
            ):
                if value is bad:
                    problems[key] = _("“%(v)s”不是有效的日期，请写成2020-07-01或2020/7/1。") % {
                        "v": get(key, "").strip()
                    }
            birth = None if birth is bad else birth
            admission = None if admission is bad else admission
            full = None if full is bad else full

        id_number = get("id_number", "").strip().upper()
        phone = normalize_phone(get("phone", ""))
        occupation = get("occupation", "").strip()
        values = {
            "name": name,
            "gender": gender,
            "ethnicity": ethnicity,
            "birth_date": birth,
            "id_number": id_number,
            "phone": phone,
            "education": education,
            "occupation": occupation,
            "category": category,
            "admission_date": admission,
            "full_member_date": full,
            "status": status,
        }
        rule_errors = check_member(values, today=today)
        id_hash = ""
        if rule_errors:
            for key, message in rule_errors.items():
                problems.setdefault(key, message)
            if "id_number" in rule_errors and "E+" in id_number:
                problems["id_number"] = _(
                    "身份证号被表格软件改成了科学计数法，请把该列设为“文本”格式后重新填写。"
                )
        if "id_number" not in problems:
            id_hash = hasher(id_number)
            first = remember(id_hash, number)
            if first != number:
                problems["id_number"] = _("与第%(row)s行的身份证号重复。") % {"row": first}
        org_code = get("org_code", "").strip() or default_code
        if not org_code:
            problems["organization"] = _("请填写所在党组织代码（或在导入时指定默认党组织）。")
        if problems:
            for key, message in problems.items():
                errors.append(RowError(number, column[key], message))
        append(
            (
                number,
                name,
                gender,
                ethnicity,
                birth,
                id_number,
                id_hash,
                phone,
                education,
                occupation,
                category,
                admission,
                full,
                org_code,
                status,
                get("home_region_code", "").strip() or None,
                # Encrypted only when the row may be written: a row with problems never is.
                "" if problems else encrypt(id_number),
                "" if problems else encrypt(phone),
            )
        )

    for number, cells in source:
        record = fast(number, cells)
        if record is not None and remember(record[_HASH], number) == number:
            append(record)
        else:
            check_row(number, cells)
        if len(records) % every == 0:
            report(len(records), max(total, len(records)))
    return records, errors


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_against_database(actor, records: list[tuple]) -> list[RowError]:
    """Organization codes (exist, in the actor's scope, accept members), region codes, and ID
    numbers already registered. An organization out of scope reads exactly like a missing one."""
    errors: list[RowError] = []
    codes = sorted({r[_ORG] for r in records if r[_ORG]})
    found: dict[str, SimpleNamespace] = {}
    for chunk in _chunks(codes):
        for code, path, status, kind in Organization.objects.filter(code__in=chunk).values_list(
            "code", "path", "status", "kind"
        ):
            found[code] = SimpleNamespace(path=path, status=status, kind=kind)
    scope = scope_for(actor, Action.MANAGE_MEMBERS)
    bad_orgs: dict[str, str] = {}
    for code in codes:
        org = found.get(code)
        if org is None or not scope.covers(org.path):
            bad_orgs[code] = _("党组织代码“%(code)s”不存在或不在您的管理范围内。") % {"code": code}
            continue
        try:
            check_organization_accepts_members(org)  # type: ignore[arg-type]
        except ApplicationError as exc:
            bad_orgs[code] = f"{code}：{exc.message}"

    regions = sorted({r[_REGION] for r in records if r[_REGION]})
    known_regions: set[str] = set()
    for chunk in _chunks(regions):
        known_regions.update(Region.objects.filter(code__in=chunk).values_list("code", flat=True))
    bad_regions = set(regions) - known_regions

    taken = id_hashes_taken([r[_HASH] for r in records if r[_HASH]])

    if bad_orgs or bad_regions or taken:
        org_column, region_column = HEADERS["org_code"], HEADERS["home_region_code"]
        id_column = HEADERS["id_number"]
        registered = _("该身份证号已登记为党员。")
        for r in records:
            if r[_ORG] in bad_orgs:
                errors.append(RowError(r[_ROW], org_column, bad_orgs[r[_ORG]]))
            if r[_REGION] in bad_regions:
                message = _("户籍区划代码“%(code)s”不存在。") % {"code": r[_REGION]}
                errors.append(RowError(r[_ROW], region_column, message))
            if r[_HASH] in taken:
                errors.append(RowError(r[_ROW], id_column, registered))
    return errors
