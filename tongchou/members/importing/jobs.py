"""Import jobs: an uploaded file, run by the task worker, with progress the page polls."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core.errors import ApplicationError
from tongchou.members.importing.reading import _file_error, read_rows
from tongchou.members.importing.service import members_import
from tongchou.members.models import ImportJob, ImportStatus
from tongchou.members.services import check_organization_accepts_members
from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, can

logger = logging.getLogger(__name__)

IMPORT_SUFFIXES = (".xlsx", ".csv")


def check_upload(upload) -> str:
    """Refuse an uploaded file that is of another format, empty or too large; return its bare
    name. Every upload path (page, API, queued or not) goes through this."""
    name = Path(upload.name or "").name
    if Path(name).suffix.lower() not in IMPORT_SUFFIXES:
        raise _file_error("unsupported_format", _("只支持 .xlsx 和 .csv 文件。"))
    if upload.size == 0:
        raise _file_error("empty_file", _("文件是空的。"))
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise _file_error(
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
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from tongchou.members.tasks import run_import

    run_import.enqueue(job_id)


class _JobProgress:
    """Progress callbacks that write to the job row while validating (autocommit, at most a
    few times a second); while writing, the rows are inside the import's transaction, so the
    job only says "writing" until the transaction is over."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.writing = False
        self.last = 0.0

    def phase(self, name: str) -> None:
        if name == "writing":
            self.writing = True
            ImportJob.objects.filter(pk=self.job_id).update(
                status=ImportStatus.WRITING, updated_at=timezone.now()
            )

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.writing or now - self.last < 0.5:
            return
        self.last = now
        ImportJob.objects.filter(pk=self.job_id).update(done=done, total=max(total, done))


def import_job_run(*, job_id: int) -> None:
    """Run one queued job; a job already started or finished is left alone (idempotent)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, updated_at=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by", "default_org").get(pk=job_id)
    tracker = _JobProgress(job_id)
    try:
        if job.created_by is None or not job.created_by.is_active:
            raise PermissionDenied
        with job.file.open("rb") as fileobj:
            rows = read_rows(fileobj, job.filename)
            ImportJob.objects.filter(pk=job_id).update(total=rows.total)
            result = members_import(
                actor=job.created_by,
                rows=rows,
                default_org=job.default_org,
                progress=tracker.progress,
                phase=tracker.phase,
            )
    except ApplicationError as exc:
        _finish(job, status=ImportStatus.FAILED, message=str(exc.message))
    except PermissionDenied:
        _finish(job, status=ImportStatus.FAILED, message=_("您没有权限向所选党组织导入党员。"))
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
                message=_("发现%(n)s处错误，未导入任何数据。请修改后重新上传。")
                % {"n": len(result.errors)},
            )
        else:
            _finish(
                job,
                status=ImportStatus.DONE,
                total=result.total,
                created=result.created,
                message=_("已导入%(n)s名党员。") % {"n": result.created},
            )


STALE_AFTER = dt.timedelta(hours=24)


def import_jobs_sweep(*, older_than: dt.timedelta = STALE_AFTER) -> int:
    """Fail the jobs no worker finished (queued or stuck for ``older_than``) and delete their
    files, which hold ID numbers in the clear. Run by ``manage.py sweep_imports`` (cron) and
    before every new upload; returns how many jobs it closed."""
    cutoff = timezone.now() - older_than
    stale = ImportJob.objects.filter(
        status__in=[ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.WRITING],
        updated_at__lt=cutoff,
    )
    closed = 0
    for job in stale:
        _finish(
            job,
            status=ImportStatus.FAILED,
            message=_("导入未能在规定时间内完成，已取消，未导入任何数据。请重新上传。"),
        )
        closed += 1
    return closed


def _finish(job: ImportJob, *, status, message="", total=None, created=0, errors=()) -> None:
    """Record the outcome and delete the uploaded file: it holds ID numbers in the clear."""
    if job.file:
        job.file.delete(save=False)
    stored = [[e.row, e.column, e.message] for e in errors[: ImportJob.MAX_STORED_ERRORS]]
    fields = {
        "status": status,
        "message": message[:500],
        "created_count": created,
        "error_count": len(errors),
        "errors": stored,
        "file": "",
        "finished_at": timezone.now(),
        "updated_at": timezone.now(),
    }
    if total is not None:
        fields.update(total=total, done=total)
    ImportJob.objects.filter(pk=job.pk).update(**fields)
