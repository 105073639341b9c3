"""Drafts of the agency's 行政复议答复书 (行政复议法第四十八条) and 行政诉讼答辩状 (行政诉讼法第六十七条): the facts of
the linked 依申请公开 cases in date order (their timelines) and an evidence list (证据清单) of the 文书 the agency issued,
with dates — the 证据、依据 the law asks the agency to submit with its answer. Staff complete the reasoning and sign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongkai.appeals.codebook import AppealKind
from gongkai.appeals.models import Appeal, DraftKind
from gongkai.cases.models import CaseDocument, CaseEvent, DocumentStatus
from gongkai.core.dates import chinese_date
from gongkai.documents.render import OfficialDocument, Paragraph

__all__ = ["Evidence", "build", "draft_kind_for", "evidence_list", "timeline"]

_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Evidence:
    title: str
    number: str
    date_on: dt.date
    case_number: str


def draft_kind_for(appeal: Appeal) -> str:
    return DraftKind.RECONSIDERATION_REPLY if appeal.kind == AppealKind.RECONSIDERATION else DraftKind.DEFENCE


def timeline(appeal: Appeal) -> list[tuple[dt.date, str, str]]:
    """(date, case number, what happened) for every recorded step of the linked cases, oldest first."""
    events = (
        CaseEvent.objects.filter(case__in=appeal.cases.all()).select_related("case").order_by("on", "case_id", "seq")
    )
    rows = []
    for event in events:
        text = event.get_action_display()
        if event.note:
            text += f"：{event.note}"
        rows.append((event.on, event.case.number, text))
    return rows


def evidence_list(appeal: Appeal) -> list[Evidence]:
    """The issued 文书 of the linked cases (receipts, notices, the reply), in date order."""
    docs = (
        CaseDocument.objects.filter(case__in=appeal.cases.all(), status=DocumentStatus.ISSUED)
        .select_related("case")
        .order_by("date_on", "pk")
    )
    return [Evidence(d.title or d.get_kind_display(), d.doc_number, d.date_on, d.case.number) for d in docs]


def build(appeal: Appeal, *, on: dt.date) -> OfficialDocument:
    """The draft for ``appeal`` dated ``on`` (always marked 草稿)."""
    agency = appeal.agency
    reply = appeal.kind == AppealKind.RECONSIDERATION
    title = "行政复议答复书" if reply else "行政诉讼答辩状"
    party = "申请人" if reply else "原告"
    us = "被申请人" if reply else "被告"
    body: list[Paragraph] = [
        Paragraph(f"{party}：{appeal.appellant}", indent=False),
        Paragraph(f"{us}：{agency.name}", indent=False),
    ]
    if appeal.number:
        body.append(Paragraph(f"案号：{appeal.number}", indent=False))
    received = (
        f"{us}于{chinese_date(appeal.copy_received_on)}收到{'行政复议申请书副本' if reply else '起诉状副本'}，"
        if appeal.copy_received_on
        else ""
    )
    basis = (
        "依照《中华人民共和国行政复议法》第四十八条的规定，现提出书面答复如下："
        if reply
        else "依照《中华人民共和国行政诉讼法》第六十七条的规定，现提交答辩状如下："
    )
    filed = f"向{appeal.body}申请行政复议" if reply else f"向{appeal.body}提起行政诉讼"
    body.append(Paragraph(f"{party}{appeal.appellant}不服{us}{appeal.subject}，{filed}。{received}{basis}"))
    body.append(Paragraph("一、基本事实", indent=False, bold=True))
    rows = timeline(appeal)
    if rows:
        for on_day, number, text in rows:
            body.append(Paragraph(f"{chinese_date(on_day)}（申请编号{number}）：{text}"))
    elif appeal.proactive:
        body.append(Paragraph("本案涉及主动公开工作，相关事实由经办人员补充。"))
    body.append(Paragraph("二、答复意见" if reply else "二、答辩意见", indent=False, bold=True))
    body.append(
        Paragraph(
            f"{us}对上述申请的处理认定事实清楚，证据确凿，适用依据正确，程序合法，内容适当。"
            "（经办人员据实补充理由和依据。）"
        )
    )
    ask = "请求行政复议机关依法维持。" if reply else "请求人民法院依法驳回原告的诉讼请求。"
    body.append(Paragraph(f"综上，{ask}"))
    body.append(Paragraph("三、证据清单", indent=False, bold=True))
    evidence = evidence_list(appeal)
    if evidence:
        for i, item in enumerate(evidence, start=1):
            label = _NUMERALS[i - 1] if i <= len(_NUMERALS) else str(i)
            number = f"（{item.number}）" if item.number else ""
            body.append(
                Paragraph(
                    f"证据{label}：{item.title}{number}，{chinese_date(item.date_on)}，申请编号{item.case_number}，"
                    "证明办理过程和答复内容。"
                )
            )
    else:
        body.append(Paragraph("（关联案件尚无已签发的文书，请经办人员补充证据。）"))
    body.append(Paragraph("此致", indent=True))
    body.append(Paragraph(appeal.body, indent=False))
    return OfficialDocument(
        letterhead=agency.letterhead or agency.name,
        doc_number="",
        title=title,
        addressee="",
        body=tuple(body),
        signature=agency.name,
        date_text=chinese_date(on),
        draft=True,
        seal=True,
    )
