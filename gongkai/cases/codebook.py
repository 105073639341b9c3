"""The closed codebooks of 依申请公开, each entry with the article it comes from — the one place these labels live.

``Outcome`` is the reply's result. It maps one-to-one onto the result rows 三（一）…（六）3 of 表三 of the annual report
(国办公开办函〔2021〕30号; regulations.md §1.5, §2.4): a closed case is counted in exactly one row, its outcome's.
Finer reply situations that share a row (第三十六条（一） 已主动公开 and （二） 可以公开; （四） 不存在 and （五） 不属于本机关)
are ``OutcomeVariant``s: they change the letter, never the statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from django.db import models

__all__ = [
    "APPLICANT_COLUMNS",
    "OUTCOMES",
    "ApplicantType",
    "Channel",
    "ObtainMethod",
    "Outcome",
    "OutcomeInfo",
    "OutcomeVariant",
    "ProvisionForm",
    "outcome_info",
]


class ApplicantType(models.TextChoices):
    # 表三 columns: 自然人 | 法人或其他组织 (商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他)
    NATURAL_PERSON = "natural_person", "自然人"
    COMMERCIAL = "commercial", "商业企业"
    RESEARCH = "research", "科研机构"
    PUBLIC_WELFARE = "public_welfare", "社会公益组织"
    LEGAL_SERVICE = "legal_service", "法律服务机构"
    OTHER_ORG = "other_org", "其他"

    @property
    def is_organisation(self) -> bool:
        return self is not ApplicantType.NATURAL_PERSON


# Column order of 表三 (总计 is their sum).
APPLICANT_COLUMNS: tuple[ApplicantType, ...] = tuple(ApplicantType)


class Channel(models.TextChoices):
    """How the application reached the agency; each has its 收到申请之日 rule (条例第三十一条)."""

    ONLINE = "online", "互联网（在线申请）"  # 第三十一条（三）：以双方确认之日为收到申请之日
    FAX = "fax", "传真"  # 第三十一条（三）：以双方确认之日为收到申请之日
    IN_PERSON = "in_person", "当面提交"  # 第三十一条（一）：以提交之日为收到申请之日
    REGISTERED_MAIL = "registered_mail", "邮寄（需签收）"  # 第三十一条（二）：以行政机关签收之日为收到申请之日
    ORDINARY_MAIL = "ordinary_mail", "平常信函"  # 第三十一条（二）：收到当日与申请人确认，确认之日为收到申请之日
    ORAL = "oral", "口头提出（代为填写）"  # 第二十九条：采用书面形式确有困难的，由工作机构代为填写

    @property
    def needs_confirmation(self) -> bool:
        """Online and fax applications wait in 待确认 until staff confirm receipt with the applicant."""
        return self in (Channel.ONLINE, Channel.FAX)


# What staff are asked for, per channel, to fix the receipt date (条例第三十一条).
RECEIPT_RULES: MappingProxyType[str, str] = MappingProxyType(
    {
        Channel.ONLINE: "第三十一条（三）：通过互联网渠道提交的，以双方确认之日为收到申请之日",
        Channel.FAX: "第三十一条（三）：通过传真提交的，以双方确认之日为收到申请之日",
        Channel.IN_PERSON: "第三十一条（一）：当面提交的，以提交之日为收到申请之日",
        Channel.REGISTERED_MAIL: "第三十一条（二）：以邮寄方式提交的，以行政机关签收之日为收到申请之日",
        Channel.ORDINARY_MAIL: "第三十一条（二）：以平常信函等无需签收的邮寄方式提交的，收到当日与申请人确认，确认之日为收到申请之日",
        Channel.ORAL: "第二十九条：口头提出的，由政府信息公开工作机构代为填写申请，以提出之日为收到申请之日",
    }
)


class ProvisionForm(models.TextChoices):
    # 条例第二十九条（三）：申请公开的政府信息的形式要求
    PAPER = "paper", "纸质文本"
    ELECTRONIC = "electronic", "电子文档"
    DISC = "disc", "光盘"
    OTHER = "other", "其他"


class ObtainMethod(models.TextChoices):
    # 条例第二十九条（三）：获取信息的方式、途径
    POST = "post", "邮寄"
    PICKUP = "pickup", "自行领取"
    EMAIL = "email", "电子邮件"
    ONLINE = "online", "网上获取"


class Outcome(models.TextChoices):
    """One value per result row of 表三 — exactly these 21, in the table's order."""

    DISCLOSED = "disclosed", "予以公开"
    PARTIAL = "partial", "部分公开"
    WITHHELD_STATE_SECRET = "withheld_state_secret", "不予公开：属于国家秘密"
    WITHHELD_PROHIBITED = "withheld_prohibited", "不予公开：其他法律行政法规禁止公开"
    WITHHELD_SECURITY = "withheld_security", "不予公开：危及“三安全一稳定”"
    WITHHELD_THIRD_PARTY = "withheld_third_party", "不予公开：保护第三方合法权益"
    WITHHELD_INTERNAL = "withheld_internal", "不予公开：属于三类内部事务信息"
    WITHHELD_PROCESS = "withheld_process", "不予公开：属于四类过程性信息"
    WITHHELD_ENFORCEMENT = "withheld_enforcement", "不予公开：属于行政执法案卷"
    WITHHELD_QUERY = "withheld_query", "不予公开：属于行政查询事项"
    UNAVAILABLE_NOT_HELD = "unavailable_not_held", "无法提供：本机关不掌握相关政府信息"
    UNAVAILABLE_NEEDS_CREATION = "unavailable_needs_creation", "无法提供：没有现成信息需要另行制作"
    UNAVAILABLE_UNCLEAR = "unavailable_unclear", "无法提供：补正后申请内容仍不明确"
    NOT_PROCESSED_PETITION = "not_processed_petition", "不予处理：信访举报投诉类申请"
    NOT_PROCESSED_REPEAT = "not_processed_repeat", "不予处理：重复申请"
    NOT_PROCESSED_PUBLICATION = "not_processed_publication", "不予处理：要求提供公开出版物"
    NOT_PROCESSED_EXCESSIVE = "not_processed_excessive", "不予处理：无正当理由大量反复申请"
    NOT_PROCESSED_CONFIRMATION = "not_processed_confirmation", "不予处理：要求行政机关确认或重新出具已获取信息"
    OTHER_NO_CORRECTION = "other_no_correction", "其他处理：申请人无正当理由逾期不补正"
    OTHER_FEE_UNPAID = "other_fee_unpaid", "其他处理：申请人逾期未按收费通知要求缴纳费用"
    OTHER = "other", "其他处理：其他"


