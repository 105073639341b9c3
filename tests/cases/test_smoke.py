from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core import mail

from gongkai.cases import services
from gongkai.cases.codebook import Outcome
from gongkai.cases.models import Case, DocumentKind
from gongkai.cases.states import Status
from tests.cases.conftest import application, d


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_online_to_partial_reply(agency: Any, handler: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit_online(agency=agency, data=application())
    assert case.status == Status.PENDING
    assert case.documents.filter(kind=DocumentKind.RECEIPT, status="issued").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments
    case = services.case_confirm_receipt(case=case, actor=handler, received_on=d("2026-03-02"))
    traveller = time_machine.travel("2026-03-20 16:00 +0800", tick=False)
    traveller.start()
    assert case.ledger.reply_due == d("2026-03-30")
    services.case_request_correction(case=case, actor=handler, on=d("2026-03-04"), items="请明确年份", period_days=10)
    services.case_record_correction(case=case, actor=handler, on=d("2026-03-09"))
    case.refresh_from_db()
    assert case.ledger.reply_due == d("2026-04-07")
    doc = services.case_reply(
        case=case,
        actor=handler,
        data=services.ReplyInput(
            outcome=Outcome.PARTIAL,
            on=d("2026-03-20"),
            withheld=[services.WithheldInput("受援人姓名", Outcome.WITHHELD_THIRD_PARTY, "涉及个人隐私")],
        ),
    )
    issued = services.document_issue(document=doc, actor=handler, on=d("2026-03-20"))
    assert issued.doc_number == "湛司公复〔2026〕1号"
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.CLOSED
    assert case.outcome == Outcome.PARTIAL
    traveller.stop()


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_a_plain_other_reply_needs_its_text(agency: Any, handler: Any) -> None:
    """表三（六）3 “其他” is reachable by a reply that says what was done; without the words it is refused."""
    from django.core.exceptions import ValidationError

    case = services.case_register(
        agency=agency, data=application(), channel="in_person", actor=handler, received_on=d("2026-03-02")
    )
    with pytest.raises(ValidationError) as refused:
        services.case_reply(
            case=case, actor=handler, data=services.ReplyInput(outcome=Outcome.OTHER, on=d("2026-03-02"))
        )
    assert "text" in refused.value.message_dict
    services.case_reply(
        case=case,
        actor=handler,
        data=services.ReplyInput(outcome=Outcome.OTHER, on=d("2026-03-02"), text="申请人要求的信息已由其当场查阅"),
    )
    case.refresh_from_db()
    assert case.outcome == Outcome.OTHER
    assert case.outcome_variant == ""


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_without_a_chinese_font_issuing_says_so_and_changes_nothing(
    agency: Any, handler: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.exceptions import ValidationError

    from gongkai.documents import render

    case = services.case_register(
        agency=agency, data=application(), channel="in_person", actor=handler, received_on=d("2026-03-02")
    )
    draft = services.case_request_correction(
        case=case, actor=handler, on=d("2026-03-02"), items="请写明年份", period_days=10
    )
    monkeypatch.setattr(render, "_fontconfig_cjk_families", frozenset)
    with pytest.raises(ValidationError, match="fonts-noto-cjk"):
        services.document_issue(document=draft, actor=handler)
    draft.refresh_from_db()
    assert not draft.is_issued
    assert draft.doc_number == ""
    monkeypatch.undo()
    assert services.document_issue(document=draft, actor=handler).doc_number == "湛司公复〔2026〕1号"
