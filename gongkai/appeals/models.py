"""行政复议 / 行政诉讼 where the agency is 被申请人 / 被告 over its 政府信息公开 work, their timeline, the drafts of its
答复书 / 答辩状, and the result → 表四 column mapping in force. Rows are written by ``services.py`` only."""

from __future__ import annotations

from types import MappingProxyType

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from gongkai.appeals.codebook import AppealKind, Column, Instance, ResultCode, Route, block_of

_USER = settings.AUTH_USER_MODEL


class Status(models.TextChoices):
    FILED = "filed", "已申请（起诉）"
    ACCEPTED = "accepted", "已受理（立案）"
    ANSWERED = "answered", "已答复（答辩）"
    CONCLUDED = "concluded", "已审结"


class Action(models.TextChoices):
    CREATE = "create", "登记"
    EDIT = "edit", "修改"
    ACCEPT = "accept", "受理（立案）"
    COPY_RECEIVED = "copy_received", "收到申请书（起诉状）副本"
    ANSWER = "answer", "提交答复（答辩）"
    EXTEND = "extend", "延长审理期限"
    RESULT = "result", "记录结果"
    DRAFT = "draft", "生成文书草稿"


# Where each action may be taken and where it leads (actions not listed for a status are refused). A copy may arrive
# before the 受理 date is known to us (it is sent after 受理: 行政复议法第四十八条, 行政诉讼法第六十七条), so it moves a
# filed appeal to accepted; a result may end an appeal at any open stage (不予受理 ends it while filed).
TRANSITIONS: MappingProxyType[tuple[str, str], str] = MappingProxyType(
    {
        (Status.FILED, Action.EDIT): Status.FILED,
        (Status.ACCEPTED, Action.EDIT): Status.ACCEPTED,
        (Status.ANSWERED, Action.EDIT): Status.ANSWERED,
        (Status.FILED, Action.ACCEPT): Status.ACCEPTED,
        (Status.FILED, Action.COPY_RECEIVED): Status.ACCEPTED,
        (Status.ACCEPTED, Action.COPY_RECEIVED): Status.ACCEPTED,
        (Status.ACCEPTED, Action.ANSWER): Status.ANSWERED,
        (Status.ACCEPTED, Action.EXTEND): Status.ACCEPTED,
        (Status.ANSWERED, Action.EXTEND): Status.ANSWERED,
        (Status.FILED, Action.RESULT): Status.CONCLUDED,
        (Status.ACCEPTED, Action.RESULT): Status.CONCLUDED,
        (Status.ANSWERED, Action.RESULT): Status.CONCLUDED,
        (Status.FILED, Action.DRAFT): Status.FILED,
        (Status.ACCEPTED, Action.DRAFT): Status.ACCEPTED,
        (Status.ANSWERED, Action.DRAFT): Status.ANSWERED,
        (Status.CONCLUDED, Action.DRAFT): Status.CONCLUDED,
    }
)


class ResultMapping(models.Model):
    """The result → 表四 column mapping in force (seeded from codebook.DEFAULT_MAPPING; edited per deployment).
    A result without a row cannot be recorded."""

    result = models.CharField("结果", max_length=32, choices=ResultCode.choices, unique=True)
    column = models.CharField("表四栏目", max_length=12, choices=Column.choices)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "复议诉讼结果归类"
        verbose_name_plural = "复议诉讼结果归类"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_result_display()} → {self.get_column_display()}"


class Appeal(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="被申请人（被告）", on_delete=models.PROTECT, related_name="appeals"
    )
    kind = models.CharField("类别", max_length=16, choices=AppealKind.choices)
    route = models.CharField("起诉途径", max_length=16, choices=Route.choices, blank=True)
    instance = models.CharField("审级", max_length=8, choices=Instance.choices, blank=True)
    preceding = models.ForeignKey(
        "self",
        verbose_name="前序程序",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="following",
        help_text="复议后起诉：此前的行政复议；二审：一审",
    )
    body = models.CharField("复议机关或人民法院", max_length=200)
    number = models.CharField("案号", max_length=100, blank=True)
    appellant = models.CharField("申请人（原告）", max_length=200)
    subject = models.TextField("被申请复议（被诉）的政府信息公开行为")
    proactive = models.BooleanField("涉及主动公开工作", default=False)
    cases = models.ManyToManyField(
        "cases.Case", verbose_name="涉及的依申请公开案件", blank=True, related_name="appeals"
    )
    simplified = models.BooleanField("适用简易程序", default=False, help_text="行政复议法第五十三条")

    filed_on = models.DateField("申请（起诉）日期", db_index=True)
    accepted_on = models.DateField("受理（立案）日期", null=True, blank=True)
    copy_received_on = models.DateField("收到申请书（起诉状）副本之日", null=True, blank=True)
    answer_due = models.DateField("答复（答辩）期限", null=True, blank=True, db_index=True)
    answered_on = models.DateField("提交答复（答辩）日期", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("延长审理天数", default=0)
    decision_due = models.DateField("预计审结期限", null=True, blank=True, db_index=True)

    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.FILED, db_index=True)
    result = models.CharField("结果", max_length=32, choices=ResultCode.choices, blank=True)
    result_on = models.DateField("结果日期", null=True, blank=True, db_index=True)
    result_note = models.TextField("结果说明", blank=True)
    # Set by gongkai.privacy when the 申请人（原告）'s personal data is removed after the retention period.
    anonymised_at = models.DateTimeField("匿名化时间", null=True, blank=True)

    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "行政复议、行政诉讼"
        verbose_name_plural = "行政复议、行政诉讼"
        ordering = ["-filed_on", "-pk"]
        indexes = [models.Index(fields=["agency", "filed_on"], name="appeals_agency_filed")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or self.pk}"

    @property
    def block(self) -> str:
        """表四's block: 行政复议 / 未经复议直接起诉 / 复议后起诉."""
        return block_of(self.kind, self.route)

    @property
    def is_reconsideration(self) -> bool:
        return self.kind == AppealKind.RECONSIDERATION

    @property
    def is_concluded(self) -> bool:
        return self.status == Status.CONCLUDED


class AppealEvent(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField("序号")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    on = models.DateField("日期")  # the legal date of the fact
    at = models.DateTimeField("记录时间", auto_now_add=True)
    actor = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField("操作人", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = "复议诉讼记录"
        verbose_name_plural = "复议诉讼记录"
        ordering = ["appeal_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["appeal", "seq"], name="appeals_event_seq")]

    def __str__(self) -> str:
        return f"{self.appeal_id}#{self.seq} {self.get_action_display()}"


class DraftKind(models.TextChoices):
    RECONSIDERATION_REPLY = "reply", "行政复议答复书"
    DEFENCE = "defence", "行政诉讼答辩状"


class AppealDocument(models.Model):
    """A generated draft (答复书 / 答辩状) with its DOCX and PDF; staff finish and sign it outside the system."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("文书", max_length=10, choices=DraftKind.choices)
    title = models.CharField("标题", max_length=200)
    date_on = models.DateField("日期")
    docx = models.FileField("DOCX", max_length=300, blank=True)
    pdf = models.FileField("PDF", max_length=300, blank=True)
    docx_sha256 = models.CharField(max_length=64, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "复议诉讼文书草稿"
        verbose_name_plural = "复议诉讼文书草稿"
        ordering = ["appeal_id", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date_on}"
