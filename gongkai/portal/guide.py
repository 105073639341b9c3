"""The 政府信息公开指南, generated on every request from the agency's own data (条例第十二条第二款).

条例第十二条：政府信息公开指南包括政府信息的分类、编排体系、获取方式和政府信息公开工作机构的名称、办公地址、办公时间、
联系电话、传真号码、互联网联系方式等内容。第五十三条（二）makes an out-of-date 指南 a breach, so nothing here is typed
in by hand: the categories and channels are what the agency actually publishes, the contact data is the Agency row, the
periods come from ``gongkai.clock.rules.PERIODS``, the fee tiers from ``gongkai.cases.fees`` (国办函〔2020〕109号).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.cases import fees
from gongkai.clock.rules import PERIODS, PeriodUnit, StatutoryPeriod
from gongkai.publications.codebook import Category, Channel
from gongkai.publications.services import format_index_number

__all__ = ["APPLICATION_PERIOD_KEYS", "Guide", "GuidePeriod", "build_guide", "period_text"]

# The periods an applicant meets, in the order they happen (条例第三十条、第三十三条、第三十二条; 109号 payment).
APPLICATION_PERIOD_KEYS = ("correction_notice", "reply", "extension", "third_party_opinion", "fee_payment")
REMEDY_PERIOD_KEYS = ("reconsideration_application", "litigation_direct", "litigation_after_reconsideration")

_UNIT = {
    PeriodUnit.WORKING_DAYS: "个工作日",
    PeriodUnit.CALENDAR_DAYS: "日",
    PeriodUnit.MONTHS: "个月",
}


def period_text(statutory: StatutoryPeriod) -> str:
    """ "20个工作日", "60日", "6个月"."""
    return f"{statutory.amount}{_UNIT.get(statutory.unit, '')}"


@dataclass(frozen=True)
class GuidePeriod:
    label: str
    length: str
    basis: str
    note: str


@dataclass(frozen=True)
class Guide:
    agency: Agency
    categories: list[tuple[Category, int]]
    channels: list[Channel]
    index_example: str
    application_periods: list[GuidePeriod]
    remedy_periods: list[GuidePeriod]
    proactive: str
    annual_report_due: str
    reply: str
    extension: str
    correction: str
    reconsideration: str
    litigation: str
    fee_item_lines: list[str]
    fee_volume_lines: list[str]
    fee_payment: str
    supervisor: Agency | None
    upper: Agency | None
    has_postal: bool
    has_fax: bool
    has_email: bool


def _guide_period(key: str) -> GuidePeriod:
    statutory = PERIODS[key]
    return GuidePeriod(statutory.label_zh, period_text(statutory), statutory.basis, statutory.note)


def _fee_item_lines() -> list[str]:
    # 国办函〔2020〕109号 第四条 — the numbers from gongkai.cases.fees, the one place they live.
    first_step_start = fees.ITEM_FIRST_TIER_END + 1
    return [
        f"同一申请人一个自然月内累计申请{fees.ITEM_FREE}件以下（含{fees.ITEM_FREE}件）的，不收费；",
        f"{fees.ITEM_FREE + 1}—{fees.ITEM_FIRST_TIER_END}件（含{fees.ITEM_FIRST_TIER_END}件）的部分："
        f"{fees.ITEM_FIRST_TIER_PRICE}元/件；",
        f"{first_step_start}件以上的部分：以{fees.ITEM_STEP}件为一档，每增加一档，收费标准提高{fees.ITEM_STEP_PRICE}元/件"
        f"（{first_step_start}—{first_step_start + fees.ITEM_STEP - 1}件为"
        f"{fees.fee_per_item(first_step_start)}元/件）。",
    ]


def _fee_volume_lines() -> list[str]:
    # 国办函〔2020〕109号 第五条
    free_pages = fees.VOLUME_TIERS[0][0] - 1
    lines = [f"{free_pages}页以下（含{free_pages}页）的，不收费；"]
    for low, high, price in fees.VOLUME_TIERS:
        span = f"{low}页以上" if high is None else f"{low}—{high}页（含{high}页）"
        lines.append(f"{span}的部分：{price}元/页；")
    lines[-1] = lines[-1].rstrip("；") + "。"
    return lines


def _annual_report_due(agency: Agency) -> str:
    # 条例第四十九条: 部门 by 1月31日, 人民政府 (by its 主管部门) by 3月31日, of the year after the report's year.
    statutory = PERIODS["annual_report_government" if agency.is_government else "annual_report_department"]
    assert statutory.fixed is not None
    month, day = statutory.fixed
    return f"每年{month}月{day}日前"


def build_guide(*, agency: Agency, categories: list[tuple[Category, int]], channels: list[Channel]) -> Guide:
    """The 指南 of ``agency``; ``categories`` and ``channels`` are what it publishes (``portal.selectors``)."""
    today = timezone.localdate()
    reply, extension = PERIODS["reply"], PERIODS["extension"]
    return Guide(
        agency=agency,
        categories=categories,
        channels=channels,
        index_example=format_index_number(agency, year=today.year, month=today.month, seq=1),
        application_periods=[_guide_period(key) for key in APPLICATION_PERIOD_KEYS],
        remedy_periods=[_guide_period(key) for key in REMEDY_PERIOD_KEYS],
        proactive=period_text(PERIODS["proactive_disclosure"]),
        annual_report_due=_annual_report_due(agency),
        reply=period_text(reply),
        extension=period_text(extension),
        correction=period_text(PERIODS["correction_notice"]),
        reconsideration=period_text(PERIODS["reconsideration_application"]),
        litigation=period_text(PERIODS["litigation_direct"]),
        fee_item_lines=_fee_item_lines(),
        fee_volume_lines=_fee_volume_lines(),
        fee_payment=period_text(PERIODS["fee_payment"]),
        supervisor=agency.supervisor,
        upper=agency.parent,
        has_postal=bool(agency.office_address and agency.office_postcode),
        has_fax=bool(agency.office_fax),
        has_email=bool(agency.office_email),
    )