class OutcomeVariant(models.TextChoices):
    """Reply situations that share a 表三 row but need different words in the 答复书."""

    NONE = "", "—"
    ALREADY_PUBLIC = "already_public", "已主动公开，告知获取方式、途径"  # 第三十六条（一）
    PROVIDED = "provided", "予以提供"  # 第三十六条（二）
    NOT_EXIST = "not_exist", "经检索没有所申请公开信息"  # 第三十六条（四）
    NOT_OURS = "not_ours", "不属于本机关负责公开"  # 第三十六条（五）
    WITHDRAWN = "withdrawn", "申请人撤回申请"  # 上海市政府办公厅2025年报：“其他处理…含申请人主动撤回”


@dataclass(frozen=True)
class OutcomeInfo:
    outcome: Outcome
    row: str  # the 表三 row key used by the report, e.g. "三.三.4"
    row_label: str  # the exact label printed in 表三
    basis: str  # the article the reply rests on, quoted into the 答复书
    withholds: bool  # a (partial) refusal to disclose: 复议前置 applies (行政复议法第二十三条第一款（四）)
    variants: tuple[OutcomeVariant, ...] = ()
    needs_grounds: bool = False  # the reply must state what is withheld and why
    system_only: bool = False  # set by a transition, never chosen in the reply form


_O = Outcome
_V = OutcomeVariant

