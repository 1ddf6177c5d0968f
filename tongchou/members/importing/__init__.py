"""Member import: a file → rows → every row validated → all or nothing written.

``read_rows`` turns an .xlsx or .csv file into ``(row number, {column key: text})``; it checks
the size, the encoding and the header row up front. ``members_import`` validates every row with
the one rule set (``members.rules.check_member``) plus what only the database knows (organization
codes, scope, duplicate ID numbers, region codes), collects every error by row and column, and
writes nothing unless there are none; then it writes every row in one transaction, with raw SQL
(PostgreSQL COPY, SQLite ``executemany``) because a million rows must take seconds, not minutes.

The hot loop builds no forms and no model instances: values are mapped through dictionaries,
dates parsed once per distinct string, ID numbers hashed and encrypted with the bulk helpers of
``core.crypto`` (same output as ``encrypt`` / ``lookup_hash``).

The package, by concern: ``reading`` (columns, files → rows), ``values`` (dates and labels as
typed), ``validating`` (the per-row checks and the database checks), ``writing`` (COPY /
``executemany`` and the audit event), ``service`` (``members_import``), ``jobs`` (queued
uploads) and ``spreadsheets`` (the template and the error report). Everything is imported from
here, as before the split.
"""

from tongchou.members.importing.jobs import (
    IMPORT_SUFFIXES,
    STALE_AFTER,
    check_upload,
    import_job_create,
    import_job_run,
    import_jobs_sweep,
)
from tongchou.members.importing.reading import (
    COLUMNS,
    HEADERS,
    REQUIRED_COLUMNS,
    RowReader,
    read_rows,
)
from tongchou.members.importing.service import ImportResult, members_import
from tongchou.members.importing.spreadsheets import error_report_xlsx, import_template_xlsx
from tongchou.members.importing.validating import PROGRESS_EVERY, RowError
from tongchou.members.importing.values import allowed_values
from tongchou.members.importing.writing import SQLITE_IMPORT_CACHE_KIB

# Private names read from outside the package: bench/worker.py reads the written columns, a
# test calls the row validation on its own.
from tongchou.members.importing.validating import _validate_rows as _validate_rows  # isort: skip
from tongchou.members.importing.writing import _WRITE_COLUMNS as _WRITE_COLUMNS  # isort: skip

__all__ = [
    "COLUMNS",
    "HEADERS",
    "IMPORT_SUFFIXES",
    "PROGRESS_EVERY",
    "REQUIRED_COLUMNS",
    "SQLITE_IMPORT_CACHE_KIB",
    "STALE_AFTER",
    "ImportResult",
    "RowError",
    "RowReader",
    "allowed_values",
    "check_upload",
    "error_report_xlsx",
    "import_job_create",
    "import_job_run",
    "import_jobs_sweep",
    "import_template_xlsx",
    "members_import",
    "read_rows",
]
