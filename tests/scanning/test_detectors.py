"""scan_text: each kind's rule, checksums that must hold, and the words that must not be read as markings."""

from __future__ import annotations

import itertools
import time

import pytest

from gongkai.scanning.detectors import Finding, has_high, scan_text
from tests.scanning.data import (
    valid_card,
    valid_credit_code,
    valid_id,
    wrong_card,
    wrong_credit_code,
    wrong_id,
)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan_text(text)]


def of_kind(text: str, kind: str) -> list[str]:
    return [f.text for f in scan_text(text) if f.kind == kind]


def assert_offsets(text: str, findings: list[Finding]) -> None:
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    starts = [f.start for f in findings]
    assert starts == sorted(starts)
    for before, after in itertools.pairwise(findings):
        assert before.end <= after.start, (before, after)


# --- 身份证号 ----------------------------------------------------------------------------------------------------------


def test_valid_id_number_is_high_with_exact_offsets() -> None:
    number = valid_id()
    text = f"身份证号：{number}。"
    [finding] = [f for f in scan_text(text) if f.kind == "id_number"]
    assert (finding.start, finding.end, finding.severity) == (5, 23, "high")
    assert text[finding.start : finding.end] == number


def test_id_number_with_x_check_character() -> None:
    first17 = next(f"4104111985031{n:04d}" for n in range(10000) if valid_id(f"4104111985031{n:04d}").endswith("X"))
    number = valid_id(first17)
    assert of_kind(f"号码{number}", "id_number") == [number]
    assert of_kind(f"号码{number.lower()}", "id_number") == [number.lower()]


def test_wrong_check_digit_is_no_id_finding() -> None:
    number = wrong_id()
    found = scan_text(f"身份证号：{number}")
    assert not [f for f in found if f.kind == "id_number"]
    # shaped like an ID (valid birth date): not re-read as a bank card either, whatever its Luhn sum
    assert not [f for f in found if f.kind == "bank_card"]


def test_every_wrong_check_digit_is_rejected() -> None:
    first17 = "11010519491231002"
    right = valid_id(first17)[-1]
    for char in "0123456789X":
        found = of_kind(f"号码 {first17}{char} 结束", "id_number")
        assert found == ([f"{first17}{char}"] if char == right else [])


def test_implausible_birth_date_is_no_id() -> None:
    assert of_kind(valid_id("41041119851332413"), "id_number") == []  # month 13
    assert of_kind(valid_id("41041118000312413"), "id_number") == []  # year 1800


def test_id_inside_longer_digit_run_is_not_reported() -> None:
    number = valid_id()
    assert of_kind(f"编号9{number}", "id_number") == []
    assert of_kind(f"编号{number}7", "id_number") == []


def test_fifteen_digit_id() -> None:
    assert of_kind("旧身份证 410411850312413 已换发", "id_number") == ["410411850312413"]
    assert of_kind("旧身份证 410411851312413", "id_number") == []  # month 13
    assert of_kind("号码 4104118503124130", "id_number") == []  # 16 digits is not the 15-digit form


def test_full_width_digits_are_read() -> None:
    number = valid_id()
    wide = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    text = f"身份证号：{wide}"
    [finding] = [f for f in scan_text(text) if f.kind == "id_number"]
    assert finding.text == wide
    assert text[finding.start : finding.end] == wide


# --- 银行卡号 ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["622202123456789012", "622848001234567", "436742123456789"])
def test_luhn_valid_card_is_high(body: str) -> None:
    card = valid_card(body)
    found = [f for f in scan_text(f"开户行账号：{card}") if f.kind == "bank_card"]
    assert [(f.text, f.severity) for f in found] == [(card, "high")]


@pytest.mark.parametrize("body", ["622202123456789012", "622848001234567", "436742123456789"])
def test_failing_luhn_is_no_bank_card(body: str) -> None:
    assert of_kind(f"账号：{wrong_card(body)}", "bank_card") == []


def test_grouped_card_number() -> None:
    card = valid_card("622848001234567")  # 16 digits
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    assert of_kind(f"卡号 {grouped} 。", "bank_card") == [grouped]
    card19 = valid_card()
    grouped19 = " ".join(card19[i : i + 4] for i in range(0, 19, 4))
    assert of_kind(f"卡号 {grouped19}", "bank_card") == [grouped19]


