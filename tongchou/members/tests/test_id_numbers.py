"""ID numbers as input: recognized in any spelling, never in a URL, a lookup budget, and answers
about taken numbers that say nothing about people outside the caller's scope."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.core.tests.factories import create_member, member_values
from tongchou.members import services
from tongchou.members.id_numbers import (
    ID_TAKEN_MESSAGE,
    contains_id_number,
    is_id_number,
    looks_personal,
    lookups_spent,
)
from tongchou.members.models import Member
from tongchou.members.tests.conftest import id_number

pytestmark = pytest.mark.django_db

ID = id_number()  # 640202 1985-03-14, a man


# --- recognizing them ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        ID,
        ID.lower(),
        f"{ID[:6]} {ID[6:14]} {ID[14:]}",
        f"{ID[:6]}-{ID[6:14]}-{ID[14:]}",
        ID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"}),  # full-width
        f"查找 {ID} 的记录",
        "640202850314123",  # the old 15 digits
    ],
)
def test_an_id_number_is_recognized_in_any_spelling(text):
    assert contains_id_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "王建军",
        "640202001201",  # a region code
        "6402020012010102",  # an organization code
        ID[:-1] + ("0" if ID[-1] != "0" else "1"),  # a wrong check character
        "640202198502301234",  # 30 February
        "石组转〔2026〕000123号",
    ],
)
def test_other_text_is_not_taken_for_an_id_number(text):
    assert not contains_id_number(text)


def test_is_id_number_and_looks_personal():
    assert is_id_number(f" {ID.lower()} ") and not is_id_number(f"x{ID}")
    assert looks_personal("6402021985") and looks_personal("13812345678")
    assert not looks_personal("王建军") and not looks_personal("第3党小组")


# --- never in a URL --------------------------------------------------------------------------


def test_a_page_with_an_id_number_in_its_query_is_sent_back_without_it(client, w):
    client.force_login(w.admin_a)
    for path in (reverse("mobility:list"), reverse("orglife:list"), "/orgs/"):
        response = client.get(path, {"q": ID, "page": "2"})
        assert response.status_code == 302, path
        assert response["Location"] == f"{path}?page=2"
        assert ID not in response["Location"]


def test_an_api_call_with_an_id_number_in_its_query_is_refused_without_echoing_it(w):
    api = APIClient()
    api.force_authenticate(w.admin_a)
    for spelled in (ID, ID.lower(), f"{ID[:6]} {ID[6:]}"):
        response = api.get("/api/members/", {"q": spelled})
        assert response.status_code == 400
        assert response.json()["code"] == "id_number_in_url"
        assert ID not in response.content.decode() and ID.lower() not in response.content.decode()
    assert api.get("/api/members/", {"q": "王"}).status_code == 200


def test_posts_are_not_touched(client, w):
    """The ID number belongs in a POST body: the lookup works."""
    member = create_member(w.village_a, id_number=ID)
    client.force_login(w.admin_a)
    response = client.post(reverse("members:list"), {"q": ID})
    assert response["Location"] == reverse("members:detail", args=[member.pk])


# --- the lookup budget -----------------------------------------------------------------------


def test_the_lookup_budget_ends_in_a_429_and_a_clear_page_message(client, w, settings):
    settings.ID_LOOKUP_LIMIT_PER_HOUR = 3
    member = create_member(w.village_a, id_number=ID)
    api = APIClient()
    api.force_authenticate(w.secretary_v)
    for _ in range(3):
        response = api.post("/api/members/lookup/", {"id_number": ID}, format="json")
        assert response.status_code == 200 and response.json()["id"] == member.pk
    response = api.post("/api/members/lookup/", {"id_number": ID}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_lookups" and "3" in response.json()["message"]
    # The page, for the same person: the same budget, spent (shared, not per process).
    client.force_login(w.secretary_v)
    page = client.post(reverse("members:list"), {"q": ID}, follow=True).content.decode()
    assert "次数已达上限" in page
    # Someone else still has theirs.
    other = APIClient()
    other.force_authenticate(w.admin_a)
    assert other.post("/api/members/lookup/", {"id_number": ID}, format="json").status_code == 200
    assert lookups_spent(w.secretary_v) == 5 and lookups_spent(w.admin_a) == 1


def test_the_budget_lives_in_the_shared_cache(settings):
    """Several app servers count together: the default cache is the database's, not a
    process's memory."""
    assert settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache"
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    assert isinstance(caches["default"], DatabaseCache)


# --- taken numbers: useful in scope, nothing out of it ---------------------------------------


def _create(actor, org, number, **overrides):
    values = member_values(**overrides)
    values.pop("id_number")
    return services.member_create(actor=actor, organization=org, id_number=number, **values)


def test_a_taken_number_in_scope_names_the_record(w):
    taken = create_member(w.village_a, name="王建军", id_number=ID)
    with pytest.raises(ApplicationError) as exc:
        _create(w.secretary_v, w.village_a, ID)
    assert exc.value.code == "duplicate_id_number" and "王建军" in str(exc.value.message)
    taken.archived = True
    taken.save()
    with pytest.raises(ApplicationError) as exc:
        _create(w.secretary_v, w.village_a, ID)
    assert "已归档" in str(exc.value.message) and "王建军" in str(exc.value.message)


def test_a_taken_number_out_of_scope_gets_the_same_words_whoever_holds_it(w):
    """County B's active member, county B's archived record: county A's secretary is told the
    same thing, which names nobody; county B's admins see that someone tried."""
    active = create_member(w.village_b, name="李外县", id_number=ID)
    archived_number = id_number(seq=7)
    archived = create_member(w.village_b, name="赵归档", id_number=archived_number, archived=True)
    answers = []
    for number, record in ((ID, active), (archived_number, archived)):
        with pytest.raises(ApplicationError) as exc:
            _create(w.secretary_v, w.village_a, number, birth_date=dt.date(1985, 3, 14))
        answers.append((exc.value.code, exc.value.field, str(exc.value.message)))
        event = AuditEvent.objects.get(object_type="members.member", object_id=record.pk)
        assert event.action == AuditAction.REVEAL and event.org_path == w.village_b.path
        assert event.actor == w.secretary_v
    assert answers[0] == answers[1] == ("duplicate_id_number", "id_number", str(ID_TAKEN_MESSAGE))
    assert "李外县" not in answers[0][2] and "惠农" not in answers[0][2]
    assert Member.objects.filter(organization=w.village_a).count() == 0


def test_the_api_gives_the_same_answer(w):
    create_member(w.village_b, name="李外县", id_number=ID)
    api = APIClient()
    api.force_authenticate(w.admin_a)
    body = {k: str(v) for k, v in member_values().items() if v is not None}
    body.update(id_number=ID, organization=w.village_a.pk)
    body.pop("gender"), body.pop("birth_date")
    response = api.post("/api/members/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "duplicate_id_number",
        "message": str(ID_TAKEN_MESSAGE),
        "field": "id_number",
    }


def test_one_person_is_not_registered_twice_in_two_spellings(w):
    wide = ID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    member = _create(w.secretary_v, w.village_a, f"{wide[:6]} {wide[6:14]}-{wide[14:]}")
    assert member.id_number == ID
    with pytest.raises(ApplicationError) as exc:
        _create(w.secretary_v, w.village_a, ID.lower())
    assert exc.value.code == "duplicate_id_number" and member.name in str(exc.value.message)
