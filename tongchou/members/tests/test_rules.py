"""members.rules.check_member: the one rule set of forms, API and import (no database)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tongchou.core.validators import id_number_facts, normalize_phone, validate_phone
from tongchou.members.rules import add_years, check_member
from tongchou.members.tests.conftest import id_number

TODAY = dt.date(2024, 6, 1)
BIRTH = dt.date(1985, 3, 14)


def values(**overrides):
    data = {
        "name": "张三",
        "gender": "M",
        "ethnicity": "01",
        "birth_date": BIRTH,
        "id_number": id_number(BIRTH, "M"),
        "phone": "13812345678",
        "education": "bachelor",
        "occupation": "农民",
        "category": "full",
        "admission_date": dt.date(2010, 7, 1),
        "full_member_date": dt.date(2011, 7, 1),
        "status": "normal",
    }
    data.update(overrides)
    return data


def check(**overrides):
    return check_member(values(**overrides), today=TODAY)


def test_valid_record_has_no_errors():
    assert check() == {}


def test_probationary_member_without_full_date_is_valid():
    assert (
        check(category="probationary", admission_date=dt.date(2023, 9, 1), full_member_date=None)
        == {}
    )


def test_name_required_and_bounded():
    assert "姓名不能为空" in check(name="  ")["name"]
    assert "50" in check(name="张" * 51)["name"]


def test_id_number_checksum():
    good = id_number(BIRTH, "M")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert "校验码" in check(id_number=bad)["id_number"]


def test_id_number_format():
    assert "18位" in check(id_number="12345")["id_number"]
    assert "身份证号不能为空" in check(id_number="")["id_number"]


def test_id_number_with_invalid_birth_date():
    first17 = "64020219851332001"  # month 13
    from tongchou.core.validators import id_check_char

    assert "出生日期无效" in check(id_number=first17 + id_check_char(first17))["id_number"]


def test_birth_date_must_agree_with_id_number():
    errors = check(birth_date=dt.date(1985, 3, 15))
    assert "1985-03-14" in errors["birth_date"]


def test_gender_must_agree_with_id_number():
    errors = check(gender="F")
    assert "不一致" in errors["gender"] and "男" in errors["gender"]


def test_gender_must_be_known():
    assert "性别" in check(gender="X")["gender"]


def test_lower_case_x_is_for_the_caller_to_normalize():
    # check_member takes normalized numbers; the validators accept the upper-case X only.
    for seq in range(200):
        number = id_number(BIRTH, "M", seq)
        if number.endswith("X"):
            break
    else:
        pytest.skip("no X in range")
    assert id_number_facts(number) == (BIRTH, "M")
    assert "id_number" in check(id_number=number.lower())


def test_future_birth_date():
    assert "晚于今天" in check(birth_date=dt.date(2030, 1, 1), id_number="")["birth_date"]


def test_future_admission_date():
    errors = check(
        admission_date=dt.date(2025, 1, 1), full_member_date=None, category="probationary"
    )
    assert "晚于今天" in errors["admission_date"]


def test_future_full_member_date():
    errors = check(admission_date=dt.date(2023, 7, 1), full_member_date=dt.date(2024, 7, 1))
    assert "晚于今天" in errors["full_member_date"]


def test_admission_before_eighteen():
    errors = check(admission_date=dt.date(2003, 3, 13), full_member_date=dt.date(2004, 3, 13))
    assert "18" in errors["admission_date"]


def test_admission_on_eighteenth_birthday_is_allowed():
    assert check(admission_date=dt.date(2003, 3, 14), full_member_date=dt.date(2004, 3, 14)) == {}


def test_full_member_needs_full_date():
    assert "转正日期" in check(full_member_date=None)["full_member_date"]


def test_full_date_at_least_one_year_after_admission():
    errors = check(full_member_date=dt.date(2011, 6, 30))
    assert "一年" in errors["full_member_date"]
    assert check(full_member_date=dt.date(2011, 7, 1)) == {}


def test_full_date_at_most_two_years_after_admission():
    errors = check(full_member_date=dt.date(2012, 7, 2))
    assert "两年" in errors["full_member_date"]
    assert check(full_member_date=dt.date(2012, 7, 1)) == {}


def test_probationary_member_has_no_full_date():
    errors = check(category="probationary", admission_date=dt.date(2023, 9, 1))
    assert "预备党员不应有转正日期" in errors["full_member_date"]


def test_probation_longer_than_two_years():
    errors = check(
        category="probationary", admission_date=dt.date(2022, 5, 31), full_member_date=None
    )
    assert "两年" in errors["admission_date"]
    assert (
        check(category="probationary", admission_date=dt.date(2022, 6, 1), full_member_date=None)
        == {}
    )


def test_category_must_be_known():
    assert "党员类别" in check(category="x")["category"]


def test_admission_date_required():
    assert "入党日期不能为空" in check(admission_date=None)["admission_date"]


def test_ethnicity_education_status_phone_occupation():
    assert "56" in check(ethnicity="99")["ethnicity"]
    assert "不能为空" in check(ethnicity="")["ethnicity"]
    assert "学历" in check(education="phd")["education"]
    assert "状态" in check(status="gone")["status"]
    assert "手机号" in check(phone="12345")["phone"]
    assert "100" in check(occupation="x" * 101)["occupation"]


def test_every_broken_rule_is_reported_at_once():
    errors = check(name="", gender="F", phone="1", category="x")
    assert {"name", "gender", "phone", "category"} <= set(errors)


def test_add_years_on_29_february():
    assert add_years(dt.date(2000, 2, 29), 1) == dt.date(2001, 2, 28)
    assert add_years(dt.date(2000, 2, 29), 4) == dt.date(2004, 2, 29)


def test_admission_age_from_29_february():
    birth = dt.date(2000, 2, 29)
    number = id_number(birth, "M")
    ok = check(
        birth_date=birth,
        id_number=number,
        admission_date=dt.date(2018, 2, 28),
        full_member_date=dt.date(2019, 2, 28),
    )
    assert ok == {}
    early = check(
        birth_date=birth,
        id_number=number,
        admission_date=dt.date(2018, 2, 27),
        full_member_date=dt.date(2019, 2, 27),
    )
    assert "18" in early["admission_date"]


def test_age_error_is_not_hidden_by_the_probation_error():
    errors = check(
        admission_date=dt.date(2003, 3, 13), category="probationary", full_member_date=None
    )
    assert "18" in errors["admission_date"]


def test_phone_normalization_and_validation():
    assert normalize_phone("+86 138-1234-5678") == "13812345678"
    assert normalize_phone("13812345678") == "13812345678"
    validate_phone("138 1234 5678")
    with pytest.raises(ValidationError):
        validate_phone("23812345678")
