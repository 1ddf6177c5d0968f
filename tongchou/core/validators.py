"""Validators shared by forms, the API and imports (one rule, one place)."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def id_number_facts(value: str) -> tuple[dt.date, str]:
    """Validate a citizen ID number; return (birth date, gender "M"/"F") it encodes."""
    if not _ID_RE.match(value):
        raise ValidationError(_("身份证号应为18位：17位数字加1位校验码（数字或X）。"), code="id_format")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验码不正确。"), code="id_checksum")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth") from None
    gender = "M" if int(value[16]) % 2 else "F"
    return birth, gender


def validate_id_number(value: str) -> None:
    id_number_facts(normalize_id_number(value))


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s-]", "", (value or "").strip()).removeprefix("+86")


def validate_phone(value: str) -> None:
    if value and not _PHONE_RE.match(normalize_phone(value)):
        raise ValidationError(_("手机号应为以1开头的11位数字。"), code="phone_format")


def validate_not_future(value: dt.date) -> None:
    if value and value > dt.date.today():
        raise ValidationError(_("日期不能晚于今天。"), code="future_date")
