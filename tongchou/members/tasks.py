"""Background work of the member registry. Tasks load their job by id and call one function;
running one twice is harmless (the job is claimed atomically)."""

from django_tasks import task


@task()
def run_import(job_id: int) -> None:
    from tongchou.members.importing import import_job_run

    import_job_run(job_id=job_id)
