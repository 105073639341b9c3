"""The public side of 依申请公开 through the HTTP client: the online form (条例第二十九条), tracking, downloads,
withdrawal and a signed-in applicant's list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.accounts.models import IdType
from gongkai.agencies.models import Agency
from gongkai.cases import services
from gongkai.cases.codebook import ApplicantType, ObtainMethod, Outcome, OutcomeVariant, ProvisionForm
from gongkai.cases.links import tracking_link, tracking_link_token
from gongkai.cases.models import AttachmentKind, Case, CaseAttachment, CaseDocument, DocumentKind
from gongkai.cases.states import Status
from gongkai.cases.views_public import MAX_TRACK_FAILURES, TRACK_FAILED
from tests.cases.conftest import application, d
from tests.factories import PASSWORD, make_agency, make_public, valid_credit_code, valid_id_number

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"
FAKE_DOCX = b"PK\x03\x04 fake docx"
FAKE_PDF = b"%PDF-1.4 fake"
NOW = "2026-03-02 09:00 +0800"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering a real 公文 takes seconds; these tests are about who may fetch it, not how it looks."""
    monkeypatch.setattr(services, "_render", lambda doc: (FAKE_DOCX, FAKE_PDF))


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "applicant_type": ApplicantType.NATURAL_PERSON.value,
        "applicant_name": "张三",
        "id_type": IdType.RESIDENT_ID.value,
        "id_number": valid_id_number(),
        "contact_person": "",
        "phone": "13903751234",
        "email": "zhangsan@example.com",
        "postal_address": "河南省平顶山市湛河区中兴路1号",
        "postcode": "467000",
        "item-1-title": "2024年法律援助经费使用情况",
        "item-1-doc_number": "",
        "item-1-description": "",
        "item-2-title": "法律援助机构名录",
        "item-2-doc_number": "湛司〔2024〕12号",
        "item-2-description": "2024年印发",
        "provision_form": ProvisionForm.ELECTRONIC.value,
        "obtain_method": ObtainMethod.EMAIL.value,
        "remarks": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def form_url(agency: Agency) -> str:
    return reverse("apply:form", args=[agency.code])


def submit(client: Client, agency: Agency, **overrides: Any) -> Any:
    return client.post(form_url(agency), form_data(**overrides))


def verify(client: Client, case: Case) -> None:
    response = client.post(reverse("apply:track"), {"code": case.tracking_code, "phone_last4": case.phone[-4:]})
    assert response.status_code == 302


def issue_receipt(case: Case) -> CaseDocument:
    document = services.receipt_issue(case)
    assert document is not None
    return document


# ---------------------------------------------------------------------------------------------------------------------
# The form


def test_form_page_cites_the_articles_and_has_five_item_rows(client: Client, agency: Agency) -> None:
    response = client.get(form_url(agency))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("第二十九条", "第三十一条", "第三十三条", "20个工作日", "商业企业", "法律服务机构", "自行领取"):
        assert text in html
    assert 'name="item-5-description"' in html
    assert 'name="item-6-title"' not in html
    assert "<script" not in html


