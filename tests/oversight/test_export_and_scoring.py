"""The XLSX export matches the page; the 考核 editor (Chinese errors naming the field, nothing saved in part, audited),
the ranking and its frozen publication; the report's {{考核结果}}; the report deadlines as the reports app sees them."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gongkai.audit.models import AuditEvent
from gongkai.oversight import selectors, services
from gongkai.oversight.export import COLUMNS, percent
from gongkai.oversight.metrics import Metric
from gongkai.oversight.models import RankingPublication, ScoringRule, ScoringScheme
from gongkai.reports import narrative
from gongkai.reports import selectors as report_selectors
from gongkai.reports import services as report_services
from gongkai.reports.schema import ReportData
from tests.oversight.conftest import County, register, reply
from tests.oversight.test_dashboard import TODAY

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_xlsx_opens_and_matches_the_page(county: County, year_of_work: dict[str, Any]) -> None:
    response = client_for(county.supervisor).get(reverse("oversight:export"), {"year": "2025"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[1]
    assert headers[0] == "机关"
    assert list(headers[1:]) == [h for h, _ in COLUMNS]
    by_name = {row[0]: dict(zip(headers, row, strict=True)) for row in rows[2:]}
    board = selectors.dashboard(county.supervisor, 2025, today=TODAY)
    justice = next(r for r in board.rows if r.agency is not None and r.agency.pk == county.justice.pk)
    line = by_name["湛河区司法局"]
    assert line["本年收到申请（件）"] == justice.received == 4
    assert line["当前逾期（件）"] == justice.overdue_now == 1
    assert line["本年办结（件）"] == 3
    assert line["按期办结（件）"] == 2
    assert line["按期办结率（%）"] == pytest.approx(66.67)
    assert isinstance(line["按期办结率（%）"], float)
    assert line["主动公开及时率（%）"] == 50
    assert line["年报法定期限"] == dt.datetime(2026, 1, 31)  # a date cell
    assert by_name["合计"]["本年收到申请（件）"] == board.totals.received == 5
    assert by_name["合计"]["按期办结率（%）"] == percent(board.totals.on_time_rate) == 75
    assert len(rows) == 2 + len(board.rows) + 1
    # Every number on the page is the same number in the file (rates to two decimals).
    page = client_for(county.supervisor).get(reverse("oversight:dashboard"), {"year": "2025"}).content.decode()
    assert f"{line['按期办结（件）']}/{line['本年办结（件）']}" in page
    assert "66.67%" in page


RULES = [
    services.RuleInput(Metric.CASES_ON_TIME_RATE, "40", "100", "50"),
    services.RuleInput(Metric.PUBLICATIONS_ON_TIME_RATE, "30", "100", "0"),
    services.RuleInput(Metric.CASES_OVERDUE, "30", "0", "2", "zero"),
]


def test_scheme_validation_names_the_field_and_saves_nothing(county: County) -> None:
    bad = [
        services.RuleInput(Metric.CASES_ON_TIME_RATE, "-5", "100", "50"),
        services.RuleInput(Metric.REPORT_FINDINGS, "10", "3", "3"),
        services.RuleInput(Metric.PUBLICATIONS_ON_TIME_RATE, "abc", "120", "0"),
        services.RuleInput("nonsense", "1", "1", "0"),
    ]
    with pytest.raises(ValidationError) as caught:
        services.scheme_save(office=county.office, year=2025, actor=county.supervisor, rules=bad)
    errors = caught.value.message_dict
    assert errors["weight"][0] == "第1条规则（依申请公开按期办结率）的分值不能为负数"
    assert "第3条规则（主动公开及时率）的分值应为数字" in errors["weight"]
    assert errors["full_at"] == [
        "第2条规则（年报检查问题数）的满分线与零分线不能相同",
        "第3条规则（主动公开及时率）的满分线应在0至100（%）之间",
    ]
    assert errors["metric"] == ["第4条规则的考核指标“nonsense”不在可选范围内"]
    assert not ScoringScheme.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.scheme_save(
            office=county.office,
            year=2025,
            actor=county.supervisor,
            rules=[RULES[0], services.RuleInput(Metric.CASES_ON_TIME_RATE, "1", "100", "0")],
        )
    assert "重复" in caught.value.message_dict["metric"][0]
    with pytest.raises(ValidationError) as caught:
        services.scheme_save(
            office=county.office,
            year=2025,
            actor=county.supervisor,
            rules=[services.RuleInput(Metric.CASES_ON_TIME_RATE, "0", "100", "0")],
        )
    assert caught.value.message_dict["rules"] == ["至少需要一条分值大于0的考核规则"]
    # Only the office's 主管部门 staff: another county's is refused.
    with pytest.raises(ValidationError) as caught:
        services.scheme_save(office=county.office, year=2025, actor=county.other_supervisor, rules=RULES)
    assert "office" in caught.value.message_dict
    assert not ScoringScheme.objects.exists()
    assert not ScoringRule.objects.exists()


def test_save_replaces_rules_and_is_audited(county: County) -> None:
    scheme = services.scheme_save(office=county.office, year=2025, actor=county.supervisor, rules=RULES)
    assert [(r.metric, r.weight) for r in scheme.rules.order_by("position")] == [
        (Metric.CASES_ON_TIME_RATE, Decimal(40)),
        (Metric.PUBLICATIONS_ON_TIME_RATE, Decimal(30)),
        (Metric.CASES_OVERDUE, Decimal(30)),
    ]
    services.scheme_save(office=county.office, year=2025, actor=county.supervisor, rules=RULES[:1], note="只考核按期")
    assert list(ScoringRule.objects.values_list("metric", flat=True)) == [Metric.CASES_ON_TIME_RATE]
    events = list(AuditEvent.objects.filter(action="oversight.scheme_save").order_by("seq"))
    assert len(events) == 2
    assert events[0].before is None
    assert len(events[1].before["rules"]) == 3
    assert events[1].after["rules"] == [
        {
            "metric": "cases_on_time_rate",
            "weight": "40.00",
            "full_at": "100.0000",
            "zero_at": "50.0000",
            "when_missing": "full",
        }
    ]
    assert events[1].agency_id == county.office.pk


def test_ranking_by_hand_and_frozen_at_publication(county: County, year_of_work: dict[str, Any]) -> None:
    services.scheme_save(office=county.office, year=2025, actor=county.supervisor, rules=RULES)
    scheme = ScoringScheme.objects.get()
    ranking = selectors.ranking(scheme, today=TODAY)
    rows = {row.agency_name: row for row in ranking.rows}
    assert "湛河区人民政府办公室" not in rows  # the office does not rank itself
    # 司法局: rate 66.6667 → 40 × 16.6667/50 = 13.33336 → 13.33; publications 50 % → 15.00; 1 overdue → 30 × (1-2)/(0-2)
    # = 15.00 → 43.33
    justice = rows["湛河区司法局"]
    assert [line.points for line in justice.lines] == [Decimal("13.33"), Decimal("15.00"), Decimal("15.00")]
    assert justice.total == Decimal("43.33")
    # 财政局: 100 % → 40; no publication published → full 30; 0 overdue → 30 → 100
    assert rows["湛河区财政局"].total == Decimal("100.00")
    # Governments without any case or item: missing → full, overdue 0 → full: 100, tied with 财政局.
    assert rows["湛河区人民政府"].total == Decimal("100.00")
    assert [row.rank for row in ranking.rows] == [1, 1, 1, 4]
    assert ranking.rows[-1].agency_name == "湛河区司法局"
    published = services.ranking_publish(office=county.office, year=2025, actor=county.supervisor, today=TODAY)
    assert published.version == 1
    frozen = published.snapshot
    assert frozen["rows"][-1]["agency"] == "湛河区司法局"
    assert frozen["rows"][-1]["total"] == "43.33"
    # Later the overdue case is answered: the live ranking changes, the published one does not.
    reply(year_of_work["overdue"], county.justice_head, "2025-06-09")
    live = {row.agency_name: row for row in selectors.ranking(scheme, today=TODAY).rows}
    assert live["湛河区司法局"].total != Decimal("43.33")
    published.refresh_from_db()
    assert published.snapshot == frozen
    # A second publication is a correction: it must say why.
    with pytest.raises(ValidationError) as caught:
        services.ranking_publish(office=county.office, year=2025, actor=county.supervisor, today=TODAY)
    assert caught.value.message_dict == {"note": ["重新发布（更正）须写明原因"]}
    second = services.ranking_publish(
        office=county.office, year=2025, actor=county.supervisor, note="补录答复后更正", today=TODAY
    )
    assert second.version == 2
    assert AuditEvent.objects.filter(action="oversight.ranking_publish").count() == 2


def test_direct_scope_ranks_only_the_directly_supervised(county: County) -> None:
    services.scheme_save(office=county.office, year=2025, actor=county.supervisor, rules=RULES, scope="direct")
    names = {row.agency_name for row in selectors.ranking(ScoringScheme.objects.get(), today=TODAY).rows}
    assert names == {
        "湛河区人民政府",
        "湛河区司法局",
        "湛河区财政局",
    }  # not 曹镇乡 (under the government), not the office


def test_publishing_without_rules_is_refused(county: County) -> None:
    with pytest.raises(ValidationError) as caught:
        services.ranking_publish(office=county.office, year=2025, actor=county.supervisor, today=TODAY)
    assert caught.value.message_dict == {"rules": ["2025年度尚未设置考核规则，不能发布"]}
    assert not RankingPublication.objects.exists()


def test_editor_pages(county: County) -> None:
    client = client_for(county.supervisor)
    edit = reverse("oversight:scoring_edit", args=[county.office.pk, 2025])
    page = client.get(edit)
    assert page.status_code == 200
    assert "依申请公开按期办结率" in page.content.decode()  # the suggested rules prefilled
    assert 'aria-label="第1条 分值"' in page.content.decode()
    form = {
        "scope": "all",
        "note": "",
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "20",
        "rules-0-metric": "cases_on_time_rate",
        "rules-0-weight": "-3",
        "rules-0-full_at": "100",
        "rules-0-zero_at": "80",
        "rules-0-when_missing": "full",
        "rules-1-metric": "",
        "rules-1-when_missing": "full",
    }
    refused = client.post(edit, form)
    assert refused.status_code == 200
    assert "第1条规则（依申请公开按期办结率）的分值不能为负数" in refused.content.decode()
    assert not ScoringScheme.objects.exists()
    form["rules-0-weight"] = "abc"
    refused = client.post(edit, form)
    assert "第1条 分值：" in refused.content.decode()
    form["rules-0-weight"] = "60"
    saved = client.post(edit, form)
    assert saved.status_code == 302
    assert ScoringRule.objects.get().weight == Decimal(60)
    ranking = client.get(reverse("oversight:scoring", args=[county.office.pk, 2025]))
    assert "按当前数据计算的排名" in ranking.content.decode()
    published = client.post(reverse("oversight:scoring_publish", args=[county.office.pk, 2025]), {"note": ""})
    assert published.status_code == 302
    assert RankingPublication.objects.count() == 1
    shown = client.get(reverse("oversight:scoring", args=[county.office.pk, 2025]), {"version": "1"})
    assert "2025年度政府信息公开工作考核结果" in shown.content.decode()
    assert client.get(reverse("oversight:scoring", args=[county.office.pk, 2025]), {"version": "9"}).status_code == 404


def test_the_governments_report_cites_the_published_result(county: County) -> None:
    data = ReportData(agency=county.government.name, year=2025)
    sections = {"1.5": "工作考核：{{考核结果}}"}
    assert "【请补充】2025年度政府信息公开工作考核结果" in narrative.render_sections(sections, data)["1.5"]
    services.scheme_save(
        office=county.office,
        year=2025,
        actor=county.supervisor,
        rules=[services.RuleInput(Metric.CASES_OVERDUE, "100", "0", "2")],
    )
    services.ranking_publish(office=county.office, year=2025, actor=county.supervisor, today=TODAY)
    rendered = narrative.render_sections(sections, data)["1.5"]
    # Four agencies ranked (government, 司法局, 财政局, 曹镇乡), none with an overdue case: all 100.
    assert rendered == (
        "工作考核：2025年度，湛河区人民政府办公室对4个单位开展政府信息公开工作考核（满分100分），平均得分100分，"
        "4个单位并列得分最高（100分）。"
    )
    # A correction with one agency behind: average (100 × 3 + 50) / 4 = 87.50, the three leaders named.
    register(county.justice, county.justice_head, "2025-04-01")  # open, overdue on 2025-06-10: 1 of 2 → 50 points
    services.ranking_publish(office=county.office, year=2025, actor=county.supervisor, note="更正", today=TODAY)
    assert narrative.render_sections(sections, data)["1.5"] == (
        "工作考核：2025年度，湛河区人民政府办公室对4个单位开展政府信息公开工作考核（满分100分），平均得分87.5分，"
        "曹镇乡人民政府、湛河区人民政府、湛河区财政局得分最高（100分）。"
    )
    # A department's report has no such result of its own.
    department = ReportData(agency=county.justice.name, year=2025)
    assert narrative.render_sections(sections, department)["1.5"] == "工作考核：【请补充】工作考核结果情况"


def test_report_states_agree_with_the_reports_board(county: County) -> None:
    report = report_services.report_get_or_create_draft(agency=county.justice, year=2024, actor=county.justice_head)
    report = report_services.report_submit(report=report, actor=county.justice_head)
    report_services.report_publish(report=report, actor=county.justice_head, on=dt.date(2025, 1, 20))
    board = report_selectors.report_status_for_supervisor(county.supervisor, 2024, today=TODAY)
    agencies = [row.agency for row in board]
    mine = selectors.report_states(agencies, 2024, TODAY)
    for row in board:
        state = mine[row.agency.pk]
        assert (state.status_label, state.deadline, state.published_on, state.timing, state.timing_label) == (
            row.status_label,
            row.deadline,
            row.published_on,
            row.timing,
            row.timing_label,
        )
        assert (state.errors, state.warnings) == (row.errors, row.warnings)
    assert mine[county.justice.pk].on_time == 1
    assert mine[county.finance.pk].on_time == 0  # not published, 2025-01-31 passed
    assert mine[county.government.pk].timing == "overdue"  # 3月31日 passed too
