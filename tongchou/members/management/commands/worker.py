"""python manage.py worker [db_worker options]

The background task worker (django-tasks' ``db_worker``, same options) that first recovers
what a previous worker left: member imports it was running when it was killed are failed at
once and their uploads (ID numbers in the clear) deleted (``importing.import_jobs_sweep``).
``scripts/serve`` runs this; run it instead of ``db_worker`` in production."""

from django_tasks_db.management.commands.db_worker import Command as DbWorker

from tongchou.members.importing import import_jobs_sweep


class Command(DbWorker):
    help = "Run the background task worker, after failing the imports a dead worker left."

    def handle(self, *args, **options):
        closed = import_jobs_sweep()
        if closed:
            self.stderr.write(f"closed {closed} member import job(s) a stopped worker left")
        return super().handle(*args, **options)
