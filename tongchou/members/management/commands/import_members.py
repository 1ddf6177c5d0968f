"""python manage.py import_members FILE [--org CODE] [--user USERNAME]

Imports a member file (.xlsx, .xls, .et or .csv) through the same path as the import page:
every row is validated, and nothing is written unless all rows are valid (a large file is
checked on every core: importing.parallel). Prints progress and, on errors,
the error report (row, column, reason); exits with status 1 when nothing was imported."""

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from tongchou.core.errors import ApplicationError
from tongchou.members.importing import members_import, read_rows
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_list_for


def system_actor():
    """The deployment itself (no --user): an unsaved superuser. Audit events name no person."""
    return get_user_model()(username="system", is_superuser=True, is_active=True)


class Command(BaseCommand):
    _current = ""
    help = "导入党员名册（.xlsx、.xls、.et 或 .csv）：全部校验通过才写入，否则不写入并列出错误。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx, .xls, .et or .csv file")
        parser.add_argument(
            "--org", metavar="CODE", help="default organization code for rows without one"
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="import as this user (default: the system)"
        )

    def handle(self, *args, **options):
        actor = self._actor(options["user"])
        default_org = self._org(actor, options["org"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        started = time.perf_counter()
        with path.open("rb") as fileobj:
            try:
                rows = read_rows(fileobj, path.name)
                result = members_import(
                    actor=actor,
                    rows=rows,
                    default_org=default_org,
                    progress=self._progress,
                    phase=self._phase,
                )
            except ApplicationError as exc:
                raise CommandError(str(exc.message)) from None
            except PermissionDenied:
                raise CommandError("没有权限向该党组织导入党员。") from None
        self.stderr.write("")
        for notice in result.notices:
            self.stdout.write(f"提示：{notice}")
        seconds = time.perf_counter() - started
        if result.errors:
            self.stdout.write(f"发现 {len(result.errors)} 处错误，未导入任何数据：")
            self.stdout.write("行号\t列\t原因")
            for error in result.errors:
                self.stdout.write(f"{error.row or '-'}\t{error.column or '-'}\t{error.message}")
            raise CommandError(f"{len(result.errors)} 处错误，未导入。")
        rate = result.created / seconds if seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {result.created} 名党员（{seconds:.1f} 秒，{rate:,.0f} 行/秒）。"
            )
        )

    def _actor(self, username):
        if not username:
            return system_actor()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户不存在或已停用：{username}")
        return user

    def _org(self, actor, code):
        if not code:
            return None
        org = organization_list_for(actor, action=Action.MANAGE_MEMBERS).filter(code=code).first()
        if org is None:
            raise CommandError(f"党组织代码不存在或不在该用户的管理范围内：{code}")
        return org

    def _phase(self, name):
        self._current = {"validating": "校验", "writing": "写入"}.get(name, name)

    def _progress(self, done, total):
        if sys.stderr.isatty():
            self.stderr.write(f"\r{self._current} {done:,} / {total:,} 行", ending="")
        elif done == total or done % 100_000 == 0:
            self.stderr.write(f"{self._current} {done:,} / {total:,} 行")
