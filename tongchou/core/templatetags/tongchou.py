"""Template helpers shared by every page's forms. Navigation (which needs the user's scope)
lives in ``portal.templatetags.navigation``, the audit log's helpers in ``accounts``."""

from django import forms, template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


def widget_kind(bound_field) -> str:
    """ "checkbox" (one box), "choices" (several boxes or radios), "select" or "input"."""
    widget = bound_field.field.widget
    input_type = getattr(widget, "input_type", None)
    if input_type in ("checkbox", "radio"):
        many = getattr(widget, "allow_multiple_selected", False) or input_type == "radio"
        return "choices" if many else "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


register.filter("widget_kind", widget_kind)


@register.filter
def bs_widget(bound_field):
    """Render a form field's widget with Bootstrap classes (and ``is-invalid`` on errors)."""
    css = {"checkbox": "form-check-input", "choices": "", "select": "form-select"}.get(
        widget_kind(bound_field), "form-control"
    )
    existing = bound_field.field.widget.attrs.get("class", "")
    classes = " ".join(c for c in (existing, css, "is-invalid" if bound_field.errors else "") if c)
    return bound_field.as_widget(attrs={"class": classes} if classes else None)
