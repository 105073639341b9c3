"""Conformance scenarios for 依申请公开: each drives the real services and cites the article it checks.

Dates are real 2025/2026 calendar dates, hand-counted against the State Council's notices: 国庆 2025-10-01..08 with
调休 workdays 2025-09-28 (Sun) and 2025-10-11 (Sat); 春节 2026-02-15..23 with 调休 workdays 2026-02-14 (Sat) and
2026-02-28 (Sat); 清明 2026-04-04..06. "Today" is pinned (time_machine) after every date a scenario records, since the
services refuse dates in the future.

Most scenarios call the services; the last ones go through the HTTP views (public /apply/…, staff /staff/cases/…),
which call the same services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from gongkai.cases import selectors, services
from gongkai.cases.codebook import OUTCOMES, ApplicantType, Channel, Outcome, OutcomeVariant
from gongkai.cases.fees import FeeMethod
from gongkai.cases.models import (
    Case,
    CaseDocument,
    Consultation,
    ConsulteeKind,
    DeliveryMethod,
    DocumentKind,
    FeeAssessment,
    OpinionResult,
)
from gongkai.cases.states import Action, Status
from gongkai.clock.models import ClockLedger
from tests.cases.conftest import application, d, organisation
from tests.factories import valid_id_number

NP = ApplicantType.NATURAL_PERSON.value


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    """Pinned after every date the scenarios record (the services refuse future dates)."""
    with time_machine.travel("2026-12-30 10:00 +0800", tick=False):
        yield


def register(agency: Any, handler: Any, on: str, data: services.ApplicationInput | None = None) -> Case:
    """An application handed in at the counter: received the day it is submitted (条例第三十一条（一）)."""
    return services.case_register(
        agency=agency, data=data or application(), channel=Channel.IN_PERSON, actor=handler, received_on=d(on)
    )


def fresh(case: Case) -> Case:
    return Case.objects.select_related("ledger", "agency").get(pk=case.pk)


def ledger(case: Case) -> ClockLedger:
    row = fresh(case).ledger
    assert row is not None
    return row


def due(case: Case) -> dt.date | None:
    return fresh(case).reply_due


def reply(case: Case, actor: Any, outcome: Outcome, on: str, **extra: Any) -> CaseDocument:
    return services.case_reply(case=case, actor=actor, data=services.ReplyInput(outcome=outcome, on=d(on), **extra))


def fields_of(error: ValidationError) -> set[str]:
    return set(error.message_dict) if hasattr(error, "error_dict") else set()


def withheld(
    ground: Outcome, what: str = "第三人的身份信息", why: str = "涉及个人隐私"
) -> list[services.WithheldInput]:
    return [services.WithheldInput(what, ground, why)]


# ---------------------------------------------------------------------------------------------------------------------
# Every outcome of the codebook, each by its own path, each counted in exactly its own row of 表三.

# The extra data each staff-selectable outcome needs in the reply (条例第三十六—三十九条).
REPLY_DATA: dict[Outcome, dict[str, Any]] = {
    Outcome.DISCLOSED: {"variant": OutcomeVariant.PROVIDED},  # 第三十六条（二）
    Outcome.PARTIAL: {"withheld": withheld(Outcome.WITHHELD_THIRD_PARTY)},  # 第三十七条
    Outcome.WITHHELD_STATE_SECRET: {"withheld": withheld(Outcome.WITHHELD_STATE_SECRET, "会议纪要", "属于国家秘密")},
    Outcome.WITHHELD_PROHIBITED: {"withheld": withheld(Outcome.WITHHELD_PROHIBITED, "档案", "法律禁止公开")},
    Outcome.WITHHELD_SECURITY: {"withheld": withheld(Outcome.WITHHELD_SECURITY, "预案", "危及公共安全")},
    Outcome.WITHHELD_THIRD_PARTY: {"withheld": withheld(Outcome.WITHHELD_THIRD_PARTY)},
    Outcome.WITHHELD_INTERNAL: {"withheld": withheld(Outcome.WITHHELD_INTERNAL, "考勤记录", "人事管理信息")},
    Outcome.WITHHELD_PROCESS: {"withheld": withheld(Outcome.WITHHELD_PROCESS, "请示", "过程性信息")},
    Outcome.WITHHELD_ENFORCEMENT: {"withheld": withheld(Outcome.WITHHELD_ENFORCEMENT, "案卷", "行政执法案卷")},
    Outcome.WITHHELD_QUERY: {"withheld": withheld(Outcome.WITHHELD_QUERY, "登记资料", "依登记法规查询")},
    Outcome.UNAVAILABLE_NOT_HELD: {
        "variant": OutcomeVariant.NOT_OURS,
        "competent_agency": "湛河区财政局，0375-1234567",
    },
    Outcome.UNAVAILABLE_NEEDS_CREATION: {},
    Outcome.UNAVAILABLE_UNCLEAR: {},  # after a correction, see below
    Outcome.NOT_PROCESSED_PETITION: {},
    Outcome.NOT_PROCESSED_REPEAT: {},  # earlier_case_number filled in below
    Outcome.NOT_PROCESSED_PUBLICATION: {"text": "可在湛河区人民政府公报查阅"},
    Outcome.NOT_PROCESSED_CONFIRMATION: {},
}


def reach(outcome: Outcome, case: Case, handler: Any, *, earlier: Case | None = None) -> Case:
    """Drive ``case`` (received 2026-03-02) to ``outcome`` along the path the statute gives it."""
    if outcome is Outcome.NOT_PROCESSED_EXCESSIVE:  # 第三十五条
        services.case_ask_reasons(case=case, actor=handler, on=d("2026-03-03"))
        services.case_reject_reasons(case=case, actor=handler, on=d("2026-03-10"), reasons="未说明理由")
    elif outcome is Outcome.OTHER_NO_CORRECTION:  # 第三十条
        services.case_request_correction(
            case=case, actor=handler, on=d("2026-03-03"), items="请明确年份", period_days=5
        )
        services.case_correction_lapsed(case=case, actor=None, on=d("2026-03-11"))
    elif outcome is Outcome.OTHER_FEE_UNPAID:  # 第四十二条、109号
        services.case_notify_fee(case=case, actor=handler, on=d("2026-03-04"), method=FeeMethod.PER_VOLUME, pages=150)
        services.case_fee_lapsed(case=case, actor=None, on=d("2026-04-02"))
    elif outcome is Outcome.OTHER:  # 申请人主动撤回
        services.case_withdraw(case=case, actor=None, on=d("2026-03-05"), reason="申请人撤回", by_applicant=True)
    else:
        extra = dict(REPLY_DATA[outcome])
        if outcome is Outcome.UNAVAILABLE_UNCLEAR:  # 第三十条: 补正后仍不明确
            services.case_request_correction(
                case=case, actor=handler, on=d("2026-03-03"), items="请明确信息名称", period_days=10
            )
            services.case_record_correction(case=case, actor=handler, on=d("2026-03-06"))
        if outcome is Outcome.NOT_PROCESSED_REPEAT:  # 第三十六条（六）
            assert earlier is not None
            extra["earlier_case_number"] = earlier.number
        reply(case, handler, outcome, "2026-03-20", **extra)
    return fresh(case)


def test_every_outcome_reached_by_its_path_counts_in_its_own_row(agency: Any, handler: Any) -> None:
    """条例第三十条、第三十五—三十九条、第四十二条 and 109号: all 21 outcomes; 表三 (国办公开办函〔2021〕30号) counts
    each closed case in exactly one result row, its outcome's."""
    assert len(REPLY_DATA) == 17  # the outcomes staff choose in the reply form
    closed: dict[str, Case] = {}
    for outcome in Outcome:
        case = register(agency, handler, "2026-03-02")
        closed[outcome.value] = reach(outcome, case, handler, earlier=closed.get(Outcome.DISCLOSED.value))
    for key, case in closed.items():
        assert case.status == Status.CLOSED, key
        assert case.outcome == key
        assert case.closed_on is not None
        assert not ledger(case).is_open
    table = selectors.table_three([agency.pk], 2026)
    assert table.total("一") == 21
    assert table.total("二") == table.total("四") == 0
    assert table.total("三.七") == 21
    for key, case in closed.items():
        row = OUTCOMES[key].row
        assert table.cases[row] == {NP: [case.pk]}, key
        assert table.cell(row, NP) == 1
    assert closed[Outcome.NOT_PROCESSED_REPEAT.value].earlier_case_id == closed[Outcome.DISCLOSED.value].pk
    assert closed[Outcome.OTHER.value].outcome_variant == OutcomeVariant.WITHDRAWN


