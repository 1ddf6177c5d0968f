import datetime as dt

import pytest

from tests.world import build_world
from tongchou.core.tests.factories import UserFactory
from tongchou.organizations.models import Unit, UnitKind
from tongchou.service.models import AllianceUnit


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def ensure_skills():
    """The seeded taxonomy with the trades (a transactional test's flush empties it)."""
    import importlib

    from tongchou.talent.models import Skill

    talent = importlib.import_module("tongchou.talent.migrations.0002_seed_skills")
    trades = importlib.import_module("tongchou.jobs.migrations.0002_trade_skills")
    for order, (code, name, name_en) in enumerate(talent.SKILLS + trades.TRADES, start=1):
        Skill.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )


# County A's seat, and a place ~11 km north of it; county B's seat ~40 km away.
A_POINT = (39.015, 106.384)
NEAR_A = (39.115, 106.384)
B_POINT = (39.232, 106.775)


def jobs_world():
    ensure_skills()
    w = build_world()
    w.bureau = AllianceUnit.objects.create(
        name="甲县人社局", kind="department", organization=w.a.county, org_path=w.a.county.path
    )
    w.bureau_b = AllianceUnit.objects.create(
        name="乙县人社局", kind="department", organization=w.b.county, org_path=w.b.county.path
    )
    w.bureau_staff = UserFactory(username="bureau_staff")
    w.bureau.staff.add(w.bureau_staff)
    w.bureau_b_staff = UserFactory(username="bureau_b_staff")
    w.bureau_b.staff.add(w.bureau_b_staff)
    # An enterprise's own branch in street A.
    from tongchou.core.tests.factories import OrganizationFactory
    from tongchou.organizations.models import OrgKind

    company = Unit.objects.create(
        name="甲装备制造公司", kind=UnitKind.ENTERPRISE, region=w.a.street_region
    )
    w.enterprise = OrganizationFactory(
        name="甲装备制造公司党支部",
        kind=OrgKind.BRANCH,
        parent=w.a.street,
        region=w.a.street_region,
        units=[company],
    )
    w.today = dt.date.today()
    return w


def make_opening(w, *, unit=None, actor=None, **values):
    from tongchou.jobs import services

    args = {
        "title": "电工",
        "region": w.a.street_region,
        "pay_min": 4000,
        "pay_max": 6000,
        "skills": ["electrician"],
        "positions": 2,
        "first_day": w.today,
        "last_day": w.today + dt.timedelta(days=180),
        "lat": A_POINT[0],
        "lon": A_POINT[1],
    }
    args.update(values)
    if "employer" not in args:
        args["unit"] = unit or w.bureau
    return services.opening_create(actor=actor or w.root, **args)


def make_seeker(w, *, village=None, actor=None, **values):
    from tongchou.jobs import services

    args = {
        "organization": village or w.a.village,
        "name": "李师傅",
        "phone": "13512345678",
        "kinds": ["returned_migrant"],
        "skills": ["electrician"],
        "max_km": 30,
        "lat": NEAR_A[0],
        "lon": NEAR_A[1],
        "available_from": w.today,
        "consent_on": w.today,
    }
    args.update(values)
    return services.seeker_register(actor=actor or w.root, **args)


@pytest.fixture
def world(db):
    return jobs_world()
