"""Checksums of Chinese identifiers, with Chinese error messages that name what is wrong.

- 公民身份号码: GB 11643-1999 (ISO 7064 MOD 11-2 check character).
- 统一社会信用代码: GB 32100-2015 (MOD 31 check character over a 31-character alphabet).
- 组织机构代码: GB 11714-1997 (MOD 11 check character), also the 9th–17th characters of a credit code.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def ascii_digits(text: str) -> bool:
    """Only 0–9, at least one. ``str.isdigit`` alone also admits "²" or "①", which ``int()`` refuses (and "٣", which it
    takes): user input is checked with this before ``int()``."""
    return text.isascii() and text.isdigit()


# A Chinese input method in full-width mode types "１３８…": the same digits to the applicant, folded to ASCII. Every
# other kind of digit ("٣", "²") is left as it is and refused — a phone number, ID number or postcode is 0–9 only
# (a bare ``\d`` in a pattern admits them all, and ``int()`` reads "٣" as 3).
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def fold_digits(value: str) -> str:
    return value.translate(_FULL_WIDTH)


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s+", "", fold_digits(value)).upper()


def id_number_problem(value: str) -> str | None:
    """The reason an 18-digit 公民身份号码 is invalid, or None when it is valid."""
    number = normalize_id_number(value)
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        return "身份证号码应为18位，前17位为数字，最后一位为数字或X"
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "身份证号码中的出生日期无效"
    if int(number[6:10]) < 1900:
        return "身份证号码中的出生日期无效"
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17]:
        return "身份证号码校验位不正确，请核对"
    return None


def id_number_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str) -> None:
    problem = id_number_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_id_number")


# GB 32100: the alphabet leaves out I, O, S, V and Z.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    def value(char: str) -> int:
        return int(char) if char.isdigit() else ord(char) - ord("A") + 10

    total = sum(value(char) * weight for char, weight in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def normalize_code(value: str) -> str:
    return re.sub(r"[\s\-－]+", "", value).upper()


def credit_code_problem(value: str) -> str | None:
    code = normalize_code(value)
    if len(code) != 18:
        return "统一社会信用代码应为18位"
    if any(char not in _USCC_ALPHABET for char in code):
        return "统一社会信用代码含有无效字符（不使用 I、O、S、V、Z）"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3至8位应为登记管理机关行政区划码（数字）"
    if uscc_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确，请核对"
    return None


def validate_credit_code(value: str) -> None:
    problem = credit_code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_credit_code")


def org_code_problem(value: str) -> str | None:
    code = normalize_code(value)
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", code):
        return "组织机构代码应为9位（8位本体代码加1位校验码，可写作 XXXXXXXX-X）"
    if org_code_check_char(code[:8]) != code[8]:
        return "组织机构代码校验码不正确，请核对"
    return None


def validate_org_code(value: str) -> None:
    problem = org_code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_org_code")


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s\-－()（）]+", "", fold_digits(value))


_MOBILE = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}")
_FIXED = re.compile(r"0[0-9]{2,3}[0-9]{7,8}(?:[0-9]{1,6})?")


def phone_problem(value: str) -> str | None:
    phone = normalize_phone(value)
    if _MOBILE.fullmatch(phone) or _FIXED.fullmatch(phone):
        return None
    return "联系电话应为11位手机号码，或带区号的固定电话（如 0375-1234567）"


def validate_phone(value: str) -> None:
    problem = phone_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_phone")


POSTCODE_PROBLEM = "邮政编码应为6位数字"


def normalize_postcode(value: str) -> str:
    return fold_digits(value.strip())


def postcode_problem(value: str) -> str | None:
    """The reason a 邮政编码 (6 digits 0–9) is invalid, or None; give it the normalized value."""
    return None if len(value) == 6 and ascii_digits(value) else POSTCODE_PROBLEM


def validate_postcode(value: str) -> None:
    problem = postcode_problem(value.strip())
    if problem:
        raise ValidationError(problem, code="invalid_postcode")
