from __future__ import annotations

import datetime as dt

from django import template

from gongkai.core.dates import chinese_date
from gongkai.core.masking import mask_id_number, mask_phone

register = template.Library()


@register.filter
def masked_id(value: str | None) -> str:
    return mask_id_number(value)


@register.filter
def masked_phone(value: str | None) -> str:
    return mask_phone(value)


@register.filter
def cn_date(value: dt.date | None) -> str:
    return chinese_date(value) if value else ""
