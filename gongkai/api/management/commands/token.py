from __future__ import annotations

import argparse
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.accounts.models import User, UserKind
from gongkai.api import selectors, services


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


class Command(BaseCommand):
    help = "接口令牌：create 创建（令牌只显示一次），list 列出，revoke 吊销"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为工作人员创建接口令牌")
        create.add_argument("--user", required=True, help="工作人员用户名")
        create.add_argument("--name", required=True, help="令牌用途，如“档案系统对接”")
        create.add_argument("--days", type=int, default=None, help="有效天数（默认长期有效）")
        listing = sub.add_parser("list", help="列出接口令牌（不显示令牌本身）")
        listing.add_argument("--user", default=None, help="只列出该工作人员的令牌")
        revoke = sub.add_parser("revoke", help="吊销接口令牌")
        revoke.add_argument("prefix", help="令牌前8位")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["user"], options["name"], options["days"])
        elif action == "list":
            self._list(options["user"])
        else:
            self._revoke(options["prefix"])

    def _create(self, username: str, name: str, days: int | None) -> None:
        user = User.objects.filter(username=username, kind=UserKind.STAFF).first()
        if user is None:
            raise CommandError(f"没有工作人员账号“{username}”", returncode=2)
        try:
            token, key = services.token_create(user=user, name=name, days=days)
        except ValidationError as error:
            raise CommandError("；".join(error.messages), returncode=2) from None
        self.stdout.write(key)
        expiry = f"，{_when(token.expires_at)}失效" if token.expires_at else "，长期有效"
        self.stderr.write(
            f"已为 {user.username} 创建接口令牌 {token.prefix}（{token.name}{expiry}）。令牌只显示这一次，请妥善保存。"
        )
        waits_for = services.token_waits_for(user)
        if waits_for:
            self.stderr.write(f"注意：{waits_for}。")

    def _list(self, username: str | None) -> None:
        if username and not User.objects.filter(username=username, kind=UserKind.STAFF).exists():
            raise CommandError(f"没有工作人员账号“{username}”", returncode=2)
        now = timezone.now()
        rows = list(selectors.tokens(username=username))
        if not rows:
            self.stdout.write("没有接口令牌。")
            return
        for token in rows:
            if token.revoked_at is not None:
                state = f"已吊销 {_when(token.revoked_at)}"
            elif token.expires_at is not None and token.expires_at <= now:
                state = f"已过期 {_when(token.expires_at)}"
            else:
                state = "有效" + (f"至 {_when(token.expires_at)}" if token.expires_at else "")
            self.stdout.write(
                f"{token.prefix}\t{token.user.username}\t{token.name}\t创建 {_when(token.created_at)}\t"
                f"最近使用 {_when(token.last_used_at)}\t{state}"
            )

    def _revoke(self, prefix: str) -> None:
        try:
            token = services.token_revoke(prefix=prefix)
        except ValidationError as error:
            raise CommandError("；".join(error.messages), returncode=2) from None
        self.stdout.write(f"已吊销 {token.user.username} 的接口令牌 {token.prefix}（{token.name}）。")
