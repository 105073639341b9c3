"""The closed codebooks of 主动公开, each entry with the article it comes from — the one place these labels live.

``Category`` is 条例第二十条's fifteen items（一）–（十五）in the article's words, plus 第二十一条's locally determined
information. ``DocKind`` and ``Validity`` feed 表二 第二十条第（一）项 of the annual report (国办公开办函〔2021〕30号;
regulations.md §2.3). ``Status`` is where an item is in its workflow, with the transition table ``TRANSITIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from django.db import models

from gongkai.accounts.roles import Perm

__all__ = [
    "LIFECYCLE_KINDS",
    "OPEN_HIGH_FINDING",
    "STAFF_ACTIONS",
    "SYSTEM_ACTIONS",
    "TERMINAL_VALIDITIES",
    "TRANSITIONS",
    "UNPUBLISHED_STATUSES",
    "VALIDITY_MEANING",
    "VALIDITY_TRANSITIONS",
    "Action",
    "Actor",
    "Category",
    "Channel",
    "DeliveryStatus",
    "DisclosureMode",
    "DocKind",
    "FindingKind",
    "FindingStatus",
    "ReviewDecision",
    "ReviewStage",
    "Severity",
    "Status",
    "Transition",
    "TransitionError",
    "Validity",
    "WithheldGround",
    "transition_for",
]


class Category(models.TextChoices):
    """条例第二十条：行政机关应当……主动公开本行政机关的下列政府信息 — and 第二十一条 for the local ones."""

    ART20_1 = "art20_1", "（一）行政法规、规章和规范性文件"
    ART20_2 = "art20_2", "（二）机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名"
    ART20_3 = "art20_3", "（三）国民经济和社会发展规划、专项规划、区域规划及相关政策"
    ART20_4 = "art20_4", "（四）国民经济和社会发展统计信息"
    ART20_5 = "art20_5", "（五）办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果"
    ART20_6 = (
        "art20_6",
        "（六）实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定",
    )
    ART20_7 = "art20_7", "（七）财政预算、决算信息"
    ART20_8 = "art20_8", "（八）行政事业性收费项目及其依据、标准"
    ART20_9 = "art20_9", "（九）政府集中采购项目的目录、标准及实施情况"
    ART20_10 = "art20_10", "（十）重大建设项目的批准和实施情况"
    ART20_11 = "art20_11", "（十一）扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况"
    ART20_12 = "art20_12", "（十二）突发公共事件的应急预案、预警信息及应对情况"
    ART20_13 = "art20_13", "（十三）环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况"
    ART20_14 = "art20_14", "（十四）公务员招考的职位、名额、报考条件等事项以及录用结果"
    ART20_15 = "art20_15", "（十五）法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息"
    # 第二十一条：设区的市级、县级人民政府及其部门还应当根据本地方的具体情况，主动公开涉及市政建设、公共服务、公益事业、
    # 土地征收、房屋征收、治安管理、社会救助等方面的政府信息（乡（镇）人民政府另有所列）。
    LOCAL = "local", "第二十一条 本地方其他主动公开信息"
    # Not 法定主动公开内容: 工作动态, 普法宣传 and other posts an agency chooses to publish (most 公众号 articles).
    OTHER = "other", "其他（工作动态、宣传等）"

    @property
    def article(self) -> str:
        if self is Category.LOCAL:
            return "条例第二十一条"
        if self is Category.OTHER:
            return ""
        return "条例第二十条" + self.label[: self.label.index("）") + 1]


class DocKind(models.TextChoices):
    # 表二 第二十条第（一）项 rows: 规章 | 行政规范性文件. Everything else is 其他 (no validity lifecycle in 表二).
    RULE = "rule", "规章"
    NORMATIVE = "normative", "行政规范性文件"
    OTHER = "other", "其他"


# The kinds that carry a validity lifecycle and are counted in 表二 第二十条第（一）项.
LIFECYCLE_KINDS: frozenset[str] = frozenset({DocKind.RULE, DocKind.NORMATIVE})


class Validity(models.TextChoices):
    CURRENT = "current", "现行有效"
    AMENDED = "amended", "已修改"
    ABOLISHED = "abolished", "已废止"
    EXPIRED = "expired", "失效"


VALIDITY_MEANING: MappingProxyType[str, str] = MappingProxyType(
    {
        Validity.CURRENT: "现行有效：已发布施行，未被修改、废止，有效期未届满",
        Validity.AMENDED: "已修改：部分条款经另一文件修改，修改后的文件继续有效（记录修改它的文件），仍计入现行有效",
        Validity.ABOLISHED: "已废止：经制定机关决定废止或被新文件替代，自废止之日起不再有效",
        Validity.EXPIRED: "失效：有效期届满或适用情形消失而自然失效，自失效之日起不再有效",
    }
)

# A validity ends the document's force (表二 本年废止件数); the date it took effect is ``abolished_on``.
TERMINAL_VALIDITIES: frozenset[str] = frozenset({Validity.ABOLISHED, Validity.EXPIRED})

# Which validity may follow which. An abolished or expired document is not revived: a new document is issued instead.
VALIDITY_TRANSITIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        Validity.CURRENT: frozenset({Validity.AMENDED, Validity.ABOLISHED, Validity.EXPIRED}),
        Validity.AMENDED: frozenset({Validity.AMENDED, Validity.ABOLISHED, Validity.EXPIRED}),
        Validity.ABOLISHED: frozenset(),
        Validity.EXPIRED: frozenset(),
    }
)


class DisclosureMode(models.TextChoices):
    # 条例第十三条：行政机关公开政府信息，采取主动公开和依申请公开的方式。
    PROACTIVE = "proactive", "主动公开"
    ON_REQUEST = "on_request", "依申请公开"
    WITHHELD = "withheld", "不予公开"


class WithheldGround(models.TextChoices):
    """Why an item is 不予公开 (条例第十四、十五、十六条)."""

    STATE_SECRET = "state_secret", "第十四条 依法确定为国家秘密"
    LAW_FORBIDS = "law_forbids", "第十四条 法律、行政法规禁止公开"
    ENDANGERS = "endangers", "第十四条 公开后可能危及国家安全、公共安全、经济安全、社会稳定"
    THIRD_PARTY = "third_party", "第十五条 涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害"
    INTERNAL_AFFAIRS = "internal_affairs", "第十六条第一款 内部事务信息"
    PROCESS_INFO = "process_info", "第十六条第二款 过程性信息"
    ENFORCEMENT_FILE = "enforcement_file", "第十六条第二款 行政执法案卷信息"


class Channel(models.TextChoices):
    # 条例第二十三条：通过政府公报、政府网站或者其他互联网政务媒体、新闻发布会以及报刊、广播、电视等途径予以公开。
    PORTAL = "portal", "门户网站"
    WECHAT = "wechat", "政务新媒体/公众号"
    GAZETTE = "gazette", "政府公报"
    OTHER = "other", "其他"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    DELIVERED = "delivered", "已发布"
    FAILED = "failed", "发送失败"


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SECRECY_REVIEW = "secrecy_review", "保密审查"  # 条例第十七条；保密法第三十五条；实施条例第四十二条 先审查、后公开
    APPROVAL = "approval", "审批"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"  # keeps its 索引号 forever


# Where an item still waits to be published: the 条例第二十六条 clock runs (selectors.timeliness).
UNPUBLISHED_STATUSES: frozenset[str] = frozenset({Status.DRAFT, Status.SECRECY_REVIEW, Status.APPROVAL})


class Actor(StrEnum):
    STAFF = "staff"  # a staff member acting through the back office, holding the transition's permission
    SYSTEM = "system"  # a job or an import: the scheduled publisher, the archive registration


class Action(models.TextChoices):
    EDIT = "edit", "修改"
    SUBMIT = "submit", "送保密审查"
    REVIEW_PASS = "review_pass", "保密审查通过"
    REVIEW_RETURN = "review_return", "保密审查退回"
    APPROVE = "approve", "审批同意并发布"
    SCHEDULE = "schedule", "审批同意，定时发布"
    APPROVAL_RETURN = "approval_return", "审批退回"
    PUBLISH_SCHEDULED = "publish_scheduled", "定时发布"
    # Registering an item published before the platform took over the catalogue (archive import, backdated):
    # it was reviewed where it was published then, so it does not pass through 保密审查 here again.
    PUBLISH = "publish", "登记已发布信息"
    WITHDRAW = "withdraw", "撤回"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: Status
    actor: Actor
    perm: Perm | None  # the permission a staff actor must hold in the item's agency; None for system transitions


def _t(action: Action, sources: set[Status], target: Status, actor: Actor, perm: Perm | None = None) -> Transition:
    return Transition(action, frozenset(sources), target, actor, perm)


S = Status
# The workflow as data (条例第十七条: 先审查、后公开). 经办人 draft and submit (Perm.HANDLE_CASES), 审核人 do the 保密审查
# (Perm.REVIEW_SECRECY), 负责人 approve and withdraw (Perm.APPROVE). SCHEDULE keeps the item in 审批 with a time; the
# system job PUBLISH_SCHEDULED publishes it then. A return (退回 or 不同意) sends the item back to 草稿 for editing.
TRANSITIONS: MappingProxyType[str, Transition] = MappingProxyType(
    {
        Action.EDIT: _t(Action.EDIT, {S.DRAFT}, S.DRAFT, Actor.STAFF, Perm.HANDLE_CASES),
        Action.SUBMIT: _t(Action.SUBMIT, {S.DRAFT}, S.SECRECY_REVIEW, Actor.STAFF, Perm.HANDLE_CASES),
        Action.REVIEW_PASS: _t(Action.REVIEW_PASS, {S.SECRECY_REVIEW}, S.APPROVAL, Actor.STAFF, Perm.REVIEW_SECRECY),
        Action.REVIEW_RETURN: _t(Action.REVIEW_RETURN, {S.SECRECY_REVIEW}, S.DRAFT, Actor.STAFF, Perm.REVIEW_SECRECY),
        Action.APPROVE: _t(Action.APPROVE, {S.APPROVAL}, S.PUBLISHED, Actor.STAFF, Perm.APPROVE),
        Action.SCHEDULE: _t(Action.SCHEDULE, {S.APPROVAL}, S.APPROVAL, Actor.STAFF, Perm.APPROVE),
        Action.APPROVAL_RETURN: _t(Action.APPROVAL_RETURN, {S.APPROVAL}, S.DRAFT, Actor.STAFF, Perm.APPROVE),
        Action.PUBLISH_SCHEDULED: _t(Action.PUBLISH_SCHEDULED, {S.APPROVAL}, S.PUBLISHED, Actor.SYSTEM),
        Action.PUBLISH: _t(Action.PUBLISH, {S.DRAFT}, S.PUBLISHED, Actor.SYSTEM),
        Action.WITHDRAW: _t(Action.WITHDRAW, {S.PUBLISHED}, S.WITHDRAWN, Actor.STAFF, Perm.APPROVE),
    }
)
del S

# The actions a staff member chooses in the back office (the others are run by jobs and imports).
STAFF_ACTIONS: tuple[Action, ...] = tuple(a for a in Action if TRANSITIONS[a].actor is Actor.STAFF)
SYSTEM_ACTIONS: tuple[Action, ...] = tuple(a for a in Action if TRANSITIONS[a].actor is Actor.SYSTEM)


class TransitionError(Exception):
    pass


def transition_for(action: Action, status: str, actor: Actor | None = None) -> Transition:
    """The transition ``action`` takes from ``status``; ``TransitionError`` (Chinese) when the table has none, or when
    ``actor`` (if given) is not the kind of actor the transition is for."""
    rule = TRANSITIONS[action]
    if actor is not None and actor is not rule.actor:
        who = "系统" if rule.actor is Actor.SYSTEM else "工作人员"
        raise TransitionError(f"“{action.label}”只能由{who}执行")
    if status not in rule.sources:
        raise TransitionError(f"状态为“{Status(status).label}”的信息不能{action.label}")
    return rule


# --- 保密审查 ------------------------------------------------------------------------------------------------------


class ReviewStage(models.TextChoices):
    SECRECY_REVIEW = "secrecy_review", "保密审查"
    APPROVAL = "approval", "审批"


class ReviewDecision(models.TextChoices):
    AGREE = "agree", "同意"
    RETURN = "return", "退回"  # back to 草稿 for changes
    DISAGREE = "disagree", "不同意"  # back to 草稿: not to be published as it stands (e.g. 公开属性 to be reconsidered)


class FindingKind(models.TextChoices):
    # The kinds of gongkai.scanning (issue 6 §3), in the CLI's words.
    CLASSIFICATION = "classification", "密级标识"  # 保密法第十四条 绝密、机密、秘密；内部、工作秘密（第六十四条）
    ID_NUMBER = "id_number", "身份证号"
    PHONE = "phone", "电话号码"
    BANK_CARD = "bank_card", "银行卡号"
    EMAIL = "email", "电子邮箱"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    PERSON_NAME = "person_name", "姓名"


class Severity(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class FindingStatus(models.TextChoices):
    OPEN = "open", "待处理"
    REDACTED = "redacted", "已遮盖"  # the data is replaced by ■ in the stored text (really removed)
    DISMISSED = "dismissed", "已排除"  # the reviewer judged it publishable, with a reason
    REMOVED = "removed", "附件已删除"  # the attachment holding it was removed from the item


# The message every refusal caused by an open high-severity finding carries.
OPEN_HIGH_FINDING = "存在未处理的高风险项，须先遮盖或说明理由排除"
