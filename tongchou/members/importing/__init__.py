"""Member import: a file → rows → every row validated → all or nothing written.

``read_rows`` turns an .xlsx, .xls/.et or .csv file into ``(row number, {column key: text})``:
it tells the file's kind by its content, finds the header row under any title rows, maps the
usual names of each column, and reads no more of the file than the import needs, within the
caps of a ``Budget`` (rows, time, unpacked bytes). ``members_import`` validates every row with
the one rule set (``members.rules.check_member``) plus what only the database knows (organization
codes, scope, duplicate ID numbers, region codes), collects every error by row and column, and
writes nothing unless there are none; then it writes every row in one transaction, with raw SQL
(PostgreSQL COPY, SQLite ``executemany``) because a million rows must take seconds, not minutes.

The hot loop builds no forms and no model instances: values are mapped through dictionaries,
dates parsed once per distinct string, ID numbers hashed and encrypted with the bulk helpers of
``core.crypto`` (same output as ``encrypt`` / ``lookup_hash``).

The package, by concern: ``columns`` (the columns, their names, finding the header),
``formats`` (what a file is; CSV and .xls readers), ``xlsx`` (the .xlsx reader that trusts
nothing the file says), ``limits`` (the caps), ``reading`` (files → rows), ``values`` (dates and
labels as typed), ``validating`` (the per-row checks and the database checks), ``writing`` (COPY
/ ``executemany`` and the audit event), ``service`` (``members_import``), ``jobs`` (queued
uploads, heartbeats, the sweep) and ``spreadsheets`` (the template and the error reports).
Everything is imported from here. Other importers read their files with ``read_table`` and a
``ColumnSpec`` of their own (and ``check_upload``, ``Budget``, ``parse_date``): one reader.
"""

from tongchou.members.importing.columns import EXAMPLE_ID_NUMBER, ColumnSpec
from tongchou.members.importing.jobs import (
    IMPORT_SUFFIXES,
    STALE_AFTER,
    check_upload,
    import_job_create,
    import_job_run,
    import_jobs_sweep,
    import_report_download,
    import_report_exists,
    worker_name,
)
from tongchou.members.importing.limits import Budget
from tongchou.members.importing.reading import (
    COLUMNS,
    HEADERS,
    REQUIRED_COLUMNS,
    RowReader,
    read_rows,
    read_table,
)
from tongchou.members.importing.service import ImportResult, members_import
from tongchou.members.importing.spreadsheets import (
    annotated_report_xlsx,
    error_report_xlsx,
    import_template_xlsx,
)
from tongchou.members.importing.validating import PROGRESS_EVERY, RowError
from tongchou.members.importing.values import (
    AMBIGUOUS_MONTH,
    BAD_DATE,
    MonthDate,
    allowed_values,
    parse_date,
)
from tongchou.members.importing.writing import SQLITE_IMPORT_CACHE_KIB

# Private names read from outside the package: bench/worker.py reads the written columns, a
# test calls the row validation on its own.
from tongchou.members.importing.validating import _validate_rows as _validate_rows  # isort: skip
from tongchou.members.importing.writing import _WRITE_COLUMNS as _WRITE_COLUMNS  # isort: skip

__all__ = [
    "AMBIGUOUS_MONTH",
    "BAD_DATE",
    "COLUMNS",
    "EXAMPLE_ID_NUMBER",
    "HEADERS",
    "IMPORT_SUFFIXES",
    "PROGRESS_EVERY",
    "REQUIRED_COLUMNS",
    "SQLITE_IMPORT_CACHE_KIB",
    "STALE_AFTER",
    "Budget",
    "ColumnSpec",
    "ImportResult",
    "MonthDate",
    "RowError",
    "RowReader",
    "allowed_values",
    "annotated_report_xlsx",
    "check_upload",
    "error_report_xlsx",
    "import_job_create",
    "import_job_run",
    "import_jobs_sweep",
    "import_report_download",
    "import_report_exists",
    "import_template_xlsx",
    "members_import",
    "parse_date",
    "read_rows",
    "read_table",
    "worker_name",
]