def test_variants_share_their_row(agency: Any, handler: Any) -> None:
    """第三十六条（一）/（二） count in 三（一）; （四）/（五） in 三（四）1 — the variant changes the letter only."""
    cases = [register(agency, handler, "2026-03-02") for _ in range(4)]
    reply(cases[0], handler, Outcome.DISCLOSED, "2026-03-05", variant=OutcomeVariant.ALREADY_PUBLIC)
    reply(cases[1], handler, Outcome.DISCLOSED, "2026-03-05", variant=OutcomeVariant.PROVIDED)
    reply(cases[2], handler, Outcome.UNAVAILABLE_NOT_HELD, "2026-03-05", variant=OutcomeVariant.NOT_EXIST)
    reply(
        cases[3],
        handler,
        Outcome.UNAVAILABLE_NOT_HELD,
        "2026-03-05",
        variant=OutcomeVariant.NOT_OURS,
        competent_agency="湛河区财政局",
    )
    table = selectors.table_three([agency.pk], 2026)
    assert table.cell("三.一", NP) == 2
    assert table.cell("三.四.1", NP) == 2
    assert table.total("三.七") == 4


@pytest.mark.parametrize(
    ("outcome", "extra", "field"),
    [
        (Outcome.OTHER_NO_CORRECTION, {}, "outcome"),  # system-only: comes from 第三十条's lapse
        (Outcome.OTHER_FEE_UNPAID, {}, "outcome"),  # system-only: comes from 109号's lapse
        (Outcome.NOT_PROCESSED_EXCESSIVE, {}, "outcome"),  # 第三十五条: ask for reasons first
        (Outcome.OTHER, {"variant": OutcomeVariant.WITHDRAWN}, "variant"),  # 撤回 has its own action
        (Outcome.DISCLOSED, {}, "variant"),
        (Outcome.PARTIAL, {}, "withheld"),  # 第三十七条: the withheld parts and their grounds
        (Outcome.WITHHELD_STATE_SECRET, {"withheld": withheld(Outcome.PARTIAL)}, "withheld"),
        (Outcome.UNAVAILABLE_NOT_HELD, {"variant": OutcomeVariant.NOT_OURS}, "competent_agency"),  # 第三十六条（五）
        (Outcome.UNAVAILABLE_UNCLEAR, {}, "outcome"),  # 第三十条: only after a correction
        (Outcome.NOT_PROCESSED_REPEAT, {"earlier_case_number": "2026-9999"}, "earlier_case_number"),
        (Outcome.UNAVAILABLE_NEEDS_CREATION, {"variant": OutcomeVariant.PROVIDED}, "variant"),
    ],
)
def test_reply_refuses_incomplete_or_wrong_outcomes(
    outcome: Outcome, extra: dict[str, Any], field: str, agency: Any, handler: Any
) -> None:
    """条例第三十六条: one outcome from the closed codebook, with the facts its letter needs; else nothing changes."""
    case = register(agency, handler, "2026-03-02")
    with pytest.raises(ValidationError) as caught:
        reply(case, handler, outcome, "2026-03-10", **extra)
    assert field in fields_of(caught.value)
    case = fresh(case)
    assert case.status == Status.PROCESSING
    assert case.outcome == ""
    assert ledger(case).is_open


