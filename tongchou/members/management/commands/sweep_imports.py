from django.core.management.base import BaseCommand

from tongchou.members.importing import STALE_AFTER, import_jobs_sweep


class Command(BaseCommand):
    help = (
        "Fail member imports that no worker finished within the given hours and delete their "
        "uploaded files (they hold ID numbers in the clear). Run it from cron, e.g. hourly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=float, default=STALE_AFTER.total_seconds() / 3600, help="default 24"
        )

    def handle(self, *args, hours: float, **options):
        import datetime as dt

        closed = import_jobs_sweep(older_than=dt.timedelta(hours=hours))
        self.stdout.write(f"closed {closed} stale import job(s)")
