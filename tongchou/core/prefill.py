"""Records that take their place and time from another record (nothing typed twice).

A session of organizational life or a training can be held at a booked resource: its create
form opens with the booking's organization, place, time and purpose filled in, and once made the
record is linked to the booking so a later cancellation reaches its organizer. The apps that
make those records sit *below* the resources app, so they may not import it; instead the
resources app registers itself here (``register`` in its ``AppConfig.ready``) for each kind of
record it can fill, and the create views ask this registry.

A source answers three questions for one kind of record (``"orglife.session"``,
``"education.training"``):

* ``asked(request)``: the object the request names (``?booking=<id>``, kept on the POST), read
  through the caller's scope; ``None`` when it names none or one the caller may not use;
* ``initial(obj)``: the form's initial values taken from it (``organization`` as a code);
* ``organization(obj)``: the organization the record will belong to (the form offers its
  members);
* ``attach(actor=, obj=, record=)``: link the new record to it, in the create's transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Source:
    asked: Callable[[Any], Any]
    initial: Callable[[Any], dict]
    organization: Callable[[Any], Any]
    attach: Callable[..., None]


@dataclass(frozen=True)
class Prefill:
    """What one request asked for: the object and the source that knows it."""

    source: Source
    obj: Any

    def initial(self) -> dict:
        return self.source.initial(self.obj)

    @property
    def organization(self):
        return self.source.organization(self.obj)

    def attach(self, *, actor, record) -> None:
        self.source.attach(actor=actor, obj=self.obj, record=record)


SOURCES: dict[str, list[Source]] = {}


def register(kind: str, source: Source) -> None:
    """Offer ``source`` to the create form of ``kind`` (once per source and kind)."""
    sources = SOURCES.setdefault(kind, [])
    if source not in sources:
        sources.append(source)


def asked(kind: str, request) -> Prefill | None:
    """The first registered source that finds an object in ``request`` for a ``kind`` record."""
    for source in SOURCES.get(kind, []):
        obj = source.asked(request)
        if obj is not None:
            return Prefill(source=source, obj=obj)
    return None
