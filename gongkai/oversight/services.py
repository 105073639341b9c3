"""Writes of the 考核: save a scheme's rules, publish (freeze) a ranking. Each checks SUPERVISE on the office, runs in one
transaction with the scheme row locked, and writes the audit row. Refusals are ``ValidationError`` with Chinese
messages naming the field; nothing is saved in part."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import has_perm
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record
from gongkai.oversight import selectors
from gongkai.oversight.metrics import METRICS, Metric
from gongkai.oversight.models import RankingPublication, Scope, ScoringRule, ScoringScheme, WhenMissing

__all__ = ["FIRST_YEAR", "RuleInput", "ranking_publish", "scheme_save"]

FIRST_YEAR = 2008  # 条例 in force since 2008-05-01
MAX_WEIGHT = Decimal(1000)
MAX_NOTE = 2000


@dataclass(frozen=True)
class RuleInput:
    metric: str
    weight: Any
    full_at: Any
    zero_at: Any
    when_missing: str = WhenMissing.FULL


def _decimal(value: Any, field: str, where: str, errors: dict[str, list[str]]) -> Decimal | None:
    if isinstance(value, Decimal):
        parsed = value
    else:
        try:
            parsed = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            errors.setdefault(field, []).append(f"{where}应为数字")
            return None
    if not parsed.is_finite():
        errors.setdefault(field, []).append(f"{where}应为数字")
        return None
    return parsed


def _clean_rules(rules: Sequence[RuleInput]) -> list[tuple[str, Decimal, Decimal, Decimal, str]]:
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[str, Decimal, Decimal, Decimal, str]] = []
    seen: set[str] = set()
    for n, rule in enumerate(rules, start=1):
        at = f"第{n}条规则"
        if rule.metric not in Metric.values:
            errors.setdefault("metric", []).append(f"{at}的考核指标“{rule.metric}”不在可选范围内")
            continue
        label = Metric(rule.metric).label
        if rule.metric in seen:
            errors.setdefault("metric", []).append(f"{at}：考核指标“{label}”重复，每个指标只能设一条规则")
        seen.add(rule.metric)
        weight = _decimal(rule.weight, "weight", f"{at}（{label}）的分值", errors)
        full_at = _decimal(rule.full_at, "full_at", f"{at}（{label}）的满分线", errors)
        zero_at = _decimal(rule.zero_at, "zero_at", f"{at}（{label}）的零分线", errors)
        if rule.when_missing not in WhenMissing.values:
            errors.setdefault("when_missing", []).append(f"{at}（{label}）的“无数据时”不在可选范围内")
        if weight is None:
            pass
        elif weight < 0:
            errors.setdefault("weight", []).append(f"{at}（{label}）的分值不能为负数")
        elif weight > MAX_WEIGHT:
            errors.setdefault("weight", []).append(f"{at}（{label}）的分值不能超过{MAX_WEIGHT}")
        elif weight != weight.quantize(Decimal("0.01")):
            errors.setdefault("weight", []).append(f"{at}（{label}）的分值最多保留两位小数")
        if full_at is not None and full_at == zero_at:
            errors.setdefault("full_at", []).append(f"{at}（{label}）的满分线与零分线不能相同")
        info = METRICS[rule.metric]
        for name, value, what in (("full_at", full_at, "满分线"), ("zero_at", zero_at, "零分线")):
            if value is None:
                continue
            if info.is_rate and not Decimal(0) <= value <= Decimal(100):
                errors.setdefault(name, []).append(f"{at}（{label}）的{what}应在0至100（%）之间")
            elif info.is_flag and not Decimal(0) <= value <= Decimal(1):
                errors.setdefault(name, []).append(f"{at}（{label}）的{what}应为0（否）至1（是）")
            elif not info.is_rate and not info.is_flag and value < 0:
                errors.setdefault(name, []).append(f"{at}（{label}）的{what}不能为负数")
            elif abs(value) >= Decimal(10) ** 8 or value != value.quantize(Decimal("0.0001")):
                errors.setdefault(name, []).append(f"{at}（{label}）的{what}超出范围或超过四位小数")
        if weight is not None and full_at is not None and zero_at is not None:
            cleaned.append((rule.metric, weight, full_at, zero_at, rule.when_missing))
    if not errors and not any(weight > 0 for _m, weight, _f, _z, _w in cleaned):
        errors.setdefault("rules", []).append("至少需要一条分值大于0的考核规则")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_office(office: Agency, actor: Any) -> None:
    if not has_perm(actor, Perm.SUPERVISE, office.pk):
        raise ValidationError({"office": f"只有{office.name}的主管部门工作人员可以设置和发布考核"})


def _check_year(year: int, today: dt.date) -> None:
    if not FIRST_YEAR <= year <= today.year + 1:
        raise ValidationError({"year": f"考核年度应在{FIRST_YEAR}年至{today.year + 1}年之间"})


def _rules_json(scheme: ScoringScheme) -> list[dict[str, str]]:
    return [
        {
            "metric": rule.metric,
            "weight": str(rule.weight),
            "full_at": str(rule.full_at),
            "zero_at": str(rule.zero_at),
            "when_missing": rule.when_missing,
        }
        for rule in ScoringRule.objects.filter(scheme=scheme).order_by("position", "pk")
    ]


def scheme_save(
    *,
    office: Agency,
    year: int,
    actor: Any,
    rules: Sequence[RuleInput],
    scope: str = Scope.ALL,
    note: str = "",
    request: HttpRequest | None = None,
) -> ScoringScheme:
    """Replace the rules of ``office``'s scheme for ``year`` (created on first save)."""
    _check_office(office, actor)
    _check_year(year, timezone.localdate())
    errors: dict[str, list[str]] = {}
    if scope not in Scope.values:
        errors["scope"] = ["考核对象不在可选范围内"]
    note = note.strip()
    if len(note) > MAX_NOTE:
        errors["note"] = [f"考核说明不能超过{MAX_NOTE}字"]
    try:
        cleaned = _clean_rules(rules)
    except ValidationError as error:
        for name, problems in error.message_dict.items():
            errors.setdefault(name, []).extend(problems)
        cleaned = []
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        scheme, created = ScoringScheme.objects.get_or_create(
            office=office, year=year, defaults={"updated_by": actor, "scope": scope, "note": note}
        )
        scheme = ScoringScheme.objects.select_for_update().get(pk=scheme.pk)
        before = None if created else {"scope": scheme.scope, "note": scheme.note, "rules": _rules_json(scheme)}
        ScoringRule.objects.filter(scheme=scheme).delete()
        ScoringRule.objects.bulk_create(
            ScoringRule(
                scheme=scheme,
                position=position,
                metric=metric,
                weight=weight,
                full_at=full_at,
                zero_at=zero_at,
                when_missing=when_missing,
            )
            for position, (metric, weight, full_at, zero_at, when_missing) in enumerate(cleaned, start=1)
        )
        scheme.scope = scope
        scheme.note = note
        scheme.updated_by = actor
        scheme.save(update_fields=["scope", "note", "updated_by", "updated_at"])
        audit_record(
            action="oversight.scheme_save",
            actor=actor,
            agency_id=office.pk,
            obj=scheme,
            before=before,
            after={"scope": scope, "note": note, "rules": _rules_json(scheme)},
            request=request,
        )
    return scheme


