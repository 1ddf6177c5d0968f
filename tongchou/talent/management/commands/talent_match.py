"""python manage.py talent_match --scenario IN.json --out OUT.json

The exact talent-to-needs matcher (tongchou.talent.matching) on a ``tongchou-talent/1`` file, for
analysts and what-if planning: the same solver as the app's matching rounds. A malformed file is
refused with the item and field named, exit status 2, and OUT is not written."""

from django.core.management.base import BaseCommand, CommandError

from tongchou.talent import scenario
from tongchou.talent.matching import TooLarge


class Command(BaseCommand):
    help = "人才供需匹配：读取 tongchou-talent/1 场景文件，求精确最优匹配并写出结果。"

    def add_arguments(self, parser):
        parser.add_argument("--scenario", required=True, metavar="IN.json")
        parser.add_argument("--out", required=True, metavar="OUT.json")

    def handle(self, *args, **options):
        try:
            talents, needs, result = scenario.run(options["scenario"], options["out"])
        except (scenario.ScenarioError, TooLarge) as exc:
            raise CommandError(str(exc), returncode=2) from None
        empty = sum(u.slots for u in result.unfilled)
        self.stdout.write(
            f"{len(talents)} talents, {len(needs)} needs, {result.feasible_pairs} feasible pairs: "
            f"{len(result.pairs)} assignments, total priority {result.priority}, "
            f"{result.km:.3f} km; {empty} slots unfilled → {options['out']}"
        )
