"""The audit log as people read it: names instead of ids, labels instead of codes.

An event's ``before``/``after`` keys are whatever its service wrote: usually a model's field
names, sometimes the name of a relation seen from the other side (``attendance`` on a session,
``member`` on a login), a field reached through a relation (``member__status`` on a mobility
spell: the member's status, which follows the spell) or a key of the service's own (``path``).
Every key gets a label — the field's, the related model's for a reverse relation, both joined
for a field through a relation, the key itself otherwise — and never an error (``label_of``:
the page once failed on a reverse relation, which has no verbose name).

Names are resolved for a whole page at once: the events' organizations (by path) and, for keys
that are foreign keys, the objects they name — one query per kind of object named, whatever
the number of events.
"""

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tongchou.core.models import AuditEvent, AuditEventPath
from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, scope_for

EMPTY = (None, "", [], {})


def audit_event_list_for(user) -> QuerySet[AuditEvent]:
    """Events filed under any organization of the user's audit scope (superuser: all)."""
    scope = scope_for(user, Action.VIEW_AUDIT)
    events = AuditEvent.objects.select_related("actor")
    if scope.everything:
        return events
    if scope.is_empty:
        return events.none()
    also = AuditEventPath.objects.filter(scope.q("path")).values("event_id")
    return events.filter(scope.q("org_path") | Q(pk__in=also))


def model_of(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def field_of(model, key: str):
    """The model's field or relation named ``key`` (``a__b``: field ``b`` of what relation
    ``a`` names), or None."""
    if model is None:
        return None
    head, _sep, rest = key.partition("__")
    try:
        found = model._meta.get_field(head)
    except Exception:  # noqa: BLE001 - keys need not be fields (FieldDoesNotExist, odd names)
        return None
    if not rest:
        return found
    return field_of(getattr(found, "related_model", None), rest)


def label_of(model, key: str) -> str:
    found = field_of(model, key)
    if found is None:
        return key
    head, _sep, rest = key.partition("__")
    if rest:  # a field through a relation: "党员 · 状态"
        related = field_of(model, head).related_model
        return f"{label_of(model, head)} · {label_of(related, rest)}"
    if isinstance(found, models.ForeignObjectRel):  # a relation seen from the other side
        return str(found.related_model._meta.verbose_name)
    return str(getattr(found, "verbose_name", key))


def _reference_model(found):
    """The model a forward foreign key, one-to-one or many-to-many field names (None for
    anything else)."""
    if isinstance(found, models.ForeignKey | models.ManyToManyField):  # OneToOne: a ForeignKey
        return found.related_model
    return None


def _ids(value) -> list[int]:
    """The ids a stored reference holds: one (an int or digits) or a list of them."""
    values = value if isinstance(value, list) else [value]
    found = []
    for v in values:
        if isinstance(v, bool):
            continue
        if isinstance(v, int) or (isinstance(v, str) and v.isdigit()):
            found.append(int(v))
    return found


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class EventRow:
    event: AuditEvent
    actor: str
    organization: str
    object_label: str
    changes: list[Change] = field(default_factory=list)


def _display(found, value, names: dict) -> str:
    if value in EMPTY:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    target = _reference_model(found)
    if target is not None:
        ids = _ids(value)
        if not ids:
            return _text(value)
        return "、".join(names.get((target, pk)) or f"#{pk}" for pk in ids)
    choices = dict(found.flatchoices) if isinstance(found, models.Field) and found.choices else {}
    if choices:
        if isinstance(value, list):
            return "、".join(str(choices.get(v, v)) for v in value)
        if not isinstance(value, dict) and value in choices:
            return str(choices[value])
    return _text(value)


def _referenced(events: list[AuditEvent], viewer) -> dict:
    """(model, pk) → name of every object the events' foreign-key values name: one query per
    model referenced. Records kept under an organization (``org_path``: members, spells …) are
    named only within the viewer's scope; others keep their number, as before."""
    wanted: dict = {}
    for event in events:
        model = model_of(event.object_type)
        for data in (event.before, event.after):
            if not isinstance(data, dict):
                continue
            for key, value in data.items():
                target = _reference_model(field_of(model, key))
                if target is not None:
                    wanted.setdefault(target, set()).update(_ids(value))
    names = {}
    for target, pks in wanted.items():
        if not pks:
            continue
        objects = target._default_manager.filter(pk__in=pks)
        if any(f.name == "org_path" for f in target._meta.concrete_fields):
            objects = objects.filter(scope_for(viewer, Action.VIEW_MEMBERS).q("org_path"))
        for obj in objects:
            names[(target, obj.pk)] = _object_name(obj)
    return names


def _object_name(obj) -> str:
    if hasattr(obj, "get_username"):
        full = obj.get_full_name()
        return f"{obj.get_username()}（{full}）" if full else obj.get_username()
    return str(obj)


def _actor(user) -> str:
    return _object_name(user) if user is not None else "—"


def describe(events: list[AuditEvent], viewer) -> list[EventRow]:
    """The page's rows: a fixed number of queries whatever the number of events."""
    paths = {e.org_path for e in events if e.org_path}
    orgs = dict(Organization.objects.filter(path__in=paths).values_list("path", "name"))
    names = _referenced(events, viewer)
    rows = []
    for event in events:
        model = model_of(event.object_type)
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        changes = []
        for key in dict.fromkeys([*before, *after]):
            old, new = before.get(key), after.get(key)
            if old in EMPTY and new in EMPTY:
                continue
            found = field_of(model, key)
            changes.append(
                Change(
                    label_of(model, key), _display(found, old, names), _display(found, new, names)
                )
            )
        rows.append(
            EventRow(
                event=event,
                actor=_actor(event.actor),
                organization=orgs.get(event.org_path, ""),
                object_label=str(model._meta.verbose_name) if model else event.object_type,
                changes=changes,
            )
        )
    return rows
