"""Member pages as anonymous, no role, in scope and out of scope; query counts; export."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from tongchou.core.models import AuditAction, AuditEvent
from tongchou.core.tests.factories import create_member, member_values
from tongchou.members.models import Member

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def form_data(org_code, **overrides):
    values = member_values(**overrides)
    data = {k: v for k, v in values.items() if v is not None}
    data.update(organization=org_code, status="normal")
    for key in ("birth_date", "admission_date", "full_member_date"):
        if isinstance(data.get(key), dt.date):
            data[key] = data[key].isoformat()
    return data


# --- permission matrix -----------------------------------------------------------------------

LIST_PAGES = ["members:list", "members:create", "members:export", "members:import",
              "members:import_template"]  # fmt: skip


@pytest.mark.parametrize("name", LIST_PAGES)
def test_anonymous_is_sent_to_login(client, w, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_no_role_is_403(client, w, name):
    assert login(client, w.norole).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", LIST_PAGES)
def test_member_role_without_member_rights_is_403(client, w, name):
    assert login(client, w.plain_member).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["members:detail", "members:edit"])
def test_object_pages_out_of_scope_are_404(client, w, name):
    member = create_member(w.village_b)
    assert login(client, w.admin_a).get(reverse(name, args=[member.pk])).status_code == 404
    assert login(client, w.admin_b).get(reverse(name, args=[member.pk])).status_code == 200


@pytest.mark.parametrize("name", ["members:detail", "members:edit"])
def test_object_pages_anonymous_and_no_role(client, w, name):
    member = create_member(w.village_a)
    assert client.get(reverse(name, args=[member.pk])).status_code == 302
    assert login(client, w.norole).get(reverse(name, args=[member.pk])).status_code == 404


def test_archive_and_reveal_out_of_scope_are_404(client, w):
    member = create_member(w.village_b)
    c = login(client, w.admin_a)
    assert c.post(reverse("members:archive", args=[member.pk]), {"reason": "x"}).status_code == 404
    assert c.post(reverse("members:detail", args=[member.pk])).status_code == 404
    member.refresh_from_db()
    assert not member.archived
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


# --- list ------------------------------------------------------------------------------------


def test_list_shows_scope_masked(client, w):
    mine = create_member(w.village_a, name="王村民")
    create_member(w.village_b, name="李外县")
    html = login(client, w.secretary_v).get(reverse("members:list")).content.decode()
    assert "王村民" in html and "李外县" not in html
    assert mine.id_number_masked in html and mine.id_number not in html
    assert "138****5678" in html and "13812345678" not in html


def test_list_filters_from_the_query_string(client, w):
    create_member(w.village_a, name="王村民")
    create_member(w.community_a, name="赵社区")
    c = login(client, w.admin_a)
    html = c.get(reverse("members:list"), {"org": w.community_a.pk}).content.decode()
    assert "赵社区" in html and "王村民" not in html
    html = c.get(reverse("members:list"), {"q": "王"}).content.decode()
    assert "王村民" in html and "赵社区" not in html
    html = c.get(
        reverse("members:list"), {"urban_rural": "rural", "ordering": "-name"}
    ).content.decode()
    assert "王村民" in html and "赵社区" not in html


def test_list_bad_filter_shows_error_not_crash(client, w):
    response = login(client, w.admin_a).get(reverse("members:list"), {"ordering": "password"})
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["members:list", "members:export"])
def test_out_of_range_filter_numbers_are_not_a_server_error(client, w, name):
    c = login(client, w.admin_a)
    for params in ({"admission_year": "99999999999"}, {"age_min": "99999999999"}):
        response = c.get(reverse(name), params)
        assert response.status_code in (200, 302), params
        assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_list_query_count_is_constant(client, w, django_assert_num_queries):
    c = login(client, w.admin_a)
    for _ in range(3):
        create_member(w.village_a)
    c.get(reverse("members:list"))  # warm the session
    with django_assert_num_queries(8) as few:
        c.get(reverse("members:list"), {"org": w.street_a.pk})
    for _ in range(30):
        create_member(w.community_a)
    with django_assert_num_queries(len(few.captured_queries)):
        response = c.get(reverse("members:list"), {"org": w.street_a.pk})
    assert response.context["page"].paginator.count == 33


def test_list_pages_by_50(client, w):
    for i in range(55):
        create_member(w.village_a, name=f"党员{i:02d}")
    c = login(client, w.admin_a)
    first = c.get(reverse("members:list"))
    assert len(first.context["page"].object_list) == 50
    second = c.get(reverse("members:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_search_by_id_number_opens_the_member(client, w):
    """The search box posts a full ID number (any spelling), so it is never in a URL."""
    member = create_member(w.village_a)
    c = login(client, w.secretary_v)
    spaced = f" {member.id_number[:6]} {member.id_number[6:14]}-{member.id_number[14:].lower()}"
    response = c.post(reverse("members:list"), {"q": spaced})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])


def test_a_get_with_an_id_number_is_sent_back_without_it(client, w):
    member = create_member(w.village_a)
    c = login(client, w.secretary_v)
    response = c.get(reverse("members:list"), {"q": member.id_number, "category": "full"})
    assert response.status_code == 302
    assert member.id_number not in response["Location"]
    assert response["Location"] == reverse("members:list") + "?category=full"
    page = c.get(response["Location"]).content.decode()
    assert member.id_number not in page and "身份证号不能出现在网址中" in page


def test_a_name_search_drops_partial_numbers_and_phones(client, w):
    c = login(client, w.secretary_v)
    for query in ("6402021985", "13812345678", "６４０２０２１９８５"):
        response = c.get(reverse("members:list"), {"q": query})
        assert response.status_code == 302 and response["Location"] == reverse("members:list")


def test_search_by_id_number_out_of_scope_finds_nothing(client, w):
    member = create_member(w.village_b)
    response = login(client, w.admin_a).post(
        reverse("members:list"), {"q": member.id_number}, follow=True
    )
    assert response.status_code == 200
    assert "没有找到该身份证号的党员" in response.content.decode()


# --- detail and reveal -----------------------------------------------------------------------


def test_detail_is_masked_and_reveal_is_audited(client, w):
    member = create_member(w.village_a)
    c = login(client, w.secretary_v)
    html = c.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert member.id_number not in html and member.id_number_masked in html
    assert "显示完整信息" in html
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()
    html = c.post(reverse("members:detail", args=[member.pk])).content.decode()
    assert member.id_number in html and "13812345678" in html
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.actor == w.secretary_v and event.object_id == str(member.pk)


def test_reveal_by_a_role_that_cannot_see_members_is_404(client, w):
    member = create_member(w.village_a)
    c = login(client, w.plain_member)  # a 党员 role: no member rights at all
    assert c.post(reverse("members:detail", args=[member.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


# --- create / edit / archive -----------------------------------------------------------------


def test_create_member(client, w):
    c = login(client, w.secretary_v)
    assert c.get(reverse("members:create")).status_code == 200
    response = c.post(reverse("members:create"), form_data("V-A", name="新党员"))
    member = Member.objects.get(name="新党员")
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert member.organization == w.village_a
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 1


def test_create_with_bad_id_number_shows_the_error_on_the_field(client, w):
    c = login(client, w.secretary_v)
    data = form_data("V-A")
    data["id_number"] = data["id_number"][:17] + ("0" if data["id_number"][17] != "0" else "1")
    response = c.post(reverse("members:create"), data)
    assert response.status_code == 200
    assert "校验码" in " ".join(response.context["form"].errors["id_number"])
    assert Member.objects.count() == 0


def test_create_reads_birth_date_and_gender_off_the_id_number(client, w):
    """The form shows them read-only; whatever a page sends for them, the ID number decides."""
    data = form_data("V-A", birth_date=dt.date(1985, 3, 14), gender="M")
    data.update(birth_date="1999-01-01", gender="F")
    response = login(client, w.secretary_v).post(reverse("members:create"), data)
    assert response.status_code == 302
    member = Member.objects.get()
    assert (member.birth_date, member.gender) == (dt.date(1985, 3, 14), "M")


def test_create_in_out_of_scope_org_is_refused(client, w):
    c = login(client, w.secretary_v)
    for code in ("M-A", "V-B", "NOPE"):
        response = c.post(reverse("members:create"), form_data(code))
        assert response.status_code == 200
        assert "不存在或不在您的管理范围内" in " ".join(
            response.context["form"].errors["organization"]
        )
    assert Member.objects.count() == 0


def test_create_in_a_party_group_is_refused_on_the_field(client, w):
    response = login(client, w.admin_a).post(reverse("members:create"), form_data("G-A"))
    assert "党小组" in " ".join(response.context["form"].errors["organization"])


def test_create_duplicate_id_number(client, w):
    existing = create_member(w.village_a)
    data = form_data("V-A")
    data["id_number"] = existing.id_number
    response = login(client, w.secretary_v).post(reverse("members:create"), data)
    assert "已登记" in " ".join(response.context["form"].errors["id_number"])


def test_edit_member_keeps_numbers_when_blank(client, w):
    member = create_member(w.village_a)
    number = member.id_number
    c = login(client, w.secretary_v)
    html = c.get(reverse("members:edit", args=[member.pk])).content.decode()
    assert number not in html
    data = form_data("V-A", name="改名", birth_date=member.birth_date)
    data["id_number"] = ""
    data["phone"] = ""
    response = c.post(reverse("members:edit", args=[member.pk]), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name == "改名" and member.id_number == number and member.phone == "13812345678"


def test_edit_moving_out_of_scope_is_refused(client, w):
    member = create_member(w.village_a)
    data = form_data("V-B", birth_date=member.birth_date)
    data["id_number"] = ""
    response = login(client, w.admin_a).post(reverse("members:edit", args=[member.pk]), data)
    assert response.status_code == 200 and "organization" in response.context["form"].errors


def test_archive(client, w):
    member = create_member(w.village_a)
    c = login(client, w.secretary_v)
    response = c.post(reverse("members:archive", args=[member.pk]), {"reason": "迁出"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.archived
    assert AuditEvent.objects.get(action=AuditAction.ARCHIVE).note == "迁出"
    assert c.get(reverse("members:archive", args=[member.pk])).status_code == 405


def test_archive_requires_a_reason(client, w):
    member = create_member(w.village_a)
    response = login(client, w.secretary_v).post(reverse("members:archive", args=[member.pk]), {})
    assert response.status_code == 400
    member.refresh_from_db()
    assert not member.archived


# --- export ----------------------------------------------------------------------------------


def read_xlsx(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_export_is_masked_filtered_and_audited(client, w):
    a = create_member(w.village_a, name="王村民")
    create_member(w.community_a, name="赵社区")
    create_member(w.village_b, name="李外县")
    c = login(client, w.admin_a)
    response = c.get(reverse("members:export"), {"org": w.village_a.pk})
    assert response.status_code == 200
    rows = read_xlsx(response)
    assert rows[0][0] == "姓名" and len(rows) == 2
    assert rows[1][0] == "王村民"
    assert rows[1][4] == a.id_number_masked and rows[1][5] == "138****5678"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == w.admin_a and f"org={w.village_a.pk}" in event.note
    assert event.after["count"] == 1 and event.after["unmasked"] is False
    assert event.org_path == w.village_a.path


def test_export_unmasked_needs_the_checkbox_and_is_audited(client, w):
    a = create_member(w.village_a)
    c = login(client, w.secretary_v)
    rows = read_xlsx(c.get(reverse("members:export"), {"unmasked": "1"}))
    assert rows[1][4] == a.id_number and rows[1][5] == "13812345678"
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).note.startswith("unmasked")
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL).count() == 1


def test_export_audit_keeps_numbers_masked_and_its_own_scope(client, w):
    a = create_member(w.village_a)
    c = login(client, w.admin_a)
    # A full ID number never reaches the export (no ID number in any URL) …
    response = c.get(reverse("members:export"), {"q": a.id_number})
    assert response.status_code == 302 and a.id_number not in response["Location"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    # … part of one typed into the name box stays masked in the audit note, and an
    # organization outside the export scope named in the filter does not file the event.
    part = a.id_number[:12]
    response = c.get(reverse("members:export"), {"q": part, "org": w.village_b.pk})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert part not in event.note
    assert event.org_path != w.village_b.path
    assert event.org_path.startswith(w.county_a.path)


def test_export_scope(client, w):
    create_member(w.village_b, name="李外县")
    rows = read_xlsx(login(client, w.admin_a).get(reverse("members:export")))
    assert len(rows) == 1  # the header only


# --- import pages ----------------------------------------------------------------------------


def test_import_page_and_template(client, w):
    c = login(client, w.secretary_v)
    assert "下载导入模板" in c.get(reverse("members:import")).content.decode()
    response = c.get(reverse("members:import_template"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["党员", "说明"]
    header = [c.value for c in book["党员"][1]]
    assert header[0] == "姓名" and "身份证号" in header and len(header) == 15
    notes = " ".join(str(c.value) for row in book["说明"].iter_rows() for c in row if c.value)
    assert "汉族" in notes and "正式党员" in notes


def test_lookup_by_id_number_by_post_keeps_it_out_of_the_url(client, w):
    member = create_member(w.village_a)
    other = create_member(w.village_b)
    c = login(client, w.secretary_v)
    found = c.post(reverse("members:list"), {"q": member.id_number})
    assert found.status_code == 302
    assert found["Location"] == reverse("members:detail", args=[member.pk])
    missing = c.post(reverse("members:list"), {"q": other.id_number}, follow=True)
    assert missing.redirect_chain[-1][0] == reverse("members:list")
    assert other.id_number not in missing.redirect_chain[-1][0]
    assert "没有找到该身份证号的党员" in missing.content.decode()
    assert c.post(reverse("members:list"), {"q": "张三"})["Location"] == reverse("members:list")


def test_list_offers_a_post_lookup_without_script(client, w):
    c = login(client, w.secretary_v)
    html = c.get(reverse("members:list")).content.decode()
    noscript = html[html.index("<noscript>") : html.index("</noscript>")]
    assert 'method="post"' in noscript and f'action="{reverse("members:list")}"' in noscript
    assert 'name="q"' in noscript and "csrfmiddlewaretoken" in noscript


def test_list_and_create_ignore_malformed_organization_ids(client, w):
    c = login(client, w.secretary_v)
    for bad in ("²", "9" * 30, "-1", "1e3"):
        assert c.get(reverse("members:list"), {"org": bad}).status_code == 200, bad
        assert c.get(reverse("members:create"), {"org": bad}).status_code == 200, bad
