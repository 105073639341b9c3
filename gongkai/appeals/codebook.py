"""行政复议 / 行政诉讼 as data: kinds, routes, instances, the results in the law's words with their articles, and the
表四 columns with the DEFAULT result → column mapping (regulations.md §2.5).

The default mapping is only the seed: the mapping in force is the ``ResultMapping`` table (one row per result), seeded
from ``DEFAULT_MAPPING`` by a data migration and editable per deployment (a province's 填报口径). 表四 reads only the
table; nothing else maps results to columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from django.db import models

__all__ = [
    "BLOCK_LABELS",
    "COLUMN_LABELS",
    "DEFAULT_MAPPING",
    "PENDING_COLUMN",
    "RESULTS",
    "AppealKind",
    "Column",
    "Instance",
    "ResultCode",
    "ResultDef",
    "Route",
    "block_of",
    "results_for",
]


class AppealKind(models.TextChoices):
    RECONSIDERATION = "reconsideration", "行政复议"
    LITIGATION = "litigation", "行政诉讼"


class Route(models.TextChoices):
    """表四's two 行政诉讼 blocks."""

    DIRECT = "direct", "未经复议直接起诉"
    AFTER_REVIEW = "after_review", "复议后起诉"


class Instance(models.TextChoices):
    FIRST = "first", "一审"
    SECOND = "second", "二审"


class Column(models.TextChoices):
    """表四's result columns for a concluded appeal (尚未审结 is not a result: it is where an open appeal counts)."""

    UPHELD = "upheld", "结果维持"
    CORRECTED = "corrected", "结果纠正"
    OTHER = "other", "其他结果"


PENDING_COLUMN = "尚未审结"
COLUMN_LABELS: MappingProxyType[str, str] = MappingProxyType({c.value: str(c.label) for c in Column})


class ResultCode(models.TextChoices):
    # 《行政复议法》(2023)
    RC_UPHELD = "rc_upheld", "维持"
    RC_VARIED = "rc_varied", "变更"
    RC_REVOKED = "rc_revoked", "撤销"
    RC_ILLEGAL = "rc_illegal", "确认违法"
    RC_ORDERED = "rc_ordered", "责令履行"
    RC_VOID = "rc_void", "确认无效"
    RC_CLAIM_DISMISSED = "rc_claim_dismissed", "驳回行政复议请求"
    RC_APPLICATION_DISMISSED = "rc_application_dismissed", "驳回申请"
    RC_NOT_ACCEPTED = "rc_not_accepted", "不予受理"
    RC_MEDIATED = "rc_mediated", "调解"
    RC_TERMINATED = "rc_terminated", "终止（撤回申请后终止）"
    # 《行政诉讼法》(2017) and 法释〔2018〕1号
    LT_CLAIM_DISMISSED = "lt_claim_dismissed", "判决驳回诉讼请求"
    LT_REVOKED = "lt_revoked", "判决撤销"
    LT_PERFORM = "lt_perform", "判决履行"
    LT_VARIED = "lt_varied", "判决变更"
    LT_ILLEGAL = "lt_illegal", "判决确认违法"
    LT_VOID = "lt_void", "判决确认无效"
    LT_SUIT_DISMISSED = "lt_suit_dismissed", "裁定驳回起诉"
    LT_WITHDRAWN = "lt_withdrawn", "撤诉"
    LT_MEDIATED = "lt_mediated", "调解"
    LT_APPEAL_DISMISSED = "lt_appeal_dismissed", "驳回上诉，维持原判"
    LT_REMANDED = "lt_remanded", "发回重审"


@dataclass(frozen=True)
class ResultDef:
    code: str
    kind: str  # AppealKind value
    label: str
    basis: str  # the article, in the law's words where short


_R = ResultCode
_RC = AppealKind.RECONSIDERATION.value
_LT = AppealKind.LITIGATION.value

