"""The import's fast paths give exactly what the full paths give.

``rules.member_is_consistent`` must say yes exactly when ``rules.check_member`` finds nothing
(a randomized comparison with a fixed seed, edge cases included); the importer's per-row fast
path must build the same records as its full path, whatever the column order or blanks."""

import csv
import datetime as dt
import io
import random

import pytest

from tongchou.core import crypto
from tongchou.core.validators import id_check_char
from tongchou.members import importing
from tongchou.members.rules import add_years, check_member, member_is_consistent
from tongchou.members.tests.conftest import id_number

TODAY = dt.date(2024, 6, 1)
FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "occupation",
    "category",
    "admission_date",
    "full_member_date",
    "status",
]


def random_id(rnd: random.Random, birth: dt.date, gender: str) -> str:
    """A valid ID number for the birth date and gender (about one in eleven ends in X)."""
    digit = rnd.randrange(0, 10, 2) + (1 if gender == "M" else 0)
    first17 = f"{rnd.randrange(110000, 660000)}{birth:%Y%m%d}{rnd.randrange(100):02d}{digit}"
    return first17 + id_check_char(first17)


def valid_record(rnd: random.Random, today: dt.date) -> dict:
    gender = rnd.choice("MF")
    if rnd.random() < 0.1:
        birth = dt.date(rnd.choice([1956, 1960, 1972, 1988, 2000, 2004]), 2, 29)
    else:
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rnd.randrange(0, 365 * 64))
    adult = add_years(birth, 18)
    probationary = rnd.random() < 0.3
    if probationary:
        # admitted within the last two years (and at 18 or older)
        earliest = max(adult, add_years(today, -2))
        if earliest > today:
            probationary = False
        else:
            admitted = earliest + dt.timedelta(days=rnd.randrange((today - earliest).days + 1))
    if not probationary:
        latest = add_years(today, -1)
        span = max((latest - adult).days, 0)
        admitted = adult + dt.timedelta(days=rnd.randrange(span + 1))
    one, two = add_years(admitted, 1), add_years(admitted, 2)
    full = None
    if not probationary:
        last = min(two, today)
        full = one + dt.timedelta(days=rnd.randrange(max((last - one).days, 0) + 1))
    return {
        "name": rnd.choice(["张三", "李四", "欧阳娜娜", "A" * 50, "王 五"]),
        "gender": gender,
        "ethnicity": rnd.choice(["01", "02", "56"]),
        "birth_date": birth,
        "id_number": random_id(rnd, birth, gender),
        "phone": rnd.choice(["", "13812345678", "19912345678", "15000000000"]),
        "education": rnd.choice(["", "bachelor", "postgraduate", "primary"]),
        "occupation": rnd.choice(["", "农民", "x" * 100]),
        "category": "probationary" if probationary else "full",
        "admission_date": admitted,
        "full_member_date": full,
        "status": rnd.choice(["normal", "normal", "lost_contact", "mobile", "deceased"]),
    }


def one_day(day):
    return day + dt.timedelta(days=1)


def day_before(day):
    return day - dt.timedelta(days=1)


