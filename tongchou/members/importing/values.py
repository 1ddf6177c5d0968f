"""Values as people type them: dates, and the labels of the choice columns."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.utils import translation

from tongchou.members.choices import Category, Education, Ethnicity, Gender, MemberStatus

_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_BAD = object()
# "1980.1": January, or 1980.10 (October) that a spreadsheet stored as a number and showed
# without its trailing zero. No way to tell: the row is refused with a message saying so.
AMBIGUOUS_MONTH = object()


class MonthDate(dt.date):
    """A date known only to the month (出生年月 "1980.05", 入党时间 "2010年7月"): the first of
    that month. A birth date given so is checked against the ID number's year and month, and the
    ID number's full date is kept."""


def _parse_date(text: str):
    """A date as typed: 2020-07-01, 2020/7/1, 2020.7.1, 2020年7月1日, 20200701, an Excel serial
    day number (43831), or a month (2020.07, 2020年7月, 2020-07, 202007: the first of it).
    Returns a date, None for blank, ``_BAD`` or ``AMBIGUOUS_MONTH``."""
    text = text.strip()
    if not text:
        return None
    if (
        len(text) == 10
        and text[4] == "-"
        and text[7] == "-"
        and text.isascii()
        and text[:4].isdigit()
        and text[5:7].isdigit()
        and text[8:].isdigit()
    ):  # ISO 8601, the usual case: what the expressions below read it as, only faster
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return _BAD
    if not text.isascii():  # full-width digits and dots (１９８０．０５)
        text = unicodedata.normalize("NFKC", text)
    try:
        match = _DATE_RE.match(text)
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = _MONTH_RE.match(text)
        if match:
            if match[2] == "1" and text[4] == ".":
                return AMBIGUOUS_MONTH
            return MonthDate(int(match[1]), int(match[2]), 1)
        if text.isdigit() and text.isascii():
            if len(text) == 8:
                return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            if len(text) == 6:
                return MonthDate(int(text[:4]), int(text[4:]), 1)
            if len(text) <= 5 and int(text) > 0:
                return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    except (ValueError, OverflowError):
        pass
    return _BAD


BAD_DATE = _BAD


def parse_date(text: str):
    """The public entry to the date reading of member files, for other importers (linkage's
    outlet sales read their months with it): a date (a ``MonthDate`` when only the month was
    written), None for blank, ``BAD_DATE`` or ``AMBIGUOUS_MONTH``."""
    return _parse_date(text)


def label_key(text: str) -> str:
    """A label as the value maps spell it: NFKC (full-width brackets), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _choice_map(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value, label in choices.choices:
        mapping[value] = value
        mapping[value.upper()] = value
        with translation.override("zh-hans"):
            mapping[str(label)] = value
        mapping[str(label)] = value  # and in the current language
    mapping.update(extra or {})
    return mapping


_POSTGRADUATE = Education.POSTGRADUATE.value
_BACHELOR = Education.BACHELOR.value
_JUNIOR_COLLEGE = Education.JUNIOR_COLLEGE.value
_SECONDARY = Education.SECONDARY_VOCATIONAL.value
_HIGH_SCHOOL = Education.HIGH_SCHOOL.value

# The labels of rosters and of the national system's exports (文化程度/学历).
EDUCATION_LABELS = {
    "研究生": _POSTGRADUATE,
    "博士": _POSTGRADUATE,
    "博士研究生": _POSTGRADUATE,
    "研究生(博士)": _POSTGRADUATE,
    "硕士": _POSTGRADUATE,
    "硕士研究生": _POSTGRADUATE,
    "研究生(硕士)": _POSTGRADUATE,
    "研究生及以上": _POSTGRADUATE,
    "本科": _BACHELOR,
    "大学": _BACHELOR,
    "大学本科": _BACHELOR,
    "本科(学士)": _BACHELOR,
    "大专": _JUNIOR_COLLEGE,
    "专科": _JUNIOR_COLLEGE,
    "大学专科": _JUNIOR_COLLEGE,
    "高职": _JUNIOR_COLLEGE,
    "中专": _SECONDARY,
    "中技": _SECONDARY,
    "技校": _SECONDARY,
    "中等专科": _SECONDARY,
    "中等专业学校": _SECONDARY,
    "技工学校": _SECONDARY,
    "中等职业教育": _SECONDARY,
    "职高": _HIGH_SCHOOL,
    "职业高中": _HIGH_SCHOOL,
    "高中": _HIGH_SCHOOL,
    "普通高中": _HIGH_SCHOOL,
    "初中": Education.JUNIOR_HIGH.value,
    "初级中学": Education.JUNIOR_HIGH.value,
    "小学": Education.PRIMARY.value,
    "小学以下": Education.PRIMARY.value,
    "小学及以下": Education.PRIMARY.value,
    "文盲": Education.PRIMARY.value,
    "不识字或识字很少": Education.PRIMARY.value,
}


def _value_maps() -> dict[str, dict[str, str]]:
    ethnicity_extra = {}
    for value, label in Ethnicity.choices:
        with translation.override("zh-hans"):
            zh = str(label)
        ethnicity_extra[zh.removesuffix("族")] = value
        ethnicity_extra[str(int(value))] = value
    return {
        # GB/T 2261.1 codes too: 1 male, 2 female
        "gender": _choice_map(
            Gender, {"男性": "M", "女性": "F", "m": "M", "f": "F", "1": "M", "2": "F"}
        ),
        "ethnicity": _choice_map(Ethnicity, ethnicity_extra),
        "education": _choice_map(Education, EDUCATION_LABELS),
        "category": _choice_map(Category, {"正式": "full", "预备": "probationary"}),
        # Only 正常 imports: see STATUS_REFUSED.
        "status": {
            "正常": MemberStatus.NORMAL.value,
            "normal": MemberStatus.NORMAL.value,
            "NORMAL": MemberStatus.NORMAL.value,
            str(MemberStatus.NORMAL.label): MemberStatus.NORMAL.value,
        },
    }


# Statuses a new member cannot be imported with, by what people write, and why.
#  - 流动 / 失联 follow from the member's mobility record (流动党员登记), registered after the
#    import: a status typed here would say "away" with nobody knowing where or since when.
#  - 已去世 / 已转出: the roster lists the members an organization has; someone who died or
#    whose membership moved elsewhere is not one (they would count as a member), and their
#    record, if it belongs here, is added and archived by hand with its reason.
STATUS_MOBILITY = ("mobile", "lost_contact")
STATUS_GONE = ("deceased", "transferred_out")
STATUS_REFUSED = {
    **{label: "mobile" for label in ("流动", "流动党员", "外出流动", "外出", "mobile")},
    **{label: "lost_contact" for label in ("失联", "失联党员", "失去联系", "lost_contact")},
    **{label: "deceased" for label in ("已去世", "去世", "死亡", "已故", "deceased")},
    **{label: "transferred_out" for label in ("已转出", "转出", "transferred_out")},
}


def allowed_values() -> dict[str, list[str]]:
    """What the template's 说明 sheet lists per column."""
    with translation.override("zh-hans"):
        return {
            "gender": [str(label) for _v, label in Gender.choices],
            "ethnicity": [str(label) for _v, label in Ethnicity.choices],
            "education": [str(label) for _v, label in Education.choices],
            "category": [str(label) for _v, label in Category.choices],
            "status": [str(MemberStatus.NORMAL.label)],
        }


class _Dates(dict):
    """Text → ``_parse_date(text)``, each distinct text parsed once."""

    def __missing__(self, text: str):
        value = self[text] = _parse_date(text)
        return value
