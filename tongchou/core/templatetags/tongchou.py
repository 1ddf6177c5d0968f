"""Template helpers shared by every page: navigation flags, compact JSON, badges."""

import json

from django import forms, template
from django.apps import apps

from tongchou.organizations.permissions import Action, can

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_flags(context) -> dict[str, bool]:
    """What the navigation bar may offer this user. Costs at most the (cached) role query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"orgs": False, "members": False, "audit": False, "staff": False}
    return {
        "orgs": can(user, Action.VIEW_ORGS),
        "members": can(user, Action.VIEW_MEMBERS),
        "audit": can(user, Action.VIEW_AUDIT),
        "staff": user.is_staff,
    }


@register.filter
def compact_json(value) -> str:
    """``{"name": "新名"}`` for audit before/after columns (Chinese kept readable)."""
    if value in (None, "", {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=True)


@register.filter
def model_label(label_lower: str) -> str:
    """``organizations.organization`` → the model's verbose name (党组织)."""
    try:
        return str(apps.get_model(label_lower)._meta.verbose_name)
    except (LookupError, ValueError):
        return label_lower


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
