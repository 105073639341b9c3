"""Numbers with valid and invalid check characters, made with the project's own checksum helpers."""

from __future__ import annotations

from gongkai.core.validators import id_number_check_char, uscc_check_char


def valid_id(first17: str = "41041119850312413") -> str:
    return first17 + id_number_check_char(first17)


def wrong_id(first17: str = "41041119850312413") -> str:
    right = id_number_check_char(first17)
    return first17 + ("1" if right != "1" else "2")


def luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char)
        if index % 2 == 0:  # doubled: the check digit will be appended to the right
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str((10 - total % 10) % 10)


def valid_card(body: str = "622202123456789012") -> str:
    return body + luhn_digit(body)


def wrong_card(body: str = "622202123456789012") -> str:
    return body + str((int(luhn_digit(body)) + 1) % 10)


def valid_credit_code(first17: str = "91410400MA4012345") -> str:
    return first17 + uscc_check_char(first17)


def wrong_credit_code(first17: str = "91410400MA4012345") -> str:
    right = uscc_check_char(first17)
    return first17 + ("1" if right != "1" else "2")
