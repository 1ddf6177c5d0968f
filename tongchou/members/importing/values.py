"""Values as people type them: dates, and the labels of the choice columns."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import translation

from tongchou.members.choices import Category, Education, Ethnicity, Gender, MemberStatus

_DATE_RE = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_BAD = object()


def _parse_date(text: str):
    """A date as typed: 2020-07-01, 2020/7/1, 2020.7.1, 2020年7月1日, 20200701, or an Excel
    serial day number (43831). Returns a date, None for blank, or _BAD."""
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
    ):  # ISO 8601, the usual case: what the expression below reads it as, only faster
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return _BAD
    match = _DATE_RE.match(text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if text.isdigit() and text.isascii():
            if len(text) == 8:
                return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            if len(text) <= 5 and int(text) > 0:
                return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    except (ValueError, OverflowError):
        pass
    return _BAD


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


def _value_maps() -> dict[str, dict[str, str]]:
    ethnicity_extra = {}
    for value, label in Ethnicity.choices:
        with translation.override("zh-hans"):
            zh = str(label)
        ethnicity_extra[zh.removesuffix("族")] = value
        ethnicity_extra[str(int(value))] = value
    return {
        "gender": _choice_map(Gender, {"男性": "M", "女性": "F", "m": "M", "f": "F"}),
        "ethnicity": _choice_map(Ethnicity, ethnicity_extra),
        "education": _choice_map(
            Education,
            {
                "研究生": "postgraduate",
                "博士": "postgraduate",
                "博士研究生": "postgraduate",
                "硕士": "postgraduate",
                "硕士研究生": "postgraduate",
                "本科": "bachelor",
                "大学": "bachelor",
                "大专": "junior_college",
                "专科": "junior_college",
                "中专": "secondary_vocational",
                "中技": "secondary_vocational",
                "技校": "secondary_vocational",
                "职高": "high_school",
                "高中": "high_school",
                "初中": "junior_high",
                "小学": "primary",
            },
        ),
        "category": _choice_map(Category, {"正式": "full", "预备": "probationary"}),
        "status": _choice_map(MemberStatus),
    }


def allowed_values() -> dict[str, list[str]]:
    """What the template's 说明 sheet lists per column."""
    with translation.override("zh-hans"):
        return {
            "gender": [str(label) for _v, label in Gender.choices],
            "ethnicity": [str(label) for _v, label in Ethnicity.choices],
            "education": [str(label) for _v, label in Education.choices],
            "category": [str(label) for _v, label in Category.choices],
            "status": [str(label) for _v, label in MemberStatus.choices],
        }


class _Dates(dict):
    """Text → ``_parse_date(text)``, each distinct text parsed once."""

    def __missing__(self, text: str):
        value = self[text] = _parse_date(text)
        return value
