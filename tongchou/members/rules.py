"""The rules a member record must satisfy, in one place. Forms, the API and the importer all
call ``check_member``; it is plain Python (no queries) so an import can run it on a million rows.

``check_member`` takes already-parsed values and returns ``{field: message}`` for every broken
rule; an empty dict means the record is consistent.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tongchou.core.validators import id_number_facts, normalize_phone, validate_phone
from tongchou.members.choices import Category, Education, Ethnicity, Gender, MemberStatus

MIN_ADMISSION_AGE = 18
PROBATION_YEARS = 1
MAX_PROBATION_YEARS = 2  # one year, extendable by at most one more

CATEGORY_VALUES = frozenset(Category.values)
GENDER_VALUES = frozenset(Gender.values)
ETHNICITY_VALUES = frozenset(Ethnicity.values)
EDUCATION_VALUES = frozenset(Education.values)
STATUS_VALUES = frozenset(MemberStatus.values)


FULL = Category.FULL.value
PROBATIONARY = Category.PROBATIONARY.value
NORMAL = MemberStatus.NORMAL.value
MOBILE = MemberStatus.MOBILE.value

# Statuses a person sets by hand (the member form, the API, an import's status column). The
# others follow a workflow and nothing else writes them: 流动 while a mobility spell is open
# (tongchou.mobility.services), 已转出 when an outward transfer completes (tongchou.transfers).
# 失联 is not a status a record holds at all: it is a fact about an open spell that changes with
# the calendar (no contact and no organizational life for LOST_CONTACT_MONTHS months), computed
# where it is shown (tongchou.mobility.rules); ``MemberStatus.LOST_CONTACT`` remains only so
# that records from before this rule read, and is never written.
HAND_SET_STATUSES = frozenset({MemberStatus.NORMAL.value, MemberStatus.DECEASED.value})
WORKFLOW_STATUSES = frozenset(
    {MemberStatus.MOBILE.value, MemberStatus.TRANSFERRED_OUT.value, MemberStatus.LOST_CONTACT.value}
)
# The statuses a roster lists and filters by (what records hold).
ROSTER_STATUSES = tuple(s for s in MemberStatus if s != MemberStatus.LOST_CONTACT)


def hand_set_status_error(status: str, *, current: str | None = None) -> str | None:
    """Why ``status`` cannot be set by hand on a record now at ``current`` (None: a new
    record), or None when it can. Forms, the API and the import ask this."""
    if status == current:
        return None
    if current is not None and current in WORKFLOW_STATUSES:
        if current == MOBILE:
            return _("该党员正在外出流动，状态由流动党员登记决定：请先登记返回或结束流动登记。")
        return _("该党员的状态“%(s)s”由组织关系转接决定，不能手工修改。") % {
            "s": MemberStatus(current).label
        }
    if status in HAND_SET_STATUSES:
        return None
    if status in (MOBILE, MemberStatus.LOST_CONTACT.value):
        return _(
            "“流动”“失联”不能手工设置：请在“流动党员”中登记外出，状态随流动登记变化；"
            "失联由长期未联系且未参加组织生活自动判断。"
        )
    if status == MemberStatus.TRANSFERRED_OUT.value:
        return _("“已转出”不能手工设置：请办理组织关系转接（转出），完成后自动归档。")
    return _("状态不在可选范围内。")


# Imports check a million rows whose dates repeat a lot: each (day, years) is computed once.
_SHIFTED: dict[tuple[dt.date, int], dt.date] = {}


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return _SHIFTED[day, years]
    except KeyError:
        pass
    shifted = _shift(day, years)
    if len(_SHIFTED) > 500_000:
        _SHIFTED.clear()
    _SHIFTED[day, years] = shifted
    return shifted


def _shift(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_member(values: dict, *, today: dt.date | None = None) -> dict[str, str]:
    """Check one member's values (dates as ``date``; ID number normalized upper-case)."""
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    name = values.get("name") or ""
    if not name.strip():
        errors["name"] = _("姓名不能为空。")
    elif len(name) > 50:
        errors["name"] = _("姓名不能超过50个字。")

    id_birth = id_gender = None
    id_number = values.get("id_number") or ""
    if not id_number:
        errors["id_number"] = _("身份证号不能为空。")
    else:
        try:
            id_birth, id_gender = id_number_facts(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]

    gender = values.get("gender")
    if gender not in GENDER_VALUES:
        errors["gender"] = _("性别应为“男”或“女”。")
    elif id_gender and gender != id_gender:
        errors["gender"] = _("性别与身份证号不一致（身份证号显示为%(g)s）。") % {
            "g": Gender(id_gender).label
        }

    birth = values.get("birth_date")
    if birth is None:
        errors["birth_date"] = _("出生日期不能为空。")
    elif birth > today:
        errors["birth_date"] = _("出生日期不能晚于今天。")
    elif id_birth and birth != id_birth:
        errors["birth_date"] = _("出生日期与身份证号不一致（身份证号显示为%(d)s）。") % {
            "d": id_birth.isoformat()
        }

    ethnicity = values.get("ethnicity")
    if ethnicity not in ETHNICITY_VALUES:
        errors["ethnicity"] = _("民族不在56个民族之列。") if ethnicity else _("民族不能为空。")
    if values.get("education") and values["education"] not in EDUCATION_VALUES:
        errors["education"] = _("学历不在可选范围内。")
    if values.get("status", NORMAL) not in STATUS_VALUES:
        errors["status"] = _("状态不在可选范围内。")

    if len(values.get("occupation") or "") > 100:
        errors["occupation"] = _("职业不能超过100个字。")

    phone = values.get("phone") or ""
    if phone:
        try:
            validate_phone(normalize_phone(phone))
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]

    birth_ok = birth if "birth_date" not in errors else None
    errors.update(_check_membership_dates(values, birth_ok, today))
    return errors


