from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gongkai.core.masking import mask_id_number, mask_phone
from gongkai.core.validators import (
    credit_code_problem,
    id_number_problem,
    normalize_id_number,
    normalize_phone,
    normalize_postcode,
    org_code_problem,
    phone_problem,
    postcode_problem,
    validate_postcode,
)
from tests.factories import valid_credit_code, valid_id_number


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the worked example of GB 32100-2015
    ],
)
def test_real_credit_codes_pass(code: str) -> None:
    assert credit_code_problem(code) is None


def test_real_org_codes_pass() -> None:
    assert org_code_problem("000014349") is None  # 国务院 (index numbers on gov.cn)
    assert org_code_problem("00001333-8") is None  # 住房和城乡建设部, written with a hyphen


def test_credit_code_errors_are_chinese_and_specific() -> None:
    good = valid_credit_code(5)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    assert credit_code_problem(wrong_check) == "统一社会信用代码校验位不正确，请核对"
    assert "18位" in (credit_code_problem(good[:10]) or "")
    assert "无效字符" in (credit_code_problem(good[:5] + "I" + good[6:]) or "")


def test_id_number_checksum_and_birth_date() -> None:
    good = valid_id_number()
    assert id_number_problem(good) is None
    assert id_number_problem(good.lower()) is None
    last = good[-1]
    wrong = good[:-1] + ("1" if last != "1" else "2")
    assert id_number_problem(wrong) == "身份证号码校验位不正确，请核对"
    assert id_number_problem("41041119851332413X") == "身份证号码中的出生日期无效"
    assert "18位" in (id_number_problem("410411850312413") or "")


@given(st.text(max_size=40))
def test_validators_never_raise_on_arbitrary_text(text: str) -> None:
    for check in (id_number_problem, credit_code_problem, org_code_problem, phone_problem):
        result = check(text)
        assert result is None or isinstance(result, str)


@given(st.from_regex(r"\A[1-6][0-9]{5}(19[5-9][0-9]|20[01][0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}\Z"))
def test_exactly_one_check_character_is_valid(first17: str) -> None:
    valid = [c for c in "0123456789X" if id_number_problem(first17 + c) is None]
    assert len(valid) == 1


def test_masks() -> None:
    assert mask_id_number("410411198503124135") == "410***********4135"
    assert mask_phone("13903751234") == "139****1234"
    assert mask_phone("037588123456") == "0375****3456"
    assert mask_id_number(None) == ""
    assert mask_phone("") == ""


@pytest.mark.parametrize("phone", ["13903751234", "139 0375 1234", "0375-8166215", "+8613903751234"])
def test_phones_accepted(phone: str) -> None:
    assert phone_problem(phone) is None


@pytest.mark.parametrize("phone", ["12345", "23903751234", "abc"])
def test_phones_refused(phone: str) -> None:
    assert phone_problem(phone) is not None


def test_identifiers_take_digits_0_to_9_only_and_fold_full_width_ones() -> None:
    # "\d" admits every script's digits and int() reads "٣" as 3, so an ID number written in Arabic-Indic digits with
    # the right check character passed and was stored as such. Full-width digits (a Chinese input method's) are folded.
    number = valid_id_number()
    arabic = number[:17].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + number[17]
    assert id_number_problem(arabic) == "身份证号码应为18位，前17位为数字，最后一位为数字或X"
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert id_number_problem(full_width) is None
    assert normalize_id_number(full_width) == number
    assert phone_problem("1390375١٢٣٤") is not None
    assert phone_problem("１３９０３７５１２３４") is None
    assert normalize_phone("１３９-０３７５-１２３４") == "13903751234"
    with pytest.raises(ValidationError):
        validate_postcode("٤٦٧٠٠٠")
    validate_postcode("467000")
    assert normalize_postcode(" ４６７０００ ") == "467000"
    assert postcode_problem(normalize_postcode("４６７０００")) is None
    assert postcode_problem(normalize_postcode("٤٦٧٠٠٠")) == "邮政编码应为6位数字"
    assert postcode_problem("46700") == "邮政编码应为6位数字"