def test_unknown_or_inactive_agency_is_404(client: Client, agency: Agency) -> None:
    closed = make_agency("已撤销的机关", is_active=False)
    assert client.get(form_url(closed)).status_code == 404
    assert client.get(reverse("apply:form", args=["no-such-agency"])).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_full_submission_with_two_items_and_attachments(
    client: Client, agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    data = form_data(
        id_copy=SimpleUploadedFile("身份证.png", PNG, content_type="application/octet-stream"),
        materials=[
            SimpleUploadedFile("说明.pdf", PDF, content_type="image/png"),
            SimpleUploadedFile("照片", PNG),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url(agency), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("apply:submitted")

    case = Case.objects.get()
    assert case.status == Status.PENDING
    assert case.agency == agency
    assert case.applicant_user is None
    assert [(i.title, i.doc_number) for i in case.items.all()] == [
        ("2024年法律援助经费使用情况", ""),
        ("法律援助机构名录", "湛司〔2024〕12号"),
    ]
    stored = {(a.original_name, a.kind, a.content_type) for a in CaseAttachment.objects.filter(case=case)}
    assert stored == {
        ("身份证.png", AttachmentKind.ID_COPY, "image/png"),
        ("说明.pdf", AttachmentKind.APPLICATION, "application/pdf"),
        ("照片", AttachmentKind.APPLICATION, "image/png"),
    }
    # The receipt is issued after the commit and mailed.
    assert len(mail.outbox) == 1
    assert case.tracking_code in mail.outbox[0].body

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert case.number in html
    assert case.tracking_code in html
    assert "保存查询码" in html
    receipt = CaseDocument.objects.get(case=case, kind=DocumentKind.RECEIPT)
    link = reverse("apply:document", args=[case.tracking_code, receipt.pk, "pdf"])
    assert link in html
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == FAKE_PDF  # type: ignore[attr-defined]


@time_machine.travel(NOW, tick=False)
def test_submitted_page_copes_with_a_missing_receipt(client: Client, agency: Agency) -> None:
    # Without executing on_commit callbacks the receipt does not exist yet.
    response = submit(client, agency)
    page = client.get(response["Location"])
    case = Case.objects.get()
    assert page.status_code == 200
    assert case.tracking_code in page.content.decode()
    assert "回执正在生成" in page.content.decode()


def test_submitted_page_without_a_submission_goes_home(client: Client, db: Any) -> None:
    assert client.get(reverse("apply:submitted"))["Location"] == reverse("portal:home")


def test_renamed_executable_is_refused_and_nothing_is_saved(client: Client, agency: Agency) -> None:
    data = form_data(id_copy=SimpleUploadedFile("id.pdf", EXE, content_type="application/pdf"))
    response = client.post(form_url(agency), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "身份证明复印件：“id.pdf”的文件类型不受支持" in html
    assert Case.objects.count() == 0
    assert CaseAttachment.objects.count() == 0
    assert 'value="张三"' in html
    assert "2024年法律援助经费使用情况" in html
    assert "已选择的附件没有保留" in html


def test_too_many_files_are_refused(client: Client, agency: Agency) -> None:
    files = [SimpleUploadedFile(f"{n}.png", PNG) for n in range(6)]
    response = client.post(form_url(agency), form_data(materials=files))
    assert response.status_code == 200
    assert "其他材料：最多上传5个文件" in response.content.decode()
    assert Case.objects.count() == 0


BAD_FIELDS = [
    pytest.param(
        {"id_number": valid_id_number()[:-1] + ("0" if valid_id_number()[-1] != "0" else "1")},
        "证件号码：身份证号码校验位不正确",
        id="id-checksum",
    ),
    pytest.param({"phone": "12345"}, "联系电话：联系电话应为11位手机号码", id="phone"),
    pytest.param(
        {"item-1-title": "", "item-2-title": "", "item-2-doc_number": "", "item-2-description": ""},
        "申请公开的政府信息：请至少填写一项申请公开的政府信息",
        id="no-items",
    ),
    pytest.param(
        {"applicant_type": ApplicantType.COMMERCIAL.value, "applicant_name": "某某有限公司", "contact_person": "赵"},
        "证件类型：法人或其他组织请使用统一社会信用代码",
        id="organisation-with-resident-id",
    ),
    pytest.param(
        {
            "applicant_type": ApplicantType.LEGAL_SERVICE.value,
            "applicant_name": "某某律师事务所",
            "id_type": IdType.CREDIT_CODE.value,
            "id_number": "",
            "contact_person": "赵律师",
        },
        "证件号码：请填写证件号码",
        id="organisation-without-credit-code",
    ),
    pytest.param(
        {
            "applicant_type": ApplicantType.LEGAL_SERVICE.value,
            "applicant_name": "某某律师事务所",
            "id_type": IdType.CREDIT_CODE.value,
            "id_number": valid_credit_code(77),
        },
        "联系人：法人或其他组织请填写联系人",
        id="organisation-without-contact",
    ),
    pytest.param({"email": ""}, "电子邮箱：选择电子邮件方式获取的，请填写电子邮箱", id="email-method-without-email"),
    pytest.param({"email": "not-an-address"}, "电子邮箱：电子邮箱格式不正确", id="email-format"),
    pytest.param(
        {"obtain_method": ObtainMethod.POST.value, "postal_address": ""},
        "通信地址：选择邮寄方式获取的，请填写通信地址",
        id="post-without-address",
    ),
    pytest.param({"postcode": "46700"}, "邮政编码：邮政编码应为6位数字", id="postcode"),
    pytest.param({"postcode": "²⁴⁶⁷⁰⁰"}, "邮政编码：邮政编码应为6位数字", id="postcode-superscripts"),
    pytest.param({"applicant_type": "alien"}, "申请人类型：请从列表中选择申请人类型", id="bad-choice"),
    pytest.param({"provision_form": None}, "信息的提供形式：请选择信息的提供形式", id="missing-choice"),
    pytest.param({"item-1-title": "长" * 301}, "第1项信息名称：不能超过300个字", id="item-too-long"),
    pytest.param({"applicant_name": " "}, "申请人姓名或名称：请填写申请人姓名或名称", id="blank-name"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_FIELDS)
def test_each_bad_field_is_named_in_chinese_and_input_is_kept(
    client: Client, agency: Agency, overrides: dict[str, Any], message: str
) -> None:
    response = submit(client, agency, **overrides)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "申请未提交" in html
    assert Case.objects.count() == 0
    # What was typed is still there.
    if "item-2-title" not in overrides:
        assert 'value="法律援助机构名录"' in html
    assert 'value="13903751234"' in html or overrides.get("phone")
    assert "河南省平顶山市湛河区中兴路1号" in html or "postal_address" in overrides


def test_full_width_digits_typed_by_a_chinese_input_method_are_stored_as_ascii(client: Client, agency: Agency) -> None:
    response = submit(client, agency, phone="１３９０３７５１２３４", postcode="４６７０００")
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.phone, case.postcode) == ("13903751234", "467000")


def test_errors_are_linked_to_their_fields(client: Client, agency: Agency) -> None:
    html = submit(client, agency, phone="12345").content.decode()
    assert 'aria-describedby="id_phone_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_phone_error"' in html
    assert 'class="field has-error"' in html
    assert 'href="#id_phone"' in html


def test_every_problem_is_named_in_one_round(client: Client, agency: Agency) -> None:
    data = form_data(phone="1", postcode="x", id_copy=SimpleUploadedFile("a.pdf", EXE))
    html = client.post(form_url(agency), data).content.decode()
    for message in ("联系电话：", "邮政编码：", "身份证明复印件："):
        assert message in html


# ---------------------------------------------------------------------------------------------------------------------
# Signed-in applicants


@time_machine.travel(NOW, tick=False)
def test_signed_in_applicant_is_prefilled_and_owns_the_case(client: Client, agency: Agency) -> None:
    user = make_public(full_name="李四", email="lisi@example.com")
    client.login(username=user.username, password=PASSWORD)
    page = client.get(form_url(agency)).content.decode()
    assert 'value="李四"' in page
    assert 'value="lisi@example.com"' in page
    assert "139****1234" in page  # the stored phone is shown masked, never in clear
    assert "13903751234" not in page

    response = submit(client, agency, applicant_name="李四", phone="", id_number="")
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.applicant_user == user
    assert case.phone == "13903751234"
    assert case.id_number == user.applicant_profile.id_number

    mine = client.get(reverse("apply:mine"))
    assert mine.status_code == 200
    assert case.number in mine.content.decode()
    # An owning account needs no check.
    assert client.get(reverse("apply:case", args=[case.tracking_code])).status_code == 200


def test_my_applications_needs_a_public_login(client: Client, agency: Agency) -> None:
    response = client.get(reverse("apply:mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account:login"))


@time_machine.travel(NOW, tick=False)
def test_my_applications_lists_only_mine_across_agencies(client: Client, agency: Agency) -> None:
    user = make_public()
    other_agency = make_agency("湛河区财政局")
    mine_here = services.case_submit_online(agency=agency, data=application(), applicant_user=user)
    mine_there = services.case_submit_online(agency=other_agency, data=application(), applicant_user=user)
    someone_else = services.case_submit_online(agency=agency, data=application(applicant_name="王五"))
    client.login(username=user.username, password=PASSWORD)
    html = client.get(reverse("apply:mine")).content.decode()
    assert reverse("apply:case", args=[mine_here.tracking_code]) in html
    assert reverse("apply:case", args=[mine_there.tracking_code]) in html
    assert "湛河区财政局" in html
    assert someone_else.tracking_code not in html
    # Not verified in this session and not owned: no access.
    assert client.get(reverse("apply:case", args=[someone_else.tracking_code])).status_code == 302


def test_links_to_the_form_tracking_and_my_applications(client: Client, agency: Agency) -> None:
    page = client.get(reverse("portal:agency", args=[agency.code])).content.decode()
    assert reverse("apply:form", args=[agency.code]) in page
    assert "申请政府信息公开" in page
    assert reverse("apply:track") in client.get(reverse("portal:home")).content.decode()
    user = make_public()
    client.login(username=user.username, password=PASSWORD)
    profile = client.get(reverse("account:profile")).content.decode()
    assert "我的申请" in profile
    assert reverse("apply:mine") in profile


# ---------------------------------------------------------------------------------------------------------------------
# Tracking


@pytest.fixture
def case(agency: Agency) -> Case:
    with time_machine.travel(NOW, tick=False):
        return services.case_submit_online(agency=agency, data=application())


def test_tracking_page_prefills_the_code_from_the_mail_link(client: Client, case: Case) -> None:
    html = client.get(reverse("apply:track"), {"code": case.tracking_code}).content.decode()
    assert f'value="{case.tracking_code}"' in html


def test_wrong_digits_and_unknown_code_get_the_same_message(client: Client, case: Case) -> None:
    wrong = client.post(reverse("apply:track"), {"code": case.tracking_code, "phone_last4": "0000"})
    unknown = client.post(reverse("apply:track"), {"code": "ZZZZ-ZZZZ-ZZZZ", "phone_last4": "1234"})
    assert wrong.status_code == unknown.status_code == 200
    assert TRACK_FAILED in wrong.content.decode()
    assert TRACK_FAILED in unknown.content.decode()
    assert client.get(reverse("apply:case", args=[case.tracking_code]))["Location"].startswith(reverse("apply:track"))


def test_tracking_refuses_after_ten_failures(client: Client, case: Case) -> None:
    for _ in range(MAX_TRACK_FAILURES):
        client.post(reverse("apply:track"), {"code": case.tracking_code, "phone_last4": "0000"})
    response = client.post(reverse("apply:track"), {"code": case.tracking_code, "phone_last4": "1234"})
    assert response.status_code == 429
    assert "查询失败次数过多" in response.content.decode()
    assert client.get(reverse("apply:case", args=[case.tracking_code])).status_code == 302


def test_bad_tracking_input_is_named(client: Client, case: Case) -> None:
    response = client.post(reverse("apply:track"), {"code": "", "phone_last4": "12a"})
    html = response.content.decode()
    assert "查询码：请填写查询码" in html
    assert "手机号后四位：手机号后四位应为4位数字" in html


def test_right_digits_show_status_due_date_and_explanation(client: Client, case: Case, handler: Any) -> None:
    verify(client, case)
    pending = client.get(reverse("apply:case", args=[case.tracking_code])).content.decode()
    assert "待确认" in pending
    assert case.number in pending
    assert "尚未确认收到" in pending

    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        services.case_confirm_receipt(case=case, actor=handler, received_on=d("2026-03-03"))
        html = client.get(reverse("apply:case", args=[case.tracking_code])).content.decode()
    assert "办理中" in html
    assert "2026年3月3日" in html  # received
    case.refresh_from_db()
    assert case.ledger is not None
    assert case.ledger.reply_due is not None
    assert f"{case.ledger.reply_due.year}年{case.ledger.reply_due.month}月{case.ledger.reply_due.day}日" in html
    assert "答复期限说明" in html
    assert "确认收到申请" in html  # the public timeline


def test_tracking_code_is_case_insensitive(client: Client, case: Case) -> None:
    response = client.post(
        reverse("apply:track"), {"code": f"  {case.tracking_code.lower()} ", "phone_last4": case.phone[-4:]}
    )
    assert response["Location"] == reverse("apply:case", args=[case.tracking_code])


def test_signed_link_verifies_the_session_for_thirty_days(client: Client, case: Case) -> None:
    with time_machine.travel(NOW, tick=False):
        url = tracking_link(case, absolute=False)
    assert url.startswith(reverse("apply:case", args=[case.tracking_code]) + "?t=" + case.tracking_code + ":")
    with time_machine.travel("2026-03-31 09:00 +0800", tick=False):
        response = client.get(url)
        assert response["Location"] == reverse("apply:case", args=[case.tracking_code])  # token dropped
        assert client.get(response["Location"]).status_code == 200


def test_expired_or_forged_link_goes_to_the_check(client: Client, case: Case, agency: Agency) -> None:
    with time_machine.travel(NOW, tick=False):
        url = tracking_link(case, absolute=False)
    with time_machine.travel("2026-04-02 09:00 +0800", tick=False):
        expired = client.get(url)
    assert expired["Location"].startswith(reverse("apply:track"))
    other = services.case_submit_online(agency=agency, data=application())
    forged = reverse("apply:case", args=[other.tracking_code]) + "?t=" + tracking_link_token(case)
    assert client.get(forged)["Location"].startswith(reverse("apply:track"))
    assert client.get(reverse("apply:case", args=[other.tracking_code])).status_code == 302


# ---------------------------------------------------------------------------------------------------------------------
# Downloads


def test_documents_are_downloaded_as_attachments(client: Client, case: Case) -> None:
    receipt = issue_receipt(case)
    verify(client, case)
    page = client.get(reverse("apply:case", args=[case.tracking_code])).content.decode()
    for fmt, body in (("pdf", FAKE_PDF), ("docx", FAKE_DOCX)):
        url = reverse("apply:document", args=[case.tracking_code, receipt.pk, fmt])
        assert url in page
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == body  # type: ignore[attr-defined]


def test_downloads_are_refused_outside_the_case_or_session(client: Client, case: Case, agency: Agency) -> None:
    other = services.case_submit_online(agency=agency, data=application(applicant_name="王五"))
    others_receipt = issue_receipt(other)
    receipt = issue_receipt(case)
    own = reverse("apply:document", args=[case.tracking_code, receipt.pk, "pdf"])
    assert client.get(own).status_code == 404  # not verified yet
    verify(client, case)
    assert client.get(own).status_code == 200
    assert client.get(reverse("apply:document", args=[case.tracking_code, others_receipt.pk, "pdf"])).status_code == 404
    assert (
        client.get(reverse("apply:document", args=[other.tracking_code, others_receipt.pk, "pdf"])).status_code == 404
    )
    assert client.get(reverse("apply:document", args=[case.tracking_code, receipt.pk, "exe"])).status_code == 404


def test_released_material_only_once_closed(client: Client, agency: Agency, handler: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        case = services.case_submit_online(agency=agency, data=application(obtain_method=ObtainMethod.ONLINE))
        services.case_confirm_receipt(case=case, actor=handler, received_on=d("2026-03-02"))
        released = services.case_add_attachment(
            case=case,
            actor=handler,
            upload=services.UploadInput("经费使用情况.pdf", PDF, "application/pdf", AttachmentKind.RELEASED),
        )
        id_copy = services.case_add_attachment(
            case=case, actor=handler, upload=services.UploadInput("id.png", PNG, "image/png", AttachmentKind.ID_COPY)
        )
    verify(client, case)
    url = reverse("apply:file", args=[case.tracking_code, released.pk])
    assert client.get(url).status_code == 404  # still open
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        services.case_reply(
            case=case,
            actor=handler,
            data=services.ReplyInput(outcome=Outcome.DISCLOSED, on=d("2026-03-10"), variant=OutcomeVariant.PROVIDED),
        )
        page = client.get(reverse("apply:case", args=[case.tracking_code])).content.decode()
    assert "予以公开" in page
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert client.get(reverse("apply:file", args=[case.tracking_code, id_copy.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------------------------------
# Withdrawal


def test_withdraw_needs_the_confirmation(client: Client, case: Case) -> None:
    verify(client, case)
    response = client.post(reverse("apply:withdraw", args=[case.tracking_code]), {"reason": "不再需要"})
    assert response.status_code == 200
    assert "请勾选“我确认撤回本申请”" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.PENDING


def test_withdraw_a_pending_case_cancels_it(client: Client, case: Case) -> None:
    verify(client, case)
    page = client.get(reverse("apply:case", args=[case.tracking_code])).content.decode()
    assert "撤回申请" in page
    response = client.post(
        reverse("apply:withdraw", args=[case.tracking_code]), {"confirm": "on", "reason": "已通过其他途径获得"}
    )
    assert response["Location"] == reverse("apply:case", args=[case.tracking_code])
    case.refresh_from_db()
    assert case.status == Status.CANCELLED
    assert case.events.last().actor_label == "申请人 张三"  # type: ignore[union-attr]
    html = client.get(response["Location"]).content.decode()
    assert "已撤销" in html
    assert "申请已撤回" in html
    # Once cancelled, no second withdrawal.
    again = client.post(reverse("apply:withdraw", args=[case.tracking_code]), {"confirm": "on"})
    assert again.status_code == 302


@time_machine.travel("2026-03-04 09:00 +0800", tick=False)
def test_withdraw_after_receipt_closes_as_other(client: Client, case: Case, handler: Any) -> None:
    services.case_confirm_receipt(case=case, actor=handler, received_on=d("2026-03-03"))
    verify(client, case)
    client.post(reverse("apply:withdraw", args=[case.tracking_code]), {"confirm": "on"})
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.outcome == Outcome.OTHER
    assert case.outcome_variant == OutcomeVariant.WITHDRAWN


def test_withdraw_without_verification_goes_to_the_check(client: Client, case: Case) -> None:
    response = client.post(reverse("apply:withdraw", args=[case.tracking_code]), {"confirm": "on"})
    assert response["Location"].startswith(reverse("apply:track"))
    case.refresh_from_db()
    assert case.status == Status.PENDING


def test_no_500_for_odd_urls(client: Client, db: Any) -> None:
    assert client.get(reverse("apply:case", args=["nope"])).status_code == 302
    assert client.get(reverse("apply:file", args=["nope", 1])).status_code == 404
    assert client.get(reverse("apply:document", args=["nope", 1, "pdf"])).status_code == 404
    assert client.post(reverse("apply:document", args=["nope", 1, "pdf"])).status_code == 405


@time_machine.travel(NOW, tick=False)
def test_my_applications_query_count_does_not_grow(
    client: Client, agency: Agency, django_assert_max_num_queries: Any
) -> None:
    user = make_public()
    for _ in range(6):
        services.case_submit_online(agency=agency, data=application(), applicant_user=user)
    client.login(username=user.username, password=PASSWORD)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("apply:mine"))
    assert response.content.decode().count("/apply/track/") >= 6