def test_repeat_needs_an_answered_earlier_case(agency: Any, handler: Any) -> None:
    """条例第三十六条（六）：已就申请作出答复、申请人重复申请 — an earlier case still open is no ground."""
    earlier = register(agency, handler, "2026-03-02")
    case = register(agency, handler, "2026-03-03")
    with pytest.raises(ValidationError, match="尚未答复"):
        reply(case, handler, Outcome.NOT_PROCESSED_REPEAT, "2026-03-10", earlier_case_number=earlier.number)


# ---------------------------------------------------------------------------------------------------------------------
# 补正 (条例第三十条) across 春节 2026


def test_correction_notice_within_seven_working_days_across_spring_festival(agency: Any, handler: Any) -> None:
    """条例第三十条：自收到申请之日起7个工作日内一次性告知补正. Received Tue 2026-02-10: counted days 02-11, 12, 13,
    14 (Sat, 调休), then 春节 02-15..23, then 24, 25, 26 → the notice is due 2026-02-26; on 02-27 it is refused."""
    case = register(agency, handler, "2026-02-10")
    assert ledger(case).correction_notice_due == d("2026-02-26")
    assert due(case) == d("2026-03-16")  # 20 working days, skipping 春节, counting 02-14 and 02-28
    with pytest.raises(ValidationError) as caught:
        services.case_request_correction(
            case=case, actor=handler, on=d("2026-02-27"), items="请明确年份", period_days=3
        )
    assert "on" in fields_of(caught.value)
    assert fresh(case).status == Status.PROCESSING
    document = services.case_request_correction(
        case=case, actor=handler, on=d("2026-02-26"), items="请明确年份", period_days=3
    )
    assert document.kind == DocumentKind.CORRECTION_NOTICE
    case = fresh(case)
    assert case.status == Status.AWAITING_CORRECTION
    assert case.reply_due is None  # the clock waits for the corrected application
    assert case.correction_deadline == d("2026-03-02")  # 02-27, 02-28 (Sat, 调休), 03-02


def test_correction_restarts_the_twenty_days_and_only_once(agency: Any, handler: Any) -> None:
    """条例第三十条：答复期限自行政机关收到补正的申请之日起计算；补正只能一次性告知. Corrected Fri 2026-02-27:
    02-28 (Sat, 调休) is day 1, … 2026-03-26 is day 20."""
    case = register(agency, handler, "2026-02-10")
    services.case_request_correction(case=case, actor=handler, on=d("2026-02-12"), items="请明确年份", period_days=10)
    services.case_record_correction(case=case, actor=handler, on=d("2026-02-27"), note="已补正")
    case = fresh(case)
    assert case.status == Status.PROCESSING
    assert case.corrected_on == d("2026-02-27")
    assert case.reply_due == d("2026-03-26")
    with pytest.raises(ValidationError, match="一次性"):
        services.case_request_correction(case=case, actor=handler, on=d("2026-02-27"), items="再补正", period_days=5)
    assert fresh(case).reply_due == d("2026-03-26")


def test_correction_lapses_only_after_its_deadline(agency: Any, handler: Any) -> None:
    """条例第三十条：申请人无正当理由逾期不补正的，视为放弃申请 → 表三 三（六）1. Not on the deadline day itself."""
    case = register(agency, handler, "2026-02-10")
    services.case_request_correction(case=case, actor=handler, on=d("2026-02-26"), items="请明确年份", period_days=3)
    assert fresh(case).correction_deadline == d("2026-03-02")
    with pytest.raises(ValidationError, match="尚未届满") as caught:
        services.case_correction_lapsed(case=case, actor=None, on=d("2026-03-02"))
    assert "on" in fields_of(caught.value)
    assert fresh(case).status == Status.AWAITING_CORRECTION
    services.case_correction_lapsed(case=case, actor=None, on=d("2026-03-03"))
    case = fresh(case)
    assert (case.status, case.outcome, case.closed_on) == (Status.CLOSED, Outcome.OTHER_NO_CORRECTION, d("2026-03-03"))
    event = case.events.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.actor_label) == (Action.CORRECTION_LAPSED, "系统")
    assert selectors.table_three([agency.pk], 2026).cell("三.六.1", NP) == 1


def test_correction_deadline_runs_from_delivery(agency: Any, handler: Any, monkeypatch: Any) -> None:
    """The 补正 period runs from the applicant's receipt of the notice: 送达 recorded on Wed 2026-03-04 with a period of
    5 working days → 2026-03-11."""
    monkeypatch.setattr("gongkai.documents.render.render_pdf", lambda doc: b"%PDF-1.7 stub")
    case = register(agency, handler, "2026-03-02")
    notice = services.case_request_correction(
        case=case, actor=handler, on=d("2026-03-03"), items="请明确年份", period_days=5
    )
    assert fresh(case).correction_deadline == d("2026-03-10")
    issued = services.document_issue(document=notice, actor=handler, on=d("2026-03-03"))
    services.document_deliver(
        document=issued,
        actor=handler,
        data=services.DeliveryInput(
            method=DeliveryMethod.POST, sent_on=d("2026-03-03"), delivered_on=d("2026-03-04"), waybill="EMS1234567"
        ),
    )
    assert fresh(case).correction_deadline == d("2026-03-11")