def mutate(rnd: random.Random, record: dict, today: dt.date) -> dict:
    """Change one or two values, often onto a boundary; the result may or may not be valid."""
    r = dict(record)
    for _ in range(rnd.choice([1, 1, 2])):
        field = rnd.choice(FIELDS)
        birth, admitted = r["birth_date"], r["admission_date"]
        if field == "name":
            r["name"] = rnd.choice(["", "  ", "\u3000", "A" * 51, " 张三 ", None])
        elif field == "gender":
            r["gender"] = rnd.choice(["M", "F", "", None, "X", "m"])
        elif field == "ethnicity":
            r["ethnicity"] = rnd.choice(["", None, "00", "57", "1", "01"])
        elif field == "birth_date":
            choices = [None, one_day(today), today]
            if birth:
                choices += [one_day(birth), day_before(birth), add_years(birth, -1)]
            r["birth_date"] = rnd.choice(choices)
        elif field == "id_number":
            number = record["id_number"]  # the valid one, whatever an earlier change did
            r["id_number"] = rnd.choice(
                [
                    "",
                    number[:17] + ("0" if number[17] != "0" else "1"),  # wrong check char
                    number.lower(),
                    number[:17],
                    number + "1",
                    "6.40202E+17",
                    number[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
                    + number[17],
                    "640202" + "19850230" + "001" + id_check_char("64020219850230001"),
                ]
            )
        elif field == "phone":
            r["phone"] = rnd.choice(
                [
                    "12812345678",
                    "10812345678",
                    "1381234567",
                    "138123456789",
                    "138-1234-5678",
                    "+8613812345678",
                    " 13812345678 ",
                    "１３８１２３４５６７８",
                    "23812345678",
                    "abc",
                    "",
                ]
            )
        elif field == "education":
            r["education"] = rnd.choice(["", None, "phd", "bachelor"])
        elif field == "occupation":
            r["occupation"] = rnd.choice(["x" * 100, "x" * 101, None, ""])
        elif field == "category":
            r["category"] = rnd.choice(["full", "probationary", "", None, "other"])
        elif field == "status":
            r["status"] = rnd.choice(["normal", "", None, "gone"])
        elif field == "admission_date":
            two_years_ago = add_years(today, -2)
            choices = [None, today, one_day(today), two_years_ago]
            choices += [one_day(two_years_ago), day_before(two_years_ago)]
            if birth:
                adult = add_years(birth, 18)
                choices += [adult, day_before(adult), one_day(adult)]
            r["admission_date"] = rnd.choice(choices)
        elif field == "full_member_date" and admitted:
            one, two = add_years(admitted, 1), add_years(admitted, 2)
            r["full_member_date"] = rnd.choice(
                [None, one, two, day_before(one), one_day(two), one_day(today), today]
            )
    return r


def fast_verdict(values: dict, today: dt.date) -> bool:
    return member_is_consistent(*(values[f] for f in FIELDS), today)


def test_fast_and_full_rules_agree_on_random_records():
    rnd = random.Random(20240601)
    counts = {True: 0, False: 0, "generated valid": 0}
    for i in range(6000):
        today = TODAY if i % 3 else dt.date(2024, 2, 29) + dt.timedelta(days=rnd.randrange(800))
        record = valid_record(rnd, today)
        counts["generated valid"] += check_member(record, today=today) == {}
        candidates = [record] + [mutate(rnd, record, today) for _ in range(3)]
        for values in candidates:
            full = check_member(values, today=today) == {}
            assert fast_verdict(values, today) is full, (values, check_member(values, today=today))
            counts[full] += 1
    assert counts["generated valid"] > 5700  # nearly all: the generator makes valid records
    assert counts[True] > 6000 and counts[False] > 6000  # both verdicts well exercised


@pytest.mark.parametrize(
    ("birth", "admitted", "full", "category", "ok"),
    [
        (dt.date(1988, 2, 29), dt.date(2006, 2, 28), dt.date(2007, 2, 28), "full", True),
        (dt.date(1988, 2, 29), dt.date(2006, 2, 27), dt.date(2007, 2, 27), "full", False),
        (dt.date(1985, 3, 14), dt.date(2003, 3, 14), dt.date(2004, 3, 14), "full", True),
        (dt.date(1985, 3, 14), dt.date(2003, 3, 13), dt.date(2004, 3, 13), "full", False),
        (dt.date(1985, 3, 14), dt.date(2004, 2, 29), dt.date(2005, 2, 28), "full", True),
        (dt.date(1985, 3, 14), dt.date(2004, 2, 29), dt.date(2005, 2, 27), "full", False),
        (dt.date(1985, 3, 14), dt.date(2004, 2, 29), dt.date(2006, 2, 28), "full", True),
        (dt.date(1985, 3, 14), dt.date(2004, 2, 29), dt.date(2006, 3, 1), "full", False),
        (dt.date(1985, 3, 14), dt.date(2022, 6, 1), None, "probationary", True),
        (dt.date(1985, 3, 14), dt.date(2022, 5, 31), None, "probationary", False),
        (dt.date(1985, 3, 14), TODAY, None, "probationary", True),
        (dt.date(1985, 3, 14), TODAY + dt.timedelta(days=1), None, "probationary", False),
    ],
)
def test_boundaries(birth, admitted, full, category, ok):
    values = {
        "name": "张三",
        "gender": "M",
        "ethnicity": "01",
        "birth_date": birth,
        "id_number": id_number(birth, "M"),
        "phone": "13812345678",
        "education": "bachelor",
        "occupation": "农民",
        "category": category,
        "admission_date": admitted,
        "full_member_date": full,
        "status": "normal",
    }
    assert (check_member(values, today=TODAY) == {}) is ok
    assert fast_verdict(values, TODAY) is ok


def test_x_check_characters():
    found = 0
    for seq in range(400):
        number = id_number(seq=seq)
        if number.endswith("X"):
            found += 1
            values = {
                "name": "张三",
                "gender": "M",
                "ethnicity": "01",
                "birth_date": dt.date(1985, 3, 14),
                "id_number": number,
                "phone": "",
                "education": "",
                "occupation": "",
                "category": "full",
                "admission_date": dt.date(2010, 7, 1),
                "full_member_date": dt.date(2011, 7, 1),
                "status": "normal",
            }
            assert fast_verdict(values, TODAY) and check_member(values, today=TODAY) == {}
            values["id_number"] = number.lower()
            assert not fast_verdict(values, TODAY) and check_member(values, today=TODAY)
    assert found


# --- the importer's per-row fast path ---------------------------------------------------------

KEYS = [key for key, _header in importing.COLUMNS]
HEADERS = [header for _key, header in importing.COLUMNS]


RECENT = dt.date.today() - dt.timedelta(days=100)


def clean_row(seq: int) -> dict:
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=seq * 37 % 3000)
    gender = "M" if seq % 2 else "F"
    return {
        "name": f"党员{seq}",
        "gender": "男" if gender == "M" else "女",
        "ethnicity": "汉族",
        "birth_date": birth.isoformat(),
        "id_number": id_number(birth, gender, seq),
        "phone": "13812345678" if seq % 3 else "",
        "education": "大学本科" if seq % 4 else "",
        "occupation": "农民",
        "category": "正式党员" if seq % 5 else "预备党员",
        "admission_date": "2010-07-01" if seq % 5 else RECENT.isoformat(),
        "full_member_date": "2011/7/1" if seq % 5 else "",
        "org_code": "V-A",
        "org_name": "",
        "status": "正常" if seq % 6 else "",
        "home_region_code": "640202001201" if seq % 2 else "",
    }


