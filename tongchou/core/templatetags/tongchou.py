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
        return {
            "orgs": False,
            "members": False,
            "audit": False,
            "staff": False,
            "station": False,
            "me": False,
        }
    orgs = can(user, Action.VIEW_ORGS)
    members = can(user, Action.VIEW_MEMBERS)
    return {
        "orgs": orgs,
        "members": members,
        "audit": can(user, Action.VIEW_AUDIT),
        "staff": user.is_staff,
        # Staff of a member service station may hold no role at all; asked only then, so a
        # page costs users with roles no extra query.
        "station": not members and _staffs_a_station(user),
        "me": True,  # the member's own page (it says so when no member record is linked)
    }


def _staffs_a_station(user) -> bool:
    if not hasattr(user, "_tongchou_staffs_station"):
        user._tongchou_staffs_station = user.stations.filter(active=True).exists()
    return user._tongchou_staffs_station


def _short(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except Exception:  # noqa: BLE001 - keys need not be model fields (e.g. "path")
        return None


def _display(field, value) -> str:
    """A stored value as people read it: choice labels instead of codes."""
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    if isinstance(value, list) and choices:
        return "、".join(str(choices.get(v, v)) for v in value)
    if not isinstance(value, list | dict) and value in choices:
        return str(choices[value])
    return _short(value)


@register.filter
def audit_changes(event) -> list[tuple[str, str, str]]:
    """(field label, before, after) rows of an audit event, empty values left out on
    either side, so a creation lists only what was set and an update only what changed."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        model = None
    empty = (None, "", [], {})
    rows = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old in empty and new in empty:
            continue
        field = _field(model, key)
        label = str(field.verbose_name) if field is not None else key
        rows.append(
            (
                label,
                "" if old in empty else _display(field, old),
                "" if new in empty else _display(field, new),
            )
        )
    return rows


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
