"""The jobs platform's "waiting for you" card, for the home page (an inclusion tag, so the page
below asks nothing of this app's code)."""

from django import template

register = template.Library()


@register.inclusion_tag("jobs/_waiting.html", takes_context=True)
def jobs_waiting(context) -> dict:
    from tongchou.jobs.selectors import waiting_for

    request = context.get("request")
    user = getattr(request, "user", None)
    return {"w": waiting_for(user) if user is not None else {}, "linked": True}
