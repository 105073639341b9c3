"""The back office of 主动公开 through the HTTP client: lists, the entry form, the item page with its highlighted scan
findings, the action panel, redaction and dismissal, attachments and downloads — and the access gate."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency
from gongkai.publications import services
from gongkai.publications.codebook import (
    OPEN_HIGH_FINDING,
    Category,
    Channel,
    DocKind,
    FindingKind,
    FindingStatus,
    Status,
)
from gongkai.publications.models import Publication, PublicationAttachment, ScanFinding
from tests.factories import make_agency, make_staff
from tests.publications.conftest import create, published

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"  # GB 11643 check character valid
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def detail_url(item: Publication) -> str:
    return reverse("publications:detail", args=[item.pk])


def act(client: Client, item: Publication, slug: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    posted = {f"{slug}-{key}": value for key, value in (data or {}).items()}
    return client.post(reverse("publications:action", args=[item.pk, slug]), posted, **kw)


def form_data(agency: Agency, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agency": agency.pk,
        "title": "关于张三违法经营行政处罚决定的公示",
        "doc_number": "湛司罚〔2026〕7号",
        "issuing_body": "",
        "written_on": "2026-11-20",
        "formed_on": "2026-11-23",
        "topic": "行政执法",
        "category": Category.ART20_6,
        "summary": "行政处罚决定公示",
        "body_html": f"<p>当事人张三，身份证号{ID_NUMBER}，因违法经营受到处罚。</p><p>特此公告。</p>",
        "disclosure_mode": "proactive",
        "withheld_ground": "",
        "doc_kind": DocKind.OTHER,
        "effective_on": "",
        "interprets": "",
        "channels": [Channel.PORTAL, Channel.WECHAT],
    }
    data.update(overrides)
    return data


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------------------------
# The whole path through the pages


def test_draft_review_redact_approve_publish(agency: Agency, handler: Any, reviewer: Any, head: Any) -> None:
    staff = client_for(handler)
    response = staff.post(reverse("publications:create"), form_data(agency))
    item = Publication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(item)
    assert item.status == Status.DRAFT
    assert item.channels == [Channel.PORTAL, Channel.WECHAT]
    assert ID_NUMBER in item.body

    # 经办人: submit; the scan runs and the body shows the finding highlighted.
    page = staff.get(detail_url(item)).content.decode()
    assert "提交保密审查" in page
    response = act(staff, item, "submit")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.SECRECY_REVIEW
    id_finding = ScanFinding.objects.get(publication=item, kind=FindingKind.ID_NUMBER)
    page = staff.get(detail_url(item)).content.decode()
    assert f'<mark class="sev-high" id="finding-{id_finding.pk}-text"' in page
    assert f">{ID_NUMBER}</mark>" in page
    assert "存在未处理的高风险项" in page
    # ... but the 经办人 does not review: no buttons, no panel action.
    assert "涂黑（■）" not in page
    assert 'action="/staff/publications/' + f'{item.pk}/actions/review_pass/"' not in page

    # 审核人: passing is refused while the high finding is open.
    checker = client_for(reviewer)
    page = checker.get(detail_url(item)).content.decode()
    assert "涂黑（■）" in page
    assert "忽略" in page
    assert "审查通过" in page
    response = act(checker, item, "review_pass", {"opinion": "同意"})
    assert response.status_code == 200
    assert OPEN_HIGH_FINDING in messages_of(response)
    item.refresh_from_db()
    assert item.status == Status.SECRECY_REVIEW

    # Dismissing needs a reason; redacting removes the data.
    response = checker.post(reverse("publications:finding_dismiss", args=[item.pk, id_finding.pk]), {"reason": ""})
    assert "排除须写明理由" in messages_of(checker.get(response["Location"]))
    id_finding.refresh_from_db()
    assert id_finding.status == FindingStatus.OPEN
    response = checker.post(reverse("publications:finding_redact", args=[item.pk, id_finding.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert ID_NUMBER not in item.body
    assert ID_NUMBER not in item.body_html
    assert "■" * len(ID_NUMBER) in item.body
    page = checker.get(detail_url(item)).content.decode()
    assert ID_NUMBER not in page
    assert '<mark class="redacted"' in page
    for other in ScanFinding.objects.filter(publication=item, status=FindingStatus.OPEN):
        checker.post(reverse("publications:finding_dismiss", args=[item.pk, other.pk]), {"reason": "当事人已同意公开"})

    response = act(checker, item, "review_pass", {"opinion": "已遮盖身份证号，同意"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.APPROVAL

    # A 经办人 cannot approve: the action is not offered, and a POST is refused.
    page = staff.get(detail_url(item)).content.decode()
    assert "审批通过" not in page
    response = act(staff, item, "approve", {"channels": [Channel.PORTAL]})
    assert response.status_code == 302
    assert "须由本机关负责人执行" in messages_of(staff.get(response["Location"]))
    item.refresh_from_db()
    assert item.status == Status.APPROVAL

    # 负责人 approves: published now, on the chosen channels.
    boss = client_for(head)
    response = act(boss, item, "approve", {"opinion": "同意发布", "channels": [Channel.PORTAL]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert item.published_on == dt.date(2026, 11, 27)
    page = boss.get(detail_url(item)).content.decode()
    assert "已遮盖身份证号，同意" in page
    assert "同意发布" in page

    listing = boss.get(reverse("publications:list"), {"tab": "published"}).content.decode()
    assert item.title in listing
    assert "已发布（1）" in listing
    assert item.title not in boss.get(reverse("publications:list"), {"tab": "draft"}).content.decode()


def test_return_with_opinion_and_scheduled_approval(agency: Agency, handler: Any, reviewer: Any, head: Any) -> None:
    item = create(agency, handler, formed_on=dt.date(2026, 11, 25), body="本办法自发布之日起施行。")
    services.publication_submit(publication=item, actor=handler)
    checker = client_for(reviewer)
    response = act(checker, item, "review_return", {"decision": "return", "opinion": ""})
    assert response.status_code == 200
    assert "退回理由" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.SECRECY_REVIEW
    act(checker, item, "review_pass", {"opinion": ""})
    item.refresh_from_db()
    assert item.status == Status.APPROVAL
    boss = client_for(head)
    response = act(boss, item, "approve", {"scheduled_for": "2026-11-30T09:00", "channels": [Channel.PORTAL]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.APPROVAL
    assert item.scheduled_for is not None
    assert "已批准定时发布：2026-11-30 09:00" in boss.get(detail_url(item)).content.decode()
    response = act(boss, item, "approval_return", {"decision": "disagree", "opinion": "公开属性需重新研究"})
    item.refresh_from_db()
    assert item.status == Status.DRAFT
    assert "公开属性需重新研究" in client_for(handler).get(detail_url(item)).content.decode()


def test_withdraw_and_validity(agency: Agency, handler: Any, head: Any) -> None:
    old = published(agency, dt.date(2025, 3, 1), title="旧办法")
    new = published(agency, dt.date(2026, 6, 1), title="新办法")
    staff = client_for(handler)
    page = staff.get(detail_url(old)).content.decode()
    assert "设置有效性" in page
    assert "action-withdraw" not in page
    response = act(staff, old, "set_validity", {"validity": "abolished", "on": "2026-06-01", "replaced_by": new.pk})
    assert response.status_code == 302
    old.refresh_from_db()
    assert (old.validity, old.abolished_on, old.replaced_by_id) == ("abolished", dt.date(2026, 6, 1), new.pk)
    response = act(client_for(head), new, "withdraw", {"reason": "", "on": "2026-11-27"})
    assert response.status_code == 200
    new.refresh_from_db()
    assert new.status == Status.PUBLISHED
    response = act(
        client_for(head), new, "withdraw", {"reason": "发布有误", "on": "2026-11-27", "notice": "本信息已撤回。"}
    )
    new.refresh_from_db()
    assert (new.status, new.withdrawal_notice) == (Status.WITHDRAWN, "本信息已撤回。")
    assert new.title in staff.get(reverse("publications:list"), {"tab": "withdrawn"}).content.decode()


# ---------------------------------------------------------------------------------------------------------------------
# Forms


def test_bad_dates_give_form_errors_in_chinese(agency: Agency, handler: Any) -> None:
    staff = client_for(handler)
    response = staff.post(reverse("publications:create"), form_data(agency, formed_on="2026-13-45"))
    assert response.status_code == 200
    assert "形成日期：输入一个有效的日期。" in response.content.decode()
    response = staff.post(reverse("publications:create"), form_data(agency, formed_on="2026-12-01"))
    assert "形成日期：形成日期不能晚于今天" in response.content.decode()
    response = staff.post(reverse("publications:create"), form_data(agency, written_on="2026-11-24"))
    assert "成文日期：成文日期不能晚于形成日期" in response.content.decode()
    assert "草稿未保存" in messages_of(response)
    assert not Publication.objects.exists()


def test_edit_only_in_draft_and_sanitised(agency: Agency, handler: Any, reviewer: Any) -> None:
    item = create(agency, handler, formed_on=dt.date(2026, 11, 25), body="原文")
    staff = client_for(handler)
    page = staff.get(reverse("publications:edit", args=[item.pk])).content.decode()
    assert "原文" in page
    data = form_data(agency, body_html='<p onclick="x()">新正文<script>alert(1)</script></p>', formed_on="2026-11-25")
    data.pop("agency")
    response = staff.post(reverse("publications:edit", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.body == "新正文"
    assert "script" not in item.body_html
    assert "onclick" not in item.body_html
    services.publication_submit(publication=item, actor=handler)
    response = staff.get(reverse("publications:edit", args=[item.pk]))
    assert response.status_code == 302
    assert "不能修改" in messages_of(staff.get(response["Location"]))
    # The reviewer never edits.
    assert client_for(reviewer).get(reverse("publications:edit", args=[item.pk])).status_code == 302


def test_interprets_only_own_published_items(agency: Agency, handler: Any) -> None:
    other = make_agency("另一县司法局")
    foreign = published(other, dt.date(2026, 3, 1), title="外机关文件")
    own = published(agency, dt.date(2026, 3, 1), title="本机关规范性文件")
    staff = client_for(handler)
    page = staff.get(reverse("publications:create")).content.decode()
    assert "本机关规范性文件" in page
    assert "外机关文件" not in page
    response = staff.post(reverse("publications:create"), form_data(agency, interprets=foreign.pk))
    assert response.status_code == 200
    response = staff.post(
        reverse("publications:create"), form_data(agency, title="《办法》政策解读", interprets=own.pk)
    )
    assert response.status_code == 302
    interpretation = Publication.objects.get(title="《办法》政策解读")
    assert interpretation.interprets_id == own.pk
    assert "《办法》政策解读" in staff.get(detail_url(own)).content.decode()


# ---------------------------------------------------------------------------------------------------------------------
# Attachments and downloads


def test_attachment_upload_finding_dismiss_only_download_and_pdf(agency: Agency, handler: Any, reviewer: Any) -> None:
    item = create(agency, handler, formed_on=dt.date(2026, 11, 25), body="见附件。")
    staff = client_for(handler)
    upload = SimpleUploadedFile("名单.docx", docx_bytes(f"联系人电话{PHONE}"))
    response = staff.post(reverse("publications:attachment_add", args=[item.pk]), {"file": upload})
    assert response.status_code == 302
    attachment = PublicationAttachment.objects.get(publication=item)
    fake = SimpleUploadedFile("evil.pdf", b"<html><script>alert(1)</script></html>")
    response = staff.post(reverse("publications:attachment_add", args=[item.pk]), {"file": fake})
    assert "附件未上传" in messages_of(staff.get(response["Location"]))
    assert PublicationAttachment.objects.filter(publication=item).count() == 1

    download = staff.get(reverse("publications:attachment", args=[item.pk, attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"

    services.publication_submit(publication=item, actor=handler)
    phone = ScanFinding.objects.get(publication=item, kind=FindingKind.PHONE)
    assert phone.attachment_id == attachment.pk
    checker = client_for(reviewer)
    page = checker.get(detail_url(item)).content.decode()
    assert "附件中的内容不能在系统内遮盖" in page
    assert reverse("publications:finding_redact", args=[item.pk, phone.pk]) not in page
    assert reverse("publications:finding_dismiss", args=[item.pk, phone.pk]) in page
    response = checker.post(reverse("publications:finding_redact", args=[item.pk, phone.pk]))
    assert "附件中的内容不能在系统内遮盖" in messages_of(checker.get(response["Location"]))
    checker.post(reverse("publications:finding_dismiss", args=[item.pk, phone.pk]), {"reason": "单位办公电话"})
    phone.refresh_from_db()
    assert (phone.status, phone.dismissed_reason) == (FindingStatus.DISMISSED, "单位办公电话")

    pdf = checker.get(reverse("publications:pdf", args=[item.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert pdf.content.startswith(b"%PDF")


# ---------------------------------------------------------------------------------------------------------------------
# Access


def test_other_agency_gets_404_on_item_attachments_and_findings(agency: Agency, handler: Any) -> None:
    item = create(agency, handler, formed_on=dt.date(2026, 11, 25), body=f"身份证号{ID_NUMBER}")
    attachment = services.publication_add_attachment(
        publication=item, actor=handler, name="a.docx", content=docx_bytes("附件正文")
    )
    services.publication_submit(publication=item, actor=handler)
    finding = ScanFinding.objects.filter(publication=item).first()
    assert finding is not None
    other = make_agency("另一县司法局")
    outsiders = [make_staff(other, role) for role in (Role.HANDLER, Role.REVIEWER, Role.HEAD)]
    urls = [
        ("get", detail_url(item)),
        ("get", reverse("publications:edit", args=[item.pk])),
        ("get", reverse("publications:pdf", args=[item.pk])),
        ("get", reverse("publications:attachment", args=[item.pk, attachment.pk])),
        ("post", reverse("publications:attachment_remove", args=[item.pk, attachment.pk])),
        ("post", reverse("publications:attachment_add", args=[item.pk])),
        ("post", reverse("publications:finding_redact", args=[item.pk, finding.pk])),
        ("post", reverse("publications:finding_dismiss", args=[item.pk, finding.pk])),
        ("post", reverse("publications:action", args=[item.pk, "review_pass"])),
    ]
    for user in outsiders:
        client = client_for(user)
        for method, url in urls:
            response = client.post(url, {"reason": "x"}) if method == "post" else client.get(url)
            assert response.status_code == 404, (user, url)
            assert item.title not in response.content.decode()
        assert item.title not in client.get(reverse("publications:list"), {"tab": "review"}).content.decode()
    # A finding or attachment of this item reached through another item of the agency is just as missing.
    own_other = create(agency, handler, formed_on=dt.date(2026, 11, 25), title="另一条")
    client = client_for(make_staff(agency, Role.REVIEWER))
    assert client.post(reverse("publications:finding_redact", args=[own_other.pk, finding.pk])).status_code == 404
    assert client.get(reverse("publications:attachment", args=[own_other.pk, attachment.pk])).status_code == 404
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


# ---------------------------------------------------------------------------------------------------------------------
# Lists


def test_lists_filters_search_and_timeliness(agency: Agency, handler: Any) -> None:
    overdue = create(
        agency, handler, formed_on=dt.date(2026, 10, 1), title="逾期未公开的通知", doc_number="湛司〔2026〕1号"
    )
    fresh = create(agency, handler, formed_on=dt.date(2026, 11, 26), title="新形成的通知")
    due_soon = create(agency, handler, formed_on=dt.date(2026, 10, 30), title="即将到期的通知")
    staff = client_for(handler)
    page = staff.get(reverse("publications:list")).content.decode()
    assert "草稿（3）" in page
    assert "已超期（1）" in page
    body = staff.get(reverse("publications:list"), {"tab": "overdue"}).content.decode()
    assert overdue.title in body
    assert fresh.title not in body
    body = staff.get(reverse("publications:list"), {"tab": "due_soon"}).content.decode()
    assert due_soon.title in body
    assert fresh.title not in body
    assert overdue.title not in body
    body = staff.get(reverse("publications:list"), {"tab": "draft", "s": "湛司〔2026〕1"}).content.decode()
    assert overdue.title in body
    assert fresh.title not in body
    body = staff.get(reverse("publications:list"), {"tab": "draft", "doc_kind": DocKind.OTHER}).content.decode()
    assert "没有符合条件的信息" in body  # the conftest's items are 行政规范性文件
    home = staff.get(reverse("staff:home")).content.decode()
    assert "主动公开" in home
    assert "已超期" in home


def test_list_queries_do_not_grow_with_rows(
    agency: Agency, handler: Any, head: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(head)
    create(agency, handler, formed_on=dt.date(2026, 11, 25))
    url = reverse("publications:list")
    for tab in ("draft", "published", "overdue"):
        client.get(url, {"tab": tab})  # warm the session and the calendar
        with CaptureQueriesContext(connection) as few:
            client.get(url, {"tab": tab})
        for n in range(15):
            create(agency, handler, formed_on=dt.date(2026, 10, 1 + n), title=f"通知{tab}{n}")
            published(agency, dt.date(2026, 5, 1 + n), title=f"已发布{tab}{n}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url, {"tab": tab})


def test_highlight_escapes_around_spans_and_never_nests() -> None:
    from gongkai.publications.views_staff import highlight

    text = f"<b>甲</b> & {ID_NUMBER}<script>"
    start = text.index(ID_NUMBER)
    spans = [
        ScanFinding(
            pk=1, kind=FindingKind.ID_NUMBER, severity="high", status=FindingStatus.OPEN, start=start, end=start + 18
        ),
        ScanFinding(
            pk=2, kind=FindingKind.PHONE, severity="medium", status=FindingStatus.OPEN, start=start + 5, end=start + 25
        ),
        ScanFinding(pk=3, kind=FindingKind.EMAIL, severity="low", status=FindingStatus.DISMISSED, start=500, end=510),
    ]
    html = str(highlight(text, spans))
    assert html.startswith("&lt;b&gt;甲&lt;/b&gt; &amp; ")
    assert f'<mark class="sev-high" id="finding-1-text" title="身份证号（高风险，待处理）">{ID_NUMBER}</mark>' in html
    # The overlapping phone span is clipped to what is left after the first mark, escaped inside its mark.
    assert (
        '<mark class="sev-medium" id="finding-2-text" title="电话号码（中风险，待处理）">&lt;script</mark>&gt;' in html
    )
    assert "finding-3" not in html  # beyond the text
    assert "<script>" not in html


def test_validity_change_needs_a_handler_of_the_agency(db: Any) -> None:
    """The service itself refuses a user without 经办人/负责人 rights at the item's agency (not only the view)."""
    import datetime as dt

    from django.core.exceptions import ValidationError

    from gongkai.accounts.roles import Role
    from gongkai.publications import services
    from gongkai.publications.codebook import DocKind, Validity
    from tests.factories import make_agency, make_staff

    agency = make_agency()
    published = services.publication_create(
        agency=agency,
        actor=None,
        data={
            "title": "关于印发某办法的通知",
            "category": "art20_1",
            "doc_kind": DocKind.NORMATIVE,
            "formed_on": dt.date(2025, 3, 3),
        },  # type: ignore[typeddict-item]
    )
    published = services.publication_publish(publication=published, actor=None, on=dt.date(2025, 3, 3))
    outsider = make_staff(make_agency(), Role.HEAD)
    with pytest.raises(ValidationError) as refused:
        services.publication_set_validity(
            publication=published, actor=outsider, validity=Validity.ABOLISHED, on=dt.date(2025, 6, 1)
        )
    assert "actor" in refused.value.message_dict
    head = make_staff(agency, Role.HEAD)
    changed = services.publication_set_validity(
        publication=published, actor=head, validity=Validity.ABOLISHED, on=dt.date(2025, 6, 1)
    )
    assert changed.validity == Validity.ABOLISHED
