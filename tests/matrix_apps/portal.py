"""Permission-matrix entries for the portal app's URLs (merged into tests.matrix.REGISTRY).

The portal is the member's own record: the in-scope caller is ``member_a``, whose login is
linked (lazily, here) to village A's first member. No URL names an object, so there is no
out-of-scope call; the ``no_role`` caller is a login without a member record, who gets a page
saying so (200) or, from the API, ``linked: false`` and 400 ``no_member`` for requests."""

from tests.matrix import LOGIN, Check, Entry


def linked(world, in_scope: bool) -> dict:
    member = world.a.members[0]
    if member.user_id != world.member_a.pk:
        member.user = world.member_a
        member.save(update_fields=["user"])
    return {}


def page(method: str, status: int) -> Check:
    return Check(method, LOGIN, 200, status, None, json=False, user="member_a")


ENTRIES: dict[str, Entry] = {
    "portal:home": Entry(linked, (page("get", 200),)),
    # Forms re-render (200) with the errors of an empty POST.
    "portal:transfer": Entry(linked, (page("get", 200), page("post", 200))),
    "portal:going_out": Entry(linked, (page("get", 200), page("post", 200))),
    "portal:arrived": Entry(linked, (page("get", 200), page("post", 200))),
    "api-portal-member": Entry(linked, (Check("get", 401, 200, 200, None, user="member_a"),)),
    "api-portal-transfer": Entry(linked, (Check("post", 401, 400, 400, None, user="member_a"),)),
    "api-portal-going-out": Entry(linked, (Check("post", 401, 400, 400, None, user="member_a"),)),
    "api-portal-arrived": Entry(linked, (Check("post", 401, 400, 400, None, user="member_a"),)),
}

# The portal has no models; what its requests write lives in transfers and mobility.
STATE_MODELS: tuple = ()
