"""Members in motion for the demo: mobile members and stations, transfers in every state,
organizational life with attendance, study records and trainings, shared resources and their
bookings.

Each app writes its own demo data through its services (``tongchou/<app>/demo.py``,
``populate(*, today, rng) -> counts``); this runs them in dependency order, each in its own
transaction, after the foundation demo is there. Each is idempotent, so ``make demo`` on a
database loaded before these apps existed fills them in, and a second run changes nothing.
"""

import random

from django.db import transaction
from django.utils import timezone

from tongchou.education import demo as education_demo
from tongchou.jobs import demo as jobs_demo
from tongchou.linkage import demo as linkage_demo
from tongchou.mobility import demo as mobility_demo
from tongchou.orglife import demo as orglife_demo
from tongchou.pairing import demo as pairing_demo
from tongchou.resources import demo as resources_demo
from tongchou.service import demo as service_demo
from tongchou.talent import demo as talent_demo
from tongchou.transfers import demo as transfers_demo

STEPS = (
    ("流动党员与党员服务站", mobility_demo.populate),
    ("组织关系转接", transfers_demo.populate),
    ("组织生活", orglife_demo.populate),
    ("党员教育", education_demo.populate),
    ("资源共享", resources_demo.populate),
    ("产销对接", linkage_demo.populate),
    ("城乡人才", talent_demo.populate),
    ("群众诉求与服务联盟", service_demo.populate),
    # Pairs read the sessions, bookings, trainings and exchanges made above (and a step
    # appended keeps every earlier step's seed).
    ("结对共建", pairing_demo.populate),
    # Jobs after the pairs: a step appended keeps every earlier step's seed.
    ("就业平台", jobs_demo.populate),
    ("城市服务代办站", service_demo.populate_proxy),
    ("乡村特产展销点", linkage_demo.populate_outlets),
)


def populate_motion(*, seed: int, progress=None) -> dict[str, int]:
    progress = progress or (lambda message: None)
    today = timezone.localdate()
    counts: dict[str, int] = {}
    for index, (label, populate) in enumerate(STEPS):
        # One generator per step, so each step's data does not depend on the others' draws.
        rng = random.Random(seed * 100 + index)
        with transaction.atomic():
            step = populate(today=today, rng=rng)
        counts.update(step)
        if step:
            progress(f"{label}：" + "，".join(f"{k} {v}" for k, v in step.items()))
    return counts
