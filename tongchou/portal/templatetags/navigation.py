"""The navigation bar: what it may offer this user. Lives in the portal (the top of the apps),
since it asks every app below whether the user may use it; core stays below them all."""

from django import template

from tongchou.accounts.permissions import may_manage_accounts
from tongchou.mobility.permissions import staffed_station_ids
from tongchou.organizations.permissions import Action, can
from tongchou.service.permissions import staffed_proxy_ids, staffed_unit_ids

register = template.Library()

NOTHING = {
    "orgs": False,
    "members": False,
    "audit": False,
    "accounts": False,
    "api": False,
    "staff": False,
    "station": False,
    "proxy": False,
    "unit": False,
    "me": False,
}


def uses_the_api(user) -> bool:
    """Who is shown the API documentation link: the deployment's superusers and admins (those
    who connect other systems or script bulk work). Secretaries, members and station staff work
    in the pages; the documentation stays reachable at /api/docs/ for anyone who has a reason."""
    return user.is_superuser or can(user, Action.MANAGE_ORGS)


@register.simple_tag(takes_context=True)
def nav_flags(context) -> dict[str, bool]:
    """Costs at most the (cached) role query, plus one query each (station, proxy station,
    alliance unit) for staff without a role."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return dict(NOTHING)
    members = can(user, Action.VIEW_MEMBERS)
    return {
        "orgs": can(user, Action.VIEW_ORGS),
        "members": members,
        "audit": can(user, Action.VIEW_AUDIT),
        "accounts": may_manage_accounts(user),
        "api": uses_the_api(user),
        "staff": user.is_staff,
        # Staff of a member service station may hold no role at all; asked only then, so a
        # page costs users with roles no extra query.
        "station": not members and bool(staffed_station_ids(user)),
        # Staff of a city-service proxy station, likewise (their station's page, its needs).
        "proxy": not members and bool(staffed_proxy_ids(user)),
        # Staff of an alliance unit (人社, a hospital…): the needs routed to their unit and their
        # unit's job openings.
        "unit": not members and bool(staffed_unit_ids(user)),
        "me": True,  # the member's own page (it says so when no member record is linked)
    }
