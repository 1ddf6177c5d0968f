import datetime as dt

from django.core.management.base import BaseCommand

from tongchou.members.importing import STALE_AFTER, import_jobs_sweep


class Command(BaseCommand):
    help = (
        "Fail member imports no worker will finish (their worker is gone, its heartbeat "
        "stopped IMPORT_STALE_MINUTES ago, or they were never started within the given hours) "
        "and delete their uploaded files (they hold ID numbers in the clear); delete expired "
        "error-marked files. Run it from cron, e.g. hourly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=STALE_AFTER.total_seconds() / 3600,
            help="queued jobs older than this are given up (default 24)",
        )

    def handle(self, *args, hours: float, **options):
        closed = import_jobs_sweep(older_than=dt.timedelta(hours=hours))
        self.stdout.write(f"closed {closed} stale import job(s)")
