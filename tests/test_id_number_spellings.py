"""One person, one ID number, whatever the spelling: every entry point (the member form, the
API's create and lookup, the list's search, the import, the inflow registration, an inward
transfer) normalizes an ID number the same way before checking and hashing it, so a full-width
or spaced spelling of a registered number is the same number."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongchou.core import crypto
from tongchou.core.tests.factories import make_id_number, member_values
from tongchou.core.validators import (
    id_check_char,
    id_number_spoiled_by_excel,
    normalize_id_number,
)
from tongchou.members.id_numbers import is_id_number
from tongchou.members.importing import members_import, read_rows
from tongchou.members.models import Member

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def full_width(id_number: str) -> str:
    return id_number.translate(FULL_WIDTH)


def spellings(id_number: str) -> list[str]:
    return [
        full_width(id_number),
        f"{id_number[:6]} {id_number[6:14]} {id_number[14:]}",
        f"{id_number[:6]}-{id_number[6:14]}-{id_number[14:]}",
        f"\u3000{id_number[:6]}\u00a0{id_number[6:]}\u200b ",
        f"'{id_number}",
        f"’{full_width(id_number[:9])}{id_number[9:]}",
        id_number.lower(),
    ]


def test_every_spelling_normalizes_to_the_same_number():
    for number in ("64020219850314001X", make_id_number()):
        for spelling in spellings(number):
            assert normalize_id_number(spelling) == number, spelling
    # Taken for an ID number (a lookup, never a name search) in every spelling when it is one:
    # the first number above has a wrong check character, so it is not.
    assert all(is_id_number(s) for s in spellings(make_id_number()))
    assert not any(is_id_number(s) for s in spellings("64020219850314001X"))
    assert normalize_id_number("６４０２０２１９８５０３１４００１ｘ") == "64020219850314001X"
    assert not is_id_number("张三")
    assert not is_id_number("6402021985031400")


def test_numbers_a_spreadsheet_made_are_recognised():
    good = make_id_number()
    assert id_number_spoiled_by_excel("6.40202E+17")
    assert id_number_spoiled_by_excel("6.4020219850314E+17")
    # 15 significant digits kept, the rest zeros: spoiled, unless the zeros happen to make a
    # valid number (then it may be a real one, and is taken as it is). Which of the two a
    # prefix gives is fixed by its checksum, so both are chosen, not left to the serials.
    prefixes = [f"64020219850314{n}" for n in range(10)]
    spoiled = next(p for p in prefixes if id_check_char(p + "00") != "0")
    valid = next(p for p in prefixes if id_check_char(p + "00") == "0")
    assert id_number_spoiled_by_excel(spoiled + "000")
    assert not id_number_spoiled_by_excel(valid + "000")
    assert id_number_spoiled_by_excel(good + ".0")
    assert not id_number_spoiled_by_excel(good)
    assert not id_number_spoiled_by_excel("123")


@pytest.fixture
def existing(world):
    return world.a.members[0]


def test_member_form_refuses_a_full_width_duplicate(client, world, existing):
    data = {k: v for k, v in member_values().items() if v is not None}
    for key in ("birth_date", "admission_date", "full_member_date"):
        data[key] = data[key].isoformat()
    data.update(
        organization=world.a.village.code,
        status="normal",
        id_number=full_width(existing.id_number),
        birth_date=existing.birth_date.isoformat(),
        gender=existing.gender,
    )
    client.force_login(world.admin_a)
    response = client.post(reverse("members:create"), data)
    assert response.status_code == 200
    assert "已登记" in " ".join(response.context["form"].errors["id_number"])
    assert Member.objects.filter(id_number_hash=existing.id_number_hash).count() == 1


def api_member(world, id_number, birth, gender):
    values = member_values(birth_date=birth, gender=gender)
    values.update(id_number=id_number, organization=world.a.village.pk)
    for key in ("birth_date", "admission_date", "full_member_date"):
        values[key] = values[key].isoformat()
    return values


def test_api_create_refuses_a_spaced_duplicate_and_stores_the_canonical_form(
    client, world, existing
):
    client.force_login(world.admin_a)
    spaced = f"{existing.id_number[:6]} {existing.id_number[6:14]} {existing.id_number[14:]}"
    body = api_member(world, spaced, existing.birth_date, existing.gender)
    response = client.post("/api/members/", body, content_type="application/json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "duplicate_id_number"

    fresh = make_id_number(birth=dt.date(1991, 2, 3), gender="F")
    body = api_member(world, full_width(fresh), dt.date(1991, 2, 3), "F")
    response = client.post("/api/members/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    member = Member.objects.get(pk=response.json()["id"])
    assert member.id_number == fresh and member.id_number_hash == crypto.lookup_hash(fresh)


def test_api_lookup_and_list_search_find_any_spelling(client, world, existing):
    client.force_login(world.admin_a)
    for spelling in spellings(existing.id_number):
        response = client.post(
            "/api/members/lookup/", {"id_number": spelling}, content_type="application/json"
        )
        assert response.status_code == 200, spelling
        assert response.json()["id"] == existing.pk
        response = client.post(reverse("members:list"), {"q": spelling})
        assert response["Location"] == reverse("members:detail", args=[existing.pk]), spelling


def test_import_refuses_a_full_width_duplicate_and_two_spellings_in_one_file(world, existing):
    header = "姓名,性别,民族,出生日期,身份证号,党员类别,入党日期,转正日期,所在党组织代码"
    other = make_id_number(birth=dt.date(1990, 1, 2))
    code = world.a.village.code
    lines = [
        header,
        f"甲,男,汉族,{existing.birth_date},{full_width(existing.id_number)},正式党员,"
        f"2015-07-01,2016-07-01,{code}",
        f"乙,男,汉族,1990-01-02,{other},正式党员,2015-07-01,2016-07-01,{code}",
        f"丙,男,汉族,1990-01-02,{full_width(other)},正式党员,2015-07-01,2016-07-01,{code}",
    ]
    existing.gender = "M"  # (the world's members are men: make_id_number's default)
    rows = read_rows(io.BytesIO("\n".join(lines).encode()), "a.csv")
    result = members_import(actor=world.admin_a, rows=rows)
    problems = {(e.row, e.column): e.message for e in result.errors}
    assert "已在本系统登记" in problems[2, "身份证号"]
    assert "第3行" in problems[4, "身份证号"]
    assert result.created == 0


def test_import_page_upload_of_spaced_numbers_stores_them_canonically(
    client, world, django_capture_on_commit_callbacks
):
    fresh = make_id_number(birth=dt.date(1990, 1, 2))
    spaced = f"{fresh[:6]} {fresh[6:14]} {fresh[14:]}"
    csv = (
        "姓名,性别,民族,出生日期,身份证号,党员类别,入党日期,转正日期\n"
        f"丁,男,汉族,1990-01-02,{spaced},正式党员,2015-07-01,2016-07-01\n"
    )
    client.force_login(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("members:import"),
            {
                "file": SimpleUploadedFile("a.csv", csv.encode()),
                "default_org": world.a.village.code,
            },
        )
    member = Member.objects.get(name="丁")
    assert member.id_number == fresh


def test_inflow_registration_finds_the_member_by_a_full_width_number(world, existing):
    from tongchou.mobility import services as mobility

    spell = mobility.inflow_register(
        actor=world.admin_b,
        inflow_org=world.b.village,
        id_number=full_width(existing.id_number),
        name=existing.name,
        home_text=existing.organization.name,
        since=dt.date(2024, 3, 10),
        reason="work",
    )
    assert spell.member == existing


def test_inward_transfer_hashes_any_spelling_like_the_registered_number(world, existing):
    from tongchou.transfers.services import clean_incoming

    values = member_values(birth_date=existing.birth_date, gender=existing.gender)
    values["id_number"] = f"{full_width(existing.id_number)[:9]} {existing.id_number[9:]}"
    stored, digest = clean_incoming(values)
    assert digest == existing.id_number_hash
    assert crypto.decrypt(stored["id_number_enc"]) == existing.id_number
