"""Permission-matrix entries for the accounts app's URLs (merged into tests.matrix.REGISTRY).

Each side has one account, built lazily: ``acct_a`` / ``acct_b``, with a member role at the
side's village and linked to the side's second member record. County A's admin (``admin_a``)
manages ``acct_a`` (in scope); ``acct_b`` is in county B and looks missing (404). Callers without
a role get 403 (pages and API alike: managing accounts needs an admin or secretary role)."""

from django.contrib.auth import get_user_model

from tests.matrix import LOGIN, Check, Entry, api_get, api_post, none, page_get, page_post, side
from tongchou.core.models import PasswordState
from tongchou.core.tests.factories import UserFactory, grant
from tongchou.members.models import Member
from tongchou.organizations.models import Role, RoleKind


def _account(world, in_scope: bool):
    key = f"_accounts_{'a' if in_scope else 'b'}"
    if key not in world.__dict__:
        s = side(world, in_scope)
        user = UserFactory(username=f"acct_{'a' if in_scope else 'b'}", first_name="账号")
        role = grant(user, s.village, RoleKind.MEMBER)
        Member.objects.filter(pk=s.members[1].pk).update(user=user)
        world.__dict__[key] = (user, role)
    return world.__dict__[key]


def account(world, in_scope: bool) -> dict:
    return {"pk": _account(world, in_scope)[0].pk}


def account_role(world, in_scope: bool) -> dict:
    user, role = _account(world, in_scope)
    return {"pk": user.pk, "role_pk": role.pk}


ENTRIES: dict[str, Entry] = {
    # ---------------------------------------------------------------------- pages
    "accounts:list": Entry(none, (page_get(out=None),)),
    # Without ?org= the create and bulk pages ask for the organization first (GET and POST).
    "accounts:create": Entry(none, (page_get(out=None), page_post(200, out=None))),
    "accounts:bulk": Entry(none, (page_get(out=None), page_post(200, out=None))),
    # An empty POST comes back with the form's errors (400).
    "accounts:staff_create": Entry(none, (page_get(out=None), page_post(400, out=None))),
    "accounts:detail": Entry(account, (page_get(),)),
    "accounts:role_grant": Entry(
        account, (Check("get", LOGIN, 405, 405, 405, json=False), page_post(400))
    ),
    "accounts:role_revoke": Entry(account_role, (page_post(302),)),
    "accounts:deactivate": Entry(account, (page_post(302),)),
    # The account is active: "not deactivated" (400).
    "accounts:reactivate": Entry(account, (page_post(400),)),
    # The new password is shown once (200).
    "accounts:password_reset": Entry(account, (page_post(200),)),
    # No member chosen: the form's error (400).
    "accounts:member_link": Entry(account, (page_post(400),)),
    "accounts:member_unlink": Entry(account, (page_post(302),)),
    # ---------------------------------------------------------------------- API
    "api-account-list": Entry(none, (api_get(out=None), api_post(400, out=None))),
    "api-account-detail": Entry(account, (api_get(),)),
    # No organization given: a 400 naming the field.
    "api-account-bulk": Entry(none, (api_post(400, out=None),)),
    "api-account-roles": Entry(account, (api_post(400),)),
    "api-account-role-revoke": Entry(account_role, (api_post(200),)),
    "api-account-deactivate": Entry(account, (api_post(200),)),
    "api-account-reactivate": Entry(account, (api_post(400),)),
    "api-account-reset-password": Entry(account, (api_post(200),)),
    "api-account-link-member": Entry(account, (api_post(400),)),
    "api-account-unlink-member": Entry(account, (api_post(200),)),
}

# Models whose rows a refused request must not change (added to the matrix's state check).
STATE_MODELS: tuple = (get_user_model(), Role, PasswordState)
