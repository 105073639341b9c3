"""Building a report from live data: 表三 against hand-counted expectations (every row and column, carry-over both
ways), 表二 from the catalogue and the entered figures, placeholders, R7 on the narrative, the first draft, similarity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency, Kind, Level
from gongkai.cases import services as case_services
from gongkai.cases.codebook import ApplicantType, Channel, Outcome, OutcomeVariant
from gongkai.cases.fees import FeeMethod
from gongkai.cases.models import Case, FeeAssessment
from gongkai.cases.states import Status as CaseStatus
from gongkai.publications import services as publication_services
from gongkai.publications.codebook import Category, DocKind, Validity
from gongkai.publications.codebook import Channel as PubChannel
from gongkai.reports import builder, narrative, services
from gongkai.reports.models import AnnualReport, ReportStatus
from gongkai.reports.schema import TABLE3_COLS, TABLE3_ROWS
from tests.appeals.factories import make_appeal
from tests.cases.conftest import application
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db

NP, COM, RES, PUB, LAW, OTH = TABLE3_COLS[:6]
APPLICANT = {
    NP: ApplicantType.NATURAL_PERSON,
    COM: ApplicantType.COMMERCIAL,
    RES: ApplicantType.RESEARCH,
    PUB: ApplicantType.PUBLIC_WELFARE,
    LAW: ApplicantType.LEGAL_SERVICE,
    OTH: ApplicantType.OTHER_ORG,
}


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel("2025-06-02 10:00 +0800", tick=False):
        yield


@pytest.fixture
def agency(db: Any) -> Agency:
    government = make_agency("湛河区人民政府", kind=Kind.GOVERNMENT, level=Level.COUNTY)
    return make_agency("湛河区司法局", parent=government)


@pytest.fixture
def head(agency: Agency) -> Any:
    return make_staff(agency, Role.HEAD, full_name="王负责")


_n = iter(range(1, 100_000))


def case(
    agency: Agency,
    col: str,
    received: str,
    closed: str | None = None,
    outcome: Outcome = Outcome.DISCLOSED,
    *,
    status: str | None = None,
    channel: str = Channel.IN_PERSON,
) -> Case:
    """A case row through the ORM (the counting is the point here; one test below goes through the services)."""
    n = next(_n)
    on = dt.date.fromisoformat(received)
    return Case.objects.create(
        agency=agency,
        year=on.year,
        seq=n,
        number=f"{on.year}-{n:04d}",
        tracking_code=f"B{n:011d}",
        channel=channel,
        status=status or (CaseStatus.CLOSED if closed else CaseStatus.PROCESSING),
        outcome=outcome.value if closed else "",
        submitted_at=dt.datetime(on.year, on.month, on.day, 9, tzinfo=dt.UTC),
        received_on=on,
        closed_on=dt.date.fromisoformat(closed) if closed else None,
        applicant_type=APPLICANT[col],
        applicant_name="测试",
        id_type="resident_id",
        provision_form="electronic",
        obtain_method="email",
    )


# The 21 outcomes in 表三's order, each closed in 2024 by a different column in turn.
ORDER = list(Outcome)
COLUMN_OF = [TABLE3_COLS[i % 6] for i in range(len(ORDER))]


@pytest.fixture
def year_of_cases(agency: Agency) -> dict[str, Any]:
    made: dict[str, Any] = {"results": []}
    for i, outcome in enumerate(ORDER):
        received = dt.date(2024, 2, 1) + dt.timedelta(days=i)
        made["results"].append(
            case(agency, COLUMN_OF[i], received.isoformat(), (received + dt.timedelta(days=10)).isoformat(), outcome)
        )
    # Carried in from 2023 and closed in 2024.
    made["in_np"] = case(agency, NP, "2023-12-20", "2024-01-10", Outcome.DISCLOSED)
    made["in_law"] = case(agency, LAW, "2023-12-28", "2024-01-15", Outcome.OTHER_NO_CORRECTION)
    # Carried out into 2025: still open, or closed in 2025.
    made["out_np"] = case(agency, NP, "2024-12-20")
    made["out_com"] = case(agency, COM, "2024-12-23", "2025-01-06", Outcome.DISCLOSED)
    made["out_res"] = case(agency, RES, "2024-12-30", channel=Channel.ONLINE)
    # Never in 2024's table: closed within 2023, cancelled before receipt, received in 2025.
    case(agency, NP, "2023-05-04", "2023-05-20")
    cancelled = case(agency, NP, "2024-03-01", status=CaseStatus.CANCELLED)
    Case.objects.filter(pk=cancelled.pk).update(received_on=None)
    made["in_2025"] = case(agency, OTH, "2025-01-03")
    return made


# Hand-counted 表三 of 2024 for the fixture above (row → non-zero cells; every other cell is 0).
EXPECTED_2024: dict[str, dict[str, int]] = {
    "1": {NP: 5, COM: 5, RES: 5, PUB: 3, LAW: 3, OTH: 3, "总计": 24},
    "2": {NP: 1, LAW: 1, "总计": 2},
    "3.1": {NP: 2, "总计": 2},
    "3.2": {COM: 1, "总计": 1},
    "3.3.1": {RES: 1, "总计": 1},
    "3.3.2": {PUB: 1, "总计": 1},
    "3.3.3": {LAW: 1, "总计": 1},
    "3.3.4": {OTH: 1, "总计": 1},
    "3.3.5": {NP: 1, "总计": 1},
    "3.3.6": {COM: 1, "总计": 1},
    "3.3.7": {RES: 1, "总计": 1},
    "3.3.8": {PUB: 1, "总计": 1},
    "3.4.1": {LAW: 1, "总计": 1},
    "3.4.2": {OTH: 1, "总计": 1},
    "3.4.3": {NP: 1, "总计": 1},
    "3.5.1": {COM: 1, "总计": 1},
    "3.5.2": {RES: 1, "总计": 1},
    "3.5.3": {PUB: 1, "总计": 1},
    "3.5.4": {LAW: 1, "总计": 1},
    "3.5.5": {OTH: 1, "总计": 1},
    "3.6.1": {NP: 1, LAW: 1, "总计": 2},
    "3.6.2": {COM: 1, "总计": 1},
    "3.6.3": {RES: 1, "总计": 1},
    "3.7": {NP: 5, COM: 4, RES: 4, PUB: 3, LAW: 4, OTH: 3, "总计": 23},
    "4": {NP: 1, COM: 1, RES: 1, "总计": 3},
}


def _full(sparse: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {row: {col: sparse.get(row, {}).get(col, 0) for col in TABLE3_COLS} for row, _ in TABLE3_ROWS}


def test_table3_hand_counted_every_row_and_column(agency: Agency, year_of_cases: dict[str, Any]) -> None:
    report = builder.build_report_data(agency, 2024)
    assert report.table3 == _full(EXPECTED_2024)
    assert not [f for f in report.findings if f.rule in ("R1", "R2", "R3", "R5")]


def test_carry_over_both_ways(agency: Agency, year_of_cases: dict[str, Any]) -> None:
    r2023 = builder.build_report_data(agency, 2023)
    assert r2023.table3["4"] == {**dict.fromkeys(TABLE3_COLS, 0), NP: 1, LAW: 1, "总计": 2}
    r2025 = builder.build_report_data(agency, 2025)
    assert r2025.table3["2"] == {**dict.fromkeys(TABLE3_COLS, 0), NP: 1, COM: 1, RES: 1, "总计": 3}
    assert r2025.table3["1"]["总计"] == 1
    assert r2025.table3["3.1"][COM] == 1
    assert r2025.table3["4"] == {**dict.fromkeys(TABLE3_COLS, 0), NP: 1, RES: 1, OTH: 1, "总计": 3}


def test_drilldown(agency: Agency, year_of_cases: dict[str, Any]) -> None:
    made = year_of_cases
    assert builder.drilldown(agency, 2024, "表三", "3.1", NP) == sorted([made["results"][0].pk, made["in_np"].pk])
    assert builder.drilldown(agency, 2024, "表三", "2", "总计") == sorted([made["in_np"].pk, made["in_law"].pk])
    assert builder.drilldown(agency, 2024, "表三", "4", "总计") == sorted(
        [made["out_np"].pk, made["out_com"].pk, made["out_res"].pk]
    )
    assert builder.drilldown(agency, 2024, "表四", "行政复议", "总计") == []
    with pytest.raises(ValueError, match="表三没有"):
        builder.drilldown(agency, 2024, "表三", "9", NP)


def test_end_to_end_through_case_services(agency: Agency, head: Any) -> None:
    """Registered in person 2024-12-30 and answered 2025-01-08 (部分公开): 2024's 一 and 四, 2025's 二 and 三（二）."""
    with time_machine.travel("2024-12-30 10:00 +0800", tick=False):
        registered = case_services.case_register(
            agency=agency,
            data=application(),
            channel=Channel.IN_PERSON,
            actor=head,
            received_on=dt.date(2024, 12, 30),
        )
    with time_machine.travel("2025-01-08 10:00 +0800", tick=False):
        case_services.case_reply(
            case=registered,
            actor=head,
            data=case_services.ReplyInput(
                outcome=Outcome.DISCLOSED, variant=OutcomeVariant.PROVIDED, on=dt.date(2025, 1, 8)
            ),
        )
    r2024 = builder.build_report_data(agency, 2024)
    assert (r2024.table3["1"][NP], r2024.table3["4"][NP], r2024.table3["3.7"]["总计"]) == (1, 1, 0)
    r2025 = builder.build(agency, 2025)
    assert (r2025.data.table3["2"][NP], r2025.data.table3["3.1"][NP], r2025.data.table3["4"]["总计"]) == (1, 1, 0)
    assert r2025.extra["按期答复"] == 1
    assert r2025.extra["逾期答复"] == 0


def test_table2_from_publications_and_entered_figures(agency: Agency, head: Any) -> None:
    def published(kind: str, on: str, channels: tuple[str, ...] = (PubChannel.PORTAL,)) -> Any:
        day = dt.date.fromisoformat(on)
        item = publication_services.publication_create(
            agency=agency,
            actor=head,
            data={"title": f"文件{on}", "category": Category.ART20_1, "doc_kind": kind, "formed_on": day},
        )
        return publication_services.publication_publish(publication=item, actor=head, on=day, channels=channels)

    old = published(DocKind.NORMATIVE, "2022-05-01")
    kept = published(DocKind.NORMATIVE, "2023-03-01")
    new = published(DocKind.NORMATIVE, "2024-04-01", (PubChannel.PORTAL, PubChannel.WECHAT))
    rule = published(DocKind.RULE, "2024-06-01")
    published(DocKind.OTHER, "2024-07-01")
    publication_services.publication_set_validity(
        publication=old, actor=head, validity=Validity.ABOLISHED, on=dt.date(2024, 9, 1)
    )
    publication_services.channel_record_delivery(
        publication=new,
        channel=PubChannel.WECHAT,
        actor=head,
        delivered=True,
        at=dt.datetime(2024, 4, 2, 9, tzinfo=dt.UTC),
    )
    services.figures_set(
        agency=agency,
        year=2024,
        actor=head,
        values={"licensing": 12, "penalties": 3, "enforcement": 1, "fees_wan": "7730.28"},
    )
    built = builder.build(agency, 2024)
    t2 = built.data.table2
    assert t2["行政规范性文件"] == {"本年制发": 1, "本年废止": 1, "现行有效": 2}
    assert t2["规章"] == {"本年制发": 1, "本年废止": 0, "现行有效": 1}
    assert (t2["行政许可"], t2["行政处罚"], t2["行政强制"], t2["行政事业性收费"]) == (12, 3, 1, Decimal("7730.28"))
    assert sorted(builder.drilldown(agency, 2024, "表二", "行政规范性文件", "现行有效")) == sorted([kept.pk, new.pk])
    assert builder.drilldown(agency, 2024, "表二", "规章", "本年制发") == [rule.pk]
    assert builder.drilldown(agency, 2024, "渠道", "政务新媒体/公众号", "") == [new.pk]
    assert (built.extra["门户网站发布"], built.extra["公众号发布"]) == (3, 1)
    assert not any("尚未填报" in f.message for f in built.data.findings)
    # R6 across the years holds (2023: 2 in force).
    assert not any(f.rule == "R6" for f in built.data.findings)
    # The first draft's 一（一） counts come from the channels.
    draft = narrative.render_sections(built.template, built.data, extra=built.extra)
    assert "通过门户网站主动公开政府信息3条，通过政务新媒体/公众号发布信息1条" in draft["1.1"]


def test_unfilled_figures_are_zero_with_a_note(agency: Agency) -> None:
    report = builder.build_report_data(agency, 2024)
    assert report.table2["行政许可"] == 0
    assert report.table2["行政事业性收费"] == Decimal(0)
    assert any(f.severity == "warning" and "尚未填报" in f.message for f in report.findings)


def test_placeholders_render_to_table_values(agency: Agency, year_of_cases: dict[str, Any], head: Any) -> None:
    # 表四 from tracked appeals: two 复议 upheld in 2024, one direct suit open at year end, one suit after review
    # withdrawn; and one 复议 of 2023 concluded in 2023 (not counted in 2024).
    make_appeal(agency, "2024-02-01", result="rc_upheld", result_on="2024-03-20")
    make_appeal(agency, "2023-12-01", result="rc_upheld", result_on="2024-01-20")
    make_appeal(agency, "2023-06-01", result="rc_revoked", result_on="2023-08-01")
    make_appeal(agency, "2024-11-01", kind="litigation", route="direct")
    make_appeal(
        agency, "2024-04-01", kind="litigation", route="after_review", result="lt_withdrawn", result_on="2024-06-01"
    )
    text = (
        "共收到申请{{表三.一.总计}}件，上年结转{{表三.二.总计}}件，办结{{表三.三（七）.总计}}件，"
        "予以公开{{表三.三（一）.总计}}件，部分公开{{ 表三.三（二）.总计 }}件，结转下年度{{表三.四.总计}}件；"
        "法律服务机构申请{{表三.一.法律服务机构}}件，不予处理重复申请{{表三.三（五）2.总计}}件；"
        "行政复议{{表四.行政复议.总计}}件，行政诉讼{{表四.行政诉讼.总计}}件，尚未审结的诉讼{{表四.行政诉讼.尚未审结}}件。"
    )
    report = builder.build_report_data(agency, 2024, sections={"1.2": text})
    assert report.sections["1.2"] == (
        "共收到申请24件，上年结转2件，办结23件，予以公开2件，部分公开1件，结转下年度3件；"
        "法律服务机构申请3件，不予处理重复申请1件；行政复议2件，行政诉讼2件，尚未审结的诉讼1件。"
    )
    keys = {f.key: int(f.value) for f in report.figures}
    assert keys == {
        "received": 24,
        "carried_in": 2,
        "closed": 23,
        "disclosed": 2,
        "partial": 1,
        "carried_out": 3,
        "reconsideration": 2,
        "litigation": 2,
    }
    assert not any(f.rule == "R7" for f in report.findings)


def test_unknown_placeholder_is_a_clear_error(agency: Agency) -> None:
    with pytest.raises(narrative.PlaceholderError) as caught:
        builder.build_report_data(agency, 2024, sections={"1.1": "共{{表三.五.总计}}件"})
    assert "“{{表三.五.总计}}”无法识别" in str(caught.value)
    assert "第1.1部分" in str(caught.value)


def test_r7_catches_a_hand_typed_number(agency: Agency, year_of_cases: dict[str, Any]) -> None:
    wrong = builder.build_report_data(
        agency, 2024, sections={"1.2": "本年度共收到政府信息公开申请25件，办结{{表三.三（七）.总计}}件。"}
    )
    r7 = [f for f in wrong.findings if f.rule == "R7"]
    assert len(r7) == 1
    assert r7[0].severity == "error"
    assert "25" in r7[0].message
    assert "24" in r7[0].message
    right = builder.build_report_data(agency, 2024, sections={"1.2": "本年度共收到政府信息公开申请24件。"})
    assert not any(f.rule == "R7" for f in right.findings)


def test_fee_statement(agency: Agency, year_of_cases: dict[str, Any]) -> None:
    paid = year_of_cases["results"][0]
    FeeAssessment.objects.create(
        case=paid,
        method=FeeMethod.PER_ITEM,
        amount=300,
        breakdown="3件×100元",
        notified_on=dt.date(2024, 2, 3),
        paid_on=dt.date(2024, 2, 5),
        paid_amount=300,
    )
    built = builder.build(agency, 2024, sections=narrative.first_draft(agency, 2024))
    assert built.data.sections["6"].endswith("收取信息处理费300元。")
    assert built.data.fee_yuan == Decimal(300)
    assert not any(f.rule == "R8" for f in built.data.findings)
    typed = builder.build_report_data(agency, 2024, sections={"6": "本年度没有产生信息处理费。"})
    assert typed.fee_yuan == Decimal(0)
    assert any(f.rule == "R8" and f.severity == "error" for f in typed.findings)


def _publish_2023(agency: Agency) -> AnnualReport:
    sections = {
        "1.1": "我局坚持以人民为中心的发展思想，扎实推进法治政府建设，全面深化政务公开标准化规范化工作。",
        "5": "存在的主要问题：一是政务公开队伍力量较为薄弱；二是政策解读形式比较单一。下一步将加强培训。",
        "6": "本年度没有产生信息处理费。",
    }
    return AnnualReport.objects.create(
        agency=agency,
        year=2023,
        status=ReportStatus.PUBLISHED,
        sections=sections,
        published_on=dt.date(2024, 1, 20),
        snapshot={"sections": sections, "report": {}, "meta": {}},
    )


def test_first_draft(agency: Agency, year_of_cases: dict[str, Any]) -> None:
    last = _publish_2023(agency)
    draft = narrative.first_draft(agency, 2024)
    assert set(draft) == {"1", "1.1", "1.2", "1.3", "1.4", "1.5", "2", "3", "4", "5", "6"}
    built = builder.build(agency, 2024, sections=draft)
    rendered = built.data.sections
    assert all("{{" not in text for text in rendered.values())
    # Data-bound figures; none of last year's wording outside the 五 prompt, which lists its problems.
    assert "本年度新收政府信息公开申请24件（在线申请1件、当面提交23件），上年结转2件；办结23件" in rendered["1.2"]
    assert "在法定期限内答复" in rendered["1.2"]
    for key, text in rendered.items():
        if key != "5":
            assert "以人民为中心" not in text
            assert "队伍力量" not in text
    assert "上一年度报告所列问题：一是政务公开队伍力量较为薄弱；二是政策解读形式比较单一" in rendered["5"]
    assert "请逐项说明改进情况" in rendered["5"]
    assert narrative.TO_COMPLETE in rendered["1.3"]
    assert rendered["6"] == "本年度没有产生信息处理费。"
    assert not any(f.rule == "R7" and f.severity == "error" for f in built.data.findings)
    assert narrative.similarity(narrative.narrative_text(rendered), narrative.narrative_text(last.sections)) < 0.7


def test_first_draft_without_last_year_is_a_stub(agency: Agency) -> None:
    draft = narrative.first_draft(agency, 2024)
    assert draft["5"] == f"{narrative.TO_COMPLETE}本年度存在的主要问题及改进措施。"
    assert "申请{{表三.一.总计}}件" in draft["1.2"]


def test_similarity_warning_above_70_percent(agency: Agency) -> None:
    last = _publish_2023(agency)
    copied = dict(last.sections, **{"1.1": last.sections["1.1"].replace("扎实", "稳步")})
    report = builder.build_report_data(agency, 2024, sections=copied)
    warnings = [f for f in report.findings if "相似度" in f.message]
    assert len(warnings) == 1
    assert warnings[0].severity == "warning"
    fresh = builder.build_report_data(agency, 2024, sections=narrative.first_draft(agency, 2024))
    assert not any("相似度" in f.message for f in fresh.findings)


def test_similarity_function() -> None:
    text = "本机关认真贯彻落实政府信息公开条例，全年主动公开政府信息，依法办理政府信息公开申请。"
    assert narrative.similarity(text, text) == 1.0
    assert narrative.similarity(text, text.replace("全年", "本年度")) > 0.7
    assert narrative.similarity(text.replace("信息", "12"), "完全不同的一段文字，讲述平台建设和培训工作情况。") < 0.3
    assert narrative.similarity("", text) == 0.0
    # Numbers do not make a copy look new.
    assert narrative.similarity("全年收到申请12件，办结10件。" * 3, "全年收到申请99件，办结97件。" * 3) == 1.0


def test_government_agency_kind(agency: Agency) -> None:
    government = Agency.objects.get(name="湛河区人民政府")
    assert builder.build_report_data(government, 2024).agency_kind == "government"
    assert builder.build_report_data(agency, 2024).agency_kind == "department"
