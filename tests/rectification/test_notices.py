"""督促整改通知: every pair of the transition table per actor, numbering, deadlines, overdue, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from gongkai.accounts.models import User
from gongkai.accounts.roles import Perm
from gongkai.audit.models import AuditEvent
from gongkai.rectification import selectors, services
from gongkai.rectification.models import Notice, NoticeEvent, NoticeItem
from gongkai.rectification.states import NOTICE_ACTIONS, NoticeAction, NoticeStatus, Side
from tests.cases.test_public_views import PNG
from tests.rectification.conftest import TODAY, World, draft, entries, notice_in

ACTORS = ("supervisor", "handler_a", "head_a", "handler_b", "supervisor2")
# Which of the world's users hold which permission where (roles.ROLE_PERMS): the expected answer of the table.
HOLDS: dict[str, tuple[Side, frozenset[Perm]]] = {
    "supervisor": (Side.OFFICE, frozenset({Perm.SUPERVISE})),
    "handler_a": (Side.AGENCY, frozenset({Perm.HANDLE_CASES})),
    "head_a": (Side.AGENCY, frozenset({Perm.HANDLE_CASES, Perm.APPROVE})),
    "handler_b": (Side.AGENCY, frozenset()),  # another agency
    "supervisor2": (Side.OFFICE, frozenset()),  # another office
}


def _do(action: str) -> Callable[[Notice, User], Notice]:
    calls: dict[str, Callable[[Notice, User], Notice]] = {
        NoticeAction.EDIT: lambda n, u: services.notice_update(
            notice=n,
            actor=u,
            title="修改后的标题",
            basis="routine",
            deadline=TODAY + dt.timedelta(days=10),
            items=[services.ItemInput("问题", "要求")],
            today=TODAY,
        ),
        NoticeAction.ISSUE: lambda n, u: services.notice_issue(notice=n, actor=u, today=TODAY),
        NoticeAction.ACKNOWLEDGE: lambda n, u: services.notice_acknowledge(notice=n, actor=u),
        NoticeAction.RECORD: lambda n, u: services.notice_record(notice=n, actor=u, entries=entries("进行中")),
        NoticeAction.REPORT: lambda n, u: services.notice_report(notice=n, actor=u, entries=entries()),
        NoticeAction.ACCEPT: lambda n, u: services.notice_accept(notice=n, actor=u),
        NoticeAction.RETURN: lambda n, u: services.notice_return(notice=n, actor=u, reason="第2项未补齐"),
        NoticeAction.CRITICIZE: lambda n, u: services.notice_criticize(notice=n, actor=u, text="予以通报批评"),
    }
    return calls[action]


@pytest.mark.parametrize("status", NoticeStatus.values)
@pytest.mark.parametrize("action", list(NOTICE_ACTIONS))
def test_every_transition_per_actor(world: World, status: str, action: str) -> None:
    rule = NOTICE_ACTIONS[action]
    for name in ACTORS:
        notice = notice_in(world, status)
        actor: User = getattr(world, name)
        side, perms = HOLDS[name]
        expected = status in rule.sources and side == rule.side and rule.perm in perms
        assert services.can_act(actor, action, notice=notice) == expected, (name, action, status)
        events = NoticeEvent.objects.filter(notice=notice).count()
        audits = AuditEvent.objects.count()
        if expected:
            result = _do(action)(notice, actor)
            assert result.status == (rule.target or status), (name, action, status)
            assert NoticeEvent.objects.filter(notice=notice).count() == events + 1
            assert AuditEvent.objects.filter(action=f"rectification.notice.{action}", object_id=str(notice.pk)).exists()
        else:
            with pytest.raises(ValidationError):
                _do(action)(notice, actor)
            fresh = Notice.objects.get(pk=notice.pk)
            assert fresh.status == status, (name, action, status)
            assert NoticeEvent.objects.filter(notice=notice).count() == events
            assert AuditEvent.objects.count() == audits


def test_can_act_matches_the_table(world: World) -> None:
    notice = notice_in(world, NoticeStatus.ACKNOWLEDGED)
    assert services.can_act(world.head_a, NoticeAction.REPORT, notice=notice)
    assert not services.can_act(world.handler_a, NoticeAction.REPORT, notice=notice)
    assert services.can_act(world.handler_a, NoticeAction.RECORD, notice=notice)
    assert not services.can_act(world.supervisor, NoticeAction.ACKNOWLEDGE, notice=notice)
    assert not services.can_act(world.supervisor, NoticeAction.ACCEPT, notice=notice)  # not reported yet


def test_return_goes_back_to_acknowledged_with_the_reason_then_report_again(world: World) -> None:
    notice = notice_in(world, NoticeStatus.REPORTED)
    notice = services.notice_return(notice=notice, actor=world.supervisor, reason="目录仍缺少3件文件")
    assert notice.status == NoticeStatus.ACKNOWLEDGED
    assert notice.return_reason == "目录仍缺少3件文件"
    assert notice.reported_on is None
    notice = services.notice_report(notice=notice, actor=world.head_a, entries=[services.ItemReport(2, "已补齐")])
    assert notice.status == NoticeStatus.REPORTED
    services.notice_accept(notice=notice, actor=world.supervisor)
    actions = list(NoticeEvent.objects.filter(notice=notice).values_list("action", flat=True))
    assert actions == ["create", "issue", "acknowledge", "report", "return", "report", "accept"]


def test_return_needs_a_reason(world: World) -> None:
    notice = notice_in(world, NoticeStatus.REPORTED)
    with pytest.raises(ValidationError) as caught:
        services.notice_return(notice=notice, actor=world.supervisor, reason="  ")
    assert "reason" in caught.value.message_dict


def test_report_needs_every_item(world: World) -> None:
    notice = notice_in(world, NoticeStatus.ACKNOWLEDGED)
    with pytest.raises(ValidationError) as caught:
        services.notice_report(notice=notice, actor=world.head_a, entries=[services.ItemReport(1, "已更新")])
    assert caught.value.message_dict == {"item-2-rectification": ["第 2 项尚未填写整改情况"]}
    # Nothing partial: the first item's text was rolled back with the refusal.
    assert NoticeItem.objects.get(notice=notice, position=1).rectification == ""
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.ACKNOWLEDGED


def test_record_keeps_text_and_an_attachment_checked_by_content(world: World) -> None:
    notice = notice_in(world, NoticeStatus.ACKNOWLEDGED)
    services.notice_record(
        notice=notice, actor=world.handler_a, entries=[services.ItemReport(1, "已更新指南", ("截图.png", PNG))]
    )
    item = NoticeItem.objects.get(notice=notice, position=1)
    assert item.rectification == "已更新指南"
    assert item.attachment_name == "截图.png"
    assert item.attachment_type == "image/png"
    with item.attachment.open("rb") as handle:
        assert handle.read() == PNG
    with pytest.raises(ValidationError) as caught:
        services.notice_record(
            notice=notice, actor=world.handler_a, entries=[services.ItemReport(2, "x", ("a.exe", b"MZ\x90\x00" * 10))]
        )
    assert "item-2-attachment" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.notice_record(notice=notice, actor=world.handler_a, entries=[services.ItemReport(9, "x")])
    assert "item-9-rectification" in caught.value.message_dict


def test_numbers_are_gap_free_per_office_and_year_and_drafts_take_none(world: World) -> None:
    first = services.notice_issue(notice=draft(world), actor=world.supervisor, today=TODAY)
    unissued = draft(world)
    refused = draft(world, deadline=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        # Issued a week later, its deadline has passed: refused, and it takes no number.
        services.notice_issue(notice=refused, actor=world.supervisor, today=TODAY + dt.timedelta(days=7))
    second = services.notice_issue(notice=draft(world), actor=world.supervisor, today=TODAY)
    assert (first.seq, second.seq) == (1, 2)
    assert first.number == "湛河公开办督改〔2026〕1号"
    assert unissued.number == ""
    assert unissued.seq is None
    assert Notice.objects.get(pk=refused.pk).seq is None
    # The other office counts on its own; a new year starts at 1.
    other = services.notice_create(
        office=world.office2,
        agency=world.dept_c,
        actor=world.supervisor2,
        title="通知",
        basis="routine",
        deadline=TODAY + dt.timedelta(days=5),
        items=[services.ItemInput("问题", "要求")],
        today=TODAY,
    )
    assert services.notice_issue(notice=other, actor=world.supervisor2, today=TODAY).seq == 1
    next_year = dt.date(2027, 1, 4)
    late = draft(world, today=next_year)
    assert (
        services.notice_issue(notice=late, actor=world.supervisor, today=next_year).number
        == "湛河公开办督改〔2027〕1号"
    )


def test_deadline_not_before_the_issue_date(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        draft(world, deadline=TODAY - dt.timedelta(days=1))
    assert caught.value.message_dict == {"deadline": ["整改期限不能早于下发日期"]}
    # The deadline may be the issue date itself.
    notice = draft(world, deadline=TODAY)
    assert services.notice_issue(notice=notice, actor=world.supervisor, today=TODAY).status == NoticeStatus.ISSUED


def test_draft_validation_names_the_fields(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.notice_create(
            office=world.office,
            agency=world.dept_a,
            actor=world.supervisor,
            title=" ",
            basis="nonsense",
            deadline=None,
            items=[services.ItemInput("", "只有要求")],
            today=TODAY,
        )
    assert set(caught.value.message_dict) == {"title", "basis", "deadline", "items"}
    assert Notice.objects.count() == 0


def test_issue_needs_a_requirement_for_every_item(world: World) -> None:
    notice = services.notice_create(
        office=world.office,
        agency=world.dept_a,
        actor=world.supervisor,
        title="通知",
        basis="routine",
        deadline=TODAY,
        items=[services.ItemInput("问题", "")],
        today=TODAY,
    )
    with pytest.raises(ValidationError) as caught:
        services.notice_issue(notice=notice, actor=world.supervisor, today=TODAY)
    assert "items" in caught.value.message_dict


def test_a_supervisor_only_drafts_for_agencies_its_office_supervises(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.notice_create(
            office=world.office,
            agency=world.dept_c,
            actor=world.supervisor,
            title="通知",
            basis="routine",
            deadline=TODAY,
            items=[services.ItemInput("问题", "要求")],
            today=TODAY,
        )
    assert "agency" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.notice_create(
            office=world.office2,
            agency=world.dept_c,
            actor=world.supervisor,
            title="通知",
            basis="routine",
            deadline=TODAY,
            items=[services.ItemInput("问题", "要求")],
            today=TODAY,
        )
    assert "office" in caught.value.message_dict


def test_criticism_is_recorded_once(world: World) -> None:
    notice = notice_in(world, NoticeStatus.ISSUED)
    notice = services.notice_criticize(notice=notice, actor=world.supervisor, text="全区通报批评", today=TODAY)
    assert (notice.criticism, notice.criticized_on, notice.status) == ("全区通报批评", TODAY, NoticeStatus.ISSUED)
    with pytest.raises(ValidationError):
        services.notice_criticize(notice=notice, actor=world.supervisor, text="再次")


@pytest.mark.parametrize(
    ("today", "overdue"),
    [(dt.date(2026, 3, 31), False), (dt.date(2026, 4, 1), True)],
)
def test_overdue_at_the_deadline_boundary(world: World, today: dt.date, overdue: bool) -> None:
    notice = notice_in(world, NoticeStatus.ACKNOWLEDGED)
    Notice.objects.filter(pk=notice.pk).update(deadline=dt.date(2026, 3, 31))
    found = selectors.overdue_notices(Notice.objects.all(), today)
    assert (notice in found) is overdue
    assert selectors.overdue_notice_counts([world.dept_a.pk], today=today) == {world.dept_a.pk: int(overdue)}


def test_closed_and_draft_notices_are_never_overdue(world: World) -> None:
    closed = notice_in(world, NoticeStatus.CLOSED)
    reported = notice_in(world, NoticeStatus.REPORTED)
    unsent = draft(world)
    Notice.objects.update(deadline=dt.date(2026, 3, 3))
    late = dt.date(2026, 6, 1)
    found = set(selectors.overdue_notices(Notice.objects.all(), late))
    assert found == {reported}
    assert closed not in found
    assert unsent not in found


def test_dashboard_counts(world: World) -> None:
    notice_in(world, NoticeStatus.ISSUED)
    notice_in(world, NoticeStatus.REPORTED)
    notice_in(world, NoticeStatus.CLOSED)
    draft(world)
    ids = [world.dept_a.pk, world.dept_b.pk]
    assert selectors.open_notice_counts(ids) == {world.dept_a.pk: 2, world.dept_b.pk: 0}
    assert selectors.overdue_notice_counts(ids, today=TODAY) == {world.dept_a.pk: 0, world.dept_b.pk: 0}
    assert selectors.overdue_notice_counts(ids, today=dt.date(2026, 12, 31)) == {world.dept_a.pk: 2, world.dept_b.pk: 0}


def test_every_change_is_audited_on_the_agency_chain(world: World) -> None:
    notice = notice_in(world, NoticeStatus.CLOSED)
    rows = AuditEvent.objects.filter(object_id=str(notice.pk), action__startswith="rectification.notice.")
    assert list(rows.order_by("seq").values_list("action", flat=True)) == [
        "rectification.notice.create",
        "rectification.notice.issue",
        "rectification.notice.acknowledge",
        "rectification.notice.report",
        "rectification.notice.accept",
    ]
    assert set(rows.values_list("agency_id", flat=True)) == {world.dept_a.pk}