def test_card_needs_a_plausible_issuer() -> None:
    body = "122202123456789012"  # starts with 1: no bank issues that
    assert of_kind(f"账号 {valid_card(body)}", "bank_card") == []


# --- 电话 --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "13903751234",
        "139-0375-1234",
        "139 0375 1234",
        "+86 13903751234",
        "+86-139-0375-1234",
        "8613903751234",
        "0375-1234567",
        "(0375)1234567",
        "（0375）1234567",
        "0375 12345678",
        "010-87654321",
        "037512345678",
    ],
)
def test_phone_forms(phone: str) -> None:
    text = f"联系电话：{phone}，工作日受理。"
    found = [f for f in scan_text(text) if f.kind == "phone"]
    assert [f.text for f in found] == [phone]
    assert found[0].severity == "medium"
    assert_offsets(text, found)


def test_phone_not_inside_id_number_or_card_or_digit_run() -> None:
    number = valid_id("41041119900313123")  # 19900313123 (a 199 mobile) hides inside
    assert kinds(f"身份证号{number}") == [("id_number", number)]
    card = valid_card("621390375123456789")
    assert kinds(f"卡号{card}") == [("bank_card", card)]
    assert of_kind("订单号 2139037512345", "phone") == []
    assert of_kind("订单号 139037512345", "phone") == []
    assert of_kind("比例 12903751234", "phone") == []  # 12x is not a mobile prefix


# --- 电子邮箱、统一社会信用代码 ------------------------------------------------------------------------------------------


def test_email() -> None:
    text = "来信请寄 zhang.san+gk@zhanhe.gov.cn。或 li_si@163.com"
    assert of_kind(text, "email") == ["zhang.san+gk@zhanhe.gov.cn", "li_si@163.com"]
    assert of_kind("地址 a@b 不完整", "email") == []


def test_credit_code_only_when_valid_and_low() -> None:
    code = valid_credit_code()
    found = [f for f in scan_text(f"统一社会信用代码：{code}") if f.kind == "credit_code"]
    assert [(f.text, f.severity) for f in found] == [(code, "low")]
    assert of_kind(f"统一社会信用代码：{wrong_credit_code()}", "credit_code") == []
    assert not has_high(found)


# --- 密级标志 ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "marking", "severity"),
    [
        ("机密★5年\n关于……的通知", "机密★5年", "high"),
        ("秘密★1年", "秘密★1年", "high"),
        ("绝密★长期", "绝密★长期", "high"),
        ("机密★\n正文", "机密★", "high"),
        ("绝密★启用前", "绝密★启用前", "high"),
        ("秘密 ★ 十年", "秘密 ★ 十年", "high"),
        ("密级：秘密\n标题", "密级：秘密", "high"),
        ("正文 秘密 保密期限：5年 正文", "秘密 保密期限：5年", "high"),
        ("【机密】关于……", "【机密】", "high"),
        ("  秘密  \n关于……", "秘密", "high"),
        ("机密 10年\n", "机密 10年", "high"),
        ("内部\n关于……", "内部", "medium"),
        ("内部资料 注意保存\n", "内部资料 注意保存", "medium"),
        ("【工作秘密】会议纪要", "【工作秘密】", "medium"),
        ("工作秘密★", "工作秘密★", "medium"),
        ("〔内部事项〕", "〔内部事项〕", "medium"),
        ("密级：内部", "密级：内部", "medium"),
    ],
)
def test_classification_markings(text: str, marking: str, severity: str) -> None:
    found = [f for f in scan_text(text) if f.kind == "classification"]
    assert [(f.text, f.severity) for f in found] == [(marking, severity)]
    assert_offsets(text, found)


@pytest.mark.parametrize(
    "text",
    [
        "全体工作人员要保守秘密，严守纪律。",
        "涉及商业秘密、个人隐私的政府信息不得公开。",
        "依法确定为国家秘密的政府信息不予公开。",
        "秘密会议的说法并不准确。",
        "加强内部管理，规范内部工作流程。",
        "适用工作秘密管理办法采取必要的保护措施。",
        "行政机关的内部事务信息可以不予公开。",
        "绝密级国家秘密的保密期限一般不超过三十年。",
        "商业秘密保密期限等事项另行约定。",
    ],
)
def test_ordinary_words_are_not_markings(text: str) -> None:
    assert of_kind(text, "classification") == []


