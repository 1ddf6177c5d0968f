"""Import jobs whose worker died: failed at once (on the worker's host) or when the heartbeat
stops, their uploads deleted, the page saying what happened; a run given up while writing
cannot commit; the worker command recovers at start."""

import datetime as dt
import io
import os
import socket
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tongchou.core import crypto
from tongchou.members import importing
from tongchou.members.importing import import_job_run, import_jobs_sweep, worker_name
from tongchou.members.models import ImportJob, ImportReport, ImportStatus, Member
from tongchou.members.tests.conftest import id_number

pytestmark = pytest.mark.django_db

CSV = (
    "姓名,性别,民族,出生日期,身份证号,党员类别,入党日期,转正日期,所在党组织代码\n"
    f"甲,男,汉族,1985-03-14,{id_number(seq=1)},正式党员,2010-07-01,2011-07-01,V-A\n"
).encode()


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def running_job(w, *, status=ImportStatus.WRITING, worker="", beat_minutes_ago=0.0):
    job = ImportJob.objects.create(filename="a.csv", created_by=w.admin_a)
    job.file.save("a.csv", ContentFile(CSV))
    beat = timezone.now() - dt.timedelta(minutes=beat_minutes_ago)
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, worker=worker, heartbeat_at=beat, done=1, total=1
    )
    job.refresh_from_db()
    return job


def test_a_job_whose_worker_on_this_host_died_is_failed_at_once(w):
    job = running_job(w, worker=f"{socket.gethostname()}:{dead_pid()}", beat_minutes_ago=0.1)
    path = job.file.path
    assert import_jobs_sweep() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.finished_at
    assert "后台进程已停止" in job.message and "未导入任何数据" in job.message
    assert not job.file and not os.path.exists(path)  # ID numbers in the clear: gone


def test_a_job_of_a_live_worker_is_left_alone(w):
    mine = running_job(w, worker=worker_name(), beat_minutes_ago=1)
    parent = running_job(w, worker=f"{socket.gethostname()}:{os.getppid()}", beat_minutes_ago=1)
    elsewhere = running_job(w, worker="other-host:123", beat_minutes_ago=2)
    assert import_jobs_sweep() == 0
    for job in (mine, parent, elsewhere):
        job.refresh_from_db()
        assert job.status == ImportStatus.WRITING and job.file


def test_a_job_whose_heartbeat_stopped_is_failed(w, settings):
    settings.IMPORT_STALE_MINUTES = 10
    stale = running_job(w, status=ImportStatus.VALIDATING, worker="other:1", beat_minutes_ago=11)
    fresh = running_job(w, status=ImportStatus.VALIDATING, worker="other:2", beat_minutes_ago=9)
    assert import_jobs_sweep() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ImportStatus.FAILED and "10分钟没有响应" in stale.message
    assert fresh.status == ImportStatus.VALIDATING and fresh.file


def test_the_job_page_says_what_happened(client, w):
    job = running_job(w, worker=f"{socket.gethostname()}:{dead_pid()}")
    client.force_login(w.admin_a)
    html = client.get(reverse("members:import_job", args=[job.pk])).content.decode()
    assert "正在写入" in html  # before a sweep: as the worker left it
    import_jobs_sweep()
    html = client.get(reverse("members:import_job", args=[job.pk])).content.decode()
    assert "后台进程已停止" in html and "重新上传" in html and "hx-trigger" not in html


def test_an_upload_sweeps_first(client, w, django_capture_on_commit_callbacks):
    job = running_job(w, worker=f"{socket.gethostname()}:{dead_pid()}")
    client.force_login(w.admin_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:import"), {"file": SimpleUploadedFile("b.csv", CSV)})
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert ImportJob.objects.filter(status=ImportStatus.DONE).count() == 1


@pytest.mark.django_db(transaction=True)  # the worker loop closes and reopens connections
def test_the_worker_command_recovers_before_taking_tasks(w, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = running_job(w, worker=f"{socket.gethostname()}:{dead_pid()}")
    err = io.StringIO()
    call_command("worker", "--batch", "--no-startup-delay", stderr=err, verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and not job.file
    assert "closed 1" in err.getvalue()


def test_a_run_records_its_worker_and_heartbeat_and_ends_done_with_the_rows(w):
    job = ImportJob.objects.create(filename="a.csv", created_by=w.admin_a)
    job.file.save("a.csv", ContentFile(CSV))
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 1
    assert job.worker == worker_name() and job.heartbeat_at and not job.file
    assert Member.objects.count() == 1


def test_a_run_given_up_while_writing_rolls_its_rows_back(w, monkeypatch):
    """A sweep failed the job while its run was still writing (a worker elsewhere that only
    looked dead): the run's "done" is written in the import's transaction, only if the job
    is still its own, so the rows go with it."""
    job = ImportJob.objects.create(filename="a.csv", created_by=w.admin_a)
    job.file.save("a.csv", ContentFile(CSV))
    real_phase = importing.jobs._JobProgress.phase

    def phase_then_swept(self, name):
        real_phase(self, name)
        if name == "writing":
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED, message="given up"
            )

    monkeypatch.setattr(importing.jobs._JobProgress, "phase", phase_then_swept)
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.message == "given up"
    assert not Member.objects.exists()


def test_queued_jobs_never_started_and_expired_marked_files_are_swept(w):
    queued = ImportJob.objects.create(filename="a.csv", created_by=w.admin_a)
    queued.file.save("a.csv", ContentFile(CSV))
    old = timezone.now() - dt.timedelta(hours=25)
    ImportJob.objects.filter(pk=queued.pk).update(updated_at=old)
    failed = ImportJob.objects.create(
        filename="b.csv", created_by=w.admin_a, status=ImportStatus.FAILED
    )
    report = ImportReport.objects.create(job=failed, content=crypto.encrypt_bytes(b"x"))
    ImportReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - dt.timedelta(days=ImportReport.KEEP_DAYS, hours=1)
    )
    assert import_jobs_sweep() == 1
    queued.refresh_from_db()
    assert queued.status == ImportStatus.FAILED and "未能在规定时间内开始" in queued.message
    assert not ImportReport.objects.exists()


def test_the_worker_writes_the_messages_in_the_uploaders_language(
    client, w, django_capture_on_commit_callbacks
):
    """The job's messages are stored as text by the worker, whose own language is Chinese: an
    upload made in English gets its errors and notices in English."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    wrong = id_number(seq=1)[:-1] + ("0" if id_number(seq=1)[-1] != "0" else "1")
    csv = f"花名册\n{CSV.decode().splitlines()[0]},备注\n".encode() + (
        f"甲,男,汉族,1985-03-14,{wrong},正式党员,2010-07-01,2011-07-01,V-A,\n".encode()
    )
    client.force_login(w.admin_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("members:import"), {"file": SimpleUploadedFile("b.csv", csv)})
    with translation.override("zh-hans"):  # the worker's own language
        for callback in queued:
            callback()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert (
        job.message
        == "Found 1 error(s); nothing was imported. Correct the file and upload it again."
    )
    assert "The ID number's check character is wrong." in str(job.errors)
    assert any("Unrecognized columns ignored" in notice for notice in job.notices)
