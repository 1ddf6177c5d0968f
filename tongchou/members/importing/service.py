"""Importing: ``members_import``, every row validated, then all written or none."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongchou.members.importing import parallel
from tongchou.members.importing.reading import COLUMNS, HEADERS
from tongchou.members.importing.validating import (
    RowError,
    _check_against_database,
    _validate_rows,
)
from tongchou.members.importing.writing import _org_rows, _record_audit, _write
from tongchou.members.services import check_organization_accepts_members
from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, can, scope_for


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    total: int = 0  # data rows read
    notices: list[str] = field(default_factory=list)  # what the reader skipped or ignored

    @property
    def ok(self) -> bool:
        return not self.errors


def members_import(
    *,
    actor,
    rows: Iterable[tuple[int, dict[str, str]]],
    default_org: Organization | None = None,
    progress: Callable[[int, int], object] | None = None,
    phase: Callable[[str], object] | None = None,
    before_commit: Callable[[int], object] | None = None,
) -> ImportResult:
    """Validate every row; if all are valid write them all in one transaction, else nothing.

    ``rows`` are ``(row number, {column key: text})`` as ``read_rows`` yields them.
    ``default_org`` receives rows without an organization code. ``progress(done, total)`` is
    called every few thousand rows; ``phase("validating" | "writing")`` when a phase starts;
    ``before_commit(created)`` inside the write transaction, after the rows (it may raise to
    undo them: a job that was given up while writing). The caps of a ``RowReader``'s budget hold
    for the whole run. One audit event records the import (not one per row)."""
    if not can(actor, Action.MANAGE_MEMBERS):
        raise PermissionDenied
    if default_org is not None:
        scope = scope_for(actor, Action.MANAGE_MEMBERS)
        if not scope.covers(default_org.path):
            raise PermissionDenied
        check_organization_accepts_members(default_org)
    total = len(rows) if hasattr(rows, "__len__") else getattr(rows, "total", 0)  # type: ignore[arg-type]
    budget = getattr(rows, "budget", None)
    notices = list(getattr(rows, "notices", []))

    def report(done: int, total: int) -> None:
        if budget is not None:
            budget.tick()
        if progress is not None:
            progress(done, total)

    if phase:
        phase("validating")
    if parallel.worth_it(rows):
        with _gc_paused():
            result = parallel.members_import_parallel(
                actor=actor,
                rows=rows,
                default_org=default_org,
                report=report,
                phase=phase,
                before_commit=before_commit,
                result_type=ImportResult,
            )
        result.errors.sort(key=lambda e: (e.row, _COLUMN_ORDER.get(e.column, 99)))
        return result
    with _gc_paused():
        records, errors = _validate_rows(rows, default_org, total, report)
    n = len(records)
    if n == 0 and not errors:
        errors.append(RowError(0, "", _("文件中没有党员数据。")))
    notices = list(getattr(rows, "notices", notices))  # (the reader adds some while reading)
    errors.extend(_check_against_database(actor, records))
    report(n, n)
    if errors:
        errors.sort(key=lambda e: (e.row, _COLUMN_ORDER.get(e.column, 99)))
        return ImportResult(created=0, errors=errors, total=n, notices=notices)
    if phase:
        phase("writing")
    try:
        with transaction.atomic():
            orgs = _org_rows(records)
            with _gc_paused():
                _write(records, orgs, report)
            _record_audit(actor, records, orgs, getattr(rows, "filename", ""))
            if before_commit is not None:
                before_commit(n)
    except IntegrityError:
        # Someone registered one of these ID numbers between validation and writing.
        message = _("导入期间有相同身份证号的党员被登记，未导入任何数据，请重新导入。")
        return ImportResult(
            errors=[RowError(0, HEADERS["id_number"], message)], total=n, notices=notices
        )
    return ImportResult(created=n, errors=[], total=n, notices=notices)


_COLUMN_ORDER = {header: i for i, (_k, header) in enumerate(COLUMNS)}


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while a million rows are checked or written: they make
    no cycles, and every collection would walk all the records kept so far."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
