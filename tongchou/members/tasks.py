"""Background work of the member registry. Tasks load their job by id and call one function;
running one twice is harmless (the job is claimed atomically)."""

from django.conf import settings
from django.utils import translation
from django_tasks import task


@task()
def run_import(job_id: int, language: str | None = None) -> None:
    """``language``: the uploader's, in which the job's messages are stored."""
    from tongchou.members.importing import import_job_run

    with translation.override(language or settings.LANGUAGE_CODE):
        import_job_run(job_id=job_id)
