"""A small world: a 政务公开办 (主管部门) supervising two departments, a second office with its own department, and
staff on each side: the office's supervisor, a department's 经办人 and 负责人, the other department's 经办人."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gongkai.accounts.models import User
from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency, Kind, Level
from gongkai.rectification import services
from gongkai.rectification.models import Notice
from gongkai.rectification.states import Basis, NoticeStatus
from tests.factories import make_agency, make_staff

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _no_complaint_brake(settings: Any) -> None:
    """The public form's per-address limit would turn most fuzzed posts into 429s; tests/rectification/test_public.py
    sets a small rate where the limit itself is tested."""
    settings.GONGKAI_COMPLAINT_RATE = "off"


@dataclass
class World:
    government: Agency
    office: Agency
    dept_a: Agency
    dept_b: Agency
    office2: Agency
    dept_c: Agency
    supervisor: User
    handler_a: User
    head_a: User
    handler_b: User
    supervisor2: User


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db: Any) -> World:
    government = make_agency("湛河区人民政府", kind=Kind.GOVERNMENT, level=Level.COUNTY)
    office = make_agency("湛河区政务公开办", short_name="湛河公开办", kind=Kind.OFFICE, parent=government)
    dept_a = make_agency("湛河区司法局", parent=government, supervisor=office)
    dept_b = make_agency("湛河区教育局", parent=government, supervisor=office)
    office2 = make_agency("新华区政务公开办", kind=Kind.OFFICE)
    dept_c = make_agency("新华区司法局", supervisor=office2)
    return World(
        government=government,
        office=office,
        dept_a=dept_a,
        dept_b=dept_b,
        office2=office2,
        dept_c=dept_c,
        supervisor=make_staff(office, Role.SUPERVISOR, full_name="赵主管"),
        handler_a=make_staff(dept_a, Role.HANDLER, full_name="李经办"),
        head_a=make_staff(dept_a, Role.HEAD, full_name="王负责"),
        handler_b=make_staff(dept_b, Role.HANDLER, full_name="钱经办"),
        supervisor2=make_staff(office2, Role.SUPERVISOR, full_name="孙主管"),
    )


def draft(world: World, *, deadline: dt.date | None = None, today: dt.date = TODAY, **kwargs: Any) -> Notice:
    return services.notice_create(
        office=world.office,
        agency=world.dept_a,
        actor=world.supervisor,
        title="关于政府信息公开指南未及时更新的督促整改通知",
        basis=Basis.WEBSITE,
        deadline=deadline or today + dt.timedelta(days=30),
        items=[
            services.ItemInput("指南未载明工作机构的办公地址", "十五日内更新指南"),
            services.ItemInput("主动公开目录缺少2025年文件", "补充目录"),
        ],
        today=today,
        **kwargs,
    )


def entries(text: str = "已更新") -> list[services.ItemReport]:
    return [services.ItemReport(1, text), services.ItemReport(2, text)]


def notice_in(world: World, status: str, *, today: dt.date = TODAY) -> Notice:
    """A notice walked to ``status`` through the services."""
    notice = draft(world, today=today)
    steps = [
        (NoticeStatus.ISSUED, lambda n: services.notice_issue(notice=n, actor=world.supervisor, today=today)),
        (NoticeStatus.ACKNOWLEDGED, lambda n: services.notice_acknowledge(notice=n, actor=world.handler_a)),
        (
            NoticeStatus.REPORTED,
            lambda n: services.notice_report(notice=n, actor=world.head_a, entries=entries()),
        ),
        (NoticeStatus.CLOSED, lambda n: services.notice_accept(notice=n, actor=world.supervisor)),
    ]
    for target, step in steps:
        if notice.status == status:
            break
        notice = step(notice)
        assert notice.status == target
    assert notice.status == status
    return notice