_TABLE: tuple[OutcomeInfo, ...] = (
    OutcomeInfo(
        _O.DISCLOSED,
        "三.一",
        "（一）予以公开",
        "《中华人民共和国政府信息公开条例》第三十六条第（一）项、第（二）项",
        False,
        (_V.PROVIDED, _V.ALREADY_PUBLIC),
    ),
    OutcomeInfo(
        _O.PARTIAL,
        "三.二",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "《中华人民共和国政府信息公开条例》第三十七条",
        True,
        needs_grounds=True,
    ),
    OutcomeInfo(
        _O.WITHHELD_STATE_SECRET,
        "三.三.1",
        "1.属于国家秘密",
        "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项",
        True,
        needs_grounds=True,
    ),
    OutcomeInfo(
        _O.WITHHELD_PROHIBITED,
        "三.三.2",
        "2.其他法律行政法规禁止公开",
        "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项",
        True,
        needs_grounds=True,
    ),
    OutcomeInfo(
        _O.WITHHELD_SECURITY,
        "三.三.3",
        "3.危及“三安全一稳定”",
        "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项",
        True,
        needs_grounds=True,
    ),
    OutcomeInfo(
        _O.WITHHELD_THIRD_PARTY,
        "三.三.4",
        "4.保护第三方合法权益",
        "《中华人民共和国政府信息公开条例》第十五条、第三十二条、第三十六条第（三）项",
        True,
        needs_grounds=True,
    ),
    OutcomeInfo(
        _O.WITHHELD_INTERNAL,
        "三.三.5",
        "5.属于三类内部事务信息",
        "《中华人民共和国政府信息公开条例》第十六条第一款、第三十六条第（三）项",
        True,
        needs_grounds=True,
    ),
    OutcomeInfo(
        _O.WITHHELD_PROCESS,
        "三.三.6",
        "6.属于四类过程性信息",
        "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第（三）项",
        True,
        needs_grounds=True,
    ),
    OutcomeInfo(
        _O.WITHHELD_ENFORCEMENT,
        "三.三.7",
        "7.属于行政执法案卷",
        "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第（三）项",
        True,
        needs_grounds=True,
    ),
    OutcomeInfo(
        _O.WITHHELD_QUERY,
        "三.三.8",
        "8.属于行政查询事项",
        "《中华人民共和国政府信息公开条例》第三十六条第（七）项",
        True,
        needs_grounds=True,
    ),
    OutcomeInfo(
        _O.UNAVAILABLE_NOT_HELD,
        "三.四.1",
        "1.本机关不掌握相关政府信息",
        "《中华人民共和国政府信息公开条例》第三十六条第（四）项、第（五）项",
        False,
        (_V.NOT_EXIST, _V.NOT_OURS),
    ),
    OutcomeInfo(
        _O.UNAVAILABLE_NEEDS_CREATION,
        "三.四.2",
        "2.没有现成信息需要另行制作",
        "《中华人民共和国政府信息公开条例》第三十八条",
        False,
    ),
    OutcomeInfo(
        _O.UNAVAILABLE_UNCLEAR,
        "三.四.3",
        "3.补正后申请内容仍不明确",
        "《中华人民共和国政府信息公开条例》第三十条",
        False,
    ),
    OutcomeInfo(
        _O.NOT_PROCESSED_PETITION,
        "三.五.1",
        "1.信访举报投诉类申请",
        "《中华人民共和国政府信息公开条例》第三十九条第一款",
        False,
    ),
    OutcomeInfo(
        _O.NOT_PROCESSED_REPEAT,
        "三.五.2",
        "2.重复申请",
        "《中华人民共和国政府信息公开条例》第三十六条第（六）项",
        False,
    ),
    OutcomeInfo(
        _O.NOT_PROCESSED_PUBLICATION,
        "三.五.3",
        "3.要求提供公开出版物",
        "《中华人民共和国政府信息公开条例》第三十九条第二款",
        False,
    ),
    OutcomeInfo(
        _O.NOT_PROCESSED_EXCESSIVE,
        "三.五.4",
        "4.无正当理由大量反复申请",
        "《中华人民共和国政府信息公开条例》第三十五条",
        False,
    ),
    OutcomeInfo(
        _O.NOT_PROCESSED_CONFIRMATION,
        "三.五.5",
        "5.要求行政机关确认或重新出具已获取信息",
        "《中华人民共和国政府信息公开条例》第三十六条第（六）项、第三十八条",
        False,
    ),
    OutcomeInfo(
        _O.OTHER_NO_CORRECTION,
        "三.六.1",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "《中华人民共和国政府信息公开条例》第三十条",
        False,
        system_only=True,
    ),
    OutcomeInfo(
        _O.OTHER_FEE_UNPAID,
        "三.六.2",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "《中华人民共和国政府信息公开条例》第四十二条、《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
        False,
        system_only=True,
    ),
    OutcomeInfo(
        _O.OTHER,
        "三.六.3",
        "3.其他",
        "《中华人民共和国政府信息公开条例》",
        False,
        (_V.WITHDRAWN,),
    ),
)

OUTCOMES: MappingProxyType[str, OutcomeInfo] = MappingProxyType({info.outcome.value: info for info in _TABLE})
assert len(OUTCOMES) == len(Outcome), "every outcome has exactly one 表三 row"
assert len({info.row for info in _TABLE}) == len(_TABLE), "no two outcomes share a row"


def outcome_info(outcome: str) -> OutcomeInfo:
    return OUTCOMES[str(outcome)]


class CorrectionItem(StrEnum):
    """What a 补正告知 may ask for (江苏省《政府信息公开申请办理答复规范》一（一）, regulations.md §4.1)."""

    IDENTITY = "未能提供申请人的姓名或者名称、身份证明、联系方式"
    DESCRIPTION = "申请公开的政府信息的名称、文号或者其他特征性描述不明确或有歧义"
    FORM = "申请公开的政府信息的形式要求不明确，包括未明确获取信息的方式、途径"