_RESULTS = (
    ResultDef(
        _R.RC_UPHELD,
        _RC,
        "维持",
        "《行政复议法》第六十八条：行政行为认定事实清楚……内容适当的，行政复议机关决定维持该行政行为",
    ),
    ResultDef(_R.RC_VARIED, _RC, "变更", "《行政复议法》第六十三条：行政复议机关决定变更该行政行为"),
    ResultDef(_R.RC_REVOKED, _RC, "撤销", "《行政复议法》第六十四条：行政复议机关决定撤销或者部分撤销该行政行为"),
    ResultDef(
        _R.RC_ILLEGAL, _RC, "确认违法", "《行政复议法》第六十五条：行政复议机关不撤销该行政行为，但是确认该行政行为违法"
    ),
    ResultDef(
        _R.RC_ORDERED,
        _RC,
        "责令履行",
        "《行政复议法》第六十六条：被申请人不履行法定职责的，行政复议机关决定被申请人在一定期限内履行",
    ),
    ResultDef(_R.RC_VOID, _RC, "确认无效", "《行政复议法》第六十七条：行政复议机关确认该行政行为无效"),
    ResultDef(
        _R.RC_CLAIM_DISMISSED,
        _RC,
        "驳回行政复议请求",
        "《行政复议法》第六十九条：行政复议机关决定驳回申请人的行政复议请求",
    ),
    ResultDef(
        _R.RC_APPLICATION_DISMISSED,
        _RC,
        "驳回申请",
        "《行政复议法》第三十三条：受理后发现该行政复议申请不符合受理条件的，应当决定驳回申请并说明理由",
    ),
    ResultDef(
        _R.RC_NOT_ACCEPTED,
        _RC,
        "不予受理",
        "《行政复议法》第三十条：对不符合规定的行政复议申请，决定不予受理并说明理由",
    ),
    ResultDef(
        _R.RC_MEDIATED,
        _RC,
        "调解",
        "《行政复议法》第七十三条：当事人经调解达成协议的，行政复议机关应当制作行政复议调解书",
    ),
    ResultDef(
        _R.RC_TERMINATED,
        _RC,
        "终止（撤回申请后终止）",
        "《行政复议法》第四十一条：申请人撤回行政复议申请，行政复议机构准予撤回的，行政复议机关决定终止行政复议",
    ),
    ResultDef(
        _R.LT_CLAIM_DISMISSED, _LT, "判决驳回诉讼请求", "《行政诉讼法》第六十九条：人民法院判决驳回原告的诉讼请求"
    ),
    ResultDef(
        _R.LT_REVOKED,
        _LT,
        "判决撤销",
        "《行政诉讼法》第七十条：人民法院判决撤销或者部分撤销，并可以判决被告重新作出行政行为",
    ),
    ResultDef(_R.LT_PERFORM, _LT, "判决履行", "《行政诉讼法》第七十二条：人民法院判决被告在一定期限内履行"),
    ResultDef(_R.LT_VARIED, _LT, "判决变更", "《行政诉讼法》第七十七条：人民法院可以判决变更"),
    ResultDef(_R.LT_ILLEGAL, _LT, "判决确认违法", "《行政诉讼法》第七十四条：人民法院判决确认违法"),
    ResultDef(
        _R.LT_VOID, _LT, "判决确认无效", "《行政诉讼法》第七十五条：原告申请确认行政行为无效的，人民法院判决确认无效"
    ),
    ResultDef(
        _R.LT_SUIT_DISMISSED,
        _LT,
        "裁定驳回起诉",
        "最高人民法院关于适用《中华人民共和国行政诉讼法》的解释（法释〔2018〕1号）第六十九条：已经立案的，应当裁定驳回起诉",
    ),
    ResultDef(_R.LT_WITHDRAWN, _LT, "撤诉", "《行政诉讼法》第六十二条：原告申请撤诉……是否准许，由人民法院裁定"),
    ResultDef(
        _R.LT_MEDIATED,
        _LT,
        "调解",
        "《行政诉讼法》第六十条：行政机关行使法律、法规规定的自由裁量权的案件可以调解",
    ),
    ResultDef(
        _R.LT_APPEAL_DISMISSED,
        _LT,
        "驳回上诉，维持原判",
        "《行政诉讼法》第八十九条第一款第（一）项：原判决、裁定认定事实清楚，适用法律、法规正确的，判决或者裁定驳回上诉，维持原判决、裁定",
    ),
    ResultDef(
        _R.LT_REMANDED,
        _LT,
        "发回重审",
        "《行政诉讼法》第八十九条第一款第（三）项：原判决认定基本事实不清、证据不足的，发回原审人民法院重审",
    ),
)

