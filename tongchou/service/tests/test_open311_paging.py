"""Open311 GET requests: the page_size/page extension (the standard's answer without them), and
a list that costs the same number of queries for one row or many."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongchou.service import services
from tongchou.service.models import AllianceUnit, Intake

pytestmark = pytest.mark.django_db
URL = "/open311/v2/requests.json"


def _make(world, n, *, category=None, organization=None):
    made = []
    for i in range(n):
        made.append(
            services.need_submit(
                actor=world.root,
                intake=Intake.STAFF,
                category=category or world.employment,
                organization=organization or world.a.village,
                summary=f"诉求{i}",
                now=timezone.now() - dt.timedelta(hours=i + 1),
            )  # fmt: skip
        )
    return [n.pk for n in made]  # newest first


def _ids(c, query=""):
    r = c.get(URL + query)
    assert r.status_code == 200, r.content
    return [row["service_request_id"] for row in r.json()]


def test_page_size_and_page_walk_the_standard_ordering(world):
    ids = _make(world, 5)
    c = Client()
    assert _ids(c) == ids  # no extension: the standard's answer
    assert _ids(c, "?page_size=2") == ids[:2]
    assert _ids(c, "?page_size=2&page=2") == ids[2:4]
    assert _ids(c, "?page_size=2&page=3") == ids[4:]
    assert _ids(c, "?page_size=2&page=4") == []
    assert _ids(c, "?page=2") == []  # 1,000 a page by default
    assert _ids(c, "?service_code=employment&status=open&page_size=3") == ids[:3]


@pytest.mark.parametrize("query", ["page_size=0", "page_size=1001", "page_size=x", "page=0",
                                   "page=-1", "page_size=1.5"])  # fmt: skip
def test_bad_paging_is_a_400_in_the_standards_format(world, query):
    r = Client().get(f"/open311/v2/requests.xml?{query}")
    assert r.status_code == 400
    root = ET.fromstring(r.content)
    assert root.tag == "errors" and root.find("error/code").text == "400"
    assert query.split("=")[0] in root.find("error/description").text


def test_the_list_costs_the_same_queries_for_one_row_or_many(world):
    c = Client()
    _make(world, 1)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(URL + "?service_code=employment&status=open").status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    unit = AllianceUnit.objects.create(
        name="乙县人社局", kind="department", organization=world.b.county,
        org_path=world.b.county.path,
    )  # fmt: skip
    _make(world, 15, organization=world.b.village)
    _make(world, 15)
    from tongchou.service.models import Need

    Need.objects.filter(organization=world.b.village).update(unit=unit)
    assert queries() == one <= 2
    rows = c.get(URL).json()
    assert {r["agency_responsible"] for r in rows} == {"甲县人社局", "乙县人社局"}
    assert {r["address"] for r in rows} == {world.a.village.name, world.b.village.name}