def _snapshot(ranking: selectors.Ranking) -> dict[str, Any]:
    full = sum((rule.weight for rule in ranking.rules), Decimal(0))
    return {
        "computed_on": ranking.computed_on.isoformat(),
        "scope": ranking.scheme.scope,
        "full_marks": str(full),
        "rules": [
            {
                "metric": rule.metric,
                "label": Metric(rule.metric).label,
                "weight": str(rule.weight),
                "full_at": str(rule.full_at),
                "zero_at": str(rule.zero_at),
                "when_missing": rule.when_missing,
            }
            for rule in ranking.rules
        ],
        "rows": [
            {
                "rank": row.rank,
                "agency_id": row.agency_id,
                "agency": row.agency_name,
                "total": None if row.total is None else str(row.total),
                "lines": [
                    {
                        "metric": line.metric,
                        "raw": None if line.raw is None else str(line.raw),
                        "weight": str(line.weight),
                        "points": None if line.points is None else str(line.points),
                    }
                    for line in row.lines
                ],
            }
            for row in ranking.rows
        ],
    }


def ranking_publish(
    *,
    office: Agency,
    year: int,
    actor: Any,
    note: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> RankingPublication:
    """Freeze the ranking as it stands today: the rules, each agency's raw values, points and rank. A later
    publication of the same year is a new version (a correction) and must say why."""
    _check_office(office, actor)
    today = today or timezone.localdate()
    note = note.strip()
    with transaction.atomic():
        scheme = ScoringScheme.objects.select_for_update().filter(office=office, year=year).first()
        if scheme is None or not ScoringRule.objects.filter(scheme=scheme).exists():
            raise ValidationError({"rules": f"{year}年度尚未设置考核规则，不能发布"})
        previous = RankingPublication.objects.filter(office=office, year=year).order_by("-version").first()
        version = 1 if previous is None else previous.version + 1
        if version > 1 and not note:
            raise ValidationError({"note": "重新发布（更正）须写明原因"})
        if len(note) > MAX_NOTE:
            raise ValidationError({"note": f"说明不能超过{MAX_NOTE}字"})
        snapshot = _snapshot(selectors.ranking(scheme, today=today))
        publication = RankingPublication.objects.create(
            scheme=scheme,
            office=office,
            year=year,
            version=version,
            snapshot=snapshot,
            note=note,
            published_on=today,
            published_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            action="oversight.ranking_publish",
            actor=actor,
            agency_id=office.pk,
            obj=publication,
            after={"year": year, "version": version, "note": note, "agencies": len(snapshot["rows"])},
            request=request,
        )
    return publication
