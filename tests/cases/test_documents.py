"""The 文书 of a case (regulations.md §4.1): DOCX staff open in Word/WPS, PDF with its Chinese glyphs embedded, the 文号,
the legal basis, the remedy clause (行政复议法第二十三条: 复议前置 for refusals since 2024-01-01), and immutability."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from gongkai.cases import services
from gongkai.cases.codebook import OUTCOMES, Channel, Outcome, OutcomeVariant
from gongkai.cases.fees import FeeMethod
from gongkai.cases.models import Case, CaseDocument, ConsulteeKind, DocumentKind, DocumentStatus
from gongkai.documents import render
from gongkai.documents.render import docx_text, pdf_fonts
from tests.cases.conftest import application, d
from tests.cases.test_conformance import REPLY_DATA

_CJK = re.compile(r"[\u4e00-\u9fff]")
PDF_STUB = b"%PDF-1.7 stub"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel("2026-12-30 10:00 +0800", tick=False):
        yield


@pytest.fixture
def no_pdf(monkeypatch: Any) -> None:
    """PDF rendering takes ~0.3 s a document: the DOCX-only tests skip it (services._render imports it at call time)."""
    monkeypatch.setattr(render, "render_pdf", lambda doc: PDF_STUB)


def register(agency: Any, handler: Any, on: str = "2026-03-02") -> Case:
    return services.case_register(
        agency=agency, data=application(), channel=Channel.IN_PERSON, actor=handler, received_on=d(on)
    )


def issue(doc: CaseDocument, actor: Any, on: str = "2026-03-20") -> CaseDocument:
    return services.document_issue(document=doc, actor=actor, on=d(on))


def stored(doc: CaseDocument, which: str) -> bytes:
    field = getattr(doc, which)
    with field.open("rb") as handle:
        data: bytes = handle.read()
    return data


def text_of(doc: CaseDocument) -> str:
    return docx_text(stored(doc, "docx"))


def _one_line(text: str) -> str:
    # Long paragraphs are stored whole in the DOCX; join lines anyway so a check never depends on wrapping.
    return text.replace("\n", "")


# Where an outcome has variants the letter cites the one item of the article that applies (第三十六条（一）, （二）,
# （四） or （五）), a part of the outcome's basis; everywhere else it cites the basis as the codebook writes it.
VARIANT_ITEM = {
    OutcomeVariant.PROVIDED: "第（二）项",
    OutcomeVariant.ALREADY_PUBLIC: "第（一）项",
    OutcomeVariant.NOT_EXIST: "第（四）项",
    OutcomeVariant.NOT_OURS: "第（五）项",
}


def reach_outcome(outcome: Outcome, agency: Any, handler: Any, earlier: Case | None) -> tuple[Case, CaseDocument]:
    """Close a case with ``outcome`` and return it with its 答复书 draft."""
    case = register(agency, handler)
    if outcome is Outcome.NOT_PROCESSED_EXCESSIVE:
        services.case_ask_reasons(case=case, actor=handler, on=d("2026-03-03"))
        draft = services.case_reject_reasons(case=case, actor=handler, on=d("2026-03-10"), reasons="理由不合理")
        return Case.objects.get(pk=case.pk), draft
    if outcome is Outcome.OTHER_NO_CORRECTION:
        services.case_request_correction(
            case=case, actor=handler, on=d("2026-03-03"), items="请明确年份", period_days=5
        )
        services.case_correction_lapsed(case=case, actor=None, on=d("2026-03-11"))
    elif outcome is Outcome.OTHER_FEE_UNPAID:
        services.case_notify_fee(case=case, actor=handler, on=d("2026-03-04"), method=FeeMethod.PER_VOLUME, pages=150)
        services.case_fee_lapsed(case=case, actor=None, on=d("2026-04-02"))
    elif outcome is Outcome.OTHER:
        services.case_withdraw(case=case, actor=handler, on=d("2026-03-05"), reason="申请人电话撤回申请")
    else:
        extra = dict(REPLY_DATA[outcome])
        if outcome is Outcome.UNAVAILABLE_UNCLEAR:
            services.case_request_correction(
                case=case, actor=handler, on=d("2026-03-03"), items="请明确信息名称", period_days=10
            )
            services.case_record_correction(case=case, actor=handler, on=d("2026-03-06"))
        if outcome is Outcome.NOT_PROCESSED_REPEAT:
            assert earlier is not None
            extra["earlier_case_number"] = earlier.number
        draft = services.case_reply(
            case=case, actor=handler, data=services.ReplyInput(outcome=outcome, on=d("2026-03-20"), **extra)
        )
        return Case.objects.get(pk=case.pk), draft
    # The lapses and the withdrawal close the case without a letter; staff may still write one to the applicant.
    case = Case.objects.get(pk=case.pk)
    assert case.closed_on is not None
    return case, services.document_draft(case=case, kind=DocumentKind.REPLY, actor=handler, on=case.closed_on)


@pytest.mark.usefixtures("no_pdf")
def test_every_outcome_has_a_reply_with_its_basis_and_the_right_remedy(agency: Any, handler: Any) -> None:
    """条例第三十六条：告知…并说明理由; 行政复议法第二十条 (60日), 第二十三条第一款（四）、第二款 (不予公开: 复议前置,
    and the agency must say so); 行政诉讼法第四十六条 (6个月); 复议机关 = the department's 本级人民政府 (第二十四条)."""
    earlier: Case | None = None
    numbers = []
    for outcome in Outcome:
        case, draft = reach_outcome(outcome, agency, handler, earlier)
        if outcome is Outcome.DISCLOSED:
            earlier = case
        doc = issue(draft, handler)
        numbers.append(doc.doc_number)
        text = _one_line(text_of(doc))
        info = OUTCOMES[outcome.value]
        assert doc.doc_number in text, outcome
        assert "政府信息公开申请答复书" in text, outcome
        assert case.number in text, outcome
        item = VARIANT_ITEM.get(OutcomeVariant(case.outcome_variant)) if case.outcome_variant else None
        if item:
            assert f"第三十六条{item}" in info.basis or f"、{item}" in info.basis
            assert f"《中华人民共和国政府信息公开条例》第三十六条{item}" in text, outcome
        else:
            assert info.basis in text, (outcome, info.basis)
        assert "湛河区人民政府" in text  # the 复议机关 of a department of 湛河区
        if info.withholds:
            assert re.search(r"先向湛河区人民政府申请行政复议", text), outcome
            assert "行政复议法》第二十三条" in text, outcome
            assert "6个月" not in text, outcome
        else:
            assert "60日内向湛河区人民政府申请行政复议" in text, outcome
            assert "6个月内依法向人民法院提起行政诉讼" in text, outcome
            assert "先向" not in text, outcome
        assert doc.pdf_sha256 == hashlib.sha256(PDF_STUB).hexdigest()
    assert numbers == [f"湛司公复〔2026〕{n}号" for n in range(1, len(Outcome) + 1)]


