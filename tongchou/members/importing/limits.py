"""What one import may make the worker do, whatever the file claims.

A spreadsheet is a program's description of itself: an .xlsx says how big its sheet is (the
``dimension``), how large each packed part is, how many strings it shares. None of that is
trusted. A file is read only as far as the import needs it (the columns it knows, the rows that
hold data), and every run carries a ``Budget``: data rows, seconds, bytes unpacked from a zip,
shared strings. The first cap reached stops the run with a clear error naming the cap, and —
imports being all or nothing — nothing is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from tongchou.core.errors import ApplicationError

# Caps that are properties of the formats, not of a deployment.
MAX_COLUMNS = 200  # cells further right are never read (a roster has 10–40 columns)
MAX_ZIP_ENTRIES = 1000  # an .xlsx has 10–30 parts
MAX_RATIO = 100  # unpacked ÷ packed for a part over RATIO_FLOOR (real sheets: 4–20)
RATIO_FLOOR = 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024  # one CSV line (a roster's are under 1 KB)
MAX_XLS_BYTES = 64 * 1024 * 1024  # an .xls holds ≤ 65,536 rows: a full roster is ~15 MB
HEARTBEAT_EVERY = 5.0  # seconds


def file_error(code: str, message: str, **extra) -> ApplicationError:
    return ApplicationError(code, message, field="file", extra=extra)


@dataclass
class Budget:
    """The caps of one run, and what it has used. ``tick()`` is called from every loop that
    reads or checks rows: it enforces the time cap and beats ``heartbeat`` (the job's
    liveness) every few seconds."""

    max_rows: int = field(default_factory=lambda: settings.IMPORT_MAX_ROWS)
    max_seconds: float = field(default_factory=lambda: settings.IMPORT_MAX_SECONDS)
    max_unzipped: int = field(default_factory=lambda: settings.IMPORT_MAX_UNZIPPED_BYTES)
    heartbeat: Callable[[], object] | None = None
    started: float = field(default_factory=time.monotonic)
    unzipped: int = 0  # bytes unpacked so far
    cells: int = 0  # cells kept (read into memory) so far, for tests and the bench

    @property
    def max_shared_strings(self) -> int:
        # A roster shares at most a few strings a row (names, numbers, labels).
        return 4 * self.max_rows + 10_000

    def __post_init__(self) -> None:
        self._beaten = self.started

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.started > self.max_seconds:
            raise file_error(
                "import_too_slow",
                _("导入超过了允许的时间（%(minutes)s分钟），已停止，未导入任何数据。")
                % {"minutes": f"{self.max_seconds / 60:g}"}
                + _("请把文件分成几个较小的文件分别导入。"),
                cap="seconds",
            )
        if self.heartbeat is not None and now - self._beaten >= HEARTBEAT_EVERY:
            self._beaten = now
            self.heartbeat()

    def unzip(self, size: int) -> None:
        """Count ``size`` more bytes unpacked; refuse past the cap."""
        self.unzipped += size
        if self.unzipped > self.max_unzipped:
            raise self.too_large()

    def may_unzip(self, size: int) -> None:
        """Refuse, before unpacking anything, a part that declares more than is left."""
        if self.unzipped + size > self.max_unzipped:
            raise self.too_large()

    def too_large(self):
        return file_error(
            "xlsx_too_large",
            _("该 .xlsx 文件解压后超过%(limit)s MB，超出允许的大小，未导入任何数据。")
            % {"limit": f"{self.max_unzipped / 1024**2:,.0f}"}
            + _("请把文件分成几个较小的文件分别导入。"),
            cap="unzipped",
        )

    def too_many_rows(self, message: str | None = None) -> ApplicationError:
        """``message`` names what the rows are (``ColumnSpec.too_many_rows``), member rows
        when not given."""
        if message is None:
            message = _("文件超过%(limit)s行党员数据，超出一次导入允许的行数，未导入任何数据。")
        return file_error(
            "too_many_rows",
            str(message) % {"limit": f"{self.max_rows:,}"}
            + _("请把文件分成几个较小的文件分别导入。"),
            cap="rows",
        )
