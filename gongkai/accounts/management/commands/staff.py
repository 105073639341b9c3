from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongkai.accounts.models import User
from gongkai.accounts.roles import PLATFORM_DUTIES, ROLE_DUTIES, PlatformRole, Role
from gongkai.accounts.services import membership_grant, staff_create
from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import agency_by_reference


class Command(BaseCommand):
    help = "工作人员账号：create 创建账号（可同时授予岗位角色或平台角色），grant 授予岗位角色"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="创建工作人员账号")
        create.add_argument("username")
        create.add_argument("--full-name", required=True)
        create.add_argument("--email", default="")
        create.add_argument("--platform-role", choices=[r.value for r in PlatformRole if r.value], default="")
        create.add_argument("--agency", help="机关代码或能唯一识别的名称")
        create.add_argument("--role", choices=[r.value for r in Role])
        create.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
        grant = sub.add_parser("grant", help="授予岗位角色")
        grant.add_argument("username")
        grant.add_argument("--agency", required=True)
        grant.add_argument("--role", required=True, choices=[r.value for r in Role])

    def _agency(self, reference: str) -> Agency:
        try:
            return agency_by_reference(reference)
        except (Agency.DoesNotExist, Agency.MultipleObjectsReturned) as error:
            raise CommandError(str(error), returncode=2) from None

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "grant":
            user = User.objects.filter(username=options["username"], kind="staff").first()
            if user is None:
                raise CommandError(f"没有工作人员账号“{options['username']}”", returncode=2)
            try:
                membership_grant(
                    actor=None, user=user, agency=self._agency(options["agency"]), role=Role(options["role"])
                )
            except ValidationError as error:  # 三员分立 refusals
                raise CommandError("；".join(error.messages), returncode=2) from None
            self.stdout.write("已授予岗位角色。")
            return
        if bool(options["agency"]) != bool(options["role"]):
            raise CommandError("--agency 与 --role 须同时给出", returncode=2)
        platform_duty = PLATFORM_DUTIES.get(options["platform_role"])
        role_duty = ROLE_DUTIES.get(Role(options["role"])) if options["role"] else None
        if platform_duty and role_duty and platform_duty != role_duty:
            # Checked before the account exists, so that a refused combination leaves nothing half-made.
            raise CommandError("三员分立：同一账号不得同时担任该平台角色与该岗位角色", returncode=2)
        agency = self._agency(options["agency"]) if options["agency"] else None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再次输入密码："):
                raise CommandError("两次输入的密码不一致", returncode=2)
        try:
            user = staff_create(
                actor=None,
                username=options["username"],
                password=password,
                full_name=options["full_name"],
                email=options["email"],
                platform_role=options["platform_role"],
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages), returncode=2) from None
        if agency is not None:
            try:
                membership_grant(actor=None, user=user, agency=agency, role=Role(options["role"]))
            except ValidationError as error:
                raise CommandError(f"账号已创建，但未授予岗位角色：{'；'.join(error.messages)}", returncode=2) from None
        self.stdout.write(f"已创建工作人员账号 {user.username}（首次登录时须修改密码）。")
