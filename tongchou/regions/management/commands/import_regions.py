from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongchou.core.errors import ApplicationError
from tongchou.regions.services import regions_import


class Command(BaseCommand):
    help = "Import administrative divisions (provinces.csv[.gz] … villages.csv[.gz]) from DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--within", help="keep only this code's subtree (and its ancestors)")

    def handle(self, *args, directory: Path, within: str | None, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")

        def progress(stem: str, count: int) -> None:
            self.stdout.write(f"\r{stem}: {count:,}", ending="")
            self.stdout.flush()

        try:
            written = regions_import(directory=directory, within=within, progress=progress)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write("")
        for stem, count in written.items():
            self.stdout.write(self.style.SUCCESS(f"{stem}: {count:,} rows"))
