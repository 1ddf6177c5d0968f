"""The organizations test world (two counties, a joint organization led from village A but
sitting in county B), with member records and a member service station::

    city ── county A ── street A ── village A (members 张一, 张二; 张三 linked to member_user)
         │                       └─ community A (member 李一)
         └─ county B ── street B ── village B (member 王一)
                                 └─ joint (lead: village A)

Users (``organizations.tests.world``): root (superuser), admin_a (county A), admin_b (county
B), admin_street (street A), secretary (village A), member_user (member role at village A),
norole. The station at street A has no staff yet.
"""

import pytest

from tongchou.accounts.hashers import ISSUED_HASHER
from tongchou.core.tests.factories import create_member
from tongchou.mobility.models import ServiceStation, StationKind
from tongchou.organizations.tests.world import build_world

PASSWORD = "pass-Word-123"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        ISSUED_HASHER,  # handed-out passwords (accounts.hashers)
    ]


@pytest.fixture
def w(db):
    world = build_world()
    world.m_a1 = create_member(world.village_a, name="张一")
    world.m_a2 = create_member(world.village_a, name="张二")
    world.m_a3 = create_member(world.village_a, name="张三", user=world.member_user)
    world.m_c1 = create_member(world.community_a, name="李一")
    world.m_b1 = create_member(world.village_b, name="王一")
    world.station = ServiceStation.objects.create(
        name="长胜街道党员服务站",
        kind=StationKind.CITY_STREET,
        organization=world.street_a,
        org_path=world.street_a.path,
        region=world.street_a_r,
    )
    return world
