"""Importing administrative divisions from the NBS five-level CSV files."""

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import transaction

from tongchou.core.errors import ApplicationError
from tongchou.regions.classify import LEVEL_BY_LENGTH, classify
from tongchou.regions.models import Region

# file stem → (level, column holding the parent code)
FILES = (
    ("provinces", 1, None),
    ("cities", 2, "provinceCode"),
    ("areas", 3, "cityCode"),
    ("streets", 4, "areaCode"),
    ("villages", 5, "streetCode"),
)
BATCH = 5000

Progress = Callable[[str, int], None]


def _open(directory: Path, stem: str) -> io.TextIOBase | None:
    for name, opener in ((f"{stem}.csv.gz", gzip.open), (f"{stem}.csv", open)):
        path = directory / name
        if path.exists():
            return opener(path, "rt", encoding="utf-8-sig", newline="")
    return None


def _rows(handle, stem: str, parent_column: str | None) -> Iterator[dict]:
    reader = csv.DictReader(handle)
    needed = {"code", "name"} | ({parent_column} if parent_column else set())
    missing = needed - set(reader.fieldnames or [])
    if missing:
        raise ApplicationError(
            "region_file_header",
            f"{stem}: missing columns {', '.join(sorted(missing))}",
        )
    for line_no, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        if not code.isdigit() or len(code) not in LEVEL_BY_LENGTH or not name:
            raise ApplicationError("region_file_row", f"{stem} line {line_no}: bad code or name")
        yield {
            "code": code,
            "name": name,
            "parent": row.get(parent_column) if parent_column else None,
        }


def _upsert(batch: list[Region]) -> None:
    Region.objects.bulk_create(
        batch,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent", "kind", "urban_rural"],
    )


@transaction.atomic
def regions_import(
    *, directory: Path, within: str | None = None, progress: Progress | None = None
) -> dict[str, int]:
    """Insert or update every division in ``directory`` (optionally only the subtree of
    ``within``). Idempotent: matching is on the code. Returns rows written per file."""
    directory = Path(directory)
    if within and (not within.isdigit() or len(within) not in LEVEL_BY_LENGTH):
        raise ApplicationError("region_within", f"--within must be a region code, not {within!r}")
    written: dict[str, int] = {}
    found_any = False
    for stem, level, parent_column in FILES:
        handle = _open(directory, stem)
        if handle is None:
            continue
        found_any = True
        count = 0
        batch: list[Region] = []
        with handle:
            for row in _rows(handle, stem, parent_column):
                code = row["code"]
                if within and not (code.startswith(within) or within.startswith(code)):
                    continue
                kind, urban_rural = classify(code)
                parent = row["parent"] if level > 1 else None
                batch.append(
                    Region(
                        code=code,
                        name=row["name"],
                        level=level,
                        parent_id=parent or None,
                        kind=kind,
                        urban_rural=urban_rural,
                    )
                )
                if len(batch) >= BATCH:
                    _upsert(batch)
                    count += len(batch)
                    batch = []
                    if progress:
                        progress(stem, count)
        if batch:
            _upsert(batch)
            count += len(batch)
        if progress:
            progress(stem, count)
        written[stem] = count
    if not found_any:
        raise ApplicationError("region_files", f"no division files found in {directory}")
    return written
