"""Regions picked by name: the search endpoint behind the pickers and the form field."""

import pytest
from django import forms
from django.urls import reverse

from tongchou.core.tests.factories import RegionFactory, UserFactory
from tongchou.regions.forms import RegionField
from tongchou.regions.models import RegionLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(db):
    province = RegionFactory(code="64", name="宁夏回族自治区", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="6402", name="石嘴山市", level=RegionLevel.CITY, parent=province)
    county = RegionFactory(code="640202", name="大武口区", level=RegionLevel.COUNTY, parent=city)
    other = RegionFactory(code="640205", name="惠农区", level=RegionLevel.COUNTY, parent=city)
    return {
        "street": RegionFactory(code="640202001", name="长胜街道", parent=county),
        "prefix": RegionFactory(code="640202002", name="长胜街道东片区", parent=county),
        "twin_a": RegionFactory(code="640202003", name="光明街道", parent=county),
        "twin_b": RegionFactory(code="640205003", name="光明街道", parent=other),
    }


def test_search_by_name_or_code_with_ancestors(client, regions):
    client.force_login(UserFactory())  # no role needed: divisions are public facts
    results = client.get(reverse("regions:search"), {"q": "长胜"}).json()["results"]
    assert [r["code"] for r in results] == ["640202001", "640202002"]
    assert results[0]["label"] == "长胜街道（640202001）"
    assert results[0]["path"] == "宁夏回族自治区 石嘴山市 大武口区 长胜街道"
    exact_first = client.get(reverse("regions:search"), {"q": "长胜街道"}).json()["results"]
    assert exact_first[0]["code"] == "640202001"
    by_code = client.get(reverse("regions:search"), {"q": "6402050"}).json()["results"]
    assert [r["code"] for r in by_code] == ["640205003"]
    assert client.get(reverse("regions:search"), {"q": "\x00"}).json() == {"results": []}
    assert client.get(reverse("regions:search")).json() == {"results": []}


def test_search_needs_a_login(client, regions):
    response = client.get(reverse("regions:search"), {"q": "长胜"})
    assert response.status_code == 302 and "/login/" in response["Location"]


class PickForm(forms.Form):
    region = RegionField(required=False)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("640202001", "640202001"),
        ("长胜街道（640202001）", "640202001"),
        ("长胜街道(640202001)", "640202001"),
        ("  长胜街道 ", "640202001"),
        ("", None),
    ],
)
def test_the_field_takes_a_code_a_label_or_a_unique_name(regions, typed, code):
    form = PickForm({"region": typed})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["region"].code if form.cleaned_data["region"] else None) == code


def test_unknown_and_ambiguous_names_are_clear_errors(regions):
    form = PickForm({"region": "不存在"})
    assert not form.is_valid() and "没有找到这个区划" in form.errors["region"][0]
    form = PickForm({"region": "光明街道"})
    assert not form.is_valid()
    assert "640202003" in form.errors["region"][0] and "640205003" in form.errors["region"][0]
    form = PickForm({"region": "999999"})
    assert not form.is_valid()


def test_the_widget_renders_its_own_datalist_and_script(regions):
    html = str(PickForm(initial={"region": regions["street"]})["region"])
    assert 'value="长胜街道（640202001）"' in html
    assert "<datalist" in html and "js/region-search.js" in html
    assert 'data-tc-region-search="/regions/search/"' in html