# ---------------------------------------------------------------------------------------------------------------------
# 征求意见 (条例第三十二、三十三、三十四条) across 国庆 2025


def consult(case: Case, handler: Any, kind: str, on: str = "2025-09-29") -> Consultation:
    services.case_start_consultation(
        case=case,
        actor=handler,
        on=d(on),
        consultees=[services.ConsulteeInput(kind=kind, party="某某科技有限公司", matter="是否同意公开合同金额")],
    )
    return Consultation.objects.get(case=case)


def test_consultation_pauses_the_clock(agency: Any, handler: Any) -> None:
    """条例第三十三条第三款：征求第三方意见所需时间不计算在期限内. Received Mon 2025-09-22: due 2025-10-24 (counting
    09-28 and 10-11, the 调休 workdays, skipping 国庆). Paused 09-29 → answered 10-13: the working days 09-30, 10-09,
    10-10, 10-11, 10-13 are not counted, so the due date moves 5 working days to 2025-10-31."""
    case = register(agency, handler, "2025-09-22")
    assert due(case) == d("2025-10-24")
    row = consult(case, handler, ConsulteeKind.THIRD_PARTY)
    assert row.answer_due == d("2025-10-27")  # 15 working days from 09-29 (第三十二条)
    case = fresh(case)
    assert case.status == Status.CONSULTING
    assert case.reply_due == d("2025-10-24")  # the engine keeps the running figure while paused
    assert any("暂停" in line for line in selectors.case_explanation(case))
    services.case_record_opinion(
        case=case, actor=handler, consultation=row, result=OpinionResult.AGREE, on=d("2025-10-13")
    )
    case = fresh(case)
    assert case.status == Status.PROCESSING
    assert case.reply_due == d("2025-10-31")


def test_third_party_refusal_needs_a_public_interest_reason_to_disclose(agency: Any, handler: Any) -> None:
    """条例第三十二条：第三方不同意公开且有合理理由的，行政机关不予公开；认为不公开可能对公共利益造成重大影响的，
    可以决定予以公开 — only with the reason written down."""
    case = register(agency, handler, "2025-09-22")
    row = consult(case, handler, ConsulteeKind.THIRD_PARTY)
    with pytest.raises(ValidationError) as caught:
        services.case_record_opinion(
            case=case, actor=handler, consultation=row, result=OpinionResult.DISAGREE, on=d("2025-10-09")
        )
    assert "reasons" in fields_of(caught.value)
    services.case_record_opinion(
        case=case,
        actor=handler,
        consultation=row,
        result=OpinionResult.DISAGREE,
        on=d("2025-10-09"),
        reasons="涉及商业秘密",
    )
    with pytest.raises(ValidationError) as caught:
        reply(case, handler, Outcome.DISCLOSED, "2025-10-20", variant=OutcomeVariant.PROVIDED)
    assert "public_interest_reason" in fields_of(caught.value)
    assert fresh(case).status == Status.PROCESSING
    document = reply(
        case,
        handler,
        Outcome.DISCLOSED,
        "2025-10-20",
        variant=OutcomeVariant.PROVIDED,
        public_interest_reason="涉及公共资金使用，不公开可能对公共利益造成重大影响",
    )
    assert fresh(case).outcome == Outcome.DISCLOSED
    assert any("公共利益造成重大影响" in p for p in document.body)


def test_third_party_refusal_withheld(agency: Any, handler: Any) -> None:
    """条例第三十二条 → 表三 三（三）4 保护第三方合法权益."""
    case = register(agency, handler, "2025-09-22")
    row = consult(case, handler, ConsulteeKind.THIRD_PARTY)
    services.case_record_opinion(
        case=case,
        actor=handler,
        consultation=row,
        result=OpinionResult.DISAGREE,
        on=d("2025-10-09"),
        reasons="商业秘密",
    )
    reply(case, handler, Outcome.WITHHELD_THIRD_PARTY, "2025-10-20", withheld=withheld(Outcome.WITHHELD_THIRD_PARTY))
    assert selectors.table_three([agency.pk], 2025).cell("三.三.4", NP) == 1


def test_silent_agency_lapses_and_the_clock_resumes(agency: Any, handler: Any) -> None:
    """条例第三十四条：被征求意见机关逾期未提出意见的视为同意公开. Sent 2025-09-29, 15 working days → 2025-10-27; the
    system lapses it the day after, not on the day. The clock stood still 09-29..10-27 (15 working days): due
    2025-10-24 + 15 → 2025-11-14."""
    case = register(agency, handler, "2025-09-22")
    row = consult(case, handler, ConsulteeKind.AGENCY)
    assert row.answer_due == d("2025-10-27")
    with pytest.raises(ValidationError, match="没有已届满"):
        services.case_consultation_lapsed(case=case, actor=None, today=d("2025-10-27"))
    assert fresh(case).status == Status.CONSULTING
    services.case_consultation_lapsed(case=case, actor=None, today=d("2025-10-28"))
    case = fresh(case)
    assert case.status == Status.PROCESSING
    assert case.reply_due == d("2025-11-14")
    row.refresh_from_db()
    assert row.result == OpinionResult.NO_ANSWER
    assert "视为同意公开" in row.reasons
    lapsed, ended = case.events.order_by("-seq")[:2][::-1]
    assert (lapsed.action, lapsed.actor_label) == (Action.CONSULTATION_LAPSED, "系统")
    assert (ended.action, ended.from_status, ended.to_status, ended.on) == (
        Action.END_CONSULTATION,
        Status.CONSULTING,
        Status.PROCESSING,
        d("2025-10-27"),  # the clock resumes from the day the answer period ended
    )


