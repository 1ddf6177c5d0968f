"""A region picked by name: a text box that searches as one types (a datalist filled from
``regions:search`` by ``static/js/region-search.js``) and takes a name, a code or the picked
label. Without script, a code or a name only one region has still works."""

from django import forms
from django.forms.utils import flatatt
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from tongchou.regions.models import Region
from tongchou.regions.selectors import region_from_text, region_label


class RegionSearchInput(forms.TextInput):
    """A text input with its own datalist and the (external, CSP-safe) script that fills it."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final.update(name=name, type="text", autocomplete="off")
        list_id = f"{final.get('id') or name}-regions"
        final["list"] = list_id
        final["data-tc-region-search"] = reverse("regions:search")
        shown = self.format_value(value)
        if shown:
            final["value"] = shown
        return mark_safe(
            f'<input{flatatt(final)}><datalist id="{escape(list_id)}"></datalist>'
            f'<script src="{escape(static("js/region-search.js"))}" defer></script>'
        )


class RegionField(forms.Field):
    """A division by name (search as you type), code optional."""

    widget = RegionSearchInput
    default_error_messages = {
        "unknown": _("没有找到这个区划，请输入名称后从列表中选择，或填写区划代码。"),
        "ambiguous": _("有多个区划叫“%(name)s”：%(options)s。请从列表中选择，或填写区划代码。"),
    }

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)  # the old code fields had one; names need none
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Region):
            return region_label(value)
        if isinstance(value, str) and value.isascii() and value.isdigit():
            region = Region.objects.filter(code=value).first()
            return region_label(region) if region is not None else value
        return value

    def to_python(self, value):
        text = (value or "").strip() if isinstance(value, str) else value
        if isinstance(text, Region):
            return text
        if not text:
            return None
        region, same = region_from_text(text)
        if region is not None:
            return region
        if same:
            raise forms.ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"name": text, "options": "、".join(region_label(r) for r in same)},
            )
        raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
