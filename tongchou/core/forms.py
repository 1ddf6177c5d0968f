"""Helpers shared by every app's forms."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tongchou.core.errors import ApplicationError


def apply_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's ApplicationError on the form: on its field when the form has it, else
    as a form-wide error. Every message a service raises reaches the person who caused it."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))
    for name, messages in (exc.extra.get("fields") or {}).items():
        if name != exc.field and name in form.fields:
            for message in messages:
                form.add_error(name, message)


class FastSelect(forms.Select):
    """A ``<select>`` built in Python. Django renders each option through a template, about a
    third of a millisecond apiece, which a filter form with hundreds of organizations and 56
    ethnic groups pays on every page; the HTML is the same."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        selected = set(self.format_value(value))
        parts = [f"<select{flatatt(final)}>"]
        for key, label in self.choices:
            key = "" if key is None else str(key)
            mark = " selected" if key in selected else ""
            parts.append(f'<option value="{escape(key)}"{mark}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))


def query_without(request, *names: str) -> str:
    """The request's query string without ``names`` (e.g. ``page``, for pagination links that
    keep the filters)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


class OpeningHoursField(forms.CharField):
    """Seven lines, Monday first: ``08:30-17:30`` or ``-`` (closed); empty: any hour."""

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return []
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) != 7:
            raise forms.ValidationError(_("请按周一至周日填写七行，不开放的一天写“-”。"))
        hours = []
        for line in lines:
            if line in ("-", "—", "休"):
                hours.append(None)
                continue
            parts = [p.strip() for p in line.replace("—", "-").replace("～", "-").split("-")]
            if len(parts) != 2:
                raise forms.ValidationError(
                    _("开放时间应为“08:30-17:30”的形式：%(v)s") % {"v": line}
                )
            hours.append(parts)
        return hours

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join("-" if not v else f"{v[0]}-{v[1]}" for v in value)
        return value
