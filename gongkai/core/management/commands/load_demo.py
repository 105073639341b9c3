from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongkai.demo.data import APPLICANTS, DEMO_PASSWORD, STAFF
from gongkai.demo.load import demo_load


class Command(BaseCommand):
    help = "导入演示数据（可重复运行，不会重复创建）"

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("生产环境不导入演示数据（演示账号使用公开的密码）", returncode=2)
        summary = demo_load()
        if summary.changed:
            self.stdout.write(
                f"演示数据已导入：机关 {summary.agencies_created} 个，工作人员 {summary.staff_created} 人，"
                f"岗位 {summary.memberships_created} 个，公众用户 {summary.applicants_created} 人。"
            )
        else:
            self.stdout.write("演示数据已存在，未作改动。")
        if summary.publications.created or summary.publications.bulk_posts:
            self.stdout.write(
                f"演示主动公开目录：{summary.publications.created} 条，公众号发布 {summary.publications.bulk_posts} 条"
                f"（用时 {summary.publications.seconds:.1f} 秒）"
            )
        if summary.cases.created:
            self.stdout.write(
                f"演示申请：{summary.cases.created} 件（签发文书 {summary.cases.documents_issued} 份，"
                f"用时 {summary.cases.seconds:.1f} 秒）"
            )
            if summary.cases.render_problem:
                self.stdout.write(f"注意：未能签发文书，草稿已保留。{summary.cases.render_problem}")
        self.stdout.write(f"\n演示账号（初始密码均为 {DEMO_PASSWORD}，首次登录时须修改；")
        self.stdout.write("  负责人、机构管理员、审计员和平台角色还须用手机身份验证器扫码绑定双因素认证）：")
        self.stdout.write("  工作人员后台 /staff/login/")
        for person in STAFF:
            self.stdout.write(f"    {person.username:<16} {person.note}")
        self.stdout.write("  公众用户 /account/login/")
        for applicant in APPLICANTS:
            self.stdout.write(f"    {applicant.username:<16} {applicant.full_name}")
