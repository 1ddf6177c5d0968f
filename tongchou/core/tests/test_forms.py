import re

from django import forms

from tongchou.core.forms import FastSelect

CHOICES = [("", "全部"), ("01", "汉族"), ("03", "回族"), ("x<y", "a & b")]


def _options(html: str) -> list[tuple[str, str, bool]]:
    found = re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', html)
    return [(value, label, "selected" in rest) for value, rest, label in found]


def test_fast_select_renders_what_django_renders():
    attrs = {"class": "form-select", "id": "id_eth"}
    for value in (None, "", "03", "x<y"):
        fast = FastSelect(choices=CHOICES).render("eth", value, attrs)
        slow = forms.Select(choices=CHOICES).render("eth", value, attrs)
        assert _options(fast) == _options(slow), value
        assert 'name="eth"' in fast and 'class="form-select"' in fast and 'id="id_eth"' in fast
    assert "x&lt;y" in FastSelect(choices=CHOICES).render("eth", None)
