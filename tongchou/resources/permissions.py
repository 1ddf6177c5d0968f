"""Who may do what with shared resources.

* Seeing the resource list and searching it: any role (``VIEW_ORGS``); a resource is seen by
  whoever its sharing reaches (``selectors.resource_list_for``) and by everyone whose scope holds
  its owner.
* Keeping a resource (adding, changing, deciding its booking requests): ``MANAGE_MEMBERS`` on
  the owner (secretaries and admins of the owner or above).
* Booking: ``MANAGE_MEMBERS`` on the booking organization (a secretary books for their own
  organization), and the resource must be bookable by that organization.
* Cancelling: either side (the booking organization's or the owner's managers).
"""

from tongchou.core import tree
from tongchou.organizations.permissions import Action, can

MANAGE = Action.MANAGE_MEMBERS


def can_use_resources(user) -> bool:
    return can(user, Action.VIEW_ORGS)


def can_keep_resources(user) -> bool:
    return can(user, MANAGE)


def can_manage_resource(user, resource) -> bool:
    return can(user, MANAGE, resource.owner_path)


def can_book_for(user, organization) -> bool:
    return can(user, MANAGE, organization.path)


def reaches(resource, org_path: str) -> bool:
    """Does the resource's sharing reach the organization at ``org_path``?"""
    if org_path.startswith(resource.owner_path):
        return True
    return resource.visible_path == "" or org_path.startswith(resource.visible_path)


def may_be_booked_by(resource, organization, allowed_paths: list[str] | None = None) -> bool:
    """Visibility first; then, for a resource bookable by listed organizations only, the
    organization must be one of them or inside one (its owner's subtree always may)."""
    if not reaches(resource, organization.path):
        return False
    if resource.bookers == "listed" and not organization.path.startswith(resource.owner_path):
        if allowed_paths is None:
            allowed_paths = [o.path for o in resource.allowed_orgs.all()]
        return tree.covers(allowed_paths, organization.path)
    return True


def can_decide(user, booking) -> bool:
    return can(user, MANAGE, booking.owner_path)


def can_cancel(user, booking) -> bool:
    return can(user, MANAGE, booking.org_path) or can(user, MANAGE, booking.owner_path)