def blurred(row: dict) -> dict:
    """The same values as people also type them: blanks around, codes, other date forms."""
    out = {k: f" {v} " if v else v for k, v in row.items()}
    out["id_number"] = row["id_number"].lower()
    out["phone"] = row["phone"][:3] + "-" + row["phone"][3:] if row["phone"] else ""
    out["birth_date"] = row["birth_date"].replace("-", "/")
    return out


def csv_file(rows: list[dict], keys: list[str]) -> io.BytesIO:
    header = {k: h for k, h in importing.COLUMNS}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header.get(k, "") for k in keys])
    for r in rows:
        writer.writerow([r.get(k, "") for k in keys])
    return io.BytesIO(out.getvalue().encode())


def validate(rows, total=0):
    """Records without their ciphertexts (fresh nonces each time), which are checked here."""
    records, errors = importing._validate_rows(rows, None, total, lambda done, total: None)
    for r in records:
        if not any(e.row == r[0] for e in errors):
            assert crypto.decrypt(r[-2]) == r[5] and crypto.decrypt(r[-1]) == r[7]
    return [r[:-2] for r in records], errors


def test_fast_and_full_row_paths_build_the_same_records():
    rows = [clean_row(seq) for seq in range(1, 60)]
    fast, fast_errors = validate(importing.read_rows(csv_file(rows, KEYS), "a.csv"))
    slow_file = csv_file(list(map(blurred, rows)), KEYS)
    slow, slow_errors = validate(importing.read_rows(slow_file, "a.csv"))
    assert fast_errors == [] and slow_errors == []
    assert fast == slow
    assert len(fast) == len(rows)