# ---------------------------------------------------------------------------------------------------------------------
# 延期 (条例第三十三条第二款)


def test_extension_by_the_head_before_the_due_date(agency: Any, handler: Any, head: Any) -> None:
    """条例第三十三条第二款：经政府信息公开工作机构负责人同意…延长的期限最长不得超过20个工作日. Received 2026-03-02,
    due 03-30; 10 working days more skip 清明 (04-04..06) → 2026-04-14. Once only."""
    case = register(agency, handler, "2026-03-02")
    assert due(case) == d("2026-03-30")
    with pytest.raises(ValidationError, match="负责人"):
        services.case_extend(case=case, actor=handler, days=10, reason="材料较多", approved_on=d("2026-03-20"))
    with pytest.raises(ValidationError, match="20"):
        services.case_extend(case=case, actor=head, days=21, reason="材料较多", approved_on=d("2026-03-20"))
    with pytest.raises(ValidationError) as caught:
        services.case_extend(case=case, actor=head, days=10, reason="材料较多", approved_on=d("2026-03-31"))
    assert "approved_on" in fields_of(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.case_extend(case=case, actor=head, days=10, reason=" ", approved_on=d("2026-03-30"))
    assert "reason" in fields_of(caught.value)
    assert due(case) == d("2026-03-30")
    assert fresh(case).extension_days is None
    notice = services.case_extend(case=case, actor=head, days=10, reason="材料较多", approved_on=d("2026-03-30"))
    assert notice.kind == DocumentKind.EXTENSION_NOTICE
    case = fresh(case)
    assert case.reply_due == d("2026-04-14")
    assert (case.extension_days, case.extension_approved_by_id) == (10, head.pk)
    assert any("2026年4月14日" in p for p in notice.body)
    with pytest.raises(ValidationError, match="一次"):
        services.case_extend(case=case, actor=head, days=5, reason="仍需时间", approved_on=d("2026-04-01"))
    assert due(case) == d("2026-04-14")


# ---------------------------------------------------------------------------------------------------------------------
# 信息处理费 (条例第四十二条，国办函〔2020〕109号)


def test_fee_per_item_at_the_tier_boundaries(agency: Any, handler: Any) -> None:
    """109号第四条：同一申请人一个自然月内累计申请 ≤10件 free, 11—30 100元/件, then +100 per 10. One applicant (one ID
    number) files 41 applications in March 2026; each is quoted at its ordinal; April starts again at 1; another
    applicant is counted apart."""
    cases = [register(agency, handler, f"2026-03-{1 + (i * 30) // 41:02d}") for i in range(41)]
    expected = {10: 0, 11: 100, 30: 100, 31: 200, 40: 200, 41: 300}
    for k, amount in expected.items():
        quote = services.fee_quote(case=cases[k - 1], method=FeeMethod.PER_ITEM)
        assert (services.applicant_month_ordinal(cases[k - 1]), quote.amount) == (k, amount)
    with pytest.raises(ValidationError) as caught:  # free: nothing to notify
        services.case_notify_fee(case=cases[9], actor=handler, on=d("2026-03-31"), method=FeeMethod.PER_ITEM)
    assert "method" in fields_of(caught.value)
    assert fresh(cases[9]).status == Status.PROCESSING
    notice = services.case_notify_fee(case=cases[10], actor=handler, on=d("2026-03-31"), method=FeeMethod.PER_ITEM)
    assert notice.kind == DocumentKind.FEE_NOTICE
    fee = FeeAssessment.objects.get(case=cases[10])
    assert (fee.method, fee.first_ordinal, fee.amount) == (FeeMethod.PER_ITEM, 11, 100)
    assert any("100元" in p for p in notice.body)
    april = register(agency, handler, "2026-04-01")
    assert services.applicant_month_ordinal(april) == 1
    assert services.fee_quote(case=april, method=FeeMethod.PER_ITEM).amount == 0
    other = register(agency, handler, "2026-03-31", application(id_number=valid_id_number(serial="520")))
    assert services.applicant_month_ordinal(other) == 1


def test_fee_per_item_split_pieces_count_for_later_applications(agency: Any, handler: Any) -> None:
    """109号第四条：一份申请包含多项内容的，可以按照“一事一申请”原则拆分计算件数 — later ordinals move on."""
    cases = [register(agency, handler, "2026-03-02") for _ in range(12)]
    services.case_notify_fee(case=cases[10], actor=handler, on=d("2026-03-03"), method=FeeMethod.PER_ITEM, pieces=3)
    assert FeeAssessment.objects.get(case=cases[10]).amount == 300  # 件 11, 12, 13
    assert services.applicant_month_ordinal(cases[11]) == 14


@pytest.mark.parametrize(("pages", "amount"), [(31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740)])
def test_fee_per_volume_at_the_tier_boundaries(pages: int, amount: int, agency: Any, handler: Any) -> None:
    """109号第五条：30页以下不收费；31—100页10元/页；101—200页20元/页；201页以上40元/页（超额累进）."""
    case = register(agency, handler, "2026-03-02")
    services.case_notify_fee(case=case, actor=handler, on=d("2026-03-04"), method=FeeMethod.PER_VOLUME, pages=pages)
    fee = FeeAssessment.objects.get(case=case)
    assert (fee.method, fee.pages, fee.amount) == (FeeMethod.PER_VOLUME, pages, amount)
    assert fresh(case).status == Status.AWAITING_FEE


def test_fee_per_volume_thirty_pages_is_free(agency: Any, handler: Any) -> None:
    """109号第五条（一）：30页以下（含30页）的，不收费."""
    case = register(agency, handler, "2026-03-02")
    with pytest.raises(ValidationError):
        services.case_notify_fee(case=case, actor=handler, on=d("2026-03-04"), method=FeeMethod.PER_VOLUME, pages=30)
    assert not FeeAssessment.objects.filter(case=case).exists()
    assert fresh(case).status == Status.PROCESSING


def test_never_both_fee_methods_for_one_application(agency: Any, handler: Any) -> None:
    """109号第三条：不得同时按照两种标准重复计算; and one fee per application."""
    cases = [register(agency, handler, "2026-03-02") for _ in range(12)]
    case = cases[11]
    with pytest.raises(ValidationError) as caught:
        services.fee_quote(case=case, method=FeeMethod.PER_ITEM, pages=150)
    assert "pages" in fields_of(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.fee_quote(case=case, method=FeeMethod.PER_VOLUME, pieces=2, pages=150)
    assert "pieces" in fields_of(caught.value)
    with pytest.raises(ValidationError):
        services.case_notify_fee(case=case, actor=handler, on=d("2026-03-04"), method=FeeMethod.PER_ITEM, pages=150)
    assert not FeeAssessment.objects.filter(case=case).exists()
    services.case_notify_fee(case=case, actor=handler, on=d("2026-03-04"), method=FeeMethod.PER_ITEM)
    with pytest.raises(ValidationError):
        services.case_notify_fee(case=case, actor=handler, on=d("2026-03-05"), method=FeeMethod.PER_VOLUME, pages=150)
    assert FeeAssessment.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(("pauses", "after"), [(True, "2026-04-07"), (False, "2026-03-30")])
def test_payment_resumes_the_clock(pauses: bool, after: str, agency: Any, handler: Any, settings: Any) -> None:
    """109号 (as restated by 四川省财政厅): paid → the clock resumes. With GONGKAI_FEE_PAUSES_CLOCK the working days from
    the notice (Wed 2026-03-04) to payment (Wed 03-11) — 5 — are not counted: 03-30 + 5 → 04-07 (清明 skipped)."""
    settings.GONGKAI_FEE_PAUSES_CLOCK = pauses
    case = register(agency, handler, "2026-03-02")
    assert due(case) == d("2026-03-30")
    services.case_notify_fee(case=case, actor=handler, on=d("2026-03-04"), method=FeeMethod.PER_VOLUME, pages=150)
    assert FeeAssessment.objects.get(case=case).pay_by == d("2026-04-01")
    with pytest.raises(ValidationError) as caught:
        services.case_record_payment(case=case, actor=handler, on=d("2026-03-11"), amount=1000)
    assert "amount" in fields_of(caught.value)
    services.case_record_payment(case=case, actor=handler, on=d("2026-03-11"), amount=1700, receipt_number="No.001")
    case = fresh(case)
    assert case.status == Status.PROCESSING
    assert case.reply_due == d(after)
    assert selectors.fees_collected([agency.pk], 2026) == 1700


def test_unpaid_fee_lapses_the_day_after_pay_by(agency: Any, handler: Any, monkeypatch: Any) -> None:
    """109号：申请人应当在收到收费通知次日起20个工作日内缴纳费用，逾期未缴纳的视为放弃申请 → 表三 三（六）2. The notice
    reached the applicant on Fri 2026-03-06 → pay by 2026-04-03; not lapsed on that day, nor payable after it."""
    monkeypatch.setattr("gongkai.documents.render.render_pdf", lambda doc: b"%PDF-1.7 stub")
    case = register(agency, handler, "2026-03-02")
    notice = services.case_notify_fee(
        case=case, actor=handler, on=d("2026-03-04"), method=FeeMethod.PER_VOLUME, pages=150
    )
    assert FeeAssessment.objects.get(case=case).pay_by == d("2026-04-01")  # until delivery is known, from sending
    issued = services.document_issue(document=notice, actor=handler, on=d("2026-03-04"))
    services.document_deliver(
        document=issued,
        actor=handler,
        data=services.DeliveryInput(method=DeliveryMethod.EMAIL, sent_on=d("2026-03-04"), delivered_on=d("2026-03-06")),
    )
    assert FeeAssessment.objects.get(case=case).pay_by == d("2026-04-03")
    with pytest.raises(ValidationError, match="尚未届满"):
        services.case_fee_lapsed(case=case, actor=None, on=d("2026-04-03"))
    with pytest.raises(ValidationError, match="届满"):
        services.case_record_payment(case=case, actor=handler, on=d("2026-04-07"), amount=1700)
    services.case_fee_lapsed(case=case, actor=None, on=d("2026-04-07"))
    case = fresh(case)
    assert (case.status, case.outcome) == (Status.CLOSED, Outcome.OTHER_FEE_UNPAID)
    assert selectors.table_three([agency.pk], 2026).cell("三.六.2", NP) == 1
    assert selectors.fees_collected([agency.pk], 2026) == 0


# ---------------------------------------------------------------------------------------------------------------------
# 第三十五条


def test_reasons_accepted_sets_the_delayed_date(agency: Any, handler: Any) -> None:
    """条例第三十五条：认为申请理由合理，但是无法在第三十三条规定的期限内答复的，可以确定延迟答复的合理期限."""
    case = register(agency, handler, "2026-03-02")
    notice = services.case_ask_reasons(case=case, actor=handler, on=d("2026-03-03"))
    assert notice.kind == DocumentKind.REASONS_NOTICE
    assert fresh(case).status == Status.AWAITING_REASONS
    with pytest.raises(ValidationError):  # not earlier than the statutory due date
        services.case_accept_reasons(
            case=case, actor=handler, on=d("2026-03-10"), reasons="学术研究", until=d("2026-03-20")
        )
    delay = services.case_accept_reasons(
        case=case, actor=handler, on=d("2026-03-10"), reasons="学术研究", until=d("2026-05-29")
    )
    assert delay.kind == DocumentKind.DELAY_NOTICE
    case = fresh(case)
    assert (case.status, case.delay_until, case.reply_due) == (Status.PROCESSING, d("2026-05-29"), d("2026-05-29"))


def test_reasons_rejected_is_not_processed(agency: Any, handler: Any) -> None:
    """条例第三十五条：行政机关认为申请理由不合理的，告知申请人不予处理 → 表三 三（五）4."""
    case = register(agency, handler, "2026-03-02", organisation())
    services.case_ask_reasons(case=case, actor=handler, on=d("2026-03-03"))
    letter = services.case_reject_reasons(case=case, actor=handler, on=d("2026-03-10"), reasons="")
    case = fresh(case)
    assert (case.status, case.outcome, case.reasons_text) == (
        Status.CLOSED,
        Outcome.NOT_PROCESSED_EXCESSIVE,
        "申请人未说明理由",
    )
    assert letter.kind == DocumentKind.REPLY
    table = selectors.table_three([agency.pk], 2026)
    assert table.cell("三.五.4", ApplicantType.LEGAL_SERVICE) == 1
    assert table.cell("三.五.4", NP) == 0


# ---------------------------------------------------------------------------------------------------------------------
# 撤回 and reopening


def test_withdrawal_before_confirmation_is_never_counted(agency: Any, handler: Any) -> None:
    """条例第三十一条（三）: an online application is received only when both sides confirm; withdrawn before that, it
    was never received and 表三 never counts it."""
    case = services.case_submit_online(agency=agency, data=application())
    services.case_withdraw(case=case, actor=None, on=d("2026-03-02"), by_applicant=True, reason="不再需要")
    case = fresh(case)
    assert (case.status, case.outcome, case.received_on) == (Status.CANCELLED, "", None)
    for year in (2025, 2026, 2027):
        assert selectors.table_three([agency.pk], year).cells == {}


def test_withdrawal_while_processing_is_other(agency: Any, handler: Any) -> None:
    """表三 三（六）3 其他 — 申请人主动撤回 (as 上海市政府办公厅 reports it)."""
    case = register(agency, handler, "2026-03-02")
    services.case_withdraw(case=case, actor=handler, on=d("2026-03-05"), reason="申请人电话撤回")
    case = fresh(case)
    assert (case.status, case.outcome, case.outcome_variant) == (Status.CLOSED, Outcome.OTHER, OutcomeVariant.WITHDRAWN)
    assert not ledger(case).is_open
    table = selectors.table_three([agency.pk], 2026)
    assert table.cell("三.六.3", NP) == table.total("三.七") == 1


def test_reopen_only_by_the_head_with_a_reason(agency: Any, handler: Any, head: Any) -> None:
    """Reopening (e.g. after 行政复议 orders a new reply): only a 负责人, with a reason; the case counts as open again."""
    case = register(agency, handler, "2026-03-02")
    reply(case, handler, Outcome.UNAVAILABLE_NOT_HELD, "2026-03-10", variant=OutcomeVariant.NOT_EXIST)
    assert selectors.table_three([agency.pk], 2026).total("三.七") == 1
    with pytest.raises(ValidationError, match="负责人"):
        services.case_reopen(case=case, actor=handler, reason="复议决定责令重新答复")
    with pytest.raises(ValidationError) as caught:
        services.case_reopen(case=case, actor=head, reason="  ")
    assert "reason" in fields_of(caught.value)
    assert fresh(case).status == Status.CLOSED
    services.case_reopen(case=case, actor=head, reason="复议决定责令重新答复")
    case = fresh(case)
    assert (case.status, case.outcome, case.closed_on) == (Status.PROCESSING, "", None)
    assert ledger(case).is_open
    assert case.reply_due == d("2026-03-30")
    table = selectors.table_three([agency.pk], 2026)
    assert table.total("三.七") == 0
    assert table.cell("四", NP) == table.cell("一", NP) == 1
    reply(case, head, Outcome.DISCLOSED, "2026-12-30", variant=OutcomeVariant.PROVIDED)
    assert selectors.table_three([agency.pk], 2026).cell("三.一", NP) == 1


# ---------------------------------------------------------------------------------------------------------------------
# Intake: 条例第二十九、三十一条


def test_receipt_dates_by_channel(agency: Any, handler: Any) -> None:
    """条例第三十一条: 当面 the day submitted; 邮寄 the day signed for; 平信 the day confirmed (with a note); 网上/传真
    wait until both sides confirm."""
    mail = services.case_register(
        agency=agency,
        data=application(),
        channel=Channel.REGISTERED_MAIL,
        actor=handler,
        received_on=d("2026-02-14"),  # Sat, a 调休 workday
    )
    assert (mail.status, mail.received_on, due(mail)) == (Status.PROCESSING, d("2026-02-14"), d("2026-03-20"))
    with pytest.raises(ValidationError) as caught:
        services.case_register(
            agency=agency,
            data=application(),
            channel=Channel.ORDINARY_MAIL,
            actor=handler,
            received_on=d("2026-02-14"),
        )
    assert "receipt_note" in fields_of(caught.value)
    with time_machine.travel("2026-02-14 16:00 +0800", tick=False):  # the fax arrives; staff register it at once
        fax = services.case_register(
            agency=agency, data=application(), channel=Channel.FAX, actor=handler, received_on=d("2026-02-14")
        )
    assert (fax.status, fax.received_on, fax.ledger_id) == (Status.PENDING, None, None)
    services.case_confirm_receipt(case=fax, actor=handler, received_on=d("2026-02-24"))
    fax = fresh(fax)
    assert (fax.status, fax.received_on, fax.reply_due) == (Status.PROCESSING, d("2026-02-24"), d("2026-03-23"))
    with pytest.raises(ValidationError) as caught:
        services.case_register(
            agency=agency, data=application(), channel=Channel.IN_PERSON, actor=handler, received_on=d("2026-12-31")
        )
    assert "received_on" in fields_of(caught.value)


def test_organisation_must_use_a_credit_code(agency: Any, handler: Any) -> None:
    """条例第二十九条（一）：申请人的名称、身份证明 — a 法人或其他组织 proves itself with its 统一社会信用代码."""
    with pytest.raises(ValidationError) as caught:
        register(
            agency,
            handler,
            "2026-03-02",
            application(applicant_type=ApplicantType.LEGAL_SERVICE, applicant_name="某律所", contact_person="赵律师"),
        )
    assert "id_type" in fields_of(caught.value)
    assert not Case.objects.exists()


def test_no_future_dates(agency: Any, handler: Any) -> None:
    """A fact is recorded on the day it happened, never ahead of it."""
    case = register(agency, handler, "2026-12-28")
    with pytest.raises(ValidationError) as caught:
        services.case_request_correction(case=case, actor=handler, on=d("2026-12-31"), items="请明确", period_days=5)
    assert "on" in fields_of(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.case_request_correction(case=case, actor=handler, on=d("2026-12-25"), items="请明确", period_days=5)
    assert "on" in fields_of(caught.value)  # nor before the application was received
    assert fresh(case).status == Status.PROCESSING


# ---------------------------------------------------------------------------------------------------------------------
# Through the HTTP views: the public form and the staff case page


def staff_action(client: Client, case: Case, slug: str, data: dict[str, Any]) -> Any:
    return client.post(
        reverse("cases:action", args=[case.pk, slug]), {f"{slug}-{key}": value for key, value in data.items()}
    )


def test_http_online_application_to_partial_reply(agency: Any, handler: Any, monkeypatch: Any) -> None:
    """条例第二十九条 (the online form), 第三十一条（三） (receipt on confirmation), 第三十条 (补正 within 7 working days,
    the 20 days afresh from the correction), 第三十七条 (部分公开) — through the public form and the staff case page."""
    monkeypatch.setattr(services, "_render", lambda doc: (b"PK\x03\x04 docx", b"%PDF-1.7 stub"))
    public = Client()
    with time_machine.travel("2026-02-09 20:00 +0800", tick=False):
        response = public.post(
            reverse("apply:form", args=[agency.code]),
            {
                "applicant_type": NP,
                "applicant_name": "张三",
                "id_type": "resident_id",
                "id_number": valid_id_number(),
                "phone": "13903751234",
                "email": "zhangsan@example.com",
                "item-1-title": "2025年法律援助经费使用情况",
                "provision_form": "electronic",
                "obtain_method": "email",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(agency=agency)
    assert (case.status, case.channel, case.received_on) == (Status.PENDING, Channel.ONLINE, None)

    staff = Client()
    staff.force_login(handler)
    staff_action(staff, case, "confirm_receipt", {"received_on": "2026-02-10", "note": "电话确认"})
    assert (fresh(case).status, fresh(case).received_on) == (Status.PROCESSING, d("2026-02-10"))
    refused = staff_action(
        staff, case, "request_correction", {"on": "2026-02-27", "standard": ["DESCRIPTION"], "period_days": 10}
    )
    assert refused.status_code == 200
    assert "未执行" in refused.content.decode()
    assert fresh(case).status == Status.PROCESSING
    done = staff_action(
        staff, case, "request_correction", {"on": "2026-02-26", "standard": ["DESCRIPTION"], "period_days": 10}
    )
    assert done.status_code == 302
    assert fresh(case).status == Status.AWAITING_CORRECTION
    staff_action(staff, case, "record_correction", {"on": "2026-02-27", "note": "已补正"})
    assert due(case) == d("2026-03-26")
    replied = staff_action(
        staff,
        case,
        "reply",
        {
            "outcome": Outcome.PARTIAL.value,
            "on": "2026-03-20",
            "w1_description": "受援人姓名",
            "w1_ground": Outcome.WITHHELD_THIRD_PARTY.value,
            "w1_reason": "涉及个人隐私",
        },
    )
    assert replied.status_code == 302
    case = fresh(case)
    assert (case.status, case.outcome) == (Status.CLOSED, Outcome.PARTIAL)
    assert case.withheld_parts.get().ground == Outcome.WITHHELD_THIRD_PARTY
    assert selectors.table_three([agency.pk], 2026).cases["三.二"] == {NP: [case.pk]}


def test_http_extension_needs_the_head(agency: Any, handler: Any, head: Any) -> None:
    """条例第三十三条第二款：经政府信息公开工作机构负责人同意 — the handler's request is refused and changes nothing."""
    case = register(agency, handler, "2026-03-02")
    as_handler = Client()
    as_handler.force_login(handler)
    refused = staff_action(as_handler, case, "extend", {"days": 10, "reason": "材料较多", "approved_on": "2026-03-20"})
    assert refused.status_code == 302
    assert (fresh(case).extension_days, due(case)) == (None, d("2026-03-30"))
    as_head = Client()
    as_head.force_login(head)
    done = staff_action(as_head, case, "extend", {"days": 10, "reason": "材料较多", "approved_on": "2026-03-20"})
    assert done.status_code == 302
    assert (fresh(case).extension_days, due(case)) == (10, d("2026-04-14"))
