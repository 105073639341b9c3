"""Telling the applicant: email through Django's backends, SMS through a pluggable sender.

Called after the transaction commits (``services._after_commit_notify``): a mail server that is down never rolls
back a case. The SMS sender is chosen by the setting ``GONGKAI_SMS_SENDER`` (a dotted path); the default logs.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from gongkai.cases.models import Case, CaseDocument
from gongkai.core.dates import chinese_date

log = logging.getLogger(__name__)

__all__ = ["LoggingSmsSender", "SmsSender", "applicant_event", "sms_sender", "tracking_url"]


class SmsSender(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class LoggingSmsSender:
    """Writes the message to the log instead of a gateway: agencies plug in their 短信平台 here."""

    sent: list[tuple[str, str]] = []  # kept for tests and the demo

    def send(self, *, phone: str, text: str) -> None:
        masked = phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
        log.info("SMS to %s: %s", masked, text)
        LoggingSmsSender.sent.append((phone, text))


def sms_sender() -> SmsSender:
    path = getattr(settings, "GONGKAI_SMS_SENDER", "gongkai.cases.notify.LoggingSmsSender")
    sender: SmsSender = import_string(path)()
    return sender


def tracking_url(case: Case) -> str:
    """The applicant's link to the case page: signed, so following it needs no check digits (valid 30 days)."""
    from gongkai.cases.links import tracking_link

    return tracking_link(case)


_SUBJECTS = {
    "submitted": "政府信息公开申请已提交",
    "registered": "政府信息公开申请已登记",
    "confirmed": "政府信息公开申请已确认收到",
    "document": "政府信息公开申请文书",
}


def applicant_event(*, case_id: int, what: str, document_id: int | None = None) -> None:
    case = Case.objects.select_related("agency", "ledger").get(pk=case_id)
    document = CaseDocument.objects.get(pk=document_id, case=case) if document_id else None
    lines = [f"{case.applicant_name}：", ""]
    if what in ("submitted", "registered"):
        lines.append(f"您向{case.agency.name}提出的政府信息公开申请已{'提交' if what == 'submitted' else '登记'}。")
    elif what == "confirmed":
        lines.append(
            f"{case.agency.name}已确认收到您的政府信息公开申请，收到申请之日为{chinese_date(case.received_on)}。"
            if case.received_on
            else ""
        )
        if case.ledger and case.ledger.reply_due:
            lines.append(f"答复期限：{chinese_date(case.ledger.reply_due)}。")
    elif document is not None:
        lines.append(f"{case.agency.name}向您发出《{document.title}》（{document.doc_number}），见附件。")
    lines += [
        f"申请编号：{case.number}",
        f"查询码：{case.tracking_code}",
        f"查询办理进度：{tracking_url(case)}",
        "",
        case.agency.name,
    ]
    text = "\n".join(lines)
    if case.email:
        message = EmailMessage(
            subject=f"【{case.agency.name}】{_SUBJECTS.get(what, '政府信息公开申请')}（{case.number}）",
            body=text,
            to=[case.email],
        )
        if document is not None and document.pdf:
            with document.pdf.open("rb") as handle:
                message.attach(f"{document.get_kind_display()}.pdf", handle.read(), "application/pdf")
        message.send()
    if case.phone and what in ("confirmed", "document"):
        short = f"【{case.agency.short_name or case.agency.name}】您的政府信息公开申请（{case.number}）有新进展，查询码{case.tracking_code}。"
        sms_sender().send(phone=case.phone, text=short)
