"""The words of the 文书 (regulations.md §4.1): one composer per document kind, from the case's facts.

The composed text is a draft staff may edit; ``official`` turns a stored document into the renderer's input.
Remedy clause: since 2024-01-01 a refusal to disclose must first go to 行政复议 (行政复议法第二十三条第一款（四）、第二款).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gongkai.agencies.models import Agency, Kind
from gongkai.cases.codebook import ObtainMethod, Outcome, OutcomeVariant, outcome_info
from gongkai.cases.models import (
    Case,
    CaseDocument,
    Consultation,
    ConsulteeKind,
    DocumentKind,
    FeeAssessment,
    WithheldPart,
)
from gongkai.clock.rules import PERIODS
from gongkai.core.dates import chinese_date
from gongkai.documents.render import OfficialDocument, Paragraph

__all__ = ["Content", "compose", "official", "reconsideration_body", "remedy_clause"]

_REGULATION = "《中华人民共和国政府信息公开条例》"


@dataclass(frozen=True)
class Content:
    title: str
    addressee: str
    body: tuple[str, ...]
    recipient: str


def reconsideration_body(agency: Agency) -> str:
    """行政复议法(2023)第二十四条: a department's acts go to 本级人民政府; a government's to the one above it."""
    if agency.parent is not None and agency.parent.kind == Kind.GOVERNMENT:
        return agency.parent.name
    return "有管辖权的行政复议机关"


def remedy_clause(case: Case) -> str:
    body = reconsideration_body(case.agency)
    if case.outcome and outcome_info(case.outcome).withholds:
        # 行政复议法第二十三条第一款（四）：申请政府信息公开，行政机关不予公开 — 复议前置.
        return (
            f"如您对本答复中不予公开的决定不服，应当自收到本答复书之日起60日内先向{body}申请行政复议"
            "（《中华人民共和国行政复议法》第二十三条）；对行政复议决定不服的，可以自收到行政复议决定书之日起15日内"
            "依法向人民法院提起行政诉讼。"
        )
    return (
        f"如您对本答复不服，可以自收到本答复书之日起60日内向{body}申请行政复议，"
        "或者自收到本答复书之日起6个月内依法向人民法院提起行政诉讼。"
    )


def _addressee(case: Case) -> str:
    return f"{case.applicant_name}："


def _items(case: Case) -> str:
    parts = []
    for item in case.items.all():
        text = f"“{item.title}”"
        if item.doc_number:
            text += f"（{item.doc_number}）"
        parts.append(text)
    return "、".join(parts) or "相关政府信息"


def _received(case: Case) -> str:
    return chinese_date(case.received_on) if case.received_on else "（待确认）"


def _opening(case: Case) -> str:
    return f"本机关于{_received(case)}收到您提出的政府信息公开申请（申请编号：{case.number}），申请公开{_items(case)}。"


def _contact(agency: Agency) -> str:
    parts = [f"联系机构：{agency.office_name or agency.name}"]
    if agency.office_phone:
        parts.append(f"联系电话：{agency.office_phone}")
    if agency.office_address:
        parts.append(f"地址：{agency.office_address}")
    return "；".join(parts) + "。"


def _reply_body(case: Case) -> list[str]:
    info = outcome_info(case.outcome)
    outcome = Outcome(case.outcome)
    body = [_opening(case) + "经审查，现答复如下："]
    withheld = list(case.withheld_parts.all())
    how = {
        ObtainMethod.POST: "以邮寄方式提供",
        ObtainMethod.PICKUP: "请您持本答复书到本机关领取",
        ObtainMethod.EMAIL: "以电子邮件方式提供",
        ObtainMethod.ONLINE: "已在政府信息公开申请查询页面提供，请凭查询码下载",
    }[ObtainMethod(case.obtain_method)]
    if outcome is Outcome.DISCLOSED:
        if case.outcome_variant == OutcomeVariant.ALREADY_PUBLIC:
            body.append(
                f"您申请公开的信息已经主动公开，根据{_REGULATION}第三十六条第（一）项的规定，告知您获取该政府信息的方式、途径："
                + (case.reply_text or "请登录本机关政府信息公开专栏查阅。")
            )
        else:
            body.append(
                f"您申请公开的信息属于可以公开的政府信息，根据{_REGULATION}第三十六条第（二）项的规定，予以公开，{how}。"
            )
            if case.reply_text:
                body.append(case.reply_text)
        if case.public_interest_reason:
            body.append(
                f"该信息涉及第三方合法权益，第三方不同意公开。本机关认为不公开可能对公共利益造成重大影响，"
                f"根据{_REGULATION}第三十二条决定予以公开，理由是：{case.public_interest_reason}"
            )
    elif outcome is Outcome.PARTIAL:
        body.append(
            f"您申请公开的信息中含有不应当公开的内容，但能够作区分处理。根据{_REGULATION}第三十七条的规定，"
            f"本机关向您提供可以公开的内容，{how}；对下列内容不予公开："
        )
        body.extend(_withheld_lines(withheld))
    elif info.withholds:
        body.append(f"根据{info.basis}的规定，您申请公开的信息不予公开。理由如下：")
        body.extend(_withheld_lines(withheld))
    elif outcome is Outcome.UNAVAILABLE_NOT_HELD:
        if case.outcome_variant == OutcomeVariant.NOT_OURS:
            body.append(
                f"您申请公开的信息不属于本机关负责公开的范围。根据{_REGULATION}第三十六条第（五）项的规定，"
                f"告知您该信息由{case.competent_agency}负责公开，请向其提出申请。"
            )
        else:
            body.append(
                f"经检索，本机关没有您申请公开的信息。根据{_REGULATION}第三十六条第（四）项的规定，告知您该政府信息不存在。"
            )
        if case.reply_text:
            body.append(case.reply_text)
    else:
        text = {
            Outcome.UNAVAILABLE_NEEDS_CREATION: f"您申请公开的信息需要本机关对现有政府信息进行加工、分析。根据{_REGULATION}第三十八条的规定，本机关不予提供。",
            Outcome.UNAVAILABLE_UNCLEAR: f"本机关已告知您补正申请，补正后申请内容仍不明确，无法确定您所申请的政府信息。根据{_REGULATION}第三十条的规定，本机关无法提供。",
            Outcome.NOT_PROCESSED_PETITION: f"您的申请属于以政府信息公开申请的形式进行信访、投诉、举报等活动。根据{_REGULATION}第三十九条第一款的规定，本机关不作为政府信息公开申请处理，您可以通过信访、投诉、举报等相应渠道提出。",
            Outcome.NOT_PROCESSED_REPEAT: f"本机关已于{chinese_date(case.earlier_case.closed_on) if case.earlier_case and case.earlier_case.closed_on else '此前'}就您提出的相同政府信息公开申请（申请编号：{case.earlier_case.number if case.earlier_case else ''}）作出答复。根据{_REGULATION}第三十六条第（六）项的规定，本机关不予重复处理。",
            Outcome.NOT_PROCESSED_PUBLICATION: f"您申请获取的是政府公报、报刊、书籍等公开出版物。根据{_REGULATION}第三十九条第二款的规定，告知您获取的途径：{case.reply_text or '可通过公开发行渠道获取'}。",
            Outcome.NOT_PROCESSED_EXCESSIVE: f"您申请公开政府信息的数量、频次明显超过合理范围，本机关已要求您说明理由，经审查，申请理由不合理。根据{_REGULATION}第三十五条的规定，本机关不予处理。",
            Outcome.NOT_PROCESSED_CONFIRMATION: f"您的申请系要求本机关确认或者重新出具已获取的信息，不属于{_REGULATION}规定的政府信息公开申请。根据{info.basis}的规定，本机关不予处理。",
            # 条例第三十条 and 109号: the case closed without a reply; the letter still says why and on what basis.
            Outcome.OTHER_NO_CORRECTION: f"本机关已告知您对申请作出补正{f'，补正期限已于{chinese_date(case.correction_deadline)}届满' if case.correction_deadline else ''}，您无正当理由逾期未补正。根据{info.basis}的规定，视为放弃申请，本机关不再处理该政府信息公开申请。",
            Outcome.OTHER_FEE_UNPAID: f"本机关已向您发出信息处理费收费通知，您逾期未按收费通知要求缴纳费用。根据{info.basis}的规定，视为放弃申请，本机关不再处理该政府信息公开申请。",
            Outcome.OTHER: (
                f"您已撤回该政府信息公开申请，本机关依照{_REGULATION}的规定终止办理。"
                if case.outcome_variant == OutcomeVariant.WITHDRAWN
                else case.reply_text or f"本机关依照{_REGULATION}的规定对您的申请作如下处理："
            ),
        }[outcome]
        body.append(text)
        if case.reply_text and outcome not in (Outcome.NOT_PROCESSED_PUBLICATION, Outcome.OTHER):
            body.append(case.reply_text)
    body.append(remedy_clause(case))
    body.append(_contact(case.agency))
    return body


def _withheld_lines(parts: list[WithheldPart]) -> list[str]:
    return [
        f"{n}.{part.description}：{part.reason}（依据{outcome_info(part.ground).basis}）"
        for n, part in enumerate(parts, start=1)
    ]


def _consultation_body(case: Case, row: Consultation) -> tuple[str, list[str]]:
    days = PERIODS["third_party_opinion"].amount
    if row.kind == ConsulteeKind.THIRD_PARTY:
        return (
            "政府信息公开征求意见书",
            [
                f"本机关于{_received(case)}收到政府信息公开申请，申请公开的政府信息可能涉及贵方的合法权益。"
                f"根据{_REGULATION}第三十二条的规定，现书面征求贵方意见。",
                f"征求意见事项：{row.matter}",
                f"请贵方自收到本征求意见书之日起{days}个工作日内提出书面意见。不同意公开的，请说明理由。"
                "逾期未提出意见的，本机关将依照条例的规定决定是否公开。",
                _contact(case.agency),
            ],
        )
    return (
        "政府信息公开征求意见函",
        [
            f"本机关于{_received(case)}收到政府信息公开申请，申请公开的政府信息由贵机关与本机关共同制作。"
            f"根据{_REGULATION}第三十四条的规定，现征求贵机关意见。",
            f"征求意见事项：{row.matter}",
            f"请贵机关自收到本函之日起{days}个工作日内提出意见；逾期未提出意见的，视为同意公开。",
            _contact(case.agency),
        ],
    )


def _fee_body(case: Case, fee: FeeAssessment) -> list[str]:
    pay_days = PERIODS["fee_payment"].amount
    return [
        _opening(case),
        f"您申请公开政府信息的数量、频次明显超过合理范围。根据{_REGULATION}第四十二条和《政府信息公开信息处理费管理办法》"
        f"（国办函〔2020〕109号）的规定，本机关决定{fee.get_method_display()}信息处理费，收费标准及计算如下：",
        *fee.breakdown.splitlines(),
        f"应缴金额：人民币{fee.amount}元。",
        f"请您自收到本通知次日起{pay_days}个工作日内缴纳。逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。"
        "缴费期间不计算在答复期限内。",
        _contact(case.agency),
    ]


def compose(*, case: Case, kind: DocumentKind, on: dt.date, consultation: Consultation | None = None) -> Content:
    agency = case.agency
    addressee = _addressee(case)
    recipient = case.applicant_name
    if kind is DocumentKind.RECEIPT:
        items = "；".join(
            f"{i.position}.{i.title}" + (f"（{i.doc_number}）" if i.doc_number else "") for i in case.items.all()
        )
        body = [
            f"您于{chinese_date(timezone.localtime(case.submitted_at).date())}通过{case.get_channel_display()}提交的政府信息公开申请已收到。",
            f"申请编号：{case.number}；查询码：{case.tracking_code}。",
            f"申请公开的信息：{items}。",
            (
                "通过互联网渠道提交的申请，以双方确认之日为收到申请之日（《中华人民共和国政府信息公开条例》第三十一条）。"
                "本机关确认后将告知您收到申请之日和答复期限。"
                if case.received_on is None
                else f"收到申请之日：{chinese_date(case.received_on)}。"
            ),
            f"本机关将自收到申请之日起{PERIODS['reply'].amount}个工作日内予以答复。您可以凭查询码在政府信息公开申请查询页面查询办理进度。",
            _contact(agency),
        ]
        return Content("政府信息公开申请接收回执", addressee, tuple(body), recipient)
    if kind is DocumentKind.CORRECTION_NOTICE:
        body = [
            _opening(case),
            f"经审查，您的申请内容不明确。根据{_REGULATION}第三十条的规定，请您对以下事项作出补正：",
            *[line for line in case.correction_items.splitlines() if line.strip()],
            f"请您自收到本告知书之日起{case.correction_period_days}个工作日内补正。答复期限自本机关收到补正的申请之日起计算。"
            "无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
            _contact(agency),
        ]
        return Content("政府信息公开申请补正告知书", addressee, tuple(body), recipient)
    if kind is DocumentKind.EXTENSION_NOTICE:
        due = case.ledger.reply_due if case.ledger else None
        body = [
            _opening(case),
            f"因{case.extension_reason}，本机关不能在规定期限内答复。根据{_REGULATION}第三十三条第二款的规定，"
            f"经政府信息公开工作机构负责人同意，答复期限延长{case.extension_days}个工作日"
            + (f"，至{chinese_date(due)}" if due else "")
            + "。",
            _contact(agency),
        ]
        return Content("政府信息公开申请延期答复告知书", addressee, tuple(body), recipient)
    if kind in (DocumentKind.CONSULT_THIRD_PARTY, DocumentKind.CONSULT_AGENCY):
        assert consultation is not None
        title, body = _consultation_body(case, consultation)
        return Content(title, f"{consultation.party}：", tuple(body), consultation.party)
    if kind is DocumentKind.FEE_NOTICE:
        fee = FeeAssessment.objects.get(case=case)
        return Content("政府信息公开信息处理费收费通知书", addressee, tuple(_fee_body(case, fee)), recipient)
    if kind is DocumentKind.REASONS_NOTICE:
        body = [
            _opening(case),
            f"您申请公开政府信息的数量、频次明显超过合理范围。根据{_REGULATION}第三十五条的规定，请您说明申请理由。",
            "本机关认为申请理由不合理的，将告知您不予处理；认为申请理由合理，但无法在条例第三十三条规定的期限内答复的，"
            "将确定延迟答复的合理期限并告知您。",
            _contact(agency),
        ]
        return Content("政府信息公开申请说明理由告知书", addressee, tuple(body), recipient)
    if kind is DocumentKind.DELAY_NOTICE:
        body = [
            _opening(case),
            f"本机关已要求您说明申请理由。经审查，您的申请理由合理，但本机关无法在{_REGULATION}第三十三条规定的期限内答复。"
            f"根据条例第三十五条的规定，本机关将于{chinese_date(case.delay_until) if case.delay_until else ''}前予以答复。",
            _contact(agency),
        ]
        return Content("政府信息公开申请延迟答复告知书", addressee, tuple(body), recipient)
    if kind is DocumentKind.REPLY:
        return Content("政府信息公开申请答复书", addressee, tuple(_reply_body(case)), recipient)
    raise ValueError(f"unknown document kind {kind}")


def official(doc: CaseDocument, *, draft: bool) -> OfficialDocument:
    agency = doc.case.agency
    title = f"{agency.name}{doc.title}" if not doc.title.startswith(agency.name) else doc.title
    return OfficialDocument(
        letterhead=agency.letterhead or agency.name,
        doc_number=doc.doc_number,
        title=title,
        addressee=doc.addressee,
        body=tuple(Paragraph(text=p) for p in doc.body),
        signature=agency.name,
        date_text=chinese_date(doc.date_on),
        draft=draft,
    )
