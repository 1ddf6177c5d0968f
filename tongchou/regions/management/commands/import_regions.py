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

        current = {"stem": None}

        def progress(stem: str, count: int) -> None:
            # One line per file, rewritten in place while it grows.
            if current["stem"] not in (None, stem):
                self.stdout.write("")
            current["stem"] = stem
            self.stdout.write(f"\r  {stem}: {count:,}", ending="")
            self.stdout.flush()

        try:
            written = regions_import(directory=directory, within=within, progress=progress)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write("")
        total = sum(written.values())
        detail = ", ".join(f"{stem} {count:,}" for stem, count in written.items())
        self.stdout.write(self.style.SUCCESS(f"imported {total:,} divisions ({detail})"))
