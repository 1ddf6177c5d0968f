"""Validators shared by forms, the API and imports (one rule, one place)."""

import datetime as dt
import re
import unicodedata
from operator import mul

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")

# Largest primary key (BigAutoField) a database accepts: ids in input are bounded by it, since a
# larger number names nothing and some databases fail on it instead of finding nothing.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A primary key from a query string: ASCII digits from 1 to MAX_ID, else None (str.isdigit
    also takes "²", which int() refuses, and a database refuses numbers past 64 bits)."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


# What people and spreadsheets put inside an ID number that is not part of it (after NFKC,
# which turns full-width digits and Ｘ into ASCII and NBSP / ideographic spaces into spaces):
# spaces of every kind, dashes and hyphens, zero-width characters, and apostrophes (Excel's
# "treat as text" prefix, typed or pasted anywhere in the cell).
_ID_NOISE = re.compile(r"[\s\-\u2010-\u2015\u2212\u200b-\u200d\u2060\ufeff'`\u2018\u2019]")


def normalize_id_number(value: str) -> str:
    """An ID number as typed → its canonical form: full-width digits and Ｘ/x made ASCII and
    upper-case, and spaces (NBSP and ideographic ones too), dashes, zero-width characters and
    apostrophes removed. Every entry point (forms, API, import, lookup) checks and hashes
    this form, so one person cannot be registered twice in two spellings."""
    text = value or ""
    if len(text) == 18 and text.isascii() and text.isalnum():
        return text.upper()  # the usual case, as fast as possible (imports call this a lot)
    return _ID_NOISE.sub("", unicodedata.normalize("NFKC", text)).upper()


_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?E\+?\d{1,3}$")
_DECIMAL = re.compile(r"^\d{15,18}\.\d+$")


def id_number_spoiled_by_excel(value: str) -> bool:
    """Does this (normalized) ID number read as one a spreadsheet turned into a number? Excel
    keeps 15 significant digits: an 18-digit number shows as 6.40202E+17 and is stored with its
    last three digits as 000 (and exports may add a ".0"); the digits lost cannot be recovered
    from the file, only typed again in a column formatted as text."""
    if _SCIENTIFIC.match(value) or _DECIMAL.match(value):
        return True
    return (
        len(value) == 18
        and value.isascii()
        and value.isdigit()
        and value.endswith("000")
        and id_check_char(value[:17]) != value[17]
    )


# Imports validate a million ID numbers: the checksum works on the ASCII codes directly, and
# the birth dates (a few tens of thousands of distinct ones) are parsed once each.
_ASCII_ZERO_WEIGHT = ord("0") * sum(_ID_WEIGHTS)
_BIRTHS: dict[str, dt.date | None] = {}


def _birth(digits: str) -> dt.date | None:
    try:
        return _BIRTHS[digits]
    except KeyError:
        pass
    try:
        birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        birth = None
    if len(_BIRTHS) > 200_000:
        _BIRTHS.clear()
    _BIRTHS[digits] = birth
    return birth


class _PartialSums(dict):
    """Digits → their share of the weighted checksum: the ID number in three parts (region,
    birth date, sequence and gender) that repeat across a million people, each summed once."""

    def __init__(self, weights: tuple[int, ...]):
        super().__init__()
        self.weights = weights

    def __missing__(self, digits: str) -> int:
        value = sum(map(mul, digits.encode(), self.weights)) - ord("0") * sum(self.weights)
        if len(self) > 200_000:
            self.clear()
        self[digits] = value
        return value


_REGION_SUM = _PartialSums(_ID_WEIGHTS[:6])
_BIRTH_SUM = _PartialSums(_ID_WEIGHTS[6:14])
_SEQUENCE_SUM = _PartialSums(_ID_WEIGHTS[14:17])


def id_number_facts(value: str) -> tuple[dt.date, str]:
    """Validate a citizen ID number; return (birth date, gender "M"/"F") it encodes."""
    if len(value) == 18 and value.isascii() and value[:17].isdigit():
        # The usual case (18 ASCII characters, 17 digits first), which the expression below
        # accepts when the last one is a digit or X: the checksum from cached partial sums.
        birth_digits = value[6:14]
        sequence = value[14:17]
        total = _REGION_SUM[value[:6]] + _BIRTH_SUM[birth_digits] + _SEQUENCE_SUM[sequence]
        if value[17] == _ID_CHECK[total % 11]:  # (a digit or X, as the expression wants)
            birth = _birth(birth_digits)
            if birth is not None:
                return birth, "M" if sequence[2] in "13579" else "F"
        # otherwise the general path below, which names what is wrong
    if not _ID_RE.match(value):
        raise ValidationError(
            _("身份证号应为18位：17位数字加1位校验码（数字或X）。"), code="id_format"
        )
    if value.isascii():
        total = sum(map(mul, value[:17].encode(), _ID_WEIGHTS)) - _ASCII_ZERO_WEIGHT
        check = _ID_CHECK[total % 11]
    else:  # other Unicode digits: the slow, general way
        check = id_check_char(value[:17])
    if check != value[17]:
        raise ValidationError(_("身份证号校验码不正确。"), code="id_checksum")
    birth = _birth(value[6:14])
    if birth is None:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth")
    gender = "M" if int(value[16]) % 2 else "F"
    return birth, gender


def validate_id_number(value: str) -> None:
    id_number_facts(normalize_id_number(value))


def normalize_phone(value: str) -> str:
    """A phone number as typed → digits: full-width digits made ASCII (NFKC), spaces, dashes
    and a spreadsheet's leading apostrophe removed, the +86 prefix dropped."""
    if value and value.isdigit() and value.isascii():
        return value  # the common case, without the regular expression
    text = unicodedata.normalize("NFKC", value or "").strip()
    return _PHONE_NOISE.sub("", text).removeprefix("+86")


_PHONE_NOISE = re.compile(r"[\s\-\u2010-\u2015\u2212'`\u2018\u2019]")


def validate_phone(value: str) -> None:
    if value and not _PHONE_RE.match(value) and not _PHONE_RE.match(normalize_phone(value)):
        raise ValidationError(_("手机号应为以1开头的11位数字。"), code="phone_format")


def validate_not_future(value: dt.date) -> None:
    if value and value > dt.date.today():
        raise ValidationError(_("日期不能晚于今天。"), code="future_date")
