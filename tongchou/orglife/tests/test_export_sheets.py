"""The "no one left behind" export through core.spreadsheets: names typed at a station (for
people from outside the deployment) and members' names stay text, never formulas."""

import datetime as dt
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tongchou.orglife.tests.conftest import spell

pytestmark = pytest.mark.django_db


def test_report_export_neutralizes_formulas_and_names_the_file(client, w):
    today = timezone.localdate()
    member = w.villagers[0]
    member.name = "=1+2"
    member.save(update_fields=["name"])
    spell(member, home=w.village_a, since=today - dt.timedelta(days=400))
    spell(None, home=None, inflow=w.community_a, since=today, external_name="@cmd|calc")
    client.force_login(w.admin_a)
    response = client.get(reverse("orglife:report_export"), {"within": w.street_a.pk})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''", 1)[1])
    assert name.startswith(f"流动党员教育管理情况-{w.street_a.name}-")
    assert 'filename="left-behind-' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.freeze_panes == "A2"
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "'=1+2" in names and "'@cmd|calc" in names
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
