"""The member export through core.spreadsheets: hostile names and occupations stay text, the
header is frozen, columns sized, and the file is named in Chinese after the organization."""

import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse

from tongchou.core.tests.factories import create_member

pytestmark = pytest.mark.django_db


def test_member_export_neutralizes_formulas_and_names_the_file(client, w):
    create_member(w.village_a, name='=HYPERLINK("http://evil","点我")', occupation="+1-1")
    create_member(w.village_a, name="@SUM(A1)", occupation="-cmd|' /C calc'!A0")
    client.force_login(w.admin_a)
    response = client.get(reverse("members:export"), {"org": w.village_a.pk})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert 'filename="members-' in disposition
    name = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert name.startswith(f"党员名册-{w.village_a.name}-") and name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 6
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert '\'=HYPERLINK("http://evil","点我")' in texts and "'@SUM(A1)" in texts
    assert "'+1-1" in texts and "'-cmd|' /C calc'!A0" in texts
    assert not [t for t in texts if t[0] in "=+-@\t\r"]


def test_member_export_without_an_organization_has_a_plain_name(client, w):
    client.force_login(w.admin_a)
    response = client.get(reverse("members:export"))
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''", 1)[1])
    assert name.startswith("党员名册-2") and name.endswith(".xlsx")
