"""Validating: every row checked on its own (a fast path, then the full one that names every
problem), then what only the database knows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tongchou.core import crypto, tree
from tongchou.core.errors import ApplicationError
from tongchou.core.validators import (
    id_number_facts,
    id_number_spoiled_by_excel,
    normalize_id_number,
    normalize_phone,
)
from tongchou.members.choices import MemberStatus
from tongchou.members.id_numbers import ID_TAKEN_MESSAGE
from tongchou.members.importing.columns import EXAMPLE_ID_NUMBER
from tongchou.members.importing.reading import _KEYS, HEADERS, RowReader, _dict_cells
from tongchou.members.importing.values import (
    _BAD,
    AMBIGUOUS_MONTH,
    STATUS_MOBILITY,
    STATUS_REFUSED,
    MonthDate,
    _Dates,
    _value_maps,
    label_key,
)
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
_NORMAL = MemberStatus.NORMAL.value
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
    _ORG,  # the organization's code ("" until a name is resolved to one)
    _ORG_NAME,  # the organization's name, when the row names it instead of giving its code
    _STATUS,
    _REGION,
    _ID_ENC,  # the ID number and phone encrypted (written as they are)
    _PHONE_ENC,
) = range(19)


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
    normalize_id = normalize_id_number
    bad = _BAD
    ambiguous = AMBIGUOUS_MONTH
    month = MonthDate

    def fast(number: int, cells: list[str]) -> tuple | None:
        (
            name,
            gender_text,
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
            org_name,
            status,
            region,
        ) = cells
        gender = fast_gender(gender_text)
        ethnicity = fast_ethnicity(ethnicity)
        category = fast_category(category)
        education = fast_education(education)
        status = fast_status(status)
        birth = dates[birth]
        admission = dates[admission]
        full = dates[full]
        name = name.strip()
        id_number = normalize_id(id_number)
        if not (phone.isdigit() and phone.isascii()):
            phone = normalize_phone(phone)
        occupation = occupation.strip()
        org_code = org_code.strip()
        if not org_code:
            org_name = org_name.strip()
            if not org_name:
                org_code = default_code
        else:
            org_name = ""
        if (gender is None and not gender_text) or birth is None or birth.__class__ is month:
            # Left blank (or a month only): what the ID number says.
            try:
                id_birth, id_gender = id_number_facts(id_number)
            except ValidationError:
                return None
            if gender is None and not gender_text:
                gender = id_gender
            if birth is None:
                birth = id_birth
            elif birth.__class__ is month:
                if birth.year != id_birth.year or birth.month != id_birth.month:
                    return None
                birth = id_birth
        if (
            gender is not None
            and ethnicity is not None
            and category is not None
            and education is not None
            and status is not None
            and birth is not bad
            and admission is not bad
            and full is not bad
            and admission is not ambiguous
            and full is not ambiguous
            and (org_code or org_name)
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
                org_name,
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
    default_code = default_org.code if default_org is not None else ""
    return validate_cells(source, default_code, total, report)


def validate_cells(
    source, default_code: str, total: int, report, *, dedupe: bool = True
) -> tuple[list, list[RowError]]:
    """``_validate_rows`` on ``(row number, cells in COLUMNS order)`` (what a worker process
    of ``parallel`` checks, a chunk at a time; it leaves duplicates to the parent, which sees
    the whole file in order: ``dedupe=False``)."""
    maps = _value_maps()
    genders, ethnicities, educations = maps["gender"], maps["ethnicity"], maps["education"]
    categories, statuses = maps["category"], maps["status"]
    normal = _NORMAL
    tables = {
        "gender": _exact_keys(genders),
        "ethnicity": _exact_keys(ethnicities),
        "category": _exact_keys(categories),
        "education": _exact_keys(educations) | {"": ""},
        "status": _exact_keys(statuses) | {"": normal},
    }
    today = dt.date.today()
    fast = _fast_checker(tables, today, default_code)
    dates = _Dates()
    hasher = crypto.bulk_lookup_hasher()
    encrypt = crypto.bulk_encryptor()
    column = _FIELD_COLUMN
    records: list[tuple] = []
    append = records.append
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    remember = seen.setdefault if dedupe else _first_time
    every = PROGRESS_EVERY

    def label(mapping: dict, text: str):
        return mapping.get(text) or mapping.get(label_key(text)) or mapping.get(text.lower())

    def check_row(number: int, cells: list[str]) -> None:
        get = dict(zip(_KEYS, cells, strict=True)).get
        problems: dict[str, str] = {}
        id_number = normalize_id_number(get("id_number", ""))
        if id_number == EXAMPLE_ID_NUMBER:
            errors.append(RowError(number, column["id_number"], _example_row_message()))
            return

        name = get("name", "").strip()
        gender_text = get("gender", "").strip()
        gender = label(genders, gender_text) if gender_text else None
        if gender is None and gender_text:
            problems["gender"] = _("“%(v)s”不是有效的性别，应为“男”或“女”。") % {"v": gender_text}
        ethnicity_text = get("ethnicity", "").strip()
        ethnicity = label(ethnicities, ethnicity_text) if ethnicity_text else None
        if ethnicity is None and ethnicity_text:
            problems["ethnicity"] = _("“%(v)s”不在56个民族之列。") % {"v": ethnicity_text}
        education_text = get("education", "").strip()
        education = label(educations, education_text) if education_text else ""
        if education_text and not education:
            problems["education"] = _("“%(v)s”不是可选的学历。") % {"v": education_text}
        category_text = get("category", "").strip()
        category = label(categories, category_text) if category_text else None
        if category is None and category_text:
            problems["category"] = _("“%(v)s”不是有效的党员类别，应为“正式党员”或“预备党员”。") % {
                "v": category_text
            }
        status_text = get("status", "").strip()
        status = label(statuses, status_text) if status_text else normal
        if status is None:
            status = normal  # (reported below; not checked again by the rules)
            problems["status"] = _status_message(status_text)

        values_dates = {}
        for key in ("birth_date", "admission_date", "full_member_date"):
            text = get(key, "").strip()
            value = dates[text]
            if value is _BAD:
                problems[key] = _(
                    "“%(v)s”不是有效的日期，请写成2020-07-01、2020/7/1或2020.07。"
                ) % {"v": text}
                value = None
            elif value is AMBIGUOUS_MONTH:
                problems[key] = _(
                    "“%(v)s”可能是1月，也可能是10月（表格软件会把数字%(v)s0存成%(v)s）。"
                    "请写成%(y)s-01或%(y)s-10，并把该列设为“文本”格式。"
                ) % {"v": text, "y": text[:4]}
                value = None
            values_dates[key] = value
        birth = values_dates["birth_date"]
        admission = values_dates["admission_date"]
        full = values_dates["full_member_date"]

        # A blank gender or birth date, or a birth month, is what the ID number says.
        try:
            id_birth, id_gender = id_number_facts(id_number)
        except ValidationError:
            id_birth = id_gender = None
        if gender is None and not gender_text:
            gender = id_gender
        if birth.__class__ is MonthDate and id_birth is not None:
            if (birth.year, birth.month) == (id_birth.year, id_birth.month):
                birth = id_birth
            else:
                problems.setdefault(
                    "birth_date",
                    _("出生年月与身份证号不一致（身份证号显示为%(d)s）。")
                    % {"d": id_birth.isoformat()},
                )
        elif birth is None and "birth_date" not in problems and not get("birth_date", "").strip():
            birth = id_birth

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
        if id_birth is None and "id_number" in rule_errors:
            # Gender and birth date left blank cannot be taken from a wrong ID number: the
            # ID number's error is the one to fix.
            for key in ("gender", "birth_date"):
                if key in rule_errors and not get(key, "").strip():
                    del rule_errors[key]
        id_hash = ""
        if rule_errors:
            for key, message in rule_errors.items():
                problems.setdefault(key, message)
            if "id_number" in rule_errors and id_number_spoiled_by_excel(id_number):
                problems["id_number"] = _spoiled_id_message()
        if "id_number" not in problems:
            id_hash = hasher(id_number)
            first = remember(id_hash, number)
            if first != number:
                problems["id_number"] = _("与第%(row)s行的身份证号重复。") % {"row": first}
        org_code = get("org_code", "").strip()
        org_name = "" if org_code else get("org_name", "").strip()
        if not org_code and not org_name:
            org_code = default_code
        if not org_code and not org_name:
            problems["organization"] = _(
                "请填写所在党组织（名称或代码），或在导入时指定默认党组织。"
            )
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
                org_name,
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


def _first_time(_digest: str, number: int) -> int:
    return number


def _example_row_message() -> str:
    return _("这是导入模板自带的填写示例，不是真实党员，不会被导入。请删除这一行后重新上传。")


def _spoiled_id_message() -> str:
    return _(
        "身份证号被表格软件当成了数字（显示为科学计数法如6.40202E+17，或后三位变成了000），"
        "号码已不完整。请把该列设置为“文本”格式后重新录入身份证号，或在号码前加英文单引号'。"
    )


def _status_message(text: str) -> str:
    refused = STATUS_REFUSED.get(label_key(text))
    if refused in STATUS_MOBILITY:
        return _(
            "“%(v)s”不能在导入时填写：党员的流动、失联状态来自流动党员登记。"
            "请按“正常”导入，再在党员页面办理流动党员登记（外出流动）。"
        ) % {"v": text}
    if refused is not None:
        return _(
            "“%(v)s”的党员不能作为在册党员导入（会被计入党员人数）。"
            "名册只导入本组织现有的党员；如需保留其记录，请逐个添加后归档并注明原因。"
        ) % {"v": text}
    return _("“%(v)s”不是可选的状态：导入时状态只能为“正常”或不填。") % {"v": text}


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Facts:
    """What the database says about the organizations and regions a file names, as far as
    the actor may know: organization codes in scope that accept members (→ id, path), codes
    in scope that do not (→ why), names resolved in scope (→ code) or refused (→ why), region
    codes that exist. A code or name missing here is unknown or out of scope — the same."""

    orgs: dict[str, tuple[int, str]] = field(default_factory=dict)
    org_refused: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)
    name_refused: dict[str, str] = field(default_factory=dict)
    regions: set[str] = field(default_factory=set)
    asked: set[tuple[str, str]] = field(default_factory=set)  # ("code"|"name"|"region", key)

    def unknown(self, codes=(), names=(), regions=()) -> tuple[list, list, list]:
        asked = self.asked
        return (
            [c for c in codes if ("code", c) not in asked],
            [n for n in names if ("name", n) not in asked],
            [r for r in regions if ("region", r) not in asked],
        )

    def learn(self, actor, codes=(), names=(), regions=()) -> None:
        """Ask the database about the keys not asked yet."""
        codes, names, regions = self.unknown(codes, names, regions)
        scope = scope_for(actor, Action.MANAGE_MEMBERS)
        if names:
            by_name, refused = _resolve_names(actor, scope, sorted(names))
            self.by_name.update(by_name)
            self.name_refused.update(refused)
            codes = [*codes, *(c for c in by_name.values() if ("code", c) not in self.asked)]
        for chunk in _chunks(sorted(set(codes))):
            rows = Organization.objects.filter(code__in=chunk).values_list(
                "code", "pk", "path", "status", "kind"
            )
            for code, pk, path, status, kind in rows:
                if not scope.covers(path):
                    continue
                try:
                    check_organization_accepts_members(SimpleNamespace(status=status, kind=kind))  # type: ignore[arg-type]
                except ApplicationError as exc:
                    self.org_refused[code] = f"{code}：{exc.message}"
                else:
                    self.orgs[code] = (pk, path)
        for chunk in _chunks(sorted(set(regions))):
            self.regions.update(
                Region.objects.filter(code__in=chunk).values_list("code", flat=True)
            )
        self.asked.update(("code", c) for c in codes)
        self.asked.update(("name", n) for n in names)
        self.asked.update(("region", r) for r in regions)

    def subset(self, codes, names, regions) -> Facts:
        """Only what concerns these keys (what a worker process needs for one chunk)."""
        codes = set(codes) | {self.by_name[n] for n in names if n in self.by_name}
        return Facts(
            orgs={c: self.orgs[c] for c in codes if c in self.orgs},
            org_refused={c: self.org_refused[c] for c in codes if c in self.org_refused},
            by_name={n: self.by_name[n] for n in names if n in self.by_name},
            name_refused={n: self.name_refused[n] for n in names if n in self.name_refused},
            regions={r for r in regions if r in self.regions},
        )


def record_keys(records: list[tuple]) -> tuple[set[str], set[str], set[str]]:
    """The organization codes, names and region codes the records name."""
    codes = {r[_ORG] for r in records if r[_ORG]}
    names = {r[_ORG_NAME] for r in records if not r[_ORG] and r[_ORG_NAME]}
    regions = {r[_REGION] for r in records if r[_REGION]}
    return codes, names, regions


def apply_facts(records: list[tuple], facts: Facts) -> list[RowError]:
    """Organization and region errors by row; rows naming their organization get its code in
    place (``records`` is changed)."""
    by_name = facts.by_name
    if by_name:
        for i, r in enumerate(records):
            if not r[_ORG] and r[_ORG_NAME] in by_name:
                records[i] = (*r[:_ORG], by_name[r[_ORG_NAME]], *r[_ORG + 1 :])
    orgs, org_refused, regions = facts.orgs, facts.org_refused, facts.regions
    org_column, region_column = HEADERS["org_code"], HEADERS["home_region_code"]
    name_column = HEADERS["org_name"]
    errors: list[RowError] = []
    for r in records:
        code, region = r[_ORG], r[_REGION]
        if code:
            if code not in orgs:
                message = org_refused.get(code) or _(
                    "党组织代码“%(code)s”不存在或不在您的管理范围内。"
                ) % {"code": code}
                errors.append(RowError(r[_ROW], org_column, message))
        elif r[_ORG_NAME]:
            name = r[_ORG_NAME]
            message = facts.name_refused.get(name) or _unknown_name(name)
            errors.append(RowError(r[_ROW], name_column, message))
        if region and region not in regions:
            message = _("户籍区划代码“%(code)s”不存在。") % {"code": region}
            errors.append(RowError(r[_ROW], region_column, message))
    return errors


def _unknown_name(name: str) -> str:
    return _("党组织“%(name)s”不存在或不在您的管理范围内。请核对名称，或改填所在党组织代码。") % {
        "name": name
    }


def _check_against_database(actor, records: list[tuple]) -> list[RowError]:
    """Organizations (by code, or by a name unambiguous in the actor's scope: exist, in scope,
    accept members), region codes, and ID numbers already registered. An organization out of
    scope reads exactly like a missing one, by code and by name. Rows whose organization was
    named get its code in place (``records`` is changed)."""
    facts = Facts()
    facts.learn(actor, *record_keys(records))
    errors = apply_facts(records, facts)
    taken = id_hashes_taken([r[_HASH] for r in records if r[_HASH]])
    if taken:
        registered = str(ID_TAKEN_MESSAGE)  # the same words as every entry point
        id_column = HEADERS["id_number"]
        errors.extend(
            RowError(r[_ROW], id_column, registered) for r in records if r[_HASH] in taken
        )
    return errors


def _resolve_names(actor, scope, names: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Organization names → codes, looked up only inside the actor's scope: a name held by
    exactly one organization there that accepts members is that organization; a name held by
    several is refused naming each one's place in the tree (and code); a name held by none
    there is refused in the same words whether or not it exists elsewhere."""
    candidates: dict[str, list[tuple[str, str, str, str]]] = {}
    for chunk in _chunks(names):
        rows = Organization.objects.filter(scope.q("path"), name__in=chunk).values_list(
            "name", "code", "path", "status", "kind"
        )
        for name, code, path, status, kind in rows:
            candidates.setdefault(name, []).append((code, path, status, kind))
    resolved: dict[str, str] = {}
    refused: dict[str, str] = {}
    ambiguous: dict[str, list[tuple[str, str]]] = {}
    for name in names:
        found = candidates.get(name, [])
        accepting = []
        reason = ""
        for code, path, status, kind in found:
            try:
                check_organization_accepts_members(SimpleNamespace(status=status, kind=kind))  # type: ignore[arg-type]
            except ApplicationError as exc:
                reason = reason or str(exc.message)
            else:
                accepting.append((code, path))
        if len(accepting) == 1:
            resolved[name] = accepting[0][0]
        elif accepting:
            ambiguous[name] = sorted(accepting, key=lambda c: c[1])
        elif reason:
            refused[name] = f"{name}：{reason}"
        else:
            refused[name] = _unknown_name(name)
    if ambiguous:
        places = _places(scope, [path for found in ambiguous.values() for _c, path in found])
        for name, found in ambiguous.items():
            listed = "；".join(
                _("%(place)s（代码 %(code)s）") % {"place": places[path], "code": code}
                for code, path in found[:5]
            )
            refused[name] = _(
                "您的管理范围内有%(n)s个名为“%(name)s”的党组织：%(list)s。请改填所在党组织代码。"
            ) % {"n": len(found), "name": name, "list": listed}
    return resolved, refused


def _places(scope, paths: list[str]) -> dict[str, str]:
    """Each organization's place as names from the top of the actor's scope down to it
    ("甲县委 / 乙镇党委 / 红果子村党支部"): ancestors outside the scope are not named."""

    def chain(path: str) -> list[int]:
        return [int(path[i : i + tree.SEGMENT]) for i in range(0, len(path), tree.SEGMENT)]

    ids = {pk for path in paths for pk in chain(path)}
    names = dict(Organization.objects.filter(scope.q("path"), pk__in=ids).values_list("pk", "name"))
    return {path: " / ".join(names[pk] for pk in chain(path) if pk in names) for path in paths}