def test_marking_in_running_text_only_with_star_or_brackets() -> None:
    assert of_kind("本文件原定为秘密★1年，现已解密。", "classification") == ["秘密★1年"]
    assert of_kind("本文件原定为秘密，现已解密。", "classification") == []


# --- 姓名 --------------------------------------------------------------------------------------------------------------


def test_names_after_labels() -> None:
    text = "申请人：张三\n联系人：欧阳修文\n当事人 王小明\n姓名：李四，性别：男"
    assert of_kind(text, "person_name") == ["张三", "欧阳修文", "王小明", "李四"]


def test_names_next_to_personal_data() -> None:
    number = valid_id()
    text = f"经查，王建国的身份证号码为{number}，手机13903751234（刘芳）。"
    assert of_kind(text, "person_name") == ["王建国", "刘芳"]
    assert of_kind("由赵敏提供邮箱 zm@example.com", "person_name") == ["赵敏"]


def test_names_only_in_context() -> None:
    text = "张三丰和李四光都是名人，王五在会上发言，刘备与关羽结义。"
    assert of_kind(text, "person_name") == []
    far = "张伟" + "，" * 15 + "13903751234"
    assert of_kind(far, "person_name") == []
    assert of_kind("张某某，电话13903751234", "person_name") == []  # already anonymised


def test_no_name_from_ordinary_words_near_a_phone() -> None:
    text = "如有疑问，请拨打本机关办公电话0375-1234567咨询，工作时间为周一至周五。"
    assert of_kind(text, "person_name") == []


# --- together ----------------------------------------------------------------------------------------------------------


def test_mixed_document_offsets_and_severity() -> None:
    number, card, code = valid_id(), valid_card(), valid_credit_code()
    text = (
        "机密★5年\n"
        "关于张三申请公开信息的答复\n"
        f"申请人：张三，身份证号{number}，电话139-0375-1234，邮箱zs@example.com，"
        f"银行卡{card}。\n"
        f"被申请人统一社会信用代码{code}。我们将保守秘密。\n"
    )
    found = scan_text(text)
    assert_offsets(text, found)
    assert [(f.kind, f.severity) for f in found] == [
        ("classification", "high"),
        ("person_name", "medium"),
        ("id_number", "high"),
        ("phone", "medium"),
        ("email", "medium"),
        ("bank_card", "high"),
        ("credit_code", "low"),
    ]
    assert has_high(found)


def test_empty_and_clean_text() -> None:
    assert scan_text("") == []
    assert scan_text("关于印发《湛河区政务公开工作要点》的通知") == []


def test_findings_are_frozen() -> None:
    finding = scan_text("电话13903751234")[0]
    with pytest.raises(AttributeError):
        finding.start = 0  # type: ignore[misc]


def test_one_megabyte_scans_quickly() -> None:
    number, card = valid_id(), valid_card()
    paragraph = (
        "根据《中华人民共和国政府信息公开条例》第二十条，本机关主动公开下列政府信息。"
        f"联系人：王五，电话0375-1234567，邮箱wangwu@zhanhe.gov.cn，身份证号{number}，卡号{card}。"
        "全体工作人员要保守秘密，涉及商业秘密的不予公开。2024年3月5日，湛司〔2024〕12号。\n"
    )
    text = (paragraph * (1_000_000 // len(paragraph) + 1))[:1_000_000]
    # CPU time of this process, not wall time: the bound is about the scanner's work, and wall time on a shared
    # 2-core machine also counts the other test worker and whatever else runs (a 3.3 s wall reading was seen there).
    began = time.process_time()
    found = scan_text(text)
    elapsed = time.process_time() - began
    assert len(found) > 10_000
    assert elapsed < 3.0, f"scanning 1 MB took {elapsed:.2f} s of CPU"


def test_marking_line_with_windows_line_endings() -> None:
    assert of_kind("秘密\r\n关于……的通知\r\n", "classification") == ["秘密"]
