import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tongchou.core.errors import ApplicationError
from tongchou.demo.generate import DEMO_MEMBERS, DEMO_PASSWORD, DEMO_SEED, load_demo


class Command(BaseCommand):
    help = (
        "Load the Shizuishan demo (real divisions, organization network, generated members, "
        "demo logins). Idempotent: a database that already holds the demo is left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--members", type=int, default=DEMO_MEMBERS, help="members to generate (default 30000)"
        )
        parser.add_argument("--seed", type=int, default=DEMO_SEED)
        parser.add_argument(
            "--foundation-only",
            action="store_true",
            help="only divisions, organizations, members and logins (no mobility, transfers, "
            "organizational life or education data)",
        )

    def handle(self, *args, members: int, seed: int, foundation_only: bool, **options):
        if members < 0:
            raise CommandError("--members must not be negative")
        started = time.perf_counter()

        def progress(message: str) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(f"  {message}")

        try:
            result = load_demo(
                members=members, seed=seed, progress=progress, motion=not foundation_only
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if (result.created or result.motion) and not connection.in_atomic_block:
            # The planner's statistics still describe empty tables right after a bulk load
            # (autovacuum gets to them minutes later): on PostgreSQL a county's member list
            # was planned for 18 rows instead of 6,661 and sorted them all (21 ms, not 1).
            # Inside a caller's transaction (the tests) nothing is committed yet to measure.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示数据已载入：{result.organizations} 个党组织，{result.units} 个单位，"
                    f"{result.members} 名党员（{time.perf_counter() - started:.1f} 秒）。"
                )
            )
        elif result.motion:
            self.stdout.write("演示数据已存在；已补充流动党员、转接、组织生活与教育数据。")
        else:
            self.stdout.write("演示数据已存在，未作任何改动。")
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for login in result.logins:
            self.stdout.write(f"  {login.username:<18} {login.role} · {login.organization}")
