"""Two people registering the same member at once: exactly one spell (PostgreSQL only; SQLite
serializes writers, so there is no race to test)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from tongchou.core.errors import ApplicationError
from tongchou.mobility import services
from tongchou.mobility.models import MobileMember

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks"),
]


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_outflow_and_inflow_at_once_make_one_spell(m):
    def outflow():
        services.outflow_register(
            actor=m.secretary_v, member=m.m1, destination_region=m.street_b_r,
            since=dt.date(2024, 3, 1), reason="work",
        )  # fmt: skip

    def inflow():
        services.inflow_register(
            actor=m.staff_b, station=m.station_b, id_number=m.m1.id_number,
            since=dt.date(2024, 3, 5), reason="work",
        )  # fmt: skip

    outcomes = _race([outflow, outflow, inflow])
    # Whichever came first opened the spell; the inflow either linked to it or opened it.
    assert MobileMember.objects.filter(member=m.m1, status="open").count() == 1
    assert outcomes.count("already_mobile") >= 1
