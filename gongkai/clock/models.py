"""The working-day calendar as versioned data, and the generic clock ledger whose due date is derived from it.

Calendar: one ``CalendarYear`` per year whose 国务院办公厅 notice is loaded, its ``CalendarDay`` rows (only the days that
differ from an ordinary week: 放假 days and 调休上班 weekend days) and a ``CalendarVersion`` for every change (who, when,
from what source, the notice text and a summary). Holidays are versioned data, never settings: a missed holiday once
produced a complaint elsewhere (lessons.md), so every change is recorded and every open deadline is recomputed.

Ledger: a ``ClockLedger`` is the statutory clock of one matter (an 依申请公开 application, later: a case attaches to it
one-to-one). Its truth is the append-only list of ``ClockLedgerEvent`` rows (补正, 征求意见, 延期, 收费, 延迟答复) plus
the received date; ``reply_due`` / ``correction_notice_due`` / ``provisional`` are only a cache of
``engine.compute(received, events, calendar)``, kept in indexed columns so that "overdue" and "due soon" are queries.
When the calendar changes the cache is recomputed and each due date that moves is recorded as a ``DueDateMove``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CalendarYearStatus(models.TextChoices):
    LOADED = "loaded", "已导入"


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年份", unique=True)
    # A year without a row is "not loaded": the engine counts it weekends-only and flags every result provisional.
    status = models.CharField(
        "状态", max_length=10, choices=CalendarYearStatus.choices, default=CalendarYearStatus.LOADED
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日安排年度"
        verbose_name_plural = "节假日安排年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class CalendarDay(models.Model):
    calendar_year = models.ForeignKey(CalendarYear, verbose_name="年度", on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类别", max_length=10, choices=DayKind.choices)
    name = models.CharField("节日", max_length=40, blank=True, help_text="如 春节、国庆节、中秋节")

    class Meta:
        verbose_name = "节假日安排日"
        verbose_name_plural = "节假日安排日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()


class VersionSource(models.TextChoices):
    CHINESECALENDAR = "chinesecalendar", "chinesecalendar 程序包"
    NOTICE = "notice", "国务院办公厅通知文本"
    MANUAL = "manual", "人工更正"


class CalendarVersion(models.Model):
    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name="年度", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")  # 1, 2, 3 … within the year
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=200, blank=True)  # "数据迁移", "命令行" when no user
    created_at = models.DateTimeField("时间", auto_now_add=True)
    source = models.CharField("来源", max_length=20, choices=VersionSource.choices)
    notice_text = models.TextField("通知文本", blank=True)
    summary = models.TextField("变更摘要", blank=True)
    # {"added": [[date, kind, name], …], "removed": [[date, kind, name], …], "changed": [[date, old, new], …]}
    changes = models.JSONField("变更明细", default=dict, blank=True)
    holidays = models.PositiveSmallIntegerField("放假天数", default=0)
    workdays = models.PositiveSmallIntegerField("调休上班天数", default=0)

    class Meta:
        verbose_name = "节假日安排版本"
        verbose_name_plural = "节假日安排版本"
        ordering = ["calendar_year__year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["calendar_year", "number"], name="clock_calendarversion_year_number")
        ]

    def __str__(self) -> str:
        return f"{self.calendar_year.year}年节假日安排（版本{self.number}）"


class LedgerEventType(models.TextChoices):
    # The values are engine.EventType's; the labels are what staff and the public read.
    CORRECTION_REQUESTED = "correction_requested", "告知补正"  # 条例第三十条
    CORRECTION_RECEIVED = "correction_received", "收到补正"
    CONSULTATION_STARTED = "consultation_started", "开始征求意见"  # 条例第三十二、三十四条：不计入期限
    CONSULTATION_ENDED = "consultation_ended", "征求意见结束"
    EXTENDED = "extended", "延长答复期限"  # 条例第三十三条第二款：最长20个工作日
    FEE_NOTIFIED = "fee_notified", "发出收费通知"  # 国办函〔2020〕109号
    FEE_PAID = "fee_paid", "缴费"
    DELAY_SET = "delay_set", "确定延迟答复期限"  # 条例第三十五条


class ClockLedger(models.Model):
    """The clock of one matter. Generic on purpose: a later issue attaches the 依申请公开 case (OneToOne → ledger)."""

    agency = models.ForeignKey("agencies.Agency", verbose_name="机关", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField("事项", max_length=200)
    received = models.DateField("收到申请之日")  # 条例第三十一条
    is_open = models.BooleanField("办理中", default=True)
    # Cache of engine.compute(); None while the clock is paused (征求意见, 待缴费) — recomputed, never edited.
    reply_due = models.DateField("答复期限", null=True, blank=True, db_index=True)
    correction_notice_due = models.DateField("补正告知期限", null=True, blank=True)
    provisional = models.BooleanField("期限为暂定", default=False)  # crosses a year whose notice is not loaded
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "法定期限台账"
        verbose_name_plural = "法定期限台账"
        indexes = [models.Index(fields=["is_open", "id"], name="clock_ledger_open_id")]

    def __str__(self) -> str:
        return f"{self.subject}（{self.received.isoformat()} 收到）"


class ClockLedgerEvent(models.Model):
    """One fact of the clock, appended in order (the service never updates or deletes one)."""

    ledger = models.ForeignKey(ClockLedger, verbose_name="台账", on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField("序号")
    type = models.CharField("事件", max_length=30, choices=LedgerEventType.choices)
    date = models.DateField("日期")
    days = models.PositiveSmallIntegerField("天数", null=True, blank=True)
    until = models.DateField("延迟至", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "期限事件"
        verbose_name_plural = "期限事件"
        ordering = ["ledger_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["ledger", "seq"], name="clock_ledgerevent_ledger_seq")]

    def __str__(self) -> str:
        return f"{self.ledger_id}#{self.seq} {self.get_type_display()} {self.date.isoformat()}"


class DueField(models.TextChoices):
    REPLY = "reply_due", "答复期限"
    CORRECTION_NOTICE = "correction_notice_due", "补正告知期限"


class DueDateMove(models.Model):
    """A cached due date that changed because the calendar changed (the old date is never lost)."""

    ledger = models.ForeignKey(ClockLedger, verbose_name="台账", on_delete=models.CASCADE, related_name="moves")
    field = models.CharField("期限", max_length=30, choices=DueField.choices, default=DueField.REPLY)
    old_date = models.DateField("原期限", null=True, blank=True)
    new_date = models.DateField("新期限", null=True, blank=True)
    reason = models.CharField("原因", max_length=200)  # e.g. "2027年节假日安排导入（版本3）"
    calendar_version = models.ForeignKey(
        CalendarVersion, verbose_name="日历版本", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "期限变动"
        verbose_name_plural = "期限变动"
        ordering = ["ledger_id", "id"]

    def __str__(self) -> str:
        return f"{self.ledger_id} {self.get_field_display()} {self.old_date} → {self.new_date}"