def _check_membership_dates(values: dict, birth: dt.date | None, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    category = values.get("category")
    admitted = values.get("admission_date")
    full_on = values.get("full_member_date")
    if category not in CATEGORY_VALUES:
        errors["category"] = _("党员类别应为“预备党员”或“正式党员”。")
    if admitted is None:
        errors["admission_date"] = _("入党日期不能为空。")
        return errors
    if admitted > today:
        errors["admission_date"] = _("入党日期不能晚于今天。")
    elif birth and admitted < add_years(birth, MIN_ADMISSION_AGE):
        errors["admission_date"] = _("入党时应年满18周岁。")
    if category == FULL:
        if full_on is None:
            errors["full_member_date"] = _("正式党员须填写转正日期。")
        elif full_on > today:
            errors["full_member_date"] = _("转正日期不能晚于今天。")
        elif full_on < add_years(admitted, PROBATION_YEARS):
            errors["full_member_date"] = _("预备期为一年，转正日期不能早于入党满一年。")
        elif full_on > add_years(admitted, MAX_PROBATION_YEARS):
            errors["full_member_date"] = _("预备期最长延长一年，转正日期不能晚于入党满两年。")
    elif category == PROBATIONARY:
        if full_on is not None:
            errors["full_member_date"] = _("预备党员不应有转正日期。")
        elif add_years(admitted, MAX_PROBATION_YEARS) < today:
            errors.setdefault(
                "admission_date", _("预备期已超过两年，应办理转正或取消预备党员资格。")
            )
    return errors


# --------------------------------------------------------------------------------------------
# The same rules as a yes/no question, for imports: a million rows, nearly all of them right.


class _Shifted(dict):
    """A day → the same day some years later (as ``add_years``), each day shifted once."""

    def __init__(self, years: int):
        super().__init__()
        self.years = years

    def __missing__(self, day: dt.date) -> dt.date:
        if len(self) > 500_000:
            self.clear()
        value = self[day] = _shift(day, self.years)
        return value


_ADULT = _Shifted(MIN_ADMISSION_AGE)
_ONE_YEAR = _Shifted(PROBATION_YEARS)
_TWO_YEARS = _Shifted(MAX_PROBATION_YEARS)


def member_is_consistent(
    name: str,
    gender,
    ethnicity,
    birth_date: dt.date | None,
    id_number: str,
    phone: str,
    education,
    occupation: str,
    category,
    admission_date: dt.date | None,
    full_member_date: dt.date | None,
    status,
    today: dt.date,
) -> bool:
    """True exactly when ``check_member`` finds nothing wrong with these values (``status``
    given, i.e. not defaulted). Asks the same questions without building messages; callers
    run ``check_member`` for the messages when this says no."""
    if not name or len(name) > 50 or not name.strip():
        return False
    if not id_number:
        return False
    try:
        id_birth, id_gender = id_number_facts(id_number)
    except ValidationError:
        return False
    if gender != id_gender or gender not in GENDER_VALUES:
        return False
    if birth_date is None or birth_date > today or birth_date != id_birth:
        return False
    if ethnicity not in ETHNICITY_VALUES or status not in STATUS_VALUES:
        return False
    if education and education not in EDUCATION_VALUES:
        return False
    if occupation and len(occupation) > 100:
        return False
    if phone:
        if not (len(phone) == 11 and phone.isdigit() and phone.isascii() and phone[0] == "1"):
            try:
                validate_phone(normalize_phone(phone))
            except ValidationError:
                return False
        elif phone[1] in "012":
            return False
    if admission_date is None or admission_date > today:
        return False
    if category not in CATEGORY_VALUES:
        return False
    if admission_date < _ADULT[birth_date]:
        return False
    if category == FULL:
        return (
            full_member_date is not None
            and full_member_date <= today
            and _ONE_YEAR[admission_date] <= full_member_date <= _TWO_YEARS[admission_date]
        )
    # PROBATIONARY (the only other category)
    return full_member_date is None and _TWO_YEARS[admission_date] >= today
