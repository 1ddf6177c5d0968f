"""Many people booking one slot at the same moment, each on their own database connection:
exactly one booking holds it, every other attempt gets ``slot_taken`` (409).

PostgreSQL only here, as the project's other races (tongchou/transfers/tests/test_concurrency.py):
the suite's SQLite database is in memory with a shared cache, whose locks do not wait; the race
on a SQLite file, from 8 connections, is test_race_sqlite. The second test writes around the
service (no lock, no check): the exclusion constraint alone decides."""

import threading

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction

from tests.world import build_world
from tongchou.core.errors import ApplicationError
from tongchou.resources.models import Booking, BookingState
from tongchou.resources.tests.factories import at, book, make_room, workday

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the SQLite race runs on a file database in test_race_sqlite",
    ),
]


def race(n: int, attempt) -> list:
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=20)
            attempt(i)
            outcomes[i] = "held"
        except ApplicationError as exc:
            outcomes[i] = exc.code
        except IntegrityError:
            outcomes[i] = "integrity"
        except OperationalError as exc:
            # Two inserts checking the exclusion constraint at once may each wait for the
            # other's transaction: PostgreSQL refuses one of them as a deadlock.
            outcomes[i] = "deadlock" if "deadlock" in str(exc) else "operational"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_many_parallel_attempts_on_one_slot_exactly_one_holds():
    world = build_world()
    room = make_room(world, auto_confirm=False)
    day = workday()
    actors = [(world.secretary_a, world.a.village), (world.admin_b, world.b.village)]

    def attempt(i):
        actor, org = actors[i % 2]
        # Slightly different times, all overlapping 14:00–15:00.
        book(world, room, actor=actor, org=org, day=day, start=(13, i % 3 * 10), end=(15, 0))

    outcomes = race(12, attempt)
    assert outcomes.count("held") == 1, outcomes
    assert set(outcomes) == {"held", "slot_taken"}, outcomes
    assert Booking.objects.filter(resource=room, state=BookingState.REQUESTED).count() == 1


def test_the_constraint_alone_refuses_overlaps_written_around_the_service():
    world = build_world()
    room = make_room(world)
    template = book(world, room)
    Booking.objects.filter(pk=template.pk).update(state=BookingState.CANCELLED)
    day = workday()

    def attempt(i):
        copy = Booking.objects.get(pk=template.pk)
        copy.pk = None
        copy.state = BookingState.CONFIRMED
        copy.block_start = at(day, 13, i)
        copy.block_end = at(day, 15, i)
        with transaction.atomic():
            copy.save()

    outcomes = race(8, attempt)
    assert outcomes.count("held") == 1, outcomes
    # Every other write refused by the constraint: a violation, or a deadlock between two
    # writers each waiting on the other's check (the service avoids those by locking the
    # resource row first, which is why its race above sees only slot_taken).
    assert outcomes.count("integrity") + outcomes.count("deadlock") == 7, outcomes