RESULTS: MappingProxyType[str, ResultDef] = MappingProxyType({str(r.code): r for r in _RESULTS})

# regulations.md §2.5 ("a reasonable outcome mapping under 行政复议法(2023)" [U — confirm with the local 主管部门]):
# 维持 → 结果维持; 变更/撤销/确认违法/责令履行/确认无效 → 结果纠正; 驳回/调解/撤回/终止 → 其他结果. The 行政诉讼 results
# follow the same reading: 判决驳回诉讼请求 (the act stands) → 结果维持; a judgment against the act → 结果纠正; 裁定驳回
# 起诉, 撤诉, 调解 → 其他结果. 驳回上诉、维持原判 is read as the agency's act standing (the usual 一审 outcome for the agency);
# a deployment whose 口径 differs edits the table, not this seed.
DEFAULT_MAPPING: MappingProxyType[str, str] = MappingProxyType(
    {
        _R.RC_UPHELD: Column.UPHELD,
        _R.RC_VARIED: Column.CORRECTED,
        _R.RC_REVOKED: Column.CORRECTED,
        _R.RC_ILLEGAL: Column.CORRECTED,
        _R.RC_ORDERED: Column.CORRECTED,
        _R.RC_VOID: Column.CORRECTED,
        _R.RC_CLAIM_DISMISSED: Column.OTHER,
        _R.RC_APPLICATION_DISMISSED: Column.OTHER,
        _R.RC_NOT_ACCEPTED: Column.OTHER,
        _R.RC_MEDIATED: Column.OTHER,
        _R.RC_TERMINATED: Column.OTHER,
        _R.LT_CLAIM_DISMISSED: Column.UPHELD,
        _R.LT_REVOKED: Column.CORRECTED,
        _R.LT_PERFORM: Column.CORRECTED,
        _R.LT_VARIED: Column.CORRECTED,
        _R.LT_ILLEGAL: Column.CORRECTED,
        _R.LT_VOID: Column.CORRECTED,
        _R.LT_SUIT_DISMISSED: Column.OTHER,
        _R.LT_WITHDRAWN: Column.OTHER,
        _R.LT_MEDIATED: Column.OTHER,
        _R.LT_APPEAL_DISMISSED: Column.UPHELD,
        _R.LT_REMANDED: Column.OTHER,
    }
)

# 表四's blocks (gongkai.reports.schema.TABLE4_BLOCKS) by (kind, route).
BLOCK_LABELS: MappingProxyType[tuple[str, str], str] = MappingProxyType(
    {
        (AppealKind.RECONSIDERATION.value, ""): "行政复议",
        (AppealKind.LITIGATION.value, Route.DIRECT.value): "未经复议直接起诉",
        (AppealKind.LITIGATION.value, Route.AFTER_REVIEW.value): "复议后起诉",
    }
)


def block_of(kind: str, route: str) -> str:
    return BLOCK_LABELS[(kind, route if kind == AppealKind.LITIGATION else "")]


def results_for(kind: str) -> tuple[ResultDef, ...]:
    return tuple(r for r in _RESULTS if r.kind == kind)
