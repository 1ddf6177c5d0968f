"""Writing audit events. Services call ``record``; nothing else writes the table.

One change is one event. A change that concerns several organizations (a member moving from
one to another, a mobile member's home and inflow sides) is still one event, filed under each
of them: ``org_path`` and ``also_paths``."""

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models

from tongchou.core.models import AuditAction, AuditEvent, AuditEventPath


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The listed fields' current values, JSON-safe (foreign keys as their ids)."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        data[name] = _jsonable(getattr(obj, field.attname))
    return data


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org_path: str = "",
    also_paths: Iterable[str] = (),
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """Record one change. ``also_paths``: further organizations the change concerns (the
    event is listed in their audit log too)."""
    paths = [p for p in dict.fromkeys([org_path, *also_paths]) if p]
    org_path = paths[0] if paths else ""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    event = AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        org_path=org_path,
        before=before,
        after=after,
        note=note[:255],
    )
    if len(paths) > 1:
        AuditEventPath.objects.bulk_create(AuditEventPath(event=event, path=p) for p in paths[1:])
    return event


def record_update(
    *,
    actor,
    obj: models.Model,
    org_path: str,
    before: dict,
    after: dict,
    also_paths: Iterable[str] = (),
    note: str = "",
) -> AuditEvent | None:
    """An update event with only the keys whose values changed; none when nothing did."""
    old, new = changed(before, after)
    if not new:
        return None
    return record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=obj,
        org_path=org_path,
        also_paths=also_paths,
        before=old,
        after=new,
        note=note,
    )


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, for compact update events."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
