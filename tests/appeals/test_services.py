"""The appeal services: statutory clocks, refusals (nothing saved), the 纠正 reopening, the mapping as data, 表四."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from gongkai.accounts.roles import PlatformRole, Role
from gongkai.appeals import deadlines, selectors, services
from gongkai.appeals.codebook import DEFAULT_MAPPING, RESULTS, AppealKind, Column
from gongkai.appeals.models import TRANSITIONS, Action, Appeal, AppealEvent, ResultMapping, Status
from gongkai.audit.models import AuditEvent
from gongkai.cases.models import CaseEvent
from gongkai.cases.states import Status as CaseStatus
from gongkai.clock.calendar import WorkCalendar
from gongkai.reports.schema import TABLE4_BLOCKS, TABLE4_RESULTS
from tests.appeals.factories import make_appeal, make_case
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db

D = dt.date
CAL = WorkCalendar.from_chinesecalendar([2024, 2025, 2026])


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel("2026-01-15 10:00 +0800", tick=False):
        yield


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    agency = make_agency("湛河区司法局")
    other = make_agency("湛河区民政局")
    return {
        "agency": agency,
        "other": other,
        "handler": make_staff(agency, Role.HANDLER, full_name="李经办"),
        "head": make_staff(agency, Role.HEAD, full_name="王负责"),
        "case": make_case(agency, "2025-02-10", "2025-03-05"),
        "foreign_case": make_case(other, "2025-02-11", "2025-03-06"),
    }


def _input(**overrides: Any) -> services.AppealInput:
    values: dict[str, Any] = {
        "kind": AppealKind.RECONSIDERATION,
        "body": "湛河区人民政府",
        "appellant": "张三",
        "subject": "2025年3月5日作出的不予公开答复",
        "filed_on": D(2025, 4, 1),
    }
    values.update(overrides)
    return services.AppealInput(**values)


# --- statutory clocks (pure) ------------------------------------------------------------------------------------


def test_reconsideration_answer_is_ten_working_days_across_national_day() -> None:
    # 行政复议法第四十八条 + 第八十八条第二款: 10 工作日; 2025 国庆 1–8 October off, 11 October (Saturday) worked.
    due = deadlines.answer_deadline(AppealKind.RECONSIDERATION, D(2025, 9, 26), CAL)
    assert due.due == D(2025, 10, 16)
    assert "第四十八条" in due.explanation


def test_simplified_answer_is_five_working_days() -> None:
    due = deadlines.answer_deadline(AppealKind.RECONSIDERATION, D(2025, 9, 26), CAL, simplified=True)
    # 第五十四条: 5 工作日 after Friday 26 Sep: 28 Sep (a 调休 Sunday), 29, 30 Sep, then 9, 10 Oct.
    assert due.due == D(2025, 10, 10)
    assert due.period.key == "reconsideration_answer_simplified"


def test_defence_is_fifteen_days_and_a_holiday_last_day_moves_on() -> None:
    # 行政诉讼法第六十七条: 15 days from receipt; 16 Sep + 15 = 1 Oct (国庆) → 9 Oct (民法典第二百零三条).
    assert deadlines.answer_deadline(AppealKind.LITIGATION, D(2025, 9, 16), CAL).due == D(2025, 10, 9)
    # An ordinary working last day stays.
    assert deadlines.answer_deadline(AppealKind.LITIGATION, D(2025, 3, 3), CAL).due == D(2025, 3, 18)


def test_reconsideration_decision_sixty_plus_thirty() -> None:
    # 第六十二条: 3 Mar + 60 = 2 May (劳动节 1–5 May) → 6 May; with 30 more: 1 Jun (端午 31 May–2 Jun) → 3 Jun.
    assert deadlines.decision_deadline(AppealKind.RECONSIDERATION, D(2025, 3, 3), CAL).due == D(2025, 5, 6)
    extended = deadlines.decision_deadline(AppealKind.RECONSIDERATION, D(2025, 3, 3), CAL, extension_days=30)
    assert extended.due == D(2025, 6, 3)
    assert extended.amount == 90
    with pytest.raises(ValueError, match="30日"):
        deadlines.decision_deadline(AppealKind.RECONSIDERATION, D(2025, 3, 3), CAL, extension_days=31)


def test_first_instance_six_months_and_second_instance_three() -> None:
    # 行政诉讼法第八十一条: 6 months from 立案; 31 Aug → 28 Feb (no 31st: 民法典第二百零二条), a Friday.
    assert deadlines.decision_deadline(AppealKind.LITIGATION, D(2024, 8, 31), CAL, instance="first").due == D(
        2025, 2, 28
    )
    # 第八十八条: 3 months; 4 Jul → 4 Oct (国庆) → 9 Oct.
    assert deadlines.decision_deadline(AppealKind.LITIGATION, D(2025, 7, 4), CAL, instance="second").due == D(
        2025, 10, 9
    )


# --- services -----------------------------------------------------------------------------------------------------


def test_create_computes_the_due_dates_and_is_audited(world: dict[str, Any]) -> None:
    appeal = services.appeal_create(
        agency=world["agency"],
        actor=world["handler"],
        data=_input(cases=[world["case"]], accepted_on=D(2025, 4, 3), copy_received_on=D(2025, 9, 26)),
    )
    assert appeal.status == Status.ACCEPTED
    assert appeal.answer_due == D(2025, 10, 16)
    assert appeal.decision_due == deadlines.decision_deadline(appeal.kind, D(2025, 4, 3), CAL).due
    assert list(appeal.cases.all()) == [world["case"]]
    assert AuditEvent.objects.filter(action="appeal.create", object_id=str(appeal.pk)).exists()
    assert appeal.events.get().action == Action.CREATE


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"accepted_on": D(2025, 3, 1)}, "accepted_on"),  # 受理 before filing
        ({"copy_received_on": D(2025, 3, 30)}, "copy_received_on"),  # copy before filing
        ({"accepted_on": D(2025, 4, 10), "copy_received_on": D(2025, 4, 5)}, "copy_received_on"),
        ({"filed_on": D(2026, 2, 1)}, "filed_on"),  # in the future
        ({"kind": AppealKind.LITIGATION, "instance": "first"}, "route"),
        ({"route": "direct"}, "route"),  # a route on a 复议
        ({"appellant": "  "}, "appellant"),
        ({"cases": []}, "cases"),  # neither a case nor 主动公开
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    world: dict[str, Any], overrides: dict[str, Any], field: str
) -> None:
    data = _input(**{"cases": [world["case"]], **overrides})
    with pytest.raises(ValidationError) as caught:
        services.appeal_create(agency=world["agency"], actor=world["handler"], data=data)
    assert field in caught.value.message_dict
    assert all("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message_dict[field][0][:1])
    assert not Appeal.objects.exists()
    assert not AppealEvent.objects.exists()


def test_a_case_of_another_agency_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        services.appeal_create(
            agency=world["agency"], actor=world["handler"], data=_input(cases=[world["case"], world["foreign_case"]])
        )
    assert "不是本机关" in caught.value.message_dict["cases"][0]
    assert not Appeal.objects.exists()


def test_staff_of_another_agency_cannot_register(world: dict[str, Any]) -> None:
    outsider = make_staff(world["other"], Role.HEAD)
    with pytest.raises(ValidationError):
        services.appeal_create(agency=world["agency"], actor=outsider, data=_input(cases=[world["case"]]))
    assert not Appeal.objects.exists()


def test_copy_answer_extend_result_walk(world: dict[str, Any]) -> None:
    appeal = services.appeal_create(agency=world["agency"], actor=world["handler"], data=_input(proactive=True))
    assert appeal.status == Status.FILED
    with pytest.raises(ValidationError) as caught:
        services.appeal_record_answer(appeal=appeal, actor=world["handler"], answered_on=D(2025, 4, 20))
    assert "status" in caught.value.message_dict  # not accepted yet
    appeal = services.appeal_record_copy_received(
        appeal=appeal, actor=world["handler"], received_on=D(2025, 4, 8), accepted_on=D(2025, 4, 7)
    )
    assert appeal.status == Status.ACCEPTED
    assert appeal.answer_due == CAL.add_working_days(D(2025, 4, 8), 10)
    with pytest.raises(ValidationError) as caught:
        services.appeal_record_answer(appeal=appeal, actor=world["handler"], answered_on=D(2025, 4, 7))
    assert "answered_on" in caught.value.message_dict
    appeal = services.appeal_record_answer(appeal=appeal, actor=world["handler"], answered_on=D(2025, 4, 18))
    assert appeal.status == Status.ANSWERED
    first_due = appeal.decision_due
    appeal = services.appeal_extend_decision(appeal=appeal, actor=world["handler"], days=20, approved_on=D(2025, 5, 20))
    assert appeal.extension_days == 20
    assert appeal.decision_due is not None
    assert first_due is not None
    assert appeal.decision_due > first_due
    with pytest.raises(ValidationError) as caught:
        services.appeal_extend_decision(appeal=appeal, actor=world["handler"], days=11, approved_on=D(2025, 5, 21))
    assert "30日" in caught.value.message_dict["days"][0]
    assert Appeal.objects.get(pk=appeal.pk).extension_days == 20
    # The result: before filing refused; a 诉讼 result on a 复议 refused; then 维持.
    for result, on, field in (
        ("rc_upheld", D(2025, 3, 1), "result_on"),
        ("lt_revoked", D(2025, 6, 1), "result"),
        ("rc_upheld", D(2026, 2, 1), "result_on"),
    ):
        with pytest.raises(ValidationError) as caught:
            services.appeal_record_result(appeal=appeal, actor=world["handler"], result=result, result_on=on)
        assert field in caught.value.message_dict
        assert Appeal.objects.get(pk=appeal.pk).status == Status.ANSWERED
    appeal = services.appeal_record_result(
        appeal=appeal, actor=world["handler"], result="rc_upheld", result_on=D(2025, 6, 10)
    )
    assert appeal.status == Status.CONCLUDED
    with pytest.raises(ValidationError):
        services.appeal_record_result(
            appeal=appeal, actor=world["handler"], result="rc_revoked", result_on=D(2025, 6, 11)
        )
    assert [e.action for e in appeal.events.order_by("seq")] == [
        "create",
        "copy_received",
        "answer",
        "extend",
        "result",
    ]


def test_extension_only_for_reconsideration(world: dict[str, Any]) -> None:
    appeal = services.appeal_create(
        agency=world["agency"],
        actor=world["handler"],
        data=_input(
            kind=AppealKind.LITIGATION, route="direct", instance="first", proactive=True, accepted_on=D(2025, 4, 2)
        ),
    )
    with pytest.raises(ValidationError) as caught:
        services.appeal_extend_decision(appeal=appeal, actor=world["handler"], days=10, approved_on=D(2025, 4, 10))
    assert "days" in caught.value.message_dict


@pytest.mark.parametrize(("status", "action"), [(s, a) for s in Status for a in Action])
def test_transition_table_is_the_only_way(status: Status, action: Action) -> None:
    # Every pair is either listed or refused; nothing leaves 已审结 except a draft.
    target = TRANSITIONS.get((status, action))
    if status == Status.CONCLUDED:
        assert target in (None, Status.CONCLUDED)
        assert (target is None) == (action != Action.DRAFT)
    if action == Action.CREATE:
        assert target is None


def test_correction_reopens_the_linked_case_and_needs_the_head(world: dict[str, Any]) -> None:
    case = world["case"]
    appeal = services.appeal_create(
        agency=world["agency"],
        actor=world["handler"],
        data=_input(cases=[case], accepted_on=D(2025, 4, 2), number="湛政复〔2025〕7号"),
    )
    # A 经办人 may not record a result that reopens a case (cases.services.case_reopen needs Perm.APPROVE).
    with pytest.raises(ValidationError) as caught:
        services.appeal_record_result(
            appeal=appeal, actor=world["handler"], result="rc_revoked", result_on=D(2025, 5, 30)
        )
    assert "负责人" in caught.value.message_dict["actor"][0]
    assert Appeal.objects.get(pk=appeal.pk).status == Status.ACCEPTED
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    appeal = services.appeal_record_result(
        appeal=appeal, actor=world["head"], result="rc_revoked", result_on=D(2025, 5, 30)
    )
    case.refresh_from_db()
    assert case.status != CaseStatus.CLOSED
    assert case.outcome == ""
    note = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert note is not None
    assert "湛政复〔2025〕7号" in note.note
    assert "撤销" in note.note
    assert case.number in appeal.events.order_by("-seq").first().note  # type: ignore[union-attr]


def test_result_outside_the_mapping_is_refused(world: dict[str, Any]) -> None:
    appeal = services.appeal_create(agency=world["agency"], actor=world["handler"], data=_input(proactive=True))
    services.mapping_set(actor=None, result="rc_mediated", column="")
    with pytest.raises(ValidationError) as caught:
        services.appeal_record_result(
            appeal=appeal, actor=world["handler"], result="rc_mediated", result_on=D(2025, 5, 1)
        )
    assert "归类" in caught.value.message_dict["result"][0]
    assert Appeal.objects.get(pk=appeal.pk).result == ""


def test_mapping_is_edited_only_by_a_system_admin(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        services.mapping_set(actor=world["head"], result="rc_mediated", column=Column.CORRECTED)
    admin = make_staff(platform_role=PlatformRole.SYSTEM_ADMIN)
    services.mapping_set(actor=admin, result="rc_mediated", column=Column.CORRECTED)
    assert ResultMapping.objects.get(result="rc_mediated").column == Column.CORRECTED
    with pytest.raises(ValidationError):
        services.mapping_set(actor=admin, result="rc_mediated", column="nonsense")


# --- 表四 ---------------------------------------------------------------------------------------------------------


def test_seeded_mapping_is_the_default_and_covers_every_result(db: Any) -> None:
    assert selectors.mapping() == {str(k): str(v) for k, v in DEFAULT_MAPPING.items()}
    assert set(DEFAULT_MAPPING) == set(RESULTS)


@pytest.mark.parametrize("code", list(RESULTS))
def test_every_result_counts_in_its_mapped_column(world: dict[str, Any], code: str) -> None:
    definition = RESULTS[code]
    route = "" if definition.kind == AppealKind.RECONSIDERATION else "after_review"
    instance = "second" if code == "lt_appeal_dismissed" else ""
    fields = {"instance": instance} if instance else {}
    make_appeal(
        world["agency"], "2025-03-01", kind=definition.kind, route=route, result=code, result_on="2025-06-01", **fields
    )
    table = selectors.table4([world["agency"].pk], 2025)
    block = "行政复议" if definition.kind == AppealKind.RECONSIDERATION else "复议后起诉"
    column = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果"}[str(DEFAULT_MAPPING[code])]
    assert table[block][column] == 1
    assert table[block]["总计"] == 1
    assert sum(table[b]["总计"] for b in TABLE4_BLOCKS) == 1


def test_table4_hand_counted_with_pending_and_carried_over(world: dict[str, Any]) -> None:
    agency, other = world["agency"], world["other"]
    a = agency
    # 行政复议
    make_appeal(a, "2025-02-01", result="rc_upheld", result_on="2025-04-01")  # 维持
    make_appeal(a, "2025-03-01", result="rc_revoked", result_on="2025-05-01")  # 纠正
    make_appeal(a, "2025-04-01", result="rc_terminated", result_on="2025-04-20")  # 其他
    make_appeal(a, "2025-11-20", result="rc_upheld", result_on="2026-01-10")  # concluded next year → 尚未审结
    make_appeal(a, "2024-12-01", result="rc_ordered", result_on="2025-01-20")  # carried over, 纠正 in 2025
    make_appeal(a, "2024-06-01", result="rc_upheld", result_on="2024-08-01")  # ended in 2024: not counted
    make_appeal(a, "2024-10-01")  # carried over, still open → 尚未审结
    make_appeal(a, "2026-01-05")  # filed next year: not counted
    make_appeal(other, "2025-05-05", result="rc_upheld", result_on="2025-06-01")  # another agency
    # 未经复议直接起诉
    make_appeal(a, "2025-05-01", kind="litigation", route="direct", result="lt_claim_dismissed", result_on="2025-10-01")
    make_appeal(a, "2025-06-01", kind="litigation", route="direct")
    make_appeal(a, "2023-09-01", kind="litigation", route="direct", result="lt_illegal", result_on="2025-12-31")
    # 复议后起诉
    make_appeal(
        a, "2025-07-01", kind="litigation", route="after_review", result="lt_suit_dismissed", result_on="2025-09-01"
    )
    make_appeal(a, "2025-08-01", kind="litigation", route="after_review", result="lt_perform", result_on="2025-12-01")

    table = selectors.table4([a.pk], 2025)
    assert table == {
        "行政复议": {"结果维持": 1, "结果纠正": 2, "其他结果": 1, "尚未审结": 2, "总计": 6},
        "未经复议直接起诉": {"结果维持": 1, "结果纠正": 1, "其他结果": 0, "尚未审结": 1, "总计": 3},
        "复议后起诉": {"结果维持": 0, "结果纠正": 1, "其他结果": 1, "尚未审结": 0, "总计": 2},
    }
    assert list(table) == list(TABLE4_BLOCKS)
    assert all(list(cells) == list(TABLE4_RESULTS) for cells in table.values())
    # 2024: the two carried into 2025 were pending at its end, the 2024 one ended; the 2023 suit was pending too.
    assert selectors.table4([a.pk], 2024)["行政复议"] == {
        "结果维持": 1,
        "结果纠正": 0,
        "其他结果": 0,
        "尚未审结": 2,
        "总计": 3,
    }
    assert selectors.table4([a.pk], 2024)["未经复议直接起诉"]["尚未审结"] == 1
    counts = selectors.appeal_counts([a.pk, other.pk], 2025)
    assert counts[a.pk] == selectors.AppealCounts(total=11, upheld=2, corrected=4, other=2, pending=3)
    assert counts[other.pk] == selectors.AppealCounts(total=1, upheld=1)
    # The drill-down lists the appeals behind a cell.
    behind = selectors.table4_cell_appeals([a.pk], 2025, "行政复议", "尚未审结")
    assert sorted(x.filed_on for x in behind) == [D(2024, 10, 1), D(2025, 11, 20)]


def test_editing_the_mapping_changes_table4(world: dict[str, Any]) -> None:
    a = world["agency"]
    make_appeal(a, "2025-02-01", result="rc_claim_dismissed", result_on="2025-04-01")
    assert selectors.table4([a.pk], 2025)["行政复议"]["其他结果"] == 1
    # A province whose 口径 counts 驳回行政复议请求 as 维持:
    services.mapping_set(actor=None, result="rc_claim_dismissed", column=Column.UPHELD)
    table = selectors.table4([a.pk], 2025)["行政复议"]
    assert table["其他结果"] == 0
    assert table["结果维持"] == 1
    # A result in use cannot be taken out of the mapping.
    with pytest.raises(ValidationError):
        services.mapping_set(actor=None, result="rc_claim_dismissed", column="")


def test_due_soon_and_overdue(world: dict[str, Any]) -> None:
    a = world["agency"]
    late = make_appeal(a, "2025-12-01", copy_received_on=D(2025, 12, 20), answer_due=D(2026, 1, 5))
    soon = make_appeal(a, "2025-12-20", copy_received_on=D(2026, 1, 8), answer_due=D(2026, 1, 19))
    make_appeal(a, "2025-12-01", answer_due=D(2026, 1, 5), answered_on=D(2026, 1, 4))  # answered
    make_appeal(a, "2025-12-01", answer_due=D(2026, 1, 5), result="rc_terminated", result_on=D(2026, 1, 3))
    today = D(2026, 1, 15)
    assert list(selectors.answers_overdue([a.pk], today=today)) == [late]
    assert list(selectors.answers_due_soon([a.pk], today=today)) == [soon]
    assert list(selectors.answers_overdue([world["other"].pk], today=today)) == []