def test_column_order_blank_headers_and_dict_rows_give_the_same_records():
    rows = [clean_row(seq) for seq in range(1, 30)]
    expected, _errors = validate(importing.read_rows(csv_file(rows, KEYS), "a.csv"))
    shuffled = KEYS[::-1] + [""]  # reversed, plus a column without a header
    records, errors = validate(importing.read_rows(csv_file(rows, shuffled), "a.csv"))
    assert errors == [] and records == expected
    as_dicts = [(number, row) for number, row in zip(range(2, 2 + len(rows)), rows, strict=True)]
    assert validate(as_dicts) == (expected, [])
    # short rows: the missing trailing cells read as blank
    short = KEYS[:-1]
    records, errors = validate(importing.read_rows(csv_file(rows, short), "a.csv"))
    assert errors == [] and [r[:-1] for r in records] == [r[:-1] for r in expected]
    assert all(r[-1] is None for r in records)
    # long rows: cells beyond the header are ignored, as before
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for r in rows:
        writer.writerow([r[k] for k in KEYS] + ["", "extra"])
    records, errors = validate(importing.read_rows(io.BytesIO(out.getvalue().encode()), "a.csv"))
    assert errors == [] and records == expected


def test_errors_are_the_same_with_and_without_the_fast_path():
    """A file whose bad rows are mixed with good ones reports exactly what the full path
    reports for each row on its own."""
    rows = [clean_row(seq) for seq in range(1, 40)]
    rows[3]["gender"] = "女" if rows[3]["gender"] == "男" else "男"
    rows[7]["birth_date"] = "1985-02-30"
    rows[9].update({k: rows[2][k] for k in ("id_number", "birth_date", "gender")})  # duplicate
    rows[11]["phone"] = "12345"
    rows[13]["org_code"] = ""
    rows[15]["category"] = "党员"
    rows[17]["full_member_date"] = "2010-12-31"
    _records, errors = validate(importing.read_rows(csv_file(rows, KEYS), "a.csv"))
    _records, blurred_errors = validate(
        importing.read_rows(csv_file(list(map(blurred, rows)), KEYS), "a.csv")
    )
    expected = [
        (5, "性别"),
        (9, "出生日期"),
        (11, "身份证号"),
        (13, "手机号"),
        (15, "所在党组织代码"),
        (17, "党员类别"),
        (19, "转正日期"),
    ]
    assert [(e.row, e.column) for e in errors] == expected
    assert "第4行" in errors[2].message
    assert [(e.row, e.column) for e in blurred_errors] == expected


def test_id_number_facts_fast_case_equals_the_general_one():
    """id_number_facts' cached partial checksums against the checksum spelled out, on random
    ID numbers, right and wrong."""
    from django.core.exceptions import ValidationError

    from tongchou.core.validators import _ID_RE, id_number_facts

    rnd = random.Random(11643)
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for _ in range(20000):
        digits = "".join(rnd.choice("0123456789") for _ in range(17))
        if rnd.random() < 0.5:
            digits = (
                digits[:6]
                + rnd.choice(["19850314", "20000229", "19000229", "19851301"])
                + digits[14:]
            )
        right = "10X98765432"[sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11]
        value = digits + (right if rnd.random() < 0.7 else rnd.choice("0123456789Xx"))
        try:
            birth, gender = id_number_facts(value)
        except ValidationError:
            ok = False
        else:
            ok = True
            assert birth == dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
            assert gender == ("M" if int(value[16]) % 2 else "F")
        valid_date = True
        try:
            dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError:
            valid_date = False
        assert ok == bool(_ID_RE.match(value) and value[17] == right and valid_date), value
