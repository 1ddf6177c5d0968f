"""Filter selects show one "all" choice (全部), never "---------" beside it, and yes/no filters
have no "unknown": every FilterSet of the project, and every list page that renders one."""

import importlib
import pkgutil
import re

import django_filters
import pytest
from django.urls import reverse

import tongchou
from tongchou.core import filters as core_filters

from .world import PASSWORD


def _project_filtersets() -> list[type]:
    for app in pkgutil.iter_modules(tongchou.__path__):
        for module in ("filters", "api", "views"):
            try:
                importlib.import_module(f"tongchou.{app.name}.{module}")
            except ModuleNotFoundError as exc:
                if exc.name != f"tongchou.{app.name}.{module}":
                    raise
    found, stack = [], [django_filters.FilterSet]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("tongchou.") and sub is not core_filters.FilterSet:
                found.append(sub)
    return found


FILTERSETS = _project_filtersets()


def test_the_walk_finds_the_filtersets():
    names = {cls.__name__ for cls in FILTERSETS}
    assert {"MemberFilter", "TransferFilter", "StationFilter", "RegionFilter"} <= names


@pytest.mark.parametrize("filterset_class", FILTERSETS, ids=lambda c: c.__name__)
def test_every_filterset_has_one_all_choice_and_no_unknown(filterset_class):
    assert issubclass(filterset_class, core_filters.FilterSet), (
        f"{filterset_class.__name__} must derive from tongchou.core.filters.FilterSet"
    )
    model = filterset_class._meta.model
    form = filterset_class({}, queryset=model.objects.none()).form
    selects = 0
    for name, field in form.fields.items():
        choices = list(getattr(field.widget, "choices", []) or [])
        if not choices:
            continue
        selects += 1
        labels = [str(label) for _value, label in choices]
        empty = [str(label) for value, label in choices if value in ("", None)]
        assert "---------" not in labels, name
        assert not {"Unknown", "未知", "unknown"} & set(labels), name
        assert len(empty) <= 1, (name, empty)
        if empty:
            assert empty[0].startswith("全部"), (name, empty)
            assert choices[0][0] == "", name
        html = str(form[name])
        assert html.count('value=""') <= 1, name
        assert "---------" not in html and "Unknown" not in html, name
        if isinstance(field, django_filters.fields.forms.NullBooleanField):
            assert [(v, str(label)) for v, label in choices] == [
                ("", "全部"),
                ("true", "是"),
                ("false", "否"),
            ]


def test_yes_no_filters_read_true_and_false():
    from tongchou.mobility.filters import StationFilter
    from tongchou.mobility.models import ServiceStation

    qs = ServiceStation.objects.none()
    assert StationFilter({"active": "true"}, queryset=qs).form.is_valid()
    form = StationFilter({"active": "false"}, queryset=qs).form
    assert form.is_valid() and form.cleaned_data["active"] is False
    form = StationFilter({}, queryset=qs).form
    assert form.is_valid() and form.cleaned_data["active"] is None


LIST_PAGES = [
    "members:list",
    "mobility:list",
    "mobility:stations",
    "transfers:list",
    "orglife:list",
    "education:courses",
    "education:records",
    "education:trainings",
    "linkage:lots",
    "linkage:orders",
    "linkage:shipments",
    "organizations:search",
    "audit",
]

OPTION = re.compile(r"<option[^>]*>([^<]*)</option>")
SELECT = re.compile(r"<select.*?</select>", re.S)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", LIST_PAGES)
def test_list_pages_show_one_all_choice_per_select(client, world, url_name):
    client.login(username=world.root.username, password=PASSWORD)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "---------" not in html
    for select in SELECT.findall(html):
        empties = re.findall(r'<option value=""[^>]*>([^<]*)</option>', select)
        assert len(empties) <= 1, select[:200]
        labels = OPTION.findall(select)
        assert "未知" not in labels and "Unknown" not in labels, select[:200]


def test_the_form_class_is_built_once_and_serves_every_language():
    """One normalized form class per FilterSet (a list request used to rebuild every field),
    its 全部 still in the reader's language, and a view changing one request's form (as the
    member list does with its ordering labels) leaves the next request's form alone."""
    from django.http import QueryDict
    from django.utils import translation

    from tongchou.members.filters import MemberFilter
    from tongchou.members.models import Member

    first = MemberFilter(QueryDict(""), queryset=Member.objects.none())
    second = MemberFilter(QueryDict(""), queryset=Member.objects.none())
    assert type(first.form) is type(second.form)
    first.form.fields["status"].choices = [("", "只此一次")]
    with translation.override("en"):
        assert list(second.form.fields["status"].choices)[0] == ("", "All")
    with translation.override("zh-hans"):
        assert str(list(second.form.fields["status"].choices)[0][1]) == "全部"


def test_choices_computed_by_a_callable_follow_the_language_of_each_request():
    """The audit page's object types are computed (verbose names); the shared form class must
    not freeze them in the language of the first request."""
    from django.http import QueryDict
    from django.utils import translation

    from tongchou.accounts.filters import AuditEventFilter
    from tongchou.core.models import AuditEvent

    def labels(language: str) -> dict:
        with translation.override(language):
            form = AuditEventFilter(QueryDict(""), queryset=AuditEvent.objects.none()).form
            return {value: str(label) for value, label in form.fields["object_type"].choices}

    chinese, english = labels("zh-hans"), labels("en")
    assert chinese["members.member"] != english["members.member"]
    assert chinese[""] == "全部" and english[""] == "All"
    assert list(english) == list(chinese)
