"""Import jobs: an uploaded file, run by the task worker, with progress the page polls.

A job's life: queued → validating → writing → done, or failed at any point. The uploaded file
holds ID numbers in the clear; it is deleted as soon as the job ends, however it ends.

A worker can die mid-run (killed, out of memory, the machine restarted). Its job would then say
"writing" forever with the file on disk. So a running job records which worker holds it
(``host:pid``) and beats a heartbeat while it reads and checks rows; ``import_jobs_sweep`` —
run when a worker starts (``manage.py worker``), before every upload, and hourly from cron —
fails at once the jobs of a worker on this host that is gone, and anywhere the jobs whose
heartbeat stopped ``IMPORT_STALE_MINUTES`` ago, deleting their files. A run that finishes after
its job was given up cannot commit: the job's "done" is written in the import's own
transaction, only if the job is still the run's.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongchou.core import audit, crypto
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.members.importing.formats import SPREADSHEET_SUFFIXES, unsupported_format
from tongchou.members.importing.limits import Budget, file_error
from tongchou.members.importing.reading import read_rows
from tongchou.members.importing.service import members_import
from tongchou.members.importing.spreadsheets import annotated_report_xlsx
from tongchou.members.models import ImportJob, ImportReport, ImportStatus
from tongchou.members.services import check_organization_accepts_members
from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, can, scope_for

logger = logging.getLogger(__name__)

IMPORT_SUFFIXES = SPREADSHEET_SUFFIXES
RUNNING = (ImportStatus.VALIDATING, ImportStatus.WRITING)
# A queued job no worker has taken for this long is given up (no worker is running).
STALE_AFTER = dt.timedelta(hours=24)


def check_upload(upload) -> str:
    """Refuse an uploaded file that is of another format, empty or too large; return its bare
    name. Every upload path (page, API, queued or not) goes through this."""
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise unsupported_format(suffix)
    if upload.size == 0:
        raise file_error("empty_file", _("文件是空的。"))
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise file_error(
            "file_too_large",
            _("文件太大（%(size)s），导入文件不能超过%(limit)s。请分成几个文件导入。")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.IMPORT_MAX_BYTES),
            },
        )
    return name


def import_job_create(*, actor, upload, default_org: Organization | None = None) -> ImportJob:
    """Store the uploaded file and queue its import (``members.tasks.run_import``) once the
    job row is committed. Refuses files that are empty, too large or of another format."""
    if not can(actor, Action.MANAGE_MEMBERS):
        raise PermissionDenied
    if default_org is not None:
        if not can(actor, Action.MANAGE_MEMBERS, default_org.path):
            raise PermissionDenied
        check_organization_accepts_members(default_org)
    name = check_upload(upload)
    import_jobs_sweep()
    job = ImportJob.objects.create(
        file=upload,
        filename=name[:255],
        created_by=actor,
        default_org=default_org,
        org_path=default_org.path if default_org is not None else "",
    )
    # The worker writes the job's messages as text: in the uploader's language, not its own.
    language = translation.get_language()
    transaction.on_commit(lambda: _enqueue(job.pk, language))
    return job


def _enqueue(job_id: int, language: str | None) -> None:
    from tongchou.members.tasks import run_import

    run_import.enqueue(job_id, language=language)


def worker_name() -> str:
    """This process, as a running job records it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _worker_gone(worker: str) -> bool:
    """Is the process named ``host:pid`` on this host and no longer running? (Another host's
    processes cannot be seen from here: their jobs go stale by heartbeat.)"""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class _JobProgress:
    """Progress and heartbeat of a running job, written to its row (autocommit) while the
    rows are read and checked, a few times a second at most. While writing, the rows are
    inside the import's transaction: the job says "writing" until it commits."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.writing = False
        self.last = 0.0

    def _update(self, **fields) -> None:
        ImportJob.objects.filter(pk=self.job_id, status__in=RUNNING).update(
            heartbeat_at=timezone.now(), **fields
        )

    def beat(self) -> None:
        if not self.writing:
            self._update()

    def phase(self, name: str) -> None:
        if name == "writing":
            self._update(status=ImportStatus.WRITING, updated_at=timezone.now())
            self.writing = True

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.writing or now - self.last < 0.5:
            return
        self.last = now
        self._update(done=done, total=max(total, done))


class _GivenUp(Exception):
    """The job was failed by a sweep while this run was still writing: undo the rows."""


def import_job_run(*, job_id: int) -> None:
    """Run one queued job; a job already started or finished is left alone (idempotent)."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, updated_at=now, heartbeat_at=now, worker=worker_name()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by", "default_org").get(pk=job_id)
    tracker = _JobProgress(job_id)
    budget = Budget(heartbeat=tracker.beat)
    rows = None
    try:
        if job.created_by is None or not job.created_by.is_active:
            raise PermissionDenied
        with job.file.open("rb") as fileobj:
            rows = read_rows(fileobj, job.filename, budget=budget)
            ImportJob.objects.filter(pk=job_id).update(total=rows.total, notices=rows.notices)
            result = members_import(
                actor=job.created_by,
                rows=rows,
                default_org=job.default_org,
                progress=tracker.progress,
                phase=tracker.phase,
                before_commit=lambda created: _done_with_the_rows(job_id, rows, created),
            )
            report = _annotated_report(job, fileobj, rows, result.errors)
    except _GivenUp:
        logger.warning("member import job %s was given up while writing: rolled back", job_id)
        return
    except ApplicationError as exc:
        _finish(job, status=ImportStatus.FAILED, message=str(exc.message), rows=rows)
    except PermissionDenied:
        _finish(
            job,
            status=ImportStatus.FAILED,
            message=_("您没有权限向所选党组织导入党员。"),
            rows=rows,
        )
    except Exception:
        logger.exception("member import job %s failed", job_id)
        _finish(job, status=ImportStatus.FAILED, message=_("导入时发生意外错误，未导入任何数据。"))
        raise
    else:
        if result.errors:
            _finish(
                job,
                status=ImportStatus.FAILED,
                total=result.total,
                errors=result.errors,
                rows=rows,
                report=report,
                message=_("发现%(n)s处错误，未导入任何数据。请修改后重新上传。")
                % {"n": len(result.errors)},
            )
        else:
            _delete_upload(job)


