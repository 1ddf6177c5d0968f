import pytest

from tests.world import build_world
from tongchou.core.tests.factories import UserFactory
from tongchou.service.models import AllianceUnit, NeedCategory, RoutingRule


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def ensure_categories():
    """The seeded taxonomy (a transactional test's flush empties it)."""
    import importlib

    seed = importlib.import_module("tongchou.service.migrations.0002_seed_categories")
    for order, (code, name, ack, resolve) in enumerate(seed.CATEGORIES):
        NeedCategory.objects.get_or_create(
            code=code,
            defaults={"name": name, "ack_days": ack, "resolve_days": resolve, "order": order},
        )
    city = importlib.import_module("tongchou.service.migrations.0006_seed_city_service_categories")
    for code, name, ack, resolve, order in city.CATEGORIES:
        NeedCategory.objects.get_or_create(
            code=code,
            defaults={"name": name, "ack_days": ack, "resolve_days": resolve, "order": order},
        )


def service_world():
    ensure_categories()
    w = build_world()
    w.employment = NeedCategory.objects.get(code="employment")
    w.health = NeedCategory.objects.get(code="health")
    w.bureau = AllianceUnit.objects.create(
        name="甲县人社局", kind="department", organization=w.a.county, org_path=w.a.county.path
    )
    w.hospital = AllianceUnit.objects.create(
        name="甲县人民医院", kind="hospital", organization=w.a.county, org_path=w.a.county.path
    )
    w.bureau_staff = UserFactory(username="bureau_staff")
    w.bureau.staff.add(w.bureau_staff)
    w.hospital_staff = UserFactory(username="hospital_staff")
    w.hospital.staff.add(w.hospital_staff)
    # Any category anywhere in county A → hospital; employment in county A → the bureau.
    w.rule_any = RoutingRule.objects.create(region=w.a.county_region, unit=w.hospital)
    w.rule_jobs = RoutingRule.objects.create(
        region=w.a.county_region, category=w.employment, unit=w.bureau
    )
    return w


@pytest.fixture
def world(db):
    return service_world()
