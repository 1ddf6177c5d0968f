"""API *_display fields give the same labels as get_<field>_display, in each language, without
calling it per row (it rebuilt the choices mapping and translated every choice per call)."""

import pytest
from django.utils import translation

from tongchou.core.tests.factories import OrganizationFactory, create_member
from tongchou.members.choices import Education, Ethnicity
from tongchou.members.models import Member
from tongchou.members.serializers import MemberSerializer
from tongchou.organizations.models import OrgKind

pytestmark = pytest.mark.django_db

DISPLAYS = ["gender", "ethnicity", "education", "category", "status"]


@pytest.fixture
def members(db):
    org = OrganizationFactory(name="长胜村党支部", kind=OrgKind.BRANCH)
    ethnicities = [value for value, _ in Ethnicity.choices][:6]
    educations = ["", *[value for value, _ in Education.choices][:3]]
    rows = [
        create_member(
            org, name=f"党员{i}", ethnicity=ethnicities[i % 6], education=educations[i % 4]
        )
        for i in range(12)
    ]
    return list(Member.objects.filter(pk__in=[m.pk for m in rows]).select_related("organization"))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_labels_match_get_display_in_each_language(members, language):
    with translation.override(language):
        data = MemberSerializer(members, many=True).data
        for member, row in zip(members, data, strict=True):
            for name in DISPLAYS:
                assert row[f"{name}_display"] == getattr(member, f"get_{name}_display")(), name


def test_a_page_of_rows_calls_no_get_display(members, monkeypatch):
    calls = []
    for name in DISPLAYS:
        original = getattr(Member, f"get_{name}_display")

        def counting(self, _original=original, _name=name):
            calls.append(_name)
            return _original(self)

        monkeypatch.setattr(Member, f"get_{name}_display", counting)
    assert members[0].get_gender_display() and calls == ["gender"]  # the spy sees calls
    calls.clear()
    data = MemberSerializer(members, many=True).data
    assert len(data) == len(members) and data[0]["gender_display"]
    assert calls == []
