"""Factories shared by every app's tests (factory_boy)."""

import datetime as dt
import itertools

import factory
from django.contrib.auth import get_user_model

from tongchou.core import crypto, tree
from tongchou.core.validators import id_check_char
from tongchou.organizations.models import Organization, OrgKind, Role, RoleKind
from tongchou.regions.models import Region, RegionLevel, UrbanRural

_serial = itertools.count(1)


def make_id_number(
    region: str = "640202", birth: dt.date = dt.date(1985, 3, 14), gender="M"
) -> str:
    seq = next(_serial) % 500
    gender_digit = (2 * seq + (1 if gender == "M" else 0)) % 10
    first17 = f"{region}{birth:%Y%m%d}{seq // 5 % 100:02d}{gender_digit}"
    return first17 + id_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-Word-123")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"640202{n % 100 + 1:03d}")
    name = factory.Sequence(lambda n: f"街道{n}")
    level = RegionLevel.TOWNSHIP
    urban_rural = UrbanRural.URBAN


class OrganizationFactory(factory.django.DjangoModelFactory):
    """Builds an organization with a correct path without going through the services (tests of
    the services build theirs through the services)."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"党组织{n}")
    code = factory.Sequence(lambda n: f"T{n:06d}")
    kind = OrgKind.COMMITTEE
    region = factory.SubFactory(RegionFactory)
    urban_rural = UrbanRural.URBAN
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        units = kwargs.pop("units", None)
        org = model_class(*args, **kwargs)
        org.path = f"tmp{next(_serial)}"
        org.save()
        parent_path = org.parent.path if org.parent_id else ""
        org.path = tree.child_path(parent_path, org.pk)
        org.depth = tree.depth(org.path)
        org.save(update_fields=["path", "depth"])
        if units:
            org.units.set(units)
        return org


def grant(user, org: Organization, kind: str = RoleKind.ADMIN) -> Role:
    return Role.objects.create(user=user, organization=org, kind=kind)


def member_values(**overrides) -> dict:
    """Valid keyword arguments for members.services.member_create (organization excluded)."""
    birth = overrides.pop("birth_date", dt.date(1985, 3, 14))
    gender = overrides.pop("gender", "M")
    values = {
        "name": "张三",
        "gender": gender,
        "ethnicity": "01",
        "birth_date": birth,
        "id_number": make_id_number(birth=birth, gender=gender),
        "phone": "13812345678",
        "education": "bachelor",
        "occupation": "农民",
        "category": "full",
        "admission_date": dt.date(2010, 7, 1),
        "full_member_date": dt.date(2011, 7, 1),
    }
    values.update(overrides)
    return values


def create_member(org: Organization, **overrides):
    """A member written straight to the table (fast; services are tested separately)."""
    from tongchou.members.models import Member

    values = member_values(**overrides)
    id_number = values.pop("id_number")
    phone = values.pop("phone")
    return Member.objects.create(
        organization=org,
        org_path=org.path,
        id_number_enc=crypto.encrypt(id_number),
        id_number_hash=crypto.lookup_hash(id_number),
        phone_enc=crypto.encrypt(phone),
        **values,
    )
