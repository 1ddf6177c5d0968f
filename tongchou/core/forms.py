"""Helpers shared by every app's forms."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe

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