def _done_with_the_rows(job_id: int, rows, created: int) -> None:
    """Inside the import's transaction, after the rows: the job is done — if it is still this
    run's. A sweep that gave it up meanwhile wins, and the rows are rolled back."""
    now = timezone.now()
    marked = ImportJob.objects.filter(
        pk=job_id, status=ImportStatus.WRITING, worker=worker_name()
    ).update(
        status=ImportStatus.DONE,
        total=created,
        done=created,
        created_count=created,
        message=_("已导入%(n)s名党员。") % {"n": created},
        notices=rows.notices,
        finished_at=now,
        updated_at=now,
        heartbeat_at=now,
    )
    if not marked:
        raise _GivenUp


def _annotated_report(job: ImportJob, fileobj, rows, errors) -> bytes | None:
    """The uploaded file with its errors beside each row (for row errors only), encrypted."""
    if not errors or not any(e.row for e in errors):
        return None
    try:
        fileobj.seek(0)
        content = annotated_report_xlsx(fileobj, job.filename, errors, rows.layout.header_row)
    except ApplicationError:
        return None
    return None if content is None else crypto.encrypt_bytes(content)


def _delete_upload(job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).exclude(file="").update(file="")


def _finish(
    job: ImportJob, *, status, message="", total=None, errors=(), rows=None, report=None
) -> bool:
    """Record the outcome of a job still running and delete the uploaded file (it holds ID
    numbers in the clear). False when the job had already ended (a sweep, another run)."""
    stored = [[e.row, e.column, e.message] for e in errors[: ImportJob.MAX_STORED_ERRORS]]
    fields = {
        "status": status,
        "message": message[:500],
        "created_count": 0,
        "error_count": len(errors),
        "errors": stored,
        "file": "",
        "finished_at": timezone.now(),
        "updated_at": timezone.now(),
    }
    if rows is not None:
        fields["notices"] = rows.notices
    if total is not None:
        fields.update(total=total, done=total)
    with transaction.atomic():
        ended = ImportJob.objects.filter(
            pk=job.pk, status__in=[ImportStatus.QUEUED, *RUNNING]
        ).update(**fields)
        if ended and report is not None:
            ImportReport.objects.update_or_create(job_id=job.pk, defaults={"content": report})
    if job.file:
        job.file.delete(save=False)
    return bool(ended)