@pytest.mark.usefixtures("no_pdf")
def test_each_document_kind_carries_its_number_and_title(agency: Any, handler: Any, head: Any) -> None:
    """Every 文书 of a case (宿政办函〔2021〕21号's list): the 回执 carries the application number, the others a 文号."""
    case = register(agency, handler)
    receipt = services.document_draft(case=case, kind=DocumentKind.RECEIPT, actor=None, on=d("2026-03-02"))
    receipt = services.document_issue(document=receipt, actor=None, on=d("2026-03-02"), by_system=True)
    correction = services.case_request_correction(
        case=case, actor=handler, on=d("2026-03-03"), items="请明确年份", period_days=10
    )
    correction = issue(correction, handler, "2026-03-03")
    services.case_record_correction(case=case, actor=handler, on=d("2026-03-05"))
    consultations = services.case_start_consultation(
        case=case,
        actor=handler,
        on=d("2026-03-06"),
        consultees=[
            services.ConsulteeInput(kind=ConsulteeKind.THIRD_PARTY, party="某某建设有限公司", matter="合同金额"),
            services.ConsulteeInput(kind=ConsulteeKind.AGENCY, party="湛河区财政局", matter="共同制作的文件"),
        ],
    )
    consultations = [issue(doc, handler, "2026-03-06") for doc in consultations]
    extension = services.case_extend(case=case, actor=head, days=10, reason="需要征求意见", approved_on=d("2026-03-09"))
    extension = issue(extension, head, "2026-03-09")
    other = register(agency, handler)
    fee = services.case_notify_fee(case=other, actor=handler, on=d("2026-03-04"), method=FeeMethod.PER_VOLUME, pages=57)
    fee = issue(fee, handler, "2026-03-04")
    third = register(agency, handler)
    reasons = issue(services.case_ask_reasons(case=third, actor=handler, on=d("2026-03-03")), handler, "2026-03-03")
    delay = services.case_accept_reasons(
        case=third, actor=handler, on=d("2026-03-10"), reasons="学术研究", until=d("2026-05-29")
    )
    delay = issue(delay, handler, "2026-03-10")

    expected = {
        DocumentKind.RECEIPT: (receipt, "政府信息公开申请接收回执", [case.number, case.tracking_code]),
        DocumentKind.CORRECTION_NOTICE: (correction, "补正告知书", ["第三十条", "请明确年份"]),
        DocumentKind.CONSULT_THIRD_PARTY: (consultations[0], "征求意见书", ["第三十二条", "15个工作日"]),
        DocumentKind.CONSULT_AGENCY: (consultations[1], "征求意见函", ["第三十四条", "视为同意公开"]),
        DocumentKind.EXTENSION_NOTICE: (extension, "延期答复告知书", ["第三十三条第二款", "10个工作日"]),
        DocumentKind.FEE_NOTICE: (fee, "收费通知书", ["国办函〔2020〕109号", "270元", "20个工作日"]),
        DocumentKind.REASONS_NOTICE: (reasons, "说明理由告知书", ["第三十五条"]),
        DocumentKind.DELAY_NOTICE: (delay, "延迟答复告知书", ["第三十五条", "2026年5月29日"]),
    }
    assert set(expected) | {DocumentKind.REPLY} == set(DocumentKind)  # the reply: the test above, per outcome
    for kind, (doc, title, facts) in expected.items():
        assert doc.kind == kind
        assert doc.status == DocumentStatus.ISSUED
        text = _one_line(text_of(doc))
        assert title in doc.title
        assert doc.title in text, kind
        assert "湛河区司法局" in text
        for fact in facts:
            assert fact in text, (kind, fact)
        if kind == DocumentKind.RECEIPT:
            assert doc.doc_number == ""
        else:
            assert doc.doc_number in text, kind
    numbered = [doc for doc, _title, _facts in expected.values() if doc.doc_number]
    assert sorted(int(re.findall(r"〕(\d+)号", doc.doc_number)[0]) for doc in numbered) == list(range(1, 8))


