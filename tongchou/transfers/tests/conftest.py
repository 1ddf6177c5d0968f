"""The shared two-county world (tests/world.py) plus what transfers need: a second branch in
county A, a member with a login, a clerk of village A who requests transfers (so that the
people who approve them are others: separation of duties), and helpers for the steps with what
the letter needs (dues month, issuer's phone)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.world import build_world
from tongchou.core.tests.factories import (
    OrganizationFactory,
    UserFactory,
    create_member,
    grant,
    member_values,
)
from tongchou.organizations.models import OrgKind, RoleKind
from tongchou.regions.models import UrbanRural
from tongchou.transfers import services
from tongchou.transfers.models import TransferKind


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build(world) -> SimpleNamespace:
    a, b = world.a, world.b
    village_a2 = OrganizationFactory(
        name="甲二村党支部",
        kind=OrgKind.BRANCH,
        parent=a.street,
        region=a.village_region,
        urban_rural=UrbanRural.RURAL,
    )
    secretary_a2 = UserFactory(username="secretary_a2")
    grant(secretary_a2, village_a2, RoleKind.SECRETARY)
    secretary_b = UserFactory(username="secretary_b")
    grant(secretary_b, b.village, RoleKind.SECRETARY)
    clerk_a = UserFactory(username="clerk_a")
    grant(clerk_a, a.village, RoleKind.SECRETARY)
    city_admin = UserFactory(username="city_admin")
    grant(city_admin, world.city, RoleKind.ADMIN)
    self_user = UserFactory(username="self_member")
    grant(self_user, a.village, RoleKind.MEMBER)
    own = create_member(a.village, name="甲自助党员", birth_date=dt.date(1990, 2, 3))
    own.user = self_user
    own.save(update_fields=["user"])
    return SimpleNamespace(
        world=world,
        a=a,
        b=b,
        city=world.city,
        village_a=a.village,
        village_a2=village_a2,
        street_a=a.street,
        county_a=a.county,
        village_b=b.village,
        county_b=b.county,
        admin_a=world.admin_a,
        admin_b=world.admin_b,
        secretary_a=world.secretary_a,
        secretary_a2=secretary_a2,
        secretary_b=secretary_b,
        clerk_a=clerk_a,
        city_admin=city_admin,
        member_a=world.member_a,
        norole=world.norole,
        root=world.root,
        self_user=self_user,
        own=own,
        m1=a.members[0],
        m2=a.members[1],
        mb=b.members[0],
    )


@pytest.fixture
def w(db):
    return build(build_world())


def incoming(**overrides) -> dict:
    overrides.setdefault("name", "李转入")
    return member_values(**overrides)


ISSUER_PHONE = "0952-2012345"


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def approve_out(*, actor, transfer, **kw):
    """The outflow approval with the dues month (and the issuer's phone, used when it issues
    the letter)."""
    kw.setdefault("dues_paid_to", this_month())
    kw.setdefault("issuer_phone", ISSUER_PHONE)
    return services.transfer_approve_out(actor=actor, transfer=transfer, **kw)


def approve_upper(*, actor, transfer, **kw):
    kw.setdefault("issuer_phone", ISSUER_PHONE)
    return services.transfer_approve_upper(actor=actor, transfer=transfer, **kw)


def within(w, *, actor=None, member=None, to_org=None, reason="工作调动", **kw):
    """A within transfer, requested by village A's clerk unless ``actor`` is given."""
    return services.transfer_request(
        actor=actor or w.clerk_a,
        member=member or w.m1,
        kind=TransferKind.WITHIN,
        to_org=to_org or w.village_a2,
        reason=reason,
        **kw,
    )


def inward(w, *, actor=None, to_org=None, letter_number="银组转〔2026〕000001号", **details):
    return services.transfer_request(
        actor=actor or w.admin_a,
        kind=TransferKind.INWARD,
        to_org=to_org or w.village_a,
        from_text="银川市兴庆区某街道党工委",
        letter_number=letter_number,
        reason="返乡创业",
        incoming=incoming(**details),
    )
