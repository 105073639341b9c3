"""The 主动公开 workflow end to end (条例第十七条 先审查、后公开): scan on submit, an open high finding blocks
approval and publication, redaction really removes the data (body, rich text, PDF), dismissals need a reason, roles,
returns with opinions, scheduled publishing, withdrawal — and a walk over the transition table."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from gongkai.agencies.models import Agency
from gongkai.audit.models import AuditEvent
from gongkai.publications import selectors, services
from gongkai.publications.codebook import (
    OPEN_HIGH_FINDING,
    STAFF_ACTIONS,
    SYSTEM_ACTIONS,
    TRANSITIONS,
    Action,
    Actor,
    Channel,
    DeliveryStatus,
    FindingKind,
    FindingStatus,
    ReviewDecision,
    ReviewStage,
    Severity,
    Status,
)
from gongkai.publications.models import ChannelDelivery, Publication, ReviewOpinion, ScanFinding
from gongkai.publications.pdf import publication_pdf
from tests.publications.conftest import create, through_workflow

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"  # GB 11643 check character valid
PHONE = "13812345678"
BANK_CARD = "6217001234567890122"  # Luhn valid
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)


BODY_HTML = (
    "<h2>处罚决定</h2>"
    f"<p>当事人身份证号<strong>{ID_NUMBER[:6]}</strong>{ID_NUMBER[6:]}，"
    f"联系电话{PHONE}，因违法经营受到处罚。</p>"
    "<p>特此公告。<script>alert(1)</script></p>"
)


def finding(item: Publication, kind: str) -> ScanFinding:
    return ScanFinding.objects.get(publication=item, kind=kind, status=FindingStatus.OPEN)


def test_full_path_scan_block_redact_dismiss_approve_publish(
    agency: Agency, handler: Any, reviewer: Any, head: Any
) -> None:
    item = create(
        agency,
        handler,
        title="湛河区司法局行政处罚决定公示",
        body_html=BODY_HTML,
        formed_on=dt.date(2026, 11, 20),
        channels=[Channel.PORTAL, Channel.WECHAT],
    )
    assert "<script>" not in item.body_html
    assert ID_NUMBER in item.body  # the plain text is derived from the rich text, across the <strong>
    services.publication_add_attachment(
        publication=item,
        actor=handler,
        name="处罚决定书.docx",
        content=docx_bytes("行政处罚决定书", f"罚款缴入账户：{BANK_CARD}"),
    )

    services.publication_submit(publication=item, actor=handler)
    item.refresh_from_db()
    assert item.status == Status.SECRECY_REVIEW
    kinds = {(f.kind, f.severity, f.attachment_id is not None) for f in item.findings.all()}
    assert (FindingKind.ID_NUMBER, Severity.HIGH, False) in kinds
    assert (FindingKind.PHONE, Severity.MEDIUM, False) in kinds
    assert (FindingKind.BANK_CARD, Severity.HIGH, True) in kinds
    # Findings hold the data masked only; the offsets point into the stored text.
    id_finding = finding(item, FindingKind.ID_NUMBER)
    assert id_finding.masked_text == "1" + "*" * 16 + "X"
    assert item.body[id_finding.start : id_finding.end] == ID_NUMBER
    assert not ScanFinding.objects.filter(masked_text__contains=PHONE).exists()
    assert not AuditEvent.objects.filter(after__icontains=ID_NUMBER).exists()

    # An open high finding blocks the review's 同意 (and so publication).
    with pytest.raises(ValidationError) as blocked:
        services.publication_review(publication=item, actor=reviewer, decision=ReviewDecision.AGREE)
    assert blocked.value.message_dict["findings"] == [OPEN_HIGH_FINDING]
    item.refresh_from_db()
    assert item.status == Status.SECRECY_REVIEW

    # Redaction: the data is gone from body, rich text and the generated PDF.
    services.finding_redact(finding=id_finding, actor=reviewer)
    services.finding_redact(finding=finding(item, FindingKind.PHONE), actor=reviewer)
    item.refresh_from_db()
    for text in (item.body, item.body_html):
        assert ID_NUMBER not in text
        assert ID_NUMBER[6:] not in text
        assert PHONE not in text
    assert "■" * 18 in item.body
    assert "<strong>■■■■■■</strong>" in item.body_html  # the markup stays, the characters go
    assert item.body[id_finding.start : id_finding.end] == "■" * 18
    assert ScanFinding.objects.get(pk=id_finding.pk).status == FindingStatus.REDACTED
    pdf = pdf_text(publication_pdf(item))
    assert "处罚决定" in pdf
    assert ID_NUMBER not in pdf
    assert ID_NUMBER[6:] not in pdf
    assert PHONE not in pdf

    # The attachment's finding cannot be redacted in the file; dismissing it needs a reason.
    card = finding(item, FindingKind.BANK_CARD)
    with pytest.raises(ValidationError) as in_file:
        services.finding_redact(finding=card, actor=reviewer)
    assert "删除该附件" in in_file.value.message_dict["finding"][0]
    with pytest.raises(ValidationError) as no_reason:
        services.finding_dismiss(finding=card, actor=reviewer, reason="  ")
    assert "reason" in no_reason.value.message_dict
    services.finding_dismiss(finding=card, actor=reviewer, reason="本机关对公账户，依法公开")
    assert not selectors.has_open_high(item)

    # 同意 through both stages: published, the portal delivered at once, the 公众号 pending for its adapter.
    services.publication_review(publication=item, actor=reviewer, decision=ReviewDecision.AGREE, opinion="可以公开")
    done = services.publication_approve(publication=item, actor=head, decision=ReviewDecision.AGREE)
    assert done.status == Status.PUBLISHED
    assert done.published_on == dt.date(2026, 11, 27)
    deliveries = {d.channel: d.status for d in ChannelDelivery.objects.filter(publication=item)}
    assert deliveries == {Channel.PORTAL: DeliveryStatus.DELIVERED, Channel.WECHAT: DeliveryStatus.PENDING}
    opinions = [(o.stage, o.decision, o.actor) for o in selectors.opinions_of(item)]
    assert opinions == [
        (ReviewStage.SECRECY_REVIEW, ReviewDecision.AGREE, reviewer),
        (ReviewStage.APPROVAL, ReviewDecision.AGREE, head),
    ]
    actions = set(AuditEvent.objects.filter(object_id=str(item.pk)).values_list("action", flat=True))
    assert {
        "publication.create",
        "publication.add_attachment",
        "publication.submit",
        "publication.redact",
        "publication.dismiss_finding",
        "publication.review_pass",
        "publication.approve",
    } <= actions


def test_an_open_high_finding_blocks_approval_too(agency: Agency, handler: Any, reviewer: Any, head: Any) -> None:
    """Even if an item reached 审批 with an open high finding (a finding added later), the 负责人 cannot publish it."""
    item = create(agency, handler, body="一般工作动态。")
    services.publication_submit(publication=item, actor=handler)
    services.publication_review(publication=item, actor=reviewer, decision=ReviewDecision.AGREE)
    ScanFinding.objects.create(
        publication=item, source_label="正文", kind=FindingKind.CLASSIFICATION, severity=Severity.HIGH,
        start=0, end=2, masked_text="机*",
    )  # fmt: skip
    for kwargs in ({}, {"scheduled_for": dt.datetime(2026, 11, 28, 9, 0, tzinfo=TZ)}):
        with pytest.raises(ValidationError) as blocked:
            services.publication_approve(publication=item, actor=head, decision=ReviewDecision.AGREE, **kwargs)
        assert blocked.value.message_dict["findings"] == [OPEN_HIGH_FINDING]
    item.refresh_from_db()
    assert (item.status, item.scheduled_for) == (Status.APPROVAL, None)
    assert not ChannelDelivery.objects.filter(publication=item).exists()


def test_redaction_across_paragraph_markup_falls_back_to_plain_paragraphs(
    agency: Agency, handler: Any, reviewer: Any
) -> None:
    item = create(agency, handler, body_html=f"<p>联系人邮箱 a.b@example.cn</p><p>身份证号{ID_NUMBER}</p>")
    services.publication_submit(publication=item, actor=handler)
    services.finding_redact(finding=finding(item, FindingKind.ID_NUMBER), actor=reviewer)
    item.refresh_from_db()
    assert ID_NUMBER not in item.body_html
    assert ID_NUMBER not in item.body
    email = finding(item, FindingKind.EMAIL)
    services.finding_redact(finding=email, actor=reviewer)
    item.refresh_from_db()
    assert "a.b@example.cn" not in item.body_html
    assert item.body.splitlines()[0].startswith("联系人邮箱 ■")


def test_roles_are_enforced(agency: Agency, handler: Any, reviewer: Any, head: Any) -> None:
    item = create(agency, handler, body="工作动态。")
    with pytest.raises(ValidationError) as reviewer_submits:
        services.publication_submit(publication=item, actor=reviewer)
    assert "actor" in reviewer_submits.value.message_dict
    services.publication_submit(publication=item, actor=handler)
    for actor in (handler, head, None):  # only a 审核人 does the 保密审查
        with pytest.raises(ValidationError) as refused:
            services.publication_review(publication=item, actor=actor, decision=ReviewDecision.AGREE)
        assert "actor" in refused.value.message_dict
    services.publication_review(publication=item, actor=reviewer, decision=ReviewDecision.AGREE)
    for actor in (handler, reviewer):  # a 经办人 cannot approve; a 审核人 cannot do the 负责人's approval
        with pytest.raises(ValidationError) as refused:
            services.publication_approve(publication=item, actor=actor, decision=ReviewDecision.AGREE)
        assert "负责人" in refused.value.message_dict["actor"][0]
    item.refresh_from_db()
    assert item.status == Status.APPROVAL
    other_agency_head = head.__class__.objects.get(pk=head.pk)
    other_agency_head.memberships.all().delete()  # a 负责人 of no agency (or of another one) is an outsider here
    with pytest.raises(ValidationError):
        services.publication_approve(publication=item, actor=other_agency_head, decision=ReviewDecision.AGREE)


def test_returns_with_opinions_and_editing_only_in_draft(
    agency: Agency, handler: Any, reviewer: Any, head: Any
) -> None:
    item = create(agency, handler, body=f"联系电话{PHONE}。")
    services.publication_submit(publication=item, actor=handler)
    with pytest.raises(ValidationError) as edit_in_review:
        services.publication_update(publication=item, actor=handler, data={"title": "改标题"})
    assert "status" in edit_in_review.value.message_dict
    with pytest.raises(ValidationError) as no_opinion:
        services.publication_review(publication=item, actor=reviewer, decision=ReviewDecision.RETURN)
    assert "opinion" in no_opinion.value.message_dict
    services.publication_review(
        publication=item, actor=reviewer, decision=ReviewDecision.RETURN, opinion="请删除个人电话后再送审"
    )
    item.refresh_from_db()
    assert item.status == Status.DRAFT
    services.publication_update(publication=item, actor=handler, data={"body": "联系电话：见本机关公开的办公电话。"})
    services.publication_submit(publication=item, actor=handler)
    # The open findings of the first round are replaced by the new scan (which finds nothing now).
    assert not ScanFinding.objects.filter(publication=item, status=FindingStatus.OPEN).exists()
    services.publication_review(publication=item, actor=reviewer, decision=ReviewDecision.AGREE)
    services.publication_approve(
        publication=item, actor=head, decision=ReviewDecision.DISAGREE, opinion="公开属性应为依申请公开"
    )
    item.refresh_from_db()
    assert item.status == Status.DRAFT
    stages = list(selectors.opinions_of(item).values_list("stage", "decision", "opinion"))
    assert stages == [
        (ReviewStage.SECRECY_REVIEW, ReviewDecision.RETURN, "请删除个人电话后再送审"),
        (ReviewStage.SECRECY_REVIEW, ReviewDecision.AGREE, ""),
        (ReviewStage.APPROVAL, ReviewDecision.DISAGREE, "公开属性应为依申请公开"),
    ]
    with pytest.raises(ValidationError) as bad_decision:
        services.publication_review(publication=item, actor=reviewer, decision="maybe")
    assert "decision" in bad_decision.value.message_dict


def test_update_keeps_the_index_year_and_recomputes_the_deadline(agency: Agency, handler: Any) -> None:
    item = create(agency, handler, formed_on=dt.date(2026, 9, 10))
    assert item.disclosure_due_on == dt.date(2026, 10, 14)  # 20 working days across the National Day holiday
    with pytest.raises(ValidationError) as other_year:
        services.publication_update(publication=item, actor=handler, data={"formed_on": dt.date(2025, 12, 1)})
    assert "formed_on" in other_year.value.message_dict
    changed = services.publication_update(
        publication=item, actor=handler, data={"formed_on": dt.date(2026, 11, 2), "body_html": "<p>新<em>正文</em></p>"}
    )
    assert changed.disclosure_due_on == dt.date(2026, 11, 30)
    assert (changed.body, changed.body_html) == ("新正文", "<p>新<em>正文</em></p>")
    assert changed.index_number == item.index_number


def test_scheduled_publishing_by_the_command_is_idempotent(
    agency: Agency, handler: Any, reviewer: Any, head: Any
) -> None:
    item = create(agency, handler, body="工作动态。", formed_on=dt.date(2026, 11, 25))
    at = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
    with pytest.raises(ValidationError) as past:
        through_workflow(item, handler, reviewer, head, scheduled_for=dt.datetime(2026, 11, 27, 9, 59, tzinfo=TZ))
    assert "scheduled_for" in past.value.message_dict
    item.refresh_from_db()
    scheduled = services.publication_approve(
        publication=item, actor=head, decision=ReviewDecision.AGREE, scheduled_for=at, channels=[Channel.PORTAL]
    )
    assert (scheduled.status, scheduled.scheduled_for) == (Status.APPROVAL, at)
    assert ReviewOpinion.objects.get(publication=item, stage=ReviewStage.APPROVAL).scheduled_for == at

    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)  # not yet
    item.refresh_from_db()
    assert item.status == Status.APPROVAL
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, 1, tzinfo=TZ), tick=False):
        dry = io.StringIO()
        call_command("publish_scheduled", "--dry-run", stdout=dry)
        assert "将发布" in dry.getvalue()
        item.refresh_from_db()
        assert item.status == Status.APPROVAL
        call_command("publish_scheduled", stdout=out)
        call_command("publish_scheduled", stdout=out)  # a second run (or machine): nothing more happens
        # and the service itself, called for the same item again, refuses quietly
        assert services.publication_publish_scheduled(publication=item) is False
    item.refresh_from_db()
    assert (item.status, item.published_on, item.scheduled_for) == (Status.PUBLISHED, dt.date(2026, 11, 30), None)
    assert ChannelDelivery.objects.filter(publication=item).count() == 1
    assert AuditEvent.objects.filter(action="publication.publish_scheduled", object_id=str(item.pk)).count() == 1
    assert "已发布 1 条" in out.getvalue()


def test_a_return_cancels_a_schedule(agency: Agency, handler: Any, reviewer: Any, head: Any) -> None:
    item = create(agency, handler, body="工作动态。", formed_on=dt.date(2026, 11, 25))
    through_workflow(item, handler, reviewer, head, scheduled_for=dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ))
    services.publication_approve(publication=item, actor=head, decision=ReviewDecision.RETURN, opinion="暂缓发布")
    item.refresh_from_db()
    assert (item.status, item.scheduled_for) == (Status.DRAFT, None)
    with time_machine.travel("2026-12-02 10:00 +0800", tick=False):
        call_command("publish_scheduled", stdout=io.StringIO())
    item.refresh_from_db()
    assert item.status == Status.DRAFT


def test_withdrawal_keeps_index_number_and_shows_the_notice(
    agency: Agency, handler: Any, reviewer: Any, head: Any
) -> None:
    item = through_workflow(create(agency, handler, body="工作动态。"), handler, reviewer, head)
    gone = services.publication_withdraw(
        publication=item, actor=head, reason="内容有误", notice="本信息已撤回，更正后重新发布。"
    )
    assert (gone.status, gone.index_number) == (Status.WITHDRAWN, item.index_number)
    assert gone.withdrawal_notice == "本信息已撤回，更正后重新发布。"
    assert "本信息已撤回" in pdf_text(publication_pdf(gone))


def test_attachments(
    agency: Agency, handler: Any, reviewer: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    item = create(agency, handler, body="工作动态。")
    with pytest.raises(ValidationError) as not_a_document:
        services.publication_add_attachment(publication=item, actor=handler, name="a.docx", content=b"MZ\x90\x00exe")
    assert "attachment" in not_a_document.value.message_dict
    settings.GONGKAI_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as too_big:
        services.publication_add_attachment(publication=item, actor=handler, name="a.docx", content=docx_bytes("x"))
    assert "attachment" in too_big.value.message_dict
    settings.GONGKAI_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    stored = services.publication_add_attachment(
        publication=item, actor=handler, name="../../名单.docx", content=docx_bytes(f"身份证号{ID_NUMBER}")
    )
    assert stored.original_name == ".._.._名单.docx"
    assert stored.content_type.endswith("wordprocessingml.document")
    assert ID_NUMBER in stored.extracted_text
    path = Path(stored.file.path)
    assert path.is_file()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert stored.sha256 in path.name
    services.publication_submit(publication=item, actor=handler)
    with pytest.raises(ValidationError) as adding_in_review:
        services.publication_add_attachment(publication=item, actor=handler, name="b.docx", content=docx_bytes("x"))
    assert "status" in adding_in_review.value.message_dict
    assert selectors.has_open_high(item)
    with pytest.raises(ValidationError) as handler_in_review:
        services.publication_remove_attachment(attachment=stored, actor=handler)
    assert "actor" in handler_in_review.value.message_dict
    # The 审核人 removes the attachment: its findings go with it, and the file is deleted.
    with django_capture_on_commit_callbacks(execute=True):
        services.publication_remove_attachment(attachment=stored, actor=reviewer)
    assert not path.exists()
    assert not selectors.has_open_high(item)
    assert ScanFinding.objects.get(publication=item).status == FindingStatus.REMOVED


def test_a_dismissal_in_an_unchanged_attachment_stands_on_resubmission(
    agency: Agency, handler: Any, reviewer: Any
) -> None:
    item = create(agency, handler, body=f"身份证号{ID_NUMBER}")
    services.publication_add_attachment(
        publication=item, actor=handler, name="账户.docx", content=docx_bytes(f"账户{BANK_CARD}")
    )
    services.publication_submit(publication=item, actor=handler)
    services.finding_dismiss(finding=finding(item, FindingKind.BANK_CARD), actor=reviewer, reason="对公账户")
    services.publication_review(
        publication=item, actor=reviewer, decision=ReviewDecision.RETURN, opinion="正文有身份证号"
    )
    services.publication_update(publication=item, actor=handler, data={"body": "已删除个人信息。"})
    services.publication_submit(publication=item, actor=handler)
    assert not ScanFinding.objects.filter(publication=item, status=FindingStatus.OPEN).exists()


# --- The transition table, walked ---------------------------------------------------------------------------------


def test_staff_and_system_transitions_are_separate() -> None:
    assert set(STAFF_ACTIONS) | set(SYSTEM_ACTIONS) == set(Action)
    assert set(SYSTEM_ACTIONS) == {Action.PUBLISH, Action.PUBLISH_SCHEDULED}
    for action in STAFF_ACTIONS:
        assert TRANSITIONS[action].perm is not None
    assert TRANSITIONS[Action.SUBMIT].actor is Actor.STAFF


def _act(action: Action, item: Publication, people: dict[str, Any]) -> None:
    handler, reviewer, head = people["handler"], people["reviewer"], people["head"]
    later = dt.datetime(2026, 11, 28, 9, 0, tzinfo=TZ)
    calls = {
        Action.EDIT: lambda: services.publication_update(publication=item, actor=handler, data={"title": "新标题"}),
        Action.SUBMIT: lambda: services.publication_submit(publication=item, actor=handler),
        Action.REVIEW_PASS: lambda: services.publication_review(publication=item, actor=reviewer, decision="agree"),
        Action.REVIEW_RETURN: lambda: services.publication_review(
            publication=item, actor=reviewer, decision="return", opinion="退回"
        ),
        Action.APPROVE: lambda: services.publication_approve(publication=item, actor=head, decision="agree"),
        Action.SCHEDULE: lambda: services.publication_approve(
            publication=item, actor=head, decision="agree", scheduled_for=later
        ),
        Action.APPROVAL_RETURN: lambda: services.publication_approve(
            publication=item, actor=head, decision="return", opinion="退回"
        ),
        Action.PUBLISH: lambda: services.publication_publish(publication=item, actor=None, on=dt.date(2026, 11, 26)),
        Action.WITHDRAW: lambda: services.publication_withdraw(publication=item, actor=head, reason="测试"),
    }
    calls[action]()


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", [a for a in Action if a != Action.PUBLISH_SCHEDULED])
def test_transition_table_walk(
    agency: Agency, handler: Any, reviewer: Any, head: Any, status: Status, action: Action
) -> None:
    """Every (status, action) pair: allowed exactly where the table says so; refused with the reason, unchanged."""
    item = create(agency, handler, body="工作动态。", formed_on=dt.date(2026, 11, 20))
    Publication.objects.filter(pk=item.pk).update(
        status=status, published_on=dt.date(2026, 11, 26) if status in (Status.PUBLISHED, Status.WITHDRAWN) else None
    )
    rule = TRANSITIONS[action]
    people = {"handler": handler, "reviewer": reviewer, "head": head}
    if status in rule.sources:
        _act(action, item, people)
        item.refresh_from_db()
        assert item.status == rule.target
    else:
        events = AuditEvent.objects.count()
        with pytest.raises(ValidationError) as refused:
            _act(action, item, people)
        assert "status" in refused.value.message_dict
        assert "不能" in refused.value.message_dict["status"][0]
        item.refresh_from_db()
        assert item.status == status
        assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("status", list(Status))
def test_transition_table_walk_scheduled(agency: Agency, handler: Any, status: Status) -> None:
    item = create(agency, handler, body="工作动态。", formed_on=dt.date(2026, 11, 20))
    Publication.objects.filter(pk=item.pk).update(
        status=status, scheduled_for=dt.datetime(2026, 11, 27, 9, 0, tzinfo=TZ)
    )
    published = services.publication_publish_scheduled(publication=item)
    item.refresh_from_db()
    assert published == (status in TRANSITIONS[Action.PUBLISH_SCHEDULED].sources)
    assert item.status == (Status.PUBLISHED if published else status)