def test_pdf_embeds_a_cjk_font_and_issued_documents_are_frozen(agency: Any, handler: Any) -> None:
    """GB/T 9704 公文 as PDF with the Chinese glyphs embedded; an issued 文书 is kept unchanged with the case."""
    case = register(agency, handler)
    draft = services.case_reply(
        case=case,
        actor=handler,
        data=services.ReplyInput(
            outcome=Outcome.PARTIAL, on=d("2026-03-20"), withheld=REPLY_DATA[Outcome.PARTIAL]["withheld"]
        ),
    )
    services.document_update(
        document=draft, actor=handler, title=draft.title, addressee=draft.addressee, body=[*draft.body, "特此告知。"]
    )
    doc = issue(CaseDocument.objects.get(pk=draft.pk), handler)
    pdf = stored(doc, "pdf")
    docx = stored(doc, "docx")
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == doc.pdf_sha256
    assert hashlib.sha256(docx).hexdigest() == doc.docx_sha256
    fonts = pdf_fonts(pdf)
    assert fonts
    assert all(embedded for _name, embedded in fonts), fonts
    assert any("CJK" in name for name, _embedded in fonts), fonts
    assert "特此告知。" in text_of(doc)
    with pytest.raises(ValidationError, match="已签发"):
        services.document_update(document=doc, actor=handler, title="改", addressee="", body=["改"])
    with pytest.raises(ValidationError, match="已签发"):
        services.document_issue(document=doc, actor=handler, on=d("2026-03-21"))
    again = CaseDocument.objects.get(pk=doc.pk)
    assert (again.doc_number, again.body, again.pdf_sha256) == (doc.doc_number, doc.body, doc.pdf_sha256)
    assert hashlib.sha256(stored(again, "pdf")).hexdigest() == doc.pdf_sha256


