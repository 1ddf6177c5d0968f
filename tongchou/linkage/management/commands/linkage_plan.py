"""python manage.py linkage_plan --scenario IN.json --out OUT.json

The supply–sales planner for analysts and what-if planning: reads a ``tongchou-linkage/1``
scenario, writes the exact plan (shipments, unshipped lots with their reasons, the loss and the
uncoordinated baseline's loss). Malformed input: one line naming the item and the field on
stderr, exit status 2, no output file written. See tongchou/linkage/planner.py."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongchou.linkage.planner import ScenarioError, run_text


class Command(BaseCommand):
    help = "产销对接规划：读取 tongchou-linkage/1 场景文件，写出最优发运方案。"

    def add_arguments(self, parser):
        parser.add_argument("--scenario", required=True, metavar="IN.json")
        parser.add_argument("--out", required=True, metavar="OUT.json")

    def handle(self, *args, **options):
        source = Path(options["scenario"])
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {source}: {exc}", returncode=2) from None
        try:
            out = run_text(text)
        except ScenarioError as exc:
            raise CommandError(f"{source}: {exc}", returncode=2) from None
        target = Path(options["out"])
        try:
            target.write_text(out, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {target}: {exc}", returncode=2) from None
