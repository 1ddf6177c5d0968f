from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """A share as a percentage with one decimal; — when there is none."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value):.1%}"
    except (TypeError, ValueError):
        return "—"