def import_jobs_sweep(*, older_than: dt.timedelta = STALE_AFTER) -> int:
    """Fail the jobs no worker will finish, and delete their files (ID numbers in the clear):

    - running on a worker of this host that is gone (killed, crashed, the machine restarted):
      at once;
    - running with no heartbeat for ``IMPORT_STALE_MINUTES`` (a worker elsewhere died);
    - queued for ``older_than`` (no worker is running).

    Also deletes error-annotated files older than ``ImportReport.KEEP_DAYS``. Run when a worker
    starts, before every upload and hourly from cron; returns how many jobs it closed. A
    database too busy to answer (SQLite while an import writes) is left for the next sweep."""
    try:
        return _sweep(older_than)
    except DatabaseError:
        logger.warning("import sweep skipped: database busy", exc_info=True)
        return 0


def _sweep(older_than: dt.timedelta) -> int:
    now = timezone.now()
    stale_beat = now - dt.timedelta(minutes=settings.IMPORT_STALE_MINUTES)
    closed = 0
    running = ImportJob.objects.filter(status__in=RUNNING).only(
        "pk", "file", "worker", "heartbeat_at", "updated_at", "status"
    )
    for job in running:
        beat = job.heartbeat_at or job.updated_at
        if _worker_gone(job.worker):
            why = _(
                "导入中断：处理导入的后台进程已停止（可能是服务器重启或内存不足），"
                "未导入任何数据，上传的文件已删除。请重新上传。"
            )
        elif beat < stale_beat:
            why = _(
                "导入中断：处理导入的后台进程已有%(n)s分钟没有响应，"
                "未导入任何数据，上传的文件已删除。请重新上传。"
            ) % {"n": settings.IMPORT_STALE_MINUTES}
        else:
            continue
        closed += _finish(job, status=ImportStatus.FAILED, message=why)
    queued = ImportJob.objects.filter(status=ImportStatus.QUEUED, updated_at__lt=now - older_than)
    for job in queued.only("pk", "file"):
        closed += _finish(
            job,
            status=ImportStatus.FAILED,
            message=_(
                "导入未能在规定时间内开始（后台任务进程可能没有运行），已取消，"
                "未导入任何数据，上传的文件已删除。请重新上传。"
            ),
        )
    expired = now - dt.timedelta(days=ImportReport.KEEP_DAYS)
    ImportReport.objects.filter(created_at__lt=expired).delete()
    return closed


def import_report_exists(job: ImportJob) -> bool:
    return ImportReport.objects.filter(job_id=job.pk).exists()


def import_report_download(*, actor, job: ImportJob) -> bytes:
    """The error-annotated file of a job the caller may see (``import_job_get_for``), decrypted,
    the download audited like an unmasked export (it holds ID numbers in the clear). 404 when
    there is none (never made, or deleted after ``ImportReport.KEEP_DAYS``)."""
    report = ImportReport.objects.filter(job_id=job.pk).only("content").first()
    if report is None:
        raise Http404
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=ImportJob._meta.label_lower,
        object_id=str(job.pk),
        object_repr=_("导入错误标注文件：%(name)s") % {"name": job.filename},
        org_path=job.org_path or _scope_root(actor),
        note="import error report (ID numbers in the clear)",
    )
    return crypto.decrypt_bytes(bytes(report.content))


def _scope_root(actor) -> str:
    """Where an event about an import without a default organization is filed: the top of the
    actor's member scope (so the admins responsible for it can read it)."""
    paths = scope_for(actor, Action.MANAGE_MEMBERS).paths
    return paths[0] if len(paths) == 1 else ""
