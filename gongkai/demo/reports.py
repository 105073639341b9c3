"""The demo's published annual reports: 湛河区司法局's 2024 report, built from the demo data (its tables equal the seed
report's), written with data-bound placeholders, submitted and published through the services on 2025-01-20 —
before the 1月31日 deadline of 条例第四十九条. For 2025, so that the 主管部门's dashboard shows each kind of status:
湛河区司法局 published on time (2026-01-23), 湛河区教育局 late (2026-02-06), the other departments not at all.
Idempotent: a report that exists is skipped.

The narrative states the seed report's facts in our own words; every number in it is a placeholder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongkai.accounts.models import User
from gongkai.agencies.models import Agency
from gongkai.reports import services
from gongkai.reports.models import AnnualReport

AGENCY = "zhanhe-sfj"
YEAR = 2024
HEAD = "zh_head"
PUBLISHED_ON = dt.date(2025, 1, 20)

SECTIONS: dict[str, str] = {
    "1": (
        "2024年，湛河区司法局坚持以公开为常态、不公开为例外，依托门户网站、微信公众号等渠道及时公开政府信息，"
        "依法依规做好政府信息公开工作。"
    ),
    "1.1": (
        "全年通过门户网站主动公开政府信息{{门户网站发布}}条，通过微信公众号“湛河法治在线”发布信息{{公众号发布}}条。"
    ),
    "1.2": (
        "全年新收政府信息公开申请{{表三.一.总计}}件，办结{{表三.三（七）.总计}}件。规范依申请公开答复书格式，"
        "完善答复内容构成。未发生因政府信息公开申请答复引起的行政复议或行政诉讼。"
    ),
    "1.3": "严格执行政府信息发布保密审查制度，坚持“涉密信息不公开、公开信息不涉密”；建立政务舆情回应机制，及时回应社会关切。",
    "1.4": "发挥门户网站政府信息公开专栏作用，规范专栏和重点工作信息发布。",
    "1.5": "建立政府信息公开工作协调联动机制和标准化操作规程，结合绩效考核加强指导、监督和检查。",
    "2": "本年度主动公开政府信息情况见下表。",
    "3": "本年度收到和处理政府信息公开申请情况见下表。",
    "4": "本年度政府信息公开行政复议、行政诉讼情况见下表。",
    "5": (
        "存在的主要问题：一是网站与政务新媒体协同、政策信息精准推送不够；二是政府信息公开工作制度有待健全，"
        "监督检查力度较弱；三是法律、互联网等专业人员配备不足。"
        "改进措施：一是推进网站与政务新媒体融合运行、协同发布；二是加强培训，优化信息发布、解读回应、依申请公开等工作流程；"
        "三是加强学习，提升政府信息公开工作质量。"
    ),
    "6": "按照国办函〔2020〕109号规定的按件、按量收费标准，本年度收取信息处理费{{信息处理费}}元。",
}


SECTIONS_2025: dict[str, str] = {
    "1": "2025年，{agency}坚持以公开为常态、不公开为例外，依法依规做好政府信息公开工作。",
    "1.1": "全年通过门户网站主动公开政府信息{{{{门户网站发布}}}}条，通过政务新媒体发布信息{{{{公众号发布}}}}条。",
    "1.2": (
        "全年新收政府信息公开申请{{{{表三.一.总计}}}}件，上年结转{{{{表三.二.总计}}}}件，办结{{{{表三.三（七）.总计}}}}件，"
        "结转下年度继续办理{{{{表三.四.总计}}}}件。因政府信息公开工作被申请行政复议{{{{表四.行政复议.总计}}}}件、"
        "提起行政诉讼{{{{表四.行政诉讼.总计}}}}件。"
    ),
    "1.3": "严格执行政府信息发布保密审查制度，坚持“先审查、后公开”。",
    "1.4": "发挥门户网站政府信息公开专栏作用，规范专栏信息发布。",
    "1.5": "按照本级政府信息公开工作主管部门的要求，加强工作指导和监督检查。",
    "2": "本年度主动公开政府信息情况见下表。",
    "3": "本年度收到和处理政府信息公开申请情况见下表。",
    "4": "本年度政府信息公开行政复议、行政诉讼情况见下表。",
    "5": "存在的主要问题：依申请公开答复质量有待提高。改进措施：加强答复书审核，规范说明理由和救济途径告知。",
    "6": "本年度收取信息处理费{{{{信息处理费}}}}元。",
}
# (agency code, the 负责人 who signs, publication date) — 条例第四十九条: departments by 1月31日.
REPORTS_2025: tuple[tuple[str, str, dt.date], ...] = (
    ("zhanhe-sfj", "zh_head", dt.date(2026, 1, 23)),
    ("zhanhe-jyj", "jyj_handler", dt.date(2026, 2, 6)),
)


@dataclass
class ReportsSummary:
    published: int = 0


def _publish(code: str, username: str, year: int, sections: dict[str, str], on: dt.date) -> bool:
    agency = Agency.objects.filter(code=code).first()
    head = User.objects.filter(username=username).first()
    if agency is None or head is None or AnnualReport.objects.filter(agency=agency, year=year).exists():
        return False
    report = services.report_get_or_create_draft(agency=agency, year=year, actor=head)
    report = services.report_update_sections(report=report, actor=head, sections=sections)
    report = services.report_submit(report=report, actor=head)
    services.report_publish(report=report, actor=head, on=on)
    return True


def reports_load() -> ReportsSummary:
    summary = ReportsSummary()
    summary.published += _publish(AGENCY, HEAD, YEAR, SECTIONS, PUBLISHED_ON)
    for code, username, on in REPORTS_2025:
        agency = Agency.objects.filter(code=code).first()
        name = agency.name if agency is not None else code
        sections = {key: text.format(agency=name) for key, text in SECTIONS_2025.items()}
        summary.published += _publish(code, username, 2025, sections, on)
    return summary