def test_receipt_pdf_on_submission(agency: Any, django_capture_on_commit_callbacks: Any) -> None:
    """The 申请接收回执 is issued once the online application is saved, with the application number and a CJK font."""
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False), django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit_online(agency=agency, data=application())
    receipt = CaseDocument.objects.get(case=case, kind=DocumentKind.RECEIPT)
    assert receipt.status == DocumentStatus.ISSUED
    assert receipt.doc_number == ""
    assert case.number in text_of(receipt)
    assert any("CJK" in name and embedded for name, embedded in pdf_fonts(stored(receipt, "pdf")))


def test_receipt_gives_the_beijing_date_of_an_early_morning_submission(agency: Any) -> None:
    """Submitted at 07:30 Beijing time (23:30 UTC the day before): the receipt says the Beijing date."""
    from gongkai.cases import letters

    with time_machine.travel("2026-03-03 07:30 +0800", tick=False):
        case = services.case_submit_online(agency=agency, data=application())
    content = letters.compose(case=case, kind=DocumentKind.RECEIPT, on=d("2026-03-03"))
    text = "\n".join(content.body)
    assert "2026年3月3日" in text
    assert "2026年3月2日" not in text


@pytest.mark.usefixtures("no_pdf")
def test_doc_numbers_are_gap_free_per_agency_and_year(agency: Any, handler: Any, government: Any) -> None:
    """文号 follow the agency's pattern (湛司公复〔{year}〕{seq}号), one series per agency and year, without gaps —
    a refused issue gives its number back."""
    from tests.factories import make_agency, make_staff

    other_agency = make_agency("湛河区民政局", parent=government, doc_number_pattern="湛民公复〔{year}〕{seq}号")
    from gongkai.accounts.roles import Role

    other_handler = make_staff(other_agency, Role.HANDLER)
    drafts = []
    for on in ("2025-12-29", "2025-12-30", "2026-01-05"):
        case = register(agency, handler, on)
        drafts.append(
            services.case_reply(
                case=case,
                actor=handler,
                data=services.ReplyInput(outcome=Outcome.UNAVAILABLE_NEEDS_CREATION, on=d(on)),
            )
        )
    other_case = services.case_register(
        agency=other_agency,
        data=application(),
        channel=Channel.IN_PERSON,
        actor=other_handler,
        received_on=d("2025-12-29"),
    )
    other_draft = services.case_reply(
        case=other_case,
        actor=other_handler,
        data=services.ReplyInput(outcome=Outcome.UNAVAILABLE_NEEDS_CREATION, on=d("2025-12-29")),
    )
    first = issue(drafts[0], handler, "2025-12-29")
    assert issue(other_draft, other_handler, "2025-12-29").doc_number == "湛民公复〔2025〕1号"
    with pytest.raises(ValidationError):  # another agency's staff cannot issue: the number is not consumed
        services.document_issue(document=drafts[1], actor=other_handler, on=d("2025-12-30"))
    second = issue(drafts[1], handler, "2025-12-30")
    third = issue(drafts[2], handler, "2026-01-05")
    assert [first.doc_number, second.doc_number, third.doc_number] == [
        "湛司公复〔2025〕1号",
        "湛司公复〔2025〕2号",
        "湛司公复〔2026〕1号",
    ]
    for doc in (first, second, third):
        assert _CJK.search(doc.doc_number)
        assert doc.doc_number in text_of(doc)
